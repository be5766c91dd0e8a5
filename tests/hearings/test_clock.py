"""The legal clock: notice periods checked at announcement, deadlines shown as met or not."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearings import clock, services
from hearings.models import Hearing, HearingChange, Rule
from tests.factories import HearingFactory, UserFactory

from .conftest import local_at

# These tests are about what a binding rule does: the rules are verified for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("binding_rules")]


@pytest.fixture
def staff():
    return UserFactory(staff=True)


def test_announce_on_the_last_lawful_day_is_accepted(staff):
    """Materials from today and a hearing exactly 30 days ahead keep to the 30-day rule."""
    hearing = HearingFactory(
        starts_at=local_at(30), materials_available_from=timezone.localdate(), comments_until=None
    )
    services.announce_hearing(acting_user=staff, hearing=hearing)
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.ANNOUNCED
    assert hearing.announced_at is not None
    assert hearing.changes.filter(action=HearingChange.Action.ANNOUNCED).count() == 1


def test_announce_one_day_short_of_materials_period_is_refused_with_rule_and_date(staff):
    """29 days is one short: refused, quoting the 30-day rule and the earliest lawful date."""
    hearing = HearingFactory(
        starts_at=local_at(29), materials_available_from=timezone.localdate(), comments_until=None
    )
    with pytest.raises(ValidationError) as caught:
        services.announce_hearing(acting_user=staff, hearing=hearing)
    text = " ".join(caught.value.messages)
    assert "30" in text
    earliest = timezone.localdate() + datetime.timedelta(days=30)
    assert clock.earliest_lawful_start(hearing) == earliest
    assert str(earliest.year) in text and str(earliest.day) in text
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.DRAFT


def _set_rule(measures, number, code="eco-open-meeting-2024", **fields):
    Rule.objects.filter(rule_set__code=code, measures=measures).update(number=number, **fields)


def test_announcement_period_boundary(staff):
    """With a shorter materials period, the 20-day announcement rule decides: 20 ok, 19 not."""
    _set_rule("materials", 5)
    ok = HearingFactory(starts_at=local_at(20), comments_until=None)
    short = HearingFactory(starts_at=local_at(19), comments_until=None)
    services.announce_hearing(acting_user=staff, hearing=ok)
    with pytest.raises(ValidationError) as caught:
        services.announce_hearing(acting_user=staff, hearing=short)
    assert "20" in " ".join(caught.value.messages)


def test_announce_needs_materials_date(staff):
    """A notice that does not say when materials are available cannot be announced."""
    hearing = HearingFactory(starts_at=local_at(60), materials_available_from=None)
    with pytest.raises(ValidationError):
        services.announce_hearing(acting_user=staff, hearing=hearing)


def test_comment_period_closing_too_early_is_refused(staff):
    """Comments must be taken until no earlier than 3 days before: 4 days before is refused."""
    start = local_at(40)
    day = timezone.localdate(start)
    early = HearingFactory(starts_at=start, comments_until=day - datetime.timedelta(days=4))
    with pytest.raises(ValidationError):
        services.announce_hearing(acting_user=staff, hearing=early)
    exact = HearingFactory(starts_at=start, comments_until=day - datetime.timedelta(days=3))
    services.announce_hearing(acting_user=staff, hearing=exact)


def test_rule_data_changes_the_periods(staff):
    """The periods are data staff edit: a 10-day materials rule lets a 25-day hearing through."""
    _set_rule("materials", 10)
    hearing = HearingFactory(starts_at=local_at(25), comments_until=None)
    services.announce_hearing(acting_user=staff, hearing=hearing)


def _deadline(hearing, key):
    return next(d for d in clock.deadlines(hearing) if d.key == key)


def test_protocol_deadline_boundary():
    """Protocol published on day +7 is on time; on day +8 late, and flagged."""
    hearing = HearingFactory(record_published=True, starts_at=local_at(-10))
    day = timezone.localdate(hearing.starts_at)
    hearing.record_published_at = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=7), datetime.time(23, 0))
    )
    assert _deadline(hearing, "protocol").met is True
    assert not clock.is_protocol_late(hearing)
    hearing.record_published_at = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=8), datetime.time(9, 0))
    )
    assert _deadline(hearing, "protocol").met is False
    assert clock.is_protocol_late(hearing)


def test_unpublished_protocol_becomes_late_after_the_period():
    """A held hearing with no record is late once P days have passed, and not before."""
    on_time = HearingFactory(held=True, starts_at=local_at(-7))
    late = HearingFactory(held=True, starts_at=local_at(-8))
    assert _deadline(on_time, "protocol").met is None
    assert not clock.is_protocol_late(on_time)
    assert _deadline(late, "protocol").met is False
    assert clock.is_protocol_late(late)
    assert list(clock.late_protocols(Hearing.objects.all())) == [late]


def test_materials_and_announcement_deadlines_marked():
    """A hearing announced 40 days ahead with materials 45 days ahead meets both rules."""
    hearing = HearingFactory(past=True)
    assert _deadline(hearing, "materials").met is True
    assert _deadline(hearing, "announcement").met is True
    assert _deadline(hearing, "comments").met is True  # closed exactly 3 days before
    hearing.comments_until = hearing.comments_until - datetime.timedelta(days=1)
    assert _deadline(hearing, "comments").met is False
    hearing.announced_at = hearing.starts_at - datetime.timedelta(days=10)
    assert _deadline(hearing, "announcement").met is False
