"""The places whose pages list a contribution (`ListedPlace`, disclosures/listed.py) follow every
write: publication, withdrawal, hiding and showing again, the settlements (from either side), a
moved place and a deletion; a draft never enters; and `rebuild()` writes the same rows again.
Each time, a place page's newest contributions are those of `for_place`, newest first."""

import datetime

import pytest
from django.utils import timezone

from disclosures import listed, services
from disclosures.models import Disclosure, ListedPlace
from tests.factories import DisclosureFactory, UserFactory, member_of, place_tree

pytestmark = pytest.mark.django_db


def shown(place, count=20):
    """A place page's newest contributions, as the page reads them."""
    return list(Disclosure.objects.published().newest_for(place, count))


def expected(place, count=20):
    """The same from the settlements' paths, as the page read them before the rows were kept."""
    return list(Disclosure.objects.published().for_place(place)[:count])


def assert_listed(places):
    for name, stale in places.items():
        place = type(stale).objects.get(pk=stale.pk)  # its path as it stands now
        assert shown(place) == expected(place), name
        assert list(Disclosure.objects.published().listed_in(place).order_by("pk")) == list(
            Disclosure.objects.published().for_place(place).order_by("pk")
        ), name


@pytest.fixture
def country():
    places = place_tree()
    company = DisclosureFactory(published=True, settlements=[places["village"]]).organisation
    DisclosureFactory(
        published=True, organisation=company, settlements=[places["village"], places["neighbour"]]
    )
    DisclosureFactory(
        published=True, organisation=company, settlements=[places["neighbour"], places["elsewhere"]]
    )
    return {"places": places, "company": company, "owner": member_of(company)}


def test_a_contribution_is_listed_in_and_above_its_settlements_only(country):
    places = country["places"]
    only_village = Disclosure.objects.published().order_by("pk").first()
    for name in ("region", "district", "rural", "village"):
        assert only_village in shown(places[name]), name
    assert only_village not in shown(places["neighbour"])
    assert only_village not in shown(places["elsewhere"])
    # Named twice under the district (two of its villages), listed once.
    assert len(shown(places["district"])) == 3
    assert_listed(places)


def test_a_draft_never_enters_publication_and_withdrawal_keep_it_listed(country):
    places, owner = country["places"], country["owner"]
    draft = DisclosureFactory(organisation=country["company"], settlements=[places["village"]])
    assert not ListedPlace.objects.filter(disclosure=draft).exists()
    draft.settlements.set([places["neighbour"]])  # a draft's settlements, edited
    assert not ListedPlace.objects.filter(disclosure=draft).exists()
    services.publish_disclosure(acting_user=owner, disclosure=draft)
    assert shown(places["district"])[0] == draft  # the newest
    assert_listed(places)
    services.withdraw_disclosure(acting_user=owner, disclosure=draft, reason="Paid twice.")
    assert draft in shown(places["neighbour"])  # listed, marked withdrawn
    assert_listed(places)


def test_hiding_takes_it_off_every_page_and_showing_it_again_brings_it_back(country):
    places, staff = country["places"], UserFactory(staff=True)
    record = Disclosure.objects.published().order_by("pk").first()
    services.hide_disclosure(acting_user=staff, disclosure=record, reason="Court order.")
    assert not ListedPlace.objects.filter(disclosure=record).exists()
    assert_listed(places)
    services.unhide_disclosure(acting_user=staff, disclosure=record, reason="Order lifted.")
    assert record in shown(places["region"])
    assert_listed(places)


def test_the_rows_follow_the_settlements_from_either_side(country):
    places, owner = country["places"], country["owner"]
    record = Disclosure.objects.published().order_by("pk").first()
    services.update_disclosure(
        acting_user=owner,
        disclosure=record,
        settlements=[places["elsewhere"]],
        reason="The well is in Faraway.",
    )
    assert record not in shown(places["district"])
    assert record in shown(places["elsewhere"].parent)
    assert_listed(places)
    places["neighbour"].disclosures.add(record)  # from the place's side
    assert record in shown(places["rural"])
    assert_listed(places)
    places["neighbour"].disclosures.clear()
    assert shown(places["rural"]) == [Disclosure.objects.get(settlements=places["village"])]
    assert_listed(places)


def test_the_rows_follow_a_moved_place_and_a_deletion(country):
    places = country["places"]
    other_district = places["elsewhere"].parent
    places["rural"].parent = other_district
    places["rural"].save()
    assert shown(places["district"]) == []
    assert len(shown(other_district)) == 3
    assert_listed(places)
    Disclosure.objects.published().order_by("pk").first().delete()
    assert len(shown(other_district)) == 2
    assert_listed(places)


def test_the_newest_first_however_many(country):
    places = country["places"]
    older = DisclosureFactory(published=True, settlements=[places["village"]])
    older.published_at = timezone.now() - datetime.timedelta(days=30)
    older.save()
    assert shown(places["region"])[-1] == older
    assert shown(places["region"], count=2) == expected(places["region"], count=2)
    assert older not in shown(places["region"], count=3)


def test_rebuild_writes_the_rows_the_receivers_kept(country):
    DisclosureFactory(hidden=True, published=True, settlements=[country["places"]["village"]])
    rows = set(ListedPlace.objects.values_list("place", "disclosure", "published_at"))
    # The village and the three above it; the village, its neighbour and the three above them;
    # the neighbour and the three above it, Faraway and the two above it.
    assert len(rows) == 4 + 5 + 7
    ListedPlace.objects.all().delete()
    assert listed.rebuild() == len(rows)
    assert set(ListedPlace.objects.values_list("place", "disclosure", "published_at")) == rows
