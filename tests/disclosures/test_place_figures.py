"""The places' figures kept by the writes (disclosures/figures.py) are always the figures summed
from scratch: after publishing, a status step, an edit of the settlements, a withdrawal, a
hiding and showing again, an akimat's confirmation, a moderated resident's word, a deletion and
a moved place — for every place, its headline sums and its table of villages."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.services import moderate_input
from disclosures import figures, services
from disclosures.models import Disclosure, PlaceFigures, ResidentFeedback, Status
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    PlaceFactory,
    ResidentFeedbackFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


def from_scratch(place):
    """The figures as the place page computed them before they were kept."""
    listed = Disclosure.objects.published().filter(settlements__path__startswith=place.path)
    summary = Disclosure.objects.filter(pk__in=listed.values("pk")).summary()
    table = {}
    for village in place.__class__.objects.within(place).settlements():
        named = Disclosure.objects.in_force().filter(settlements=village)
        if named.exists():
            sums = named.summary()
            table[village.pk] = {
                "total": sums["total"],
                **{key: sums[key] for key in ("delivered", "in_progress", "promised", "overdue")},
            }
    return summary, table


def kept(place):
    table = {
        pk: {key: row[key] for key in ("total", "delivered", "in_progress", "promised", "overdue")}
        for pk, row in PlaceFigures.objects.by_settlement(place).items()
    }
    return PlaceFigures.objects.summary(place), table


def assert_kept_match(places):
    places = {name: type(stale).objects.get(pk=stale.pk) for name, stale in places.items()}
    for place in places.values():  # with its path as it stands now
        (summary, table), (expected_summary, expected_table) = kept(place), from_scratch(place)
        differ = {
            k: (v, expected_summary[k]) for k, v in summary.items() if v != expected_summary[k]
        }
        assert not differ, (place, differ)
        assert table == expected_table, place
    # ... and summing the rows again changes nothing.
    before = {place.pk: kept(place) for place in places.values()}
    figures.rebuild()
    assert {place.pk: kept(place) for place in places.values()} == before


@pytest.fixture
def country():
    places = place_tree()
    company = DisclosureFactory(published=True, settlements=[places["village"]]).organisation
    akimat = AkimatFactory(place=places["rural"])
    payment = DisclosureFactory(
        published=True,
        organisation=company,
        recipient_role="akimat_budget",
        settlements=[places["village"]],
    )
    DisclosureFactory(
        published=True,
        organisation=akimat,
        funded_by=payment,
        amount=400_000,
        settlements=[places["village"], places["neighbour"]],
    )
    DisclosureFactory(
        published=True, overdue=True, organisation=company, settlements=[places["neighbour"]]
    )
    DisclosureFactory(
        published=True, promised=True, currency="USD", is_estimate=True, organisation=company,
        settlements=[places["neighbour"], places["elsewhere"]],
    )  # fmt: skip
    DisclosureFactory(withdrawn=True, organisation=company, settlements=[places["village"]])
    DisclosureFactory(organisation=company, settlements=[places["village"]])  # a draft
    return {
        "places": places,
        "company": company,
        "owner": member_of(company),
        "akimat": akimat,
        "official": member_of(akimat),
        "payment": payment,
        "staff": UserFactory(staff=True),
    }


def test_kept_figures_match_after_every_kind_of_write(country):
    places, owner, staff = country["places"], country["owner"], country["staff"]
    assert_kept_match(places)
    assert PlaceFigures.objects.summary(places["region"])["total"] == 5

    draft = Disclosure.objects.filter(published_at__isnull=True).get()
    services.publish_disclosure(acting_user=owner, disclosure=draft)
    assert_kept_match(places)

    promise = DisclosureFactory(
        promised=True, organisation=country["company"], settlements=[places["neighbour"]]
    )
    services.publish_disclosure(acting_user=owner, disclosure=promise)
    services.change_status(acting_user=owner, disclosure=promise, status=Status.IN_PROGRESS)
    assert_kept_match(places)

    promise.refresh_from_db()
    promise.due_date = timezone.localdate() - datetime.timedelta(days=3)  # now overdue
    services.update_disclosure(
        acting_user=owner,
        disclosure=promise,
        settlements=[places["village"], places["elsewhere"]],
        reason="The well is in Lakeside.",
    )
    assert_kept_match(places)

    # The akimat's payment out of the company's: counted once while the payment counts.
    payment = country["payment"]
    services.withdraw_disclosure(acting_user=owner, disclosure=payment, reason="Paid twice.")
    assert_kept_match(places)

    services.hide_disclosure(acting_user=staff, disclosure=promise, reason="Court order.")
    assert_kept_match(places)
    services.unhide_disclosure(acting_user=staff, disclosure=promise, reason="Order lifted.")
    assert_kept_match(places)


def test_confirmations_residents_words_and_deletion_move_the_figures(country):
    places, staff = country["places"], country["staff"]
    record = Disclosure.objects.published().filter(funded_by__isnull=False).get()
    ConfirmationFactory(disclosure=country["payment"], akimat=country["akimat"])
    word = ResidentFeedbackFactory(disclosure=record, kind=ResidentFeedback.Kind.DISPUTED)
    assert_kept_match(places)  # pending: not counted yet
    moderate_input(acting_user=staff, item=word, approve=True)
    assert PlaceFigures.objects.summary(places["village"])["disputed"] == 1
    assert_kept_match(places)
    moderate_input(acting_user=staff, item=word, approve=False, reason="Not about this roof.")
    assert_kept_match(places)

    record.delete()  # cascades to its words
    country["payment"].delete()  # with its confirmation
    assert_kept_match(places)


def test_a_moved_place_takes_its_figures_along(country):
    """A village moved within its district, then its old rural district to another region:
    the areas each left and entered sum their figures again (those above both keep theirs),
    and a region's table of villages lists exactly the villages under it now."""
    places = country["places"]
    other_district = places["elsewhere"].parent
    places |= {"other_district": other_district, "other_region": other_district.parent}
    places["village"].parent = places["district"]
    places["village"].save()
    assert_kept_match(places)
    assert set(PlaceFigures.objects.by_settlement(places["rural"])) == {places["neighbour"].pk}

    places["rural"].parent = other_district
    places["rural"].save()
    assert_kept_match(places)
    assert set(PlaceFigures.objects.by_settlement(places["region"])) == {places["village"].pk}
    assert set(PlaceFigures.objects.by_settlement(places["other_region"])) == {
        places["neighbour"].pk,
        places["elsewhere"].pk,
    }


