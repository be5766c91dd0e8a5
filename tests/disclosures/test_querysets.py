"""Visibility and the computed states: published, overdue, for a place, headline figures."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.models import Compiled
from disclosures.models import Disclosure, Document, Status, first_photo, published_cards
from disclosures.templatetags.disclosure_cards import cards
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    PhotoFactory,
    PlaceFactory,
    QuestionFactory,
    ResidentFeedbackFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_hidden_and_in_force_also_withdrawn():
    """Residents see published disclosures, withdrawn ones included, never drafts or hidden
    ones; in force are those not withdrawn. Each queryset agrees with its predicate."""
    shown = DisclosureFactory(published=True)
    draft = DisclosureFactory()
    withdrawn = DisclosureFactory(withdrawn=True)
    hidden = DisclosureFactory(published=True, hidden=True)
    assert list(Disclosure.objects.in_force()) == [shown]
    assert set(Disclosure.objects.published()) == {shown, withdrawn}
    assert set(Disclosure.objects.out_of_draft()) == {shown, withdrawn, hidden}
    for disclosure in (shown, draft, withdrawn, hidden):
        for name in ("published", "in_force"):
            in_set = Disclosure.objects.filter(pk=disclosure.pk)
            assert getattr(in_set, name)().exists() is getattr(disclosure, f"is_{name}")()
        assert Disclosure.objects.filter(pk=disclosure.pk).out_of_draft().exists() is (
            not disclosure.is_draft()
        )


def test_voice_counts_come_with_iterator_and_values(django_assert_num_queries):
    """The akimat's and residents' word are kept counts, columns of the record: `.iterator()`
    and `.values()` carry them, and a page of rows costs one query whatever the number of
    voices."""
    disclosure = DisclosureFactory(published=True)
    quiet = DisclosureFactory(published=True)
    ConfirmationFactory(disclosure=disclosure)
    ResidentFeedbackFactory.create_batch(2, disclosure=disclosure, kind="seen", approved=True)
    ResidentFeedbackFactory(disclosure=disclosure, kind="disputed", approved=True)
    ResidentFeedbackFactory(disclosure=disclosure, kind="disputed")  # pending: not counted
    with django_assert_num_queries(1):
        counts = {
            d.pk: (d.confirmed_count, d.unconfirmed_count, d.seen_count, d.dispute_count)
            for d in Disclosure.objects.iterator()
        }
    assert counts == {disclosure.pk: (1, 0, 2, 1), quiet.pk: (0, 0, 0, 0)}
    row = Disclosure.objects.values("seen_count").get(pk=disclosure.pk)
    assert row == {"seen_count": 2}


def test_overdue_boundaries():
    """Due yesterday and not delivered is overdue; due today is not; delivered never is."""
    today = timezone.localdate()
    yesterday = DisclosureFactory(promised=True, due_date=today - datetime.timedelta(days=1))
    due_today = DisclosureFactory(promised=True, due_date=today)
    in_progress_late = DisclosureFactory(
        in_progress=True, due_date=today - datetime.timedelta(days=1)
    )
    delivered_late = DisclosureFactory(delivered=True, due_date=today - datetime.timedelta(days=5))
    cancelled_late = DisclosureFactory(cancelled=True, due_date=today - datetime.timedelta(days=5))
    overdue = set(Disclosure.objects.overdue())
    assert overdue == {yesterday, in_progress_late}
    for disclosure in (yesterday, due_today, in_progress_late, delivered_late, cancelled_late):
        assert disclosure.is_overdue() == (disclosure in overdue)
    assert yesterday.display_status()[0] == "overdue"
    assert (
        not Disclosure.objects.overdue(on=today - datetime.timedelta(days=1))
        .filter(pk=yesterday.pk)
        .exists()
    )


def test_for_place_and_in_jurisdiction_find_settlements_under_a_place():
    """A district's disclosures are those for any settlement in it, each once."""
    places = place_tree()
    both = DisclosureFactory(settlements=[places["village"], places["neighbour"]])
    elsewhere = DisclosureFactory(settlements=[places["elsewhere"]])
    assert list(Disclosure.objects.for_place(places["district"])) == [both]
    assert list(Disclosure.objects.for_place(places["elsewhere"])) == [elsewhere]
    akimat = AkimatFactory(place=places["rural"])
    assert list(Disclosure.objects.in_jurisdiction(akimat)) == [both]


