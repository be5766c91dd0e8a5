"""Kazakhstan's working days: holidays, moved days, staff-entered transfers, counting rules.

Where the expected dates come from:
- 2025: the public holidays of the Law "On holidays in the Republic of Kazakhstan" as the
  `holidays` library (0.108, country KZ) has them, with a holiday on a weekend moved to the next
  working day, and the government's 2025 transfer (Friday 3 January a day off, Sunday 5 January
  a working day). Kurban ait's first day, 6 June 2025, is a day off.
- 2026: the same law as the library has it. No 2026 transfer is in the library; staff add the
  government's decree to the `DayTransfer` table (tested below with a made-up transfer).
- The windows of public discussions on the ministry's portal (records 20778, 21822, 20743,
  21841, ecoportal 16271, 8405: the project's legal-sources notes, §1.3), whose lengths in
  working days this calendar must reproduce.
"""

import datetime

import pytest

from hearings.models import DayTransfer
from hearings.working_days import WorkingCalendar

D = datetime.date


@pytest.fixture
def calendar():
    return WorkingCalendar()


@pytest.mark.parametrize(
    "day",
    [
        D(2025, 1, 1), D(2025, 1, 2), D(2025, 1, 3), D(2025, 1, 7), D(2025, 3, 10),
        D(2025, 3, 21), D(2025, 3, 24), D(2025, 3, 25), D(2025, 5, 1), D(2025, 5, 7),
        D(2025, 5, 9), D(2025, 6, 6), D(2025, 7, 7), D(2025, 9, 1), D(2025, 10, 27),
        D(2025, 12, 16),
    ],
)  # fmt: skip
def test_2025_days_off_on_weekdays(calendar, day):
    """Every weekday day off of the official 2025 calendar is not a working day."""
    assert day.weekday() < 5
    assert not calendar.is_working_day(day)


def test_2025_transfer_makes_a_sunday_a_working_day(calendar):
    """Sunday 5 January 2025 was worked in exchange for Friday 3 January."""
    assert calendar.is_working_day(D(2025, 1, 5))
    assert not calendar.is_working_day(D(2025, 1, 4))


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 7), D(2026, 3, 9), D(2026, 3, 23),
        D(2026, 3, 24), D(2026, 3, 25), D(2026, 5, 1), D(2026, 5, 7), D(2026, 5, 11),
        D(2026, 5, 27), D(2026, 7, 6), D(2026, 10, 26), D(2026, 12, 16),
    ],
)  # fmt: skip
def test_2026_days_off_on_weekdays(calendar, day):
    """Weekday days off of 2026: Nauryz 23–25 March (21–22 fall on a weekend), 9 May on a
    Saturday moved to Monday 11 May, Kurban ait on 27 May, Republic Day moved to 26 October."""
    assert not calendar.is_working_day(day)


def test_ordinary_days(calendar):
    assert calendar.is_working_day(D(2026, 3, 26))  # Thursday after Nauryz
    assert not calendar.is_working_day(D(2026, 3, 28))  # Saturday


@pytest.mark.parametrize(
    "first, last, days",
    [
        (D(2025, 12, 18), D(2026, 1, 19), 20),  # record 20778, sub-para. 3)–8)
        (D(2026, 2, 25), D(2026, 3, 30), 20),  # record 21822, sub-para. 3)–8)
        (D(2025, 12, 11), D(2025, 12, 17), 4),  # record 20743, sub-para. 2); 16 Dec a holiday
        (D(2026, 2, 26), D(2026, 3, 4), 5),  # record 21841, sub-para. 2)
        (D(2025, 2, 24), D(2025, 3, 3), 6),  # ecoportal 16271, sub-para. 2)
        (D(2023, 5, 15), D(2023, 6, 5), 16),  # record 8405, Rules No. 165
    ],
)
def test_portal_discussion_windows_in_working_days(calendar, first, last, days):
    """The portal's discussion windows have the working-day lengths the research counted."""
    assert calendar.count(first, last) == days


def test_a_20_working_day_window_ends_where_the_portal_ended_it(calendar):
    assert calendar.nth_from(D(2025, 12, 18), 20) == D(2026, 1, 19)
    assert calendar.nth_from(D(2026, 2, 25), 20) == D(2026, 3, 30)


def test_shift_counts_neither_the_start_nor_days_off(calendar):
    """10 working days after Monday 1 December 2025 is Monday 15 December; back from Monday
    5 January 2026, three working days are Wednesday 31 December (1–2 January are holidays)."""
    assert calendar.shift(D(2025, 12, 1), 10) == D(2025, 12, 15)
    assert calendar.shift(D(2026, 1, 5), -3) == D(2025, 12, 29)
    assert calendar.shift(D(2026, 1, 5), -1) == D(2025, 12, 31)


@pytest.mark.django_db
def test_staff_transfers_win_over_the_library():
    """A decree entered by staff: a Saturday worked, a Friday off (made-up dates)."""
    DayTransfer.objects.create(
        date=D(2026, 11, 7), kind=DayTransfer.Kind.WORKING_DAY, source="Test decree"
    )
    DayTransfer.objects.create(
        date=D(2026, 11, 6), kind=DayTransfer.Kind.DAY_OFF, source="Test decree"
    )
    calendar = WorkingCalendar.load()
    assert calendar.is_working_day(D(2026, 11, 7))
    assert not calendar.is_working_day(D(2026, 11, 6))
    assert calendar.count(D(2026, 11, 2), D(2026, 11, 8)) == 5