def test_an_overdue_promise_follows_the_clock_without_a_write(country, monkeypatch):
    """Due dates are kept, not "overdue": a promise due today is overdue tomorrow."""
    village = country["places"]["village"]
    DisclosureFactory(
        published=True, promised=True, due_date=timezone.localdate(), settlements=[village]
    )
    assert PlaceFigures.objects.summary(village)["overdue"] == 0
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr("disclosures.models.today", lambda: tomorrow)
    assert PlaceFigures.objects.summary(village)["overdue"] == 1
    assert PlaceFigures.objects.by_settlement(village)[village.pk]["overdue"] == 1
    assert kept(village) == from_scratch(village)


def test_rebuild_command_sums_what_the_writes_added(country):
    places = country["places"]
    rows_before = PlaceFigures.objects.count()
    expected = kept(places["region"])
    PlaceFigures.objects.all().delete()
    call_command("rebuild_place_figures", if_empty=True)
    assert kept(places["region"]) == expected
    assert PlaceFigures.objects.count() <= rows_before


@pytest.mark.django_db(transaction=True)
def test_the_rebuild_command_leaves_the_figures_vacuumed():
    """After the daily rebuild every page of the figures is marked all-visible again (VACUUM,
    after the rebuild's transaction), so the search's counts stay an index-only scan; and the
    planner has the new statistics."""
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM and pg_class are PostgreSQL's")
    village = PlaceFactory()
    for _ in range(3):
        DisclosureFactory(published=True, settlements=[village])
    call_command("rebuild_place_figures")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible, reltuples FROM pg_class WHERE relname = %s",
            [PlaceFigures._meta.db_table],
        )
        pages, all_visible, tuples = cursor.fetchone()
    assert pages > 0 and all_visible == pages
    assert tuples == PlaceFigures.objects.count()
