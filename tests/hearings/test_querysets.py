"""The querysets every page relies on, with their boundaries."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.models import Compiled
from hearings.models import Hearing, HearingChange
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    HearingCommentFactory,
    HearingDocumentFactory,
    HearingFactory,
    HearingPromiseFactory,
    LearnedOfFactory,
    PlaceFactory,
    UserFactory,
    member_of,
    place_tree,
)

from .conftest import local_at

pytestmark = pytest.mark.django_db


def test_published_is_everything_but_drafts():
    """Announced, held, recorded and cancelled hearings are public; drafts never."""
    draft = HearingFactory()
    public = [
        HearingFactory(announced=True),
        HearingFactory(held=True),
        HearingFactory(record_published=True),
        HearingFactory(cancelled=True),
    ]
    assert set(Hearing.objects.published()) == set(public)
    assert not draft.is_published()
    assert all(h.is_published() for h in public)


def test_upcoming_and_past_split_at_now():
    """Upcoming: announced and not started, soonest first. Past: started or finished, latest first;
    cancelled ones are neither upcoming nor lost."""
    soon = HearingFactory(announced=True, starts_at=local_at(21))
    later = HearingFactory(announced=True, starts_at=local_at(40))
    started = HearingFactory(past=True)
    recorded = HearingFactory(record_published=True, starts_at=local_at(-30))
    HearingFactory(starts_at=local_at(30))  # draft
    cancelled = HearingFactory(cancelled=True, starts_at=local_at(-5))
    assert list(Hearing.objects.upcoming()) == [soon, later]
    assert list(Hearing.objects.past()) == [started, cancelled, recorded]
    assert soon.is_upcoming() and not started.is_upcoming()


def test_concerning_follows_the_place_hierarchy():
    """A district's hearing concerns its villages; a village's hearing concerns its district and
    region; a neighbouring village's hearing does not concern this village."""
    tree = place_tree()
    on_district = HearingFactory(announced=True, territory=[tree["district"]])
    on_village = HearingFactory(announced=True, territory=[tree["village"]])
    on_neighbour = HearingFactory(announced=True, territory=[tree["neighbour"]])
    elsewhere = HearingFactory(announced=True, territory=[tree["elsewhere"]])
    several = HearingFactory(announced=True, territory=[tree["village"], tree["neighbour"]])
    assert set(Hearing.objects.concerning(tree["village"])) == {on_district, on_village, several}
    assert set(Hearing.objects.concerning(tree["district"])) == {
        on_district,
        on_village,
        on_neighbour,
        several,
    }
    assert elsewhere not in Hearing.objects.concerning(tree["region"])
    # No duplicates even when several territory places match.
    assert Hearing.objects.concerning(tree["region"]).count() == 4


def test_editable_by_matrix():
    """Organiser's officials; staff all; akimats covering the territory (above or below the
    organiser), company users (even the initiator's), other akimats and anonymous none."""
    region = PlaceFactory(region=True)
    district = PlaceFactory(district=True, parent=region)
    village = PlaceFactory(parent=district)
    organiser = AkimatFactory(place=district)
    company = CompanyFactory()
    hearing = HearingFactory(organiser=organiser, initiator=company, territory=[village])
    other = HearingFactory()

    def editable(user):
        return set(Hearing.objects.editable_by(user))

    assert editable(member_of(organiser)) == {hearing}
    assert editable(member_of(AkimatFactory(place=region))) == set()
    assert editable(member_of(AkimatFactory(place=village))) == set()
    assert editable(member_of(AkimatFactory())) == set()
    assert editable(member_of(company)) == set()
    assert editable(AnonymousUser()) == set()
    assert editable(UserFactory(staff=True)) == {hearing, other}


def test_registration_number_is_generated_and_unique():
    """Every hearing gets a number at creation: PH-<year>-<00000>."""
    first, second = HearingFactory(), HearingFactory()
    assert first.registration_number.startswith("PH-")
    assert first.registration_number != second.registration_number
    first.refresh_from_db()
    assert first.registration_number.startswith("PH-")


def test_forthcoming_keeps_cancellations_visible():
    """The village page's list: announced and cancelled hearings whose date has not come."""
    announced = HearingFactory(announced=True, starts_at=local_at(30))
    cancelled = HearingFactory(cancelled=True, starts_at=local_at(25))
    HearingFactory(starts_at=local_at(20))  # draft
    HearingFactory(past=True)
    assert list(Hearing.objects.forthcoming()) == [cancelled, announced]
    assert list(Hearing.objects.upcoming()) == [announced]


def _discussion(start_days, end_days):
    start = local_at(start_days, hour=9)
    return HearingFactory(
        announced=True,
        form="public_discussion",
        format="online",
        art87_subparagraph="4",
        starts_at=start,
        discussion_ends_on=timezone.localdate() + datetime.timedelta(days=end_days),
        comments_until=None,
    )


def test_a_discussion_under_way_is_current_not_past():
    """A public discussion whose window opened three days ago and closes in ten is listed with
    the hearings to come (residents can still take part), never under "past"; once its last day
    has gone, it is past. An open meeting is past once its hour has gone (issue 22)."""
    running = _discussion(-3, 10)
    last_day_today = _discussion(-20, 0)
    closed = _discussion(-30, -1)
    meeting = HearingFactory(announced=True, starts_at=local_at(-1))
    current = {running, last_day_today}
    assert set(Hearing.objects.upcoming()) == current
    assert set(Hearing.objects.published().forthcoming()) == current
    assert set(Hearing.objects.past()) == {closed, meeting}


