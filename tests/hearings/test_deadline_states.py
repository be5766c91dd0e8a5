"""Every state of a deadline in the legal clock, judged on a fixed day.

The hearing starts on 1 March 2027 under the 2024 rules for an open meeting: materials due 30
days before (29 January), the announcement 20 days before (9 February), comments taken at least
until 3 days before (26 February), the protocol 7 days after (8 March), valid six months from
its signing. A date the notice gives for a step still ahead is a plan, never "met".
"""

import datetime

import pytest
from django.utils import timezone, translation

from hearings import clock
from tests.factories import HearingFactory

# These tests are about what a binding rule does: the rules are verified for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("binding_rules")]

D = datetime.date


def _at(day, hour=11):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def hearing():
    return HearingFactory(
        announced=True,
        announced_at=_at(D(2027, 1, 5)),
        starts_at=_at(D(2027, 3, 1)),
        materials_available_from=None,
        comments_until=D(2027, 2, 27),
    )


def judged(hearing, key, today):
    deadline = next(d for d in clock.deadlines(hearing, today=today) if d.key == key)
    return deadline.state, deadline.met, deadline.days, deadline.planned


def test_the_fixture_has_the_due_dates_the_docstring_says(hearing):
    due = {d.key: d.due for d in clock.deadlines(hearing, today=D(2027, 1, 10))}
    assert due == {
        "materials": D(2027, 1, 30),
        "announcement": D(2027, 2, 9),
        "comments": D(2027, 2, 26),
        "protocol": D(2027, 3, 8),
    }


@pytest.mark.parametrize(
    "materials_from, today, expected",
    [
        # Not done, due date ahead: due, never met.
        (None, D(2027, 1, 10), ("due", None, 0, False)),
        # The notice promises a date still ahead: planned, due, not met.
        (D(2027, 1, 20), D(2027, 1, 10), ("due", None, 0, True)),
        # Done, due date still ahead: kept so far, "on track", not yet "met".
        (D(2027, 1, 8), D(2027, 1, 10), ("on_track", None, 0, False)),
        # Done on the due day, judged that day: still on track.
        (D(2027, 1, 30), D(2027, 1, 30), ("on_track", None, 0, False)),
        # Done before the due date, which has passed: met.
        (D(2027, 1, 8), D(2027, 2, 1), ("met", True, 0, False)),
        # Done late: broken, by how many days.
        (D(2027, 2, 3), D(2027, 2, 5), ("broken", False, 4, False)),
        # Planned for after the due date: broken already, by the plan.
        (D(2027, 2, 3), D(2027, 1, 10), ("broken", False, 4, True)),
        # Not done and the due date has passed: broken, counting the days since.
        (None, D(2027, 2, 2), ("broken", False, 3, False)),
    ],
)
def test_a_before_rule_in_every_state(hearing, materials_from, today, expected):
    hearing.materials_available_from = materials_from
    assert judged(hearing, "materials", today) == expected


@pytest.mark.parametrize(
    "comments_until, today, expected",
    [
        # Comments promised until after the due day, which is ahead: due, planned.
        (D(2027, 2, 27), D(2027, 1, 10), ("due", None, 0, True)),
        # The due day has passed and comments are still taken: the period was long enough.
        (D(2027, 2, 28), D(2027, 2, 27), ("met", True, 0, True)),
        # The period ended after the due day, both past: met.
        (D(2027, 2, 27), D(2027, 3, 2), ("met", True, 0, False)),
        # The period is planned to end too early: broken.
        (D(2027, 2, 20), D(2027, 1, 10), ("broken", False, 6, True)),
    ],
)
def test_an_until_rule_in_every_state(hearing, comments_until, today, expected):
    hearing.comments_until = comments_until
    assert judged(hearing, "comments", today) == expected


def test_the_protocol_is_due_then_late_then_met(hearing):
    assert judged(hearing, "protocol", D(2027, 3, 5)) == ("due", None, 0, False)
    assert judged(hearing, "protocol", D(2027, 3, 10)) == ("broken", False, 2, False)
    hearing.record_published_at = _at(D(2027, 3, 6))
    hearing.protocol_signed_on = D(2027, 3, 5)
    assert judged(hearing, "protocol", D(2027, 3, 20)) == ("met", True, 0, False)
    assert judged(hearing, "validity", D(2027, 3, 20)) == ("running", None, 169, False)
    # Art. 73(1)'s condition not recorded: the period ran out, but it is not judged.
    assert judged(hearing, "validity", D(2027, 9, 6))[0] == "not_judged"
    hearing.ended_before_assessment = True
    assert judged(hearing, "validity", D(2027, 9, 6))[0] == "broken"


def test_the_page_says_planned_and_due_never_met_for_steps_ahead(client):
    """Materials and comments promised for days still ahead: "planned for" and "due on"."""
    today = timezone.localdate()
    hearing = HearingFactory(
        announced=True,
        starts_at=_at(today + datetime.timedelta(days=60)),
        materials_available_from=today + datetime.timedelta(days=5),
        comments_until=today + datetime.timedelta(days=58),
    )
    with translation.override("en"):
        body = client.get(hearing.get_absolute_url()).content.decode()
    rows = {
        key: body.split(f'class="deadline-{key}"')[1].split("</tr>")[0]
        for key in ("materials", "comments", "announcement")
    }
    for key in ("materials", "comments"):
        assert "planned for" in rows[key] and "due on" in rows[key], key
        assert "met<" not in rows[key] and "on track" not in rows[key], key
    assert "on track" in rows["announcement"]  # announced today: kept, its day still ahead
