"""Kazakhstan's working days: public holidays, weekends and the days the government moves.

The `holidays` library (country KZ) knows the public holidays, the days off that replace a
holiday falling on a weekend, and the annual transfers it was released with (for 2025: Friday
3 January a day off, Sunday 5 January a working day). The government publishes next year's
transfers by decree each autumn, often after the library's release, so staff add them to
`DayTransfer` in the admin; a row there always wins over the library.

Counting convention used by the legal clock: "N working days before day D" is the N-th working
day counted back from the day before D (D itself is not counted); "N working days after D" is
the N-th working day counted on from the day after D. A discussion window "of N working days"
from day S ends on the N-th working day counted from S itself.
"""

import datetime
from functools import lru_cache

import holidays
from django.db.models import DateField, IntegerField, Value

from hearings.models import DayTransfer, TransferDecree

ONE_DAY = datetime.timedelta(days=1)
# The last year whose government transfers the `holidays` library holds (0.108: 2025, Friday
# 3 January a day off and Sunday 5 January a working day; legal-sources, §6.3).
LIBRARY_TRANSFERS_UNTIL = 2025
# Windows longer than this are not searched for holidays, day by day.
LONGEST_WINDOW = datetime.timedelta(days=400)
# A decree's row in `WorkingCalendar.load`'s one query, beside the transfers' kinds.
DECREE = "decree"


class WorkingCalendar:
    """Working days for Kazakhstan, with staff-entered transfers (`{date: is_working}`)."""

    def __init__(self, transfers=None, decree_years=()):
        self.transfers = dict(transfers or {})
        self.decree_years = set(decree_years)
        # {day: is working}, as this calendar answered: a page's clock asks about the same days
        # for many hearings, and the library's answer took a tenth of a deadline's work.
        self.answered = {}

    @classmethod
    def load(cls):
        """The calendar with every transfer and decree staff entered, in one query: a
        transfer's day and kind, or a decree's year (of the kind `DECREE`)."""
        rows = (
            DayTransfer.objects.order_by()
            .values_list("date", "kind", Value(None, output_field=IntegerField()))
            .union(
                TransferDecree.objects.order_by().values_list(
                    Value(None, output_field=DateField()), Value(DECREE), "year"
                ),
                all=True,
            )
        )
        transfers, decree_years = {}, []
        for day, kind, year in rows:
            if kind == DECREE:
                decree_years.append(year)
            else:
                transfers[day] = kind == DayTransfer.Kind.WORKING_DAY
        return cls(transfers, decree_years)

    @classmethod
    def of_rows(cls, transfers, decrees):
        """The calendar from rows read with something else (`clock.rule_sets_and_calendar`):
        each transfer's `date` and `kind`, each decree's `year`."""
        working = DayTransfer.Kind.WORKING_DAY
        return cls({row.date: row.kind == working for row in transfers}, [r.year for r in decrees])

    def is_provisional(self, day):
        """Whether `day`'s year may still have days moved: no decree for it is entered yet."""
        return day.year > LIBRARY_TRANSFERS_UNTIL and day.year not in self.decree_years

    def holidays_between(self, first, last):
        """(day, name) of each public holiday that is a day off, from `first` to `last`."""
        last = min(last, first + LONGEST_WINDOW)
        found = []
        while first <= last:
            name = self.holiday_name(first)
            if name and not self.is_working_day(first):
                found.append((first, name))
            first += ONE_DAY
        return found

    def is_working_day(self, day):
        answer = self.answered.get(day)
        if answer is None:
            answer = self.transfers.get(day)
            if answer is None:
                answer = library_year(day.year).is_working_day(day)
            self.answered[day] = answer
        return answer

    def holiday_name(self, day):
        return library_year(day.year).get(day)

    def shift(self, day, number):
        """The `number`-th working day after `day` (before it when `number` is negative)."""
        step = ONE_DAY if number > 0 else -ONE_DAY
        left = abs(number)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def nth_from(self, day, number):
        """The `number`-th working day counting `day` itself: a window's last day."""
        return self.shift(day - ONE_DAY, number)

    def count(self, first, last):
        """Working days from `first` to `last`, both included."""
        total = 0
        while first <= last:
            total += self.is_working_day(first)
            first += ONE_DAY
        return total


@lru_cache(maxsize=64)
def library_year(year):
    """The `holidays` library's calendar of one year, built once per process: it follows from
    the library's code alone, never from the data, and building it (the lunar feasts computed)
    took about 5 ms of every hearing page. One year only (`expand=False`): asked about another
    day it never grows, so it is read-only once built."""
    return holidays.country_holidays("KZ", years=year, expand=False)
