"""The README's legal-clock table and the seeded rule sets say the same thing."""

import re
from pathlib import Path

import pytest

from hearings.migrations._default_rule_sets import DEFAULT_RULE_SETS
from hearings.models import Rule, RuleSet

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"

STEPS = {
    "akimat's answer to the request": "request_answer",
    "materials available": "materials",
    "announcement published": "announcement",
    "written comments accepted": "comments",
    "public discussion window": "discussion",
    "protocol published": "protocol",
    "draft sent to the ministry": "validity",
}
UNITS = {"calendar days": "calendar_days", "working days": "working_days", "months": "months"}


def readme_rows():
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(
            r"\| `([a-z0-9-]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| (\w+) \|", line
        )
        if not match:
            continue
        code, announced, step, period, _source, verified = (g.strip() for g in match.groups())
        number, unit = re.match(
            r"(?:until )?(\d+) (calendar days|working days|months)", period
        ).groups()
        rows.append((code, STEPS[step], int(number), UNITS[unit], verified == "yes", announced))
    return rows


def test_readme_table_matches_the_seeded_rule_sets():
    codes = [entry["code"] for entry in DEFAULT_RULE_SETS]
    data = sorted(
        (rule.rule_set.code, rule.measures, rule.number, rule.unit, rule.verified)
        for rule in Rule.objects.filter(rule_set__code__in=codes).select_related("rule_set")
    )
    table = sorted(row[:5] for row in readme_rows())
    assert table == data


def test_readme_dates_match_when_each_set_applies():
    for code, *_rest, announced in readme_rows():
        rule_set = RuleSet.objects.get(code=code)
        assert rule_set.in_force_from.isoformat() in announced
        if rule_set.in_force_until:
            assert rule_set.in_force_until.isoformat() in announced
        else:
            assert announced.startswith("from ")


def test_readme_says_what_the_clock_does_on_days_off_and_which_year_is_provisional():
    """The README's paragraph on days off says what the code does: a due day on a day off stays
    where it falls, and the first year without an entered transfer decree is named."""
    import datetime

    from hearings import clock
    from hearings.working_days import WorkingCalendar

    text = " ".join(README.read_text(encoding="utf-8").split())
    calendar = WorkingCalendar.load()
    sunday = datetime.date(2027, 1, 17)
    assert not calendar.is_working_day(sunday)
    comments = Rule.objects.get(rule_set__code="eco-open-meeting-2024", measures="comments")
    assert clock.shift(datetime.date(2027, 1, 20), comments, calendar, -1) == sunday  # not moved
    assert "is **not moved** to the next working day" in text
    first = next(y for y in range(2026, 2100) if calendar.is_provisional(datetime.date(y, 1, 1)))
    assert f"({first} for now)" in text
    assert "**earliest official publication**" in text
