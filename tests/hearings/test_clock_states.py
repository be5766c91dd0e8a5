"""States of the legal clock on fixed days: comments without a date, a cancelled hearing, a
discussion announced after its window opened, a hearing on a public holiday."""

import datetime

import pytest
from django.utils import timezone, translation

from hearings import clock
from tests.factories import HearingFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day, hour=11):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _row(hearing, key, today):
    return next((d for d in clock.deadlines(hearing, today=today) if d.key == key), None)


def test_comments_without_a_date_close_with_the_period_applied():
    """No `comments_until`: the site takes comments until the hearing's day (20 Jan 2027), so
    after it the row reads "met" on that day, not "due on 17 January" for ever."""
    hearing = HearingFactory(
        announced=True,
        announced_at=at(D(2026, 12, 1)),
        starts_at=at(D(2027, 1, 20)),
        comments_until=None,
    )
    comments = _row(hearing, "comments", D(2027, 1, 25))
    assert comments.done == D(2027, 1, 20)
    assert (comments.state, comments.met) == ("met", True)


def test_a_cancelled_hearing_shows_no_pending_deadline():
    """Cancelled before its day: no "protocol due on …", no "due" or "running" at all."""
    hearing = HearingFactory(
        cancelled=True,
        announced_at=at(D(2026, 12, 1)),
        starts_at=at(D(2027, 1, 20)),
        materials_available_from=D(2026, 12, 1),
        comments_until=None,
    )
    rows = clock.deadlines(hearing, today=D(2027, 2, 15))
    assert rows, "what was kept before the cancellation still shows"
    assert all(row.state not in ("due", "on_track", "running") for row in rows)
    assert not any(row.key == "protocol" for row in rows)


def _discussion(first, last, **fields):
    return HearingFactory(
        form="public_discussion",
        art87_subparagraph="5",
        starts_at=at(first, 9),
        discussion_ends_on=last,
        comments_until=None,
        venue_ru="",
        venue_kk="",
        **fields,
    )


def test_a_discussion_announced_after_its_window_opened_is_flagged():
    """Window 20 Nov – 18 Dec 2026, announced on 5 Dec: flagged by 15 days, in neutral terms."""
    hearing = _discussion(
        D(2026, 11, 20), D(2026, 12, 18), status="announced", announced_at=at(D(2026, 12, 5))
    )
    flag = _row(hearing, "window_notice", D(2026, 12, 7))
    assert flag is not None
    assert (flag.state, flag.days, flag.met, flag.verified) == ("off_guidance", 15, None, False)
    on_time = _discussion(
        D(2026, 12, 10), D(2027, 1, 12), status="announced", announced_at=at(D(2026, 12, 5))
    )
    assert _row(on_time, "window_notice", D(2026, 12, 7)) is None


def test_no_discussion_window_starts_before_its_announcement():
    """Announcing on 5 Dec a window that opened on 20 Nov is refused; one opening that day is not
    refused for that."""
    late = _discussion(D(2026, 11, 20), D(2026, 12, 18))
    with translation.override("en"):
        problems = clock.announcement_problems(late, D(2026, 12, 5))
    assert problems and "cannot open before it is announced" in problems[0]
    same_day = _discussion(D(2026, 12, 5), D(2027, 1, 8))
    with translation.override("en"):
        problems = clock.announcement_problems(same_day, D(2026, 12, 5))
    assert not any("cannot open before" in text for text in problems)


def test_a_hearing_on_a_public_holiday_gets_a_warning():
    """16 December (Independence Day) warns; 15 December does not."""
    holiday = HearingFactory(starts_at=at(D(2026, 12, 16)), comments_until=None)
    with translation.override("en"):
        advice = " ".join(clock.announcement_guidance(holiday, D(2026, 11, 1)))
    assert "falls on a public holiday" in advice and "16" in advice
    workday = HearingFactory(starts_at=at(D(2026, 12, 15)), comments_until=None)
    with translation.override("en"):
        advice = " ".join(clock.announcement_guidance(workday, D(2026, 11, 1)))
    assert "public holiday" not in advice


def test_api_gives_the_form_and_a_discussions_first_and_last_day(client):
    """A 20-working-day discussion is not a 2-hour event: `form`, its first and last day, and
    `ends_at` at midnight after its last day; each deadline carries source, verified, note."""
    hearing = _discussion(
        D(2026, 12, 18), D(2027, 1, 19), status="announced", announced_at=at(D(2026, 12, 10))
    )
    data = client.get(f"/api/v1/hearings/{hearing.pk}/").json()
    assert data["form"] == "public_discussion"
    assert data["discussion_first_day"] == "2026-12-18"
    assert data["discussion_last_day"] == "2027-01-19"
    assert data["ends_at"].startswith("2027-01-20T00:00:00")
    window = next(d for d in data["deadlines"] if d["key"] == "discussion")
    assert window["source"] and window["note"] and window["verified"] is False
    meeting = HearingFactory(announced=True)
    data = client.get(f"/api/v1/hearings/{meeting.pk}/").json()
    assert data["form"] == "open_meeting" and data["discussion_first_day"] is None


def test_the_six_months_of_art_73_concern_only_the_draft_report_on_possible_impacts():
    """A land-allocation hearing has no "draft sent to the ministry" row; an EIA report has."""
    signed = D(2026, 12, 1)
    report = HearingFactory(record_published=True, protocol_signed_on=signed)
    land = HearingFactory(
        record_published=True, protocol_signed_on=signed, legal_basis="land_allocation"
    )
    assert _row(report, "validity", D(2026, 12, 20)) is not None
    assert _row(land, "validity", D(2026, 12, 20)) is None