def test_editable_by_is_the_users_organisations_only():
    """Members edit their organisation's disclosures; others, anonymous and staff do not."""
    mine = DisclosureFactory()
    DisclosureFactory()
    user = member_of(mine.organisation)
    assert list(Disclosure.objects.editable_by(user)) == [mine]
    assert not Disclosure.objects.editable_by(UserFactory(staff=True)).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not Disclosure.objects.editable_by(AnonymousUser()).exists()


def test_summary_counts_for_a_place():
    """Headline figures: disjoint counts by status (an overdue promise is not "promised"),
    value per currency, confirmed, disputed."""
    places = place_tree()
    village = places["village"]
    delivered = DisclosureFactory(published=True, settlements=[village], amount=Decimal("100"))
    DisclosureFactory(published=True, in_progress=True, settlements=[village], amount=None)
    DisclosureFactory(published=True, overdue=True, settlements=[village], amount=Decimal("50"))
    DisclosureFactory(published=True, settlements=[village], amount=Decimal("7"), currency="USD")
    DisclosureFactory(settlements=[village], amount=Decimal("1000"))  # draft: not counted
    ConfirmationFactory(disclosure=delivered)
    ResidentFeedbackFactory(disclosure=delivered, dispute=True, approved=True)
    ResidentFeedbackFactory(disclosure=delivered, dispute=True)  # pending: not counted
    summary = Disclosure.objects.in_force().for_place(places["district"]).summary()
    assert summary["delivered"] == 2
    assert summary["in_progress"] == 1
    assert summary["promised"] == 0
    assert summary["overdue"] == 1
    assert summary["total_kzt"] == Decimal("150")
    assert {row["currency"] for row in summary["totals"]} == {"KZT", "USD"}
    assert summary["confirmed"] == 1
    assert summary["disputed"] == 1


def test_money_trail_shows_accounted_and_unaccounted_share():
    """A company payment into an akimat budget shows what the akimat disclosed from it."""
    payment = DisclosureFactory(published=True, amount=Decimal("1000000"))
    akimat = AkimatFactory()
    DisclosureFactory(
        published=True, organisation=akimat, funded_by=payment, amount=Decimal("400000")
    )
    DisclosureFactory(organisation=akimat, funded_by=payment, amount=Decimal("100000"))  # draft
    children, accounted, unaccounted, share = payment.money_trail()
    assert len(children) == 1
    assert accounted == Decimal("400000")
    assert unaccounted == Decimal("600000")
    assert share == 40


def test_status_choices_are_backed_by_the_database():
    """A status outside the choices is refused by a CheckConstraint, not only by forms."""
    from django.db import IntegrityError

    disclosure = DisclosureFactory()
    with pytest.raises(IntegrityError):
        Disclosure.objects.filter(pk=disclosure.pk).update(status="lost")


def test_promise_needs_due_date_in_database():
    """A promise without a due date is refused by the database."""
    from django.db import IntegrityError

    disclosure = DisclosureFactory()
    with pytest.raises(IntegrityError):
        Disclosure.objects.filter(pk=disclosure.pk).update(status=Status.PROMISED, due_date=None)


def test_cards_come_in_one_query_with_names_in_the_page_language_and_the_first_photo(
    django_assert_num_queries,
):
    """`for_cards()` carries what a card shows in the row itself: the settlements' names in the
    page's language (Russian when a village has no Kazakh name), in KATO order, and the first
    uploaded photo; the cards are built without another query."""
    places = place_tree()
    second = PlaceFactory(parent=places["rural"], name_kk="", name_ru="Жанаталап")
    disclosure = DisclosureFactory(published=True, settlements=[second, places["village"]])
    first = PhotoFactory(disclosure=disclosure, alt_text="Бірінші")
    PhotoFactory(disclosure=disclosure, alt_text="Екінші")
    bare = DisclosureFactory(published=True, settlements=[])
    with translation.override("kk"), django_assert_num_queries(1):
        rows = list(Disclosure.objects.filter(pk=disclosure.pk).for_cards(photos=True))
        card = cards(rows, "photos")[0]
        address = disclosure.get_absolute_url()
    village_name = places["village"].name_kk or places["village"].name_ru
    names = [village_name, "Жанаталап"]
    if places["village"].kato_code > second.kato_code:
        names.reverse()
    assert rows[0].settlement_names == names
    assert card.subtitle.endswith(" → " + ", ".join(names))
    assert card.photo.url == first.thumbnail.url and card.photo.alt == "Бірінші"
    assert card.url == address
    plain = Disclosure.objects.filter(pk=bare.pk).for_cards(photos=True).get()
    assert plain.settlement_names == [] and plain.first_photo is None