def test_a_public_change_log_starts_at_the_announcement_and_its_twin_agrees():
    """`HearingChange.objects.public()` and `HearingChange.is_public` (the page's, for a log
    read with its hearing): steps since the announcement, never the draft's creation or its
    edits; a draft cancelled without an announcement shows its cancellation only."""
    Action = HearingChange.Action
    announced = HearingFactory(announced=True)
    draft_cancelled = HearingFactory()
    at = announced.announced_at
    steps = [
        (announced, Action.CREATED, at - datetime.timedelta(days=2)),
        (announced, Action.EDITED, at - datetime.timedelta(days=1)),
        (announced, Action.ANNOUNCED, at),
        (announced, Action.EDITED, at + datetime.timedelta(days=1)),
        (draft_cancelled, Action.CREATED, at),
        (draft_cancelled, Action.EDITED, at),
        (draft_cancelled, Action.CANCELLED, at),
    ]
    for hearing, action, when in steps:
        HearingChange.objects.create(hearing=hearing, action=action, at=when)
    public = set(HearingChange.objects.public())
    assert {(change.hearing, change.action, change.at) for change in public} == {
        (announced, Action.ANNOUNCED, at),
        (announced, Action.EDITED, at + datetime.timedelta(days=1)),
        (draft_cancelled, Action.CANCELLED, at),
    }
    for hearing in (announced, draft_cancelled):
        for change in hearing.changes.all():
            assert change.is_public() == (change in public)


def test_for_detail_says_which_lists_have_rows_in_sql_compiled_once():
    """`for_detail` flags each list the page shows (comments in any state, approved reports of
    when residents learned of it, documents, promises) from SQL compiled once per process
    (`core.models.Compiled`), not built again for each page."""
    bare = HearingFactory(announced=True)
    full = HearingFactory(record_published=True)
    HearingCommentFactory(hearing=full)  # pending: counted on the page
    LearnedOfFactory(hearing=full, approved=True)
    LearnedOfFactory(hearing=bare)  # awaiting moderation: not shown
    HearingDocumentFactory(hearing=full)
    HearingPromiseFactory(hearing=full)
    flags = ("has_comments", "has_learned_of", "has_documents", "has_promises")
    rows = {h.pk: h for h in Hearing.objects.for_detail().filter(pk__in=[bare.pk, full.pk])}
    assert [getattr(rows[bare.pk], flag) for flag in flags] == [False] * 4
    assert [getattr(rows[full.pk], flag) for flag in flags] == [True] * 4
    annotations = Hearing.objects.for_detail().query.annotations
    assert all(isinstance(annotations[flag], Compiled) for flag in flags)


def test_for_detail_reads_the_territorys_paths_in_order():
    """`territory_paths`, the paths of a hearing's places by KATO code (as its territory
    lists them), from which the page reads the places with their ancestors in one query."""
    places = place_tree()
    territory = [places["neighbour"], places["village"], places["district"]]
    hearing = HearingFactory(announced=True, territory=territory)
    row = Hearing.objects.for_detail().get(pk=hearing.pk)
    assert row.territory_paths == [place.path for place in hearing.territory.all()]
    assert isinstance(Hearing.objects.for_detail().query.annotations["territory_paths"], Compiled)


def test_for_detail_reads_the_change_log_with_the_row_as_a_query_would(
    django_assert_num_queries,
):
    """`Hearing.change_log`, from the rows `for_detail` read with the hearing: the same
    `HearingChange`s, oldest first and with every value, as a query of them gives (instants,
    the JSON of a translation, a moved date and venue, a reason, a moderator's step), each
    with its hearing and, among the documents given, its document, with no query more."""
    hearing = HearingFactory(announced=True)
    document = HearingDocumentFactory(hearing=hearing)
    Action = HearingChange.Action
    at = hearing.announced_at
    HearingChange.objects.create(
        hearing=hearing,
        action=Action.RESCHEDULED,
        at=at + datetime.timedelta(days=2, microseconds=7),
        old_starts_at=hearing.starts_at,
        new_starts_at=hearing.starts_at + datetime.timedelta(days=7),
        old_venue="Клуб",
        new_venue="Мектеп",
        reason="Зал жөнделуде",
        reason_language="kk",
        by_staff=True,
        acting_user=UserFactory(staff=True),
        version=3,
    )
    HearingChange.objects.create(
        hearing=hearing,
        action=Action.DOCUMENT_ADDED,
        at=at + datetime.timedelta(days=1),
        document=document,
    )
    HearingChange.objects.create(
        hearing=hearing,
        action=Action.TRANSLATED,
        at=at + datetime.timedelta(days=3),
        changes=[{"field": "title", "language": "en", "old": "", "new": "Hearing"}],
    )
    queried = list(hearing.changes.select_related("document"))
    row = Hearing.objects.for_detail().get(pk=hearing.pk)
    with django_assert_num_queries(0):
        read = row.change_log([document])
        assert [change.document for change in read] == [change.document for change in queried]
        assert all(change.hearing is row for change in read)
    fields = HearingChange._meta.concrete_fields
    assert [[getattr(c, f.attname) for f in fields] for c in read] == [
        [getattr(c, f.attname) for f in fields] for c in queried
    ]
    assert [c.action for c in read][-3:] == [
        Action.DOCUMENT_ADDED,
        Action.RESCHEDULED,
        Action.TRANSLATED,
    ]
