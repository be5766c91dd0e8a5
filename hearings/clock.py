"""The legal clock of a public hearing: which rules apply, when each is due, and whether it held.

The periods are data, not constants: a `RuleSet` per regime and edition of the rules, each
`Rule` with its number, unit (calendar days, working days, months), direction, event and legal
source, and whether it has been verified against the primary text (see README, "The legal
clock"). Before announcement a hearing is judged by the edition in force today; from
announcement on by the edition recorded on it (`Hearing.rule_set`), so a later edition never
re-judges an old hearing.

Working days are Kazakhstan's (`working_days.WorkingCalendar`). When a hearing is moved the
announcement clock restarts from the day it was moved: residents must get the whole notice
period before the new date, not what was left of the old one.

A deadline still in the future is never "met": it is "on track" (already kept) or "due on …".
A date the notice gives for a step that lies ahead (materials to be put up on 7 December, comments
taken until 1 January) is a plan, not a step taken: it is shown as planned and judged "due".
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core import formats
from hearings.working_days import WorkingCalendar

# What the page shows for a deadline (`Deadline.state`).
MET = "met"
ON_TRACK = "on_track"
DUE = "due"
BROKEN = "broken"
RUNNING = "running"  # the protocol's validity: a period that runs, not a duty already kept


@dataclass
class Deadline:
    """One rule as it applies to one hearing: `met` is True, False, or None while still open."""

    key: str
    label: str
    rule: str
    due: datetime.date
    done: datetime.date | None
    met: bool | None
    state: str
    days: int = 0  # how many days late or short when broken, or left while running
    source: str = ""
    source_url: str = ""
    verified: bool = False
    note: str = ""
    planned: bool = False  # `done` is a date still ahead: what the notice promises, not yet done


def regime_of(hearing):
    """The procedure a hearing follows, from its legal basis, form and Art. 87 basis."""
    from hearings.models import LegalBasis, ParticipationForm, Regime

    if hearing.legal_basis == LegalBasis.GENERAL_PLAN:
        return Regime.GENERAL_PLAN
    if hearing.form == ParticipationForm.PUBLIC_DISCUSSION:
        if hearing.art87_subparagraph == "2":
            return Regime.ECO_DISCUSSION_87_2
        if hearing.art87_subparagraph:
            return Regime.ECO_DISCUSSION_87_3_8
        return None
    return Regime.ECO_OPEN_MEETING


def notice_start(hearing):
    """The day the notice clock started: the announcement, or the last move if it was moved."""
    instant = hearing.rescheduled_at or hearing.announced_at
    return timezone.localdate(instant) if instant else None


def rule_set_for(hearing, today=None):
    """The rule set recorded at announcement, or the one in force today for a draft.

    Remembered on the instance (for the same recorded set, regime and day), so that a page
    asking several questions of the clock reads the rules once.
    """
    from hearings.models import RuleSet

    key = _rule_set_key(hearing, today)
    _recorded, regime, on = key
    cached = getattr(hearing, "_clock_rule_set", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if hearing.rule_set_id and type(hearing).rule_set.is_cached(hearing):
        result = hearing.rule_set  # with its rules when the queryset prefetched them
    elif hearing.rule_set_id:
        result = RuleSet.objects.prefetch_related("rules").get(pk=hearing.rule_set_id)
    elif regime is None:
        result = None
    else:
        result = RuleSet.objects.applicable(regime, on)
    hearing._clock_rule_set = (key, result)
    return result


def _rule_set_key(hearing, today=None):
    """(recorded rule set, regime, day judged by): what decides a hearing's rule set."""
    on = timezone.localdate(hearing.announced_at) if hearing.announced_at else None
    return hearing.rule_set_id, regime_of(hearing), on or today or timezone.localdate()


def prepare(hearings, today=None):
    """Read the rule sets and the working-day calendar once for many hearings (an API page, a
    feed), instead of once per hearing: each is given its rule set and the shared calendar."""
    from hearings.models import RuleSet

    hearings = list(hearings)
    if not hearings:
        return hearings
    calendar = WorkingCalendar.load()
    sets = list(RuleSet.objects.prefetch_related("rules").order_by("-in_force_from", "-pk"))
    by_pk = {each.pk: each for each in sets}
    for hearing in hearings:
        key = recorded, regime, on = _rule_set_key(hearing, today)
        if recorded:
            result = by_pk.get(recorded)
        elif regime is None:
            result = None
        else:  # the same choice as RuleSet.objects.applicable, made in memory
            result = next((each for each in sets if each.is_in_force(regime, on)), None)
        hearing._clock_rule_set = (key, result)
        hearing._clock_calendar = calendar
    return hearings