def test_the_kept_first_photo_follows_each_write_of_a_photo():
    """A card's thumbnail is the contribution's kept `first_photo`, set again by each photo
    added, changed or deleted (the first uploaded one, with its alt text's versions), and not
    put back by a save of the record read before the photo came; it is what `first_photo()`
    counts from scratch."""
    disclosure = DisclosureFactory(published=True)
    read_before = Disclosure.objects.get(pk=disclosure.pk)

    def kept():
        return Disclosure.objects.filter(pk=disclosure.pk).values_list("first_photo", flat=True)[0]

    first = PhotoFactory(disclosure=disclosure, alt_text="Бірінші")
    second = PhotoFactory(disclosure=disclosure, alt_text="Екінші")
    read_before.save()
    assert kept()["alt_text"] == "Бірінші" and kept()["thumbnail"] == first.thumbnail.name
    first.translations = {"alt_text": {"ru": "Первое"}}
    first.save()
    assert kept()["translations"] == {"alt_text": {"ru": "Первое"}}
    first.delete()
    assert kept()["alt_text"] == second.alt_text
    counted = Disclosure.objects.annotate(counted=first_photo()).get(pk=disclosure.pk).counted
    assert counted == kept()
    second.delete()
    assert kept() is None


def test_published_cards_is_a_fresh_copy_in_the_language_of_each_call():
    """`published_cards()` is built once per language but each call gives a new queryset: a
    contribution published after an earlier call is listed (the kept queryset is never
    evaluated), one filtered copy does not narrow the next, and the settlements' names follow
    the language of the call."""
    village = PlaceFactory(name_kk="Ақкөл", name_ru="Акколь")
    first = DisclosureFactory(published=True, settlements=[village])
    with translation.override("kk"):
        assert [d.pk for d in published_cards()] == [first.pk]
        assert not published_cards().filter(pk=0).exists()
        second = DisclosureFactory(published=True, settlements=[village])
        assert {d.pk for d in published_cards()} == {first.pk, second.pk}
        assert published_cards(photos=True).get(pk=first.pk).first_photo is None
        assert published_cards().get(pk=second.pk).settlement_names == ["Ақкөл"]
    with translation.override("ru"):
        assert published_cards().get(pk=second.pk).settlement_names == ["Акколь"]


def test_for_detail_says_which_lists_have_rows_in_sql_compiled_once():
    """`for_detail` counts the public change log and flags each list the page shows (photos,
    documents, the akimat's word, residents' word and questions in any state, published
    contributions it funded) from SQL compiled once per process (`core.models.Compiled`)."""
    bare = DisclosureFactory(published=True)
    full = DisclosureFactory(published=True)
    PhotoFactory(disclosure=full)
    Document.objects.create(disclosure=full, title="Act", file="disclosures/d/a.pdf")
    ConfirmationFactory(disclosure=full)
    ResidentFeedbackFactory(disclosure=full)  # pending: counted on the page
    QuestionFactory(disclosure=full)
    DisclosureFactory(published=True, funded_by=full)
    DisclosureFactory(funded_by=bare)  # a draft: not shown
    flags = [name for name in Disclosure.objects.for_detail().query.annotations if "has_" in name]
    rows = {d.pk: d for d in Disclosure.objects.for_detail().filter(pk__in=[bare.pk, full.pk])}
    assert [getattr(rows[bare.pk], flag) for flag in flags] == [False] * 6
    assert [getattr(rows[full.pk], flag) for flag in flags] == [True] * 6
    assert rows[full.pk].public_revisions == full.revisions.public().count()
    annotations = Disclosure.objects.for_detail().query.annotations
    assert all(isinstance(annotation, Compiled) for annotation in annotations.values())
