"""Each contribution's kept counts of the akimat's and residents' word (`confirmed_count`,
`unconfirmed_count`, `seen_count`, `dispute_count` on `Disclosure`: disclosures/figures.py keeps
them, the cards read them) are always the counts from scratch: after an akimat's word and its
change, a resident's word sent, approved, rejected after approval and deleted, a record deleted;
a word waiting for a moderator counts nowhere and writes nothing to its contribution."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.services import moderate_input
from disclosures import services
from disclosures.models import VOICE_COUNTS, Disclosure, ResidentFeedback, voice_counts
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    ResidentFeedbackFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


def kept(disclosure):
    return Disclosure.objects.filter(pk=disclosure.pk).values(*VOICE_COUNTS).get()


def assert_kept_match():
    """Every record's kept counts are its counts from scratch."""
    kept_rows = {row.pop("pk"): row for row in Disclosure.objects.values("pk", *VOICE_COUNTS)}
    counted = Disclosure.objects.annotate(**{f"counted_{n}": c for n, c in voice_counts().items()})
    from_scratch = {
        row.pop("pk"): {name: row[f"counted_{name}"] for name in VOICE_COUNTS}
        for row in counted.values("pk", *(f"counted_{name}" for name in VOICE_COUNTS))
    }
    assert kept_rows == from_scratch


@pytest.fixture
def setting():
    """A published record in a village, the akimat over it with its official, a moderator."""
    places = place_tree()
    setting = {
        "disclosure": DisclosureFactory(published=True, settlements=[places["village"]]),
        "akimat": AkimatFactory(place=places["rural"]),
        "staff": UserFactory(staff=True),
    }
    return {**setting, "official": member_of(setting["akimat"])}


def test_the_akimats_word_and_its_change_are_counted(setting):
    disclosure, akimat, official = setting["disclosure"], setting["akimat"], setting["official"]
    services.confirm_disclosure(
        acting_user=official, disclosure=disclosure, akimat=akimat, confirmed=True
    )
    assert kept(disclosure) == {
        "confirmed_count": 1, "unconfirmed_count": 0, "seen_count": 0, "dispute_count": 0
    }  # fmt: skip
    services.confirm_disclosure(
        acting_user=official, disclosure=disclosure, akimat=akimat, confirmed=False, note="Gone"
    )  # both words stay on the record, and both are counted
    assert kept(disclosure)["confirmed_count"] == 1
    assert kept(disclosure)["unconfirmed_count"] == 1
    assert_kept_match()


def test_a_residents_word_counts_once_approved_and_no_longer_once_rejected(setting):
    disclosure, staff = setting["disclosure"], setting["staff"]
    word = services.submit_feedback(disclosure=disclosure, kind=ResidentFeedback.Kind.DISPUTED)
    assert kept(disclosure)["dispute_count"] == 0
    moderate_input(acting_user=staff, item=word, approve=True)
    assert kept(disclosure)["dispute_count"] == 1
    moderate_input(acting_user=staff, item=word, approve=True)  # approved twice: counted once
    assert kept(disclosure)["dispute_count"] == 1
    moderate_input(acting_user=staff, item=word, approve=False, reason="Another roof.")
    assert kept(disclosure)["dispute_count"] == 0
    seen = services.submit_feedback(disclosure=disclosure, kind=ResidentFeedback.Kind.SEEN)
    moderate_input(acting_user=staff, item=seen, approve=True)
    assert kept(disclosure)["seen_count"] == 1
    seen.delete()
    assert kept(disclosure)["seen_count"] == 0
    assert_kept_match()


def test_a_word_waiting_for_a_moderator_writes_nothing_to_its_contribution(setting):
    """Its contribution's row is not written, so not locked: the word waits on no writer."""
    disclosure = setting["disclosure"]
    with CaptureQueriesContext(connection) as queries:
        services.submit_feedback(disclosure=disclosure, kind=ResidentFeedback.Kind.SEEN)
    table = Disclosure._meta.db_table
    assert not [q for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]
    assert kept(disclosure)["seen_count"] == 0


def test_a_record_read_before_a_word_keeps_the_count_when_saved(setting):
    """A full save of a copy read before the word arrived leaves the kept counts alone."""
    disclosure = Disclosure.objects.get(pk=setting["disclosure"].pk)
    ConfirmationFactory(disclosure=disclosure, akimat=setting["akimat"])
    disclosure.title_en = "A new roof for the school"
    disclosure.save()
    assert kept(disclosure)["confirmed_count"] == 1
    assert Disclosure.objects.get(pk=disclosure.pk).title_en == "A new roof for the school"


def test_kept_counts_match_the_counts_over_a_mixed_set(setting):
    """Words of every kind and state on several records, some deleted with their record."""
    records = [DisclosureFactory(published=True) for _ in range(4)]
    for n, record in enumerate(records):
        ConfirmationFactory.create_batch(n, disclosure=record)
        ConfirmationFactory(disclosure=record, cannot_confirm=True)
        ResidentFeedbackFactory.create_batch(n + 1, disclosure=record, approved=True)
        ResidentFeedbackFactory(disclosure=record, approved=True, dispute=True)
        ResidentFeedbackFactory(disclosure=record, dispute=True)  # pending
        ResidentFeedbackFactory(disclosure=record, rejected=True)
    assert kept(records[3]) == {
        "confirmed_count": 3, "unconfirmed_count": 1, "seen_count": 4, "dispute_count": 1
    }  # fmt: skip
    records[0].delete()
    assert_kept_match()
    # The bulk writers' recount (`seed_scale`) sets the same counts.
    Disclosure.objects.update(**dict.fromkeys(VOICE_COUNTS, 0))
    assert Disclosure.objects.recount_voices() == Disclosure.objects.count()
    assert_kept_match()