def calendar_of(hearing, calendar=None):
    """The working-day calendar given, the one `prepare` attached, or a fresh one."""
    return calendar or getattr(hearing, "_clock_calendar", None) or WorkingCalendar.load()


def shift(day, rule, calendar, sign):
    """`day` moved by the rule's period, back (`sign` -1) or on (+1), in the rule's unit."""
    if rule.unit == rule.Unit.WORKING_DAYS:
        calendar = calendar or WorkingCalendar.load()
        return calendar.shift(day, sign * rule.number)
    if rule.unit == rule.Unit.MONTHS:
        return formats.add_months(day, sign * rule.number)
    return day + datetime.timedelta(days=sign * rule.number)


def first_day(hearing):
    return timezone.localdate(hearing.starts_at)


def last_day(hearing):
    """The hearing's day, or a public discussion's last day."""
    return hearing.discussion_ends_on or first_day(hearing)


def _anchor(hearing, rule):
    if rule.event == rule.Event.PROTOCOL_SIGNED:
        return hearing.protocol_signed_on
    if rule.event == rule.Event.HEARING_END:
        return last_day(hearing)
    return first_day(hearing)


def _due(hearing, rule, calendar):
    anchor = _anchor(hearing, rule)
    if anchor is None:
        return None
    if rule.measures == rule.Measures.DISCUSSION:
        if rule.unit == rule.Unit.WORKING_DAYS:
            return calendar.nth_from(anchor, rule.number)
        return shift(anchor, rule, calendar, 1) - datetime.timedelta(days=1)
    return shift(anchor, rule, calendar, -1 if rule.direction == rule.Direction.BEFORE else 1)


def _done(hearing, rule):
    Measures = rule.Measures
    if rule.measures == Measures.MATERIALS:
        return hearing.materials_available_from
    if rule.measures == Measures.ANNOUNCEMENT:
        return notice_start(hearing)
    if rule.measures == Measures.COMMENTS:
        return hearing.comments_until
    if rule.measures == Measures.DISCUSSION:
        return hearing.discussion_ends_on
    if rule.measures == Measures.PROTOCOL:
        instant = hearing.record_published_at
        return timezone.localdate(instant) if instant else None
    return None


def _judge(rule, due, done, today, cancelled):
    """(met, state, days): kept or not, what the page says, by how many days."""
    Measures = rule.Measures
    if rule.measures == Measures.VALIDITY:
        return None, RUNNING if today <= due else BROKEN, abs((due - today).days)
    # "At least until" rules are kept by a later date; "at least before" by an earlier one.
    later_is_kept = rule.measures in (Measures.COMMENTS, Measures.DISCUSSION)
    if done is not None and done > today:
        # A plan: it cannot have been met yet, unless it is a period that has already run past
        # its due day (comments still taken after the day they had to be taken until).
        kept = done >= due if later_is_kept else done <= due
        if not kept:
            return False, BROKEN, abs((done - due).days)
        if later_is_kept and due < today:
            return True, MET, 0
        return None, DUE, 0
    if done is not None:
        kept = done >= due if later_is_kept else done <= due
        if not kept:
            return False, BROKEN, abs((done - due).days)
        if due >= today:
            return None, ON_TRACK, 0
        return True, MET, 0
    if cancelled or later_is_kept:
        return None, DUE, 0
    if today > due:
        return False, BROKEN, (today - due).days
    return None, DUE, 0


def deadlines(hearing, today=None, calendar=None):
    """Every rule of the hearing's rule set, applied to it, in the rule set's order."""
    today = today or timezone.localdate()
    rule_set = rule_set_for(hearing, today)
    if rule_set is None:
        return []
    calendar = calendar_of(hearing, calendar)
    result = []
    for rule in rule_set.rules_in_order():
        due = _due(hearing, rule, calendar)
        if due is None:
            continue
        done = _done(hearing, rule)
        met, state, days = _judge(rule, due, done, today, hearing.is_cancelled())
        result.append(
            Deadline(
                key=rule.measures,
                label=rule.get_measures_display(),
                rule=rule.describe(),
                due=due,
                done=done,
                met=met,
                state=state,
                days=days,
                planned=done is not None and done > today,
                source=rule.citation(),
                source_url=rule.source_url,
                verified=rule.verified,
                note=rule.note,
            )
        )
    return result


def rule(hearing, measures, today=None):
    """The hearing's rule measuring `measures`, or None."""
    rule_set = rule_set_for(hearing, today)
    if rule_set is None:
        return None
    return next((r for r in rule_set.rules.all() if r.measures == measures), None)


def _source_text(rule):
    text = _("Source: %(source)s.") % {"source": rule.citation()}
    if not rule.verified:
        text += " " + _("Not yet verified against the official text.")
    return text


def earliest_lawful_start(hearing, today=None, calendar=None):
    """The first day the hearing may start if it is announced today, by every "before" rule
    on its start (counted in the rule's unit, working days included)."""
    from hearings.models import Rule

    today = today or timezone.localdate()
    rule_set = rule_set_for(hearing, today)
    if rule_set is None:
        return today
    calendar = calendar_of(hearing, calendar)
    earliest = today
    for each in rule_set.rules.all():
        if each.direction != Rule.Direction.BEFORE or each.event != Rule.Event.HEARING:
            continue
        if each.measures == Rule.Measures.MATERIALS:
            start_from = max(hearing.materials_available_from or today, today)
        elif each.measures == Rule.Measures.ANNOUNCEMENT:
            start_from = today
        else:
            continue
        earliest = max(earliest, shift(start_from, each, calendar, 1))
    return earliest


def announcement_problems(hearing, today=None):
    """Why announcing (or moving) `hearing` today would break its rules; empty when lawful.

    Each refusal names the rule, its source (and that it is not yet verified, where it is not)
    and the earliest lawful date.
    """
    today = today or timezone.localdate()
    missing = _discussion_problems(hearing)
    if missing:
        return missing
    rule_set = rule_set_for(hearing, today)
    if rule_set is None:
        return [_("No rule set of the legal clock applies to this hearing: ask the moderators.")]
    calendar = WorkingCalendar.load()
    earliest = formats.day(earliest_lawful_start(hearing, today, calendar))
    problems = (
        _rule_problem(hearing, each, _due(hearing, each, calendar), earliest, today)
        for each in rule_set.rules_in_order()
    )
    return [problem for problem in problems if problem]


def _discussion_problems(hearing):
    """What a public discussion must say before its rules can be judged at all."""
    from hearings.models import ParticipationForm

    if hearing.form != ParticipationForm.PUBLIC_DISCUSSION:
        return []
    if not hearing.art87_subparagraph and hearing.legal_basis != "general_plan":
        return [
            _(
                "Say under which sub-paragraph of Art. 87 of the Ecological Code the project "
                "falls: the length of a public discussion depends on it."
            )
        ]
    if not hearing.discussion_ends_on:
        return [_("Give the last day of the public discussion.")]
    if hearing.discussion_ends_on < first_day(hearing):
        return [_("The public discussion cannot end before it starts.")]
    return []


def _rule_problem(hearing, each, due, earliest, today):
    """How `hearing` breaks the rule `each` (whose deadline is `due`), or None."""
    from hearings.models import Rule

    values = {
        "rule": each.describe(),
        "label": each.get_measures_display(),
        "earliest": earliest,
        "source": _source_text(each),
    }
    if each.measures == Rule.Measures.ANNOUNCEMENT and due < today:
        return (
            _(
                "%(label)s: %(rule)s. %(source)s The earliest lawful date for the hearing "
                "is %(earliest)s."
            )
            % values
        )
    if each.measures == Rule.Measures.MATERIALS:
        if not hearing.materials_available_from:
            return NEEDS_MATERIALS_DATE()
        if hearing.materials_available_from > due:
            return (
                _(
                    "%(label)s: %(rule)s. %(source)s The earliest lawful date for the "
                    "hearing is %(earliest)s."
                )
                % values
            )
    elif each.measures == Rule.Measures.COMMENTS:
        if hearing.comments_until and hearing.comments_until < due:
            return _("%(label)s: %(rule)s (%(date)s). %(source)s") % {
                **values,
                "date": formats.day(due),
            }
    elif each.measures == Rule.Measures.DISCUSSION and hearing.discussion_ends_on:
        if hearing.discussion_ends_on < due:
            return _(
                "%(label)s: %(rule)s. %(source)s The earliest lawful last day of the "
                "discussion is %(date)s."
            ) % {**values, "date": formats.day(due)}
    return None


def NEEDS_MATERIALS_DATE():  # noqa: N802
    return _("Say from which day the materials are available before announcing the hearing.")
