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

Only a rule that binds (`Rule.binds`: verified against the official text, with its whole record)
decides anything: it refuses an announcement or a move, is judged "broken", alerts. Any other rule
is guidance, the site's expectation: a date it misses reads "later than the site expects"
(`OFF_GUIDANCE`), never "broken", and it never refuses.

A deadline still in the future is never "met": it is "on track" (already kept) or "due on …".
A date the notice gives for a step that lies ahead (materials to be put up on 7 December, comments
taken until 1 January) is a plan, not a step taken: it is shown as planned and judged "due".
"""

import datetime
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import formats
from hearings.models import (
    Art87Subparagraph,
    Hearing,
    LegalBasis,
    ParticipationForm,
    Regime,
    Rule,
    RuleSet,
    rule_sets_read,
)
from hearings.working_days import WorkingCalendar

# What the page shows for a deadline (`Deadline.state`).
MET = "met"
ON_TRACK = "on_track"
DUE = "due"
BROKEN = "broken"
RUNNING = "running"  # the protocol's validity: a period that runs, not a duty already kept
# A rule that does not bind (not verified) and was not kept: the site's expectation, not law.
OFF_GUIDANCE = "off_guidance"
# A period that has run out, but the site does not know whether it applies (Art. 73(1)'s
# condition not recorded): neither kept nor broken.
NOT_JUDGED = "not_judged"
# A fact worth knowing, not a rule: a hearing or a discussion's window on public holidays.
WARNING = "warning"


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
    verified: bool = False  # the rule binds (`Rule.binds`); otherwise it is guidance
    note: str = ""
    planned: bool = False  # `done` is a date still ahead: what the notice promises, not yet done
    done_from: str = ""  # what `done` was read from: which publication started the notice
    calendar_note: str = ""  # the due day is a day off, or in a year of provisional working days
    provisional: bool = False  # counted in working days of a year whose decree is not entered


@dataclass
class NoticeStart:
    """The day the notice period started, and where: an official publication, or this site."""

    day: datetime.date
    official: bool
    where: str


def regime_of(hearing):
    """The procedure a hearing follows, from its legal basis, form and Art. 87 basis."""

    if hearing.legal_basis == LegalBasis.GENERAL_PLAN:
        return Regime.GENERAL_PLAN
    if hearing.form == ParticipationForm.PUBLIC_DISCUSSION:
        basis = hearing.art87_subparagraph
        if basis == Art87Subparagraph.SP2:
            return Regime.ECO_DISCUSSION_87_2
        # No rule set is entered for Rules No. 165 (2023): its text has not been read.
        if basis and basis != Art87Subparagraph.RULES_165:
            return Regime.ECO_DISCUSSION_87_3_8
        return None
    return Regime.ECO_OPEN_MEETING


def official_publications(hearing, since=None):
    """(day, where) of the notice's official publications, in the mass media and on the
    ministry's portal, made on or after `since` (the day of the last move)."""
    found = []
    if hearing.media_published_on:
        found.append(
            (
                hearing.media_published_on,
                _("published in the mass media: %(outlet)s") % {"outlet": hearing.media_outlet},
            )
        )
    if hearing.portal_published_on:
        found.append(
            (
                hearing.portal_published_on,
                _("published on the ministry's portal, No. %(number)s")
                % {"number": hearing.portal_number},
            )
        )
    return sorted(each for each in found if since is None or each[0] >= since)


def notice_publication(hearing, zone=None):
    """Where and when the notice period started (`NoticeStart`), or None before announcement.

    The sources count the notice from its publication in the mass media or on the ministry's
    portal (legal-sources, §6.2: Q4, Q5), so the earliest official publication counts, not the
    day the hearing was put on this site. After a move only a publication of the new date (made
    on or after the move) counts. With no official publication recorded, the announcement (or
    the last move) on this site stands in, and says so. Days are `zone`'s (the current time
    zone when not given).
    """
    moved = timezone.localdate(hearing.rescheduled_at, zone) if hearing.rescheduled_at else None
    official = official_publications(hearing, since=moved)
    if official:
        day, where = official[0]
        return NoticeStart(day, True, where)
    instant = hearing.rescheduled_at or hearing.announced_at
    if instant is None:
        return None
    return NoticeStart(
        timezone.localdate(instant, zone),
        False,
        _("on this site only: no official publication of the notice is recorded"),
    )


def notice_day_if_announced(hearing, today):
    """The day the notice period starts if the hearing is announced (or moved) today: the
    earliest official publication already made, for a first announcement; today for a move
    (earlier publications gave the old date). What the check and the earliest date count from."""
    if hearing.announced_at is not None:
        return today
    return min([today, *(day for day, _where in official_publications(hearing) if day <= today)])


def rule_set_for(hearing, today=None):
    """The rule set recorded at announcement, or the one in force today for a draft.

    Remembered on the instance (for the same recorded set, regime and day), so that a page
    asking several questions of the clock reads the rules once.
    """

    key = _rule_set_key(hearing, today)
    _recorded, regime, _on = key
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
        result = RuleSet.objects.applicable(regime, _judged_on(key))
    hearing._clock_rule_set = (key, result)
    return result


def _rule_set_key(hearing, today=None):
    """(recorded rule set, regime, the instant of announcement or else the day judged by): what
    decides a hearing's rule set, without turning the instant into a day (`_judged_on`) each
    time a page asks."""
    return (
        hearing.rule_set_id,
        regime_of(hearing),
        hearing.announced_at or today or timezone.localdate(),
    )


def _judged_on(key):
    """The day a hearing is judged by (`_rule_set_key`): its announcement's, or the one given."""
    on = key[2]
    return timezone.localdate(on) if isinstance(on, datetime.datetime) else on


def prepare(hearings, today=None):
    """Read the rule sets and the working-day calendar once for many hearings (an API page, a
    feed, a hearing's page), instead of once per hearing: each is given its rule set and the
    shared calendar."""
    hearings = list(hearings)
    if hearings:
        _choose(hearings, *rule_sets_and_calendar(), today)
    return hearings


def prepare_read(hearing, today=None):
    """`prepare` for a hearing read with what its clock reads (`Hearing.objects.for_detail`):
    the rule sets, their rules and the calendar's rows came with its row, and no query is
    asked."""
    sets = rule_sets_read(hearing.clock_sets, hearing.clock_rules, hearing._state.db)
    _choose([hearing], sets, WorkingCalendar.of_rows(hearing.transfers, hearing.decrees), today)
    return hearing


def _choose(hearings, sets, calendar, today):
    """Give each hearing its rule set among `sets` (newest edition first) and the calendar."""
    by_pk = {each.pk: each for each in sets}
    for hearing in hearings:
        key = recorded, regime, _on = _rule_set_key(hearing, today)
        if recorded:
            result = by_pk.get(recorded)
        elif regime is None:
            result = None
        else:  # the same choice as RuleSet.objects.applicable, made in memory
            on = _judged_on(key)
            result = next((each for each in sets if each.is_in_force(regime, on)), None)
        hearing._clock_rule_set = (key, result)
        hearing._clock_calendar = calendar


def rule_sets_and_calendar():
    """([every rule set, newest edition first, with its rules], the working-day calendar), in
    one query: each set's row carries its rules and the calendar's rows (`RuleSet.objects.
    with_rules_and_calendar`), where a set, its rules and the calendar took three."""

    sets = list(RuleSet.objects.with_rules_and_calendar())
    if not sets:
        return [], WorkingCalendar.load()
    return sets, WorkingCalendar.of_rows(sets[0].transfers, sets[0].decrees)


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


@dataclass
class Days:
    """What the clock counts from, read once for a question about one hearing: its first and
    last day and where its notice started (`notice_publication`), in the page's time zone."""

    first: datetime.date
    last: datetime.date
    notice: NoticeStart | None
    zone: datetime.tzinfo

    @classmethod
    def of(cls, hearing, zone=None):
        # The zone looked up once: each look-up reads a context-local variable, and a list's
        # clock made about six for each hearing (commit 37f4568).
        zone = zone or timezone.get_current_timezone()
        first = timezone.localdate(hearing.starts_at, zone)
        notice = notice_publication(hearing, zone)
        return cls(first, hearing.discussion_ends_on or first, notice, zone)


def _anchor(hearing, rule, days):
    if rule.event == rule.Event.PROTOCOL_SIGNED:
        return hearing.protocol_signed_on
    if rule.event == rule.Event.REQUEST_RECEIVED:
        return hearing.request_received_on
    if rule.event == rule.Event.HEARING_END:
        return days.last
    return days.first


def _due(hearing, rule, calendar, days):
    anchor = _anchor(hearing, rule, days)
    if anchor is None:
        return None
    if rule.measures == rule.Measures.DISCUSSION:
        if rule.unit == rule.Unit.WORKING_DAYS:
            return calendar.nth_from(anchor, rule.number)
        return shift(anchor, rule, calendar, 1) - datetime.timedelta(days=1)
    return shift(anchor, rule, calendar, -1 if rule.direction == rule.Direction.BEFORE else 1)


def _done(hearing, rule, days):
    Measures = rule.Measures
    if rule.measures == Measures.REQUEST_ANSWER:
        return hearing.request_answered_on
    if rule.measures == Measures.MATERIALS:
        return hearing.materials_available_from
    if rule.measures == Measures.ANNOUNCEMENT:
        return days.notice.day if days.notice else None
    if rule.measures == Measures.COMMENTS:
        # Without a date of its own the site takes comments until the hearing's day
        # (`Hearing.comments_open`): that is the period applied, and the one judged.
        if hearing.comments_until or not hearing.announced_at:
            return hearing.comments_until
        return days.first
    if rule.measures == Measures.DISCUSSION:
        return hearing.discussion_ends_on
    if rule.measures == Measures.PROTOCOL:
        instant = hearing.record_published_at
        return timezone.localdate(instant, days.zone) if instant else None
    if rule.measures == Measures.VALIDITY:
        return hearing.draft_sent_on
    return None


def _done_from(hearing, rule, days):
    """What the clock read `done` from, where it is not plain: which publication started the
    notice; whether Art. 73(1)'s condition is recorded."""
    if rule.measures == rule.Measures.ANNOUNCEMENT:
        return days.notice.where if days.notice else ""
    if rule.measures == rule.Measures.VALIDITY and hearing.ended_before_assessment is None:
        return _(
            "Whether the hearings ended before the ministry began assessing the draft report's "
            "quality is not recorded, so whether this period applies is not known."
        )
    return ""


def day_off_rule():
    """What the clock does when a term ends on a day off, and on what authority."""
    return _(
        "A term that ends on a day off is not moved to the next working day: no rule on this "
        "has been confirmed for these Rules (legal source not confirmed)."
    )


def _calendar_note(due, calendar, working_days):
    """Said beside a due day that is a day off, or counted in a provisional year."""
    notes = []
    if not calendar.is_working_day(due):
        notes.append(_("%(date)s is a day off.") % {"date": formats.day(due)})
        notes.append(day_off_rule())
    if working_days and calendar.is_provisional(due):
        notes.append(provisional_note(due.year))
    return " ".join(notes)


def provisional_note(year):
    return _(
        "Provisional: the government's decree moving the days off of %(year)s is not entered "
        "yet, so the working days of %(year)s may still change."
    ) % {"year": year}


def _judge(rule, due, done, today, cancelled, applies=True):
    """(met, state, days): kept or not, what the page says, by how many days. A rule that does
    not bind is never "broken" nor `met` False: what it would call broken is `OFF_GUIDANCE`.
    A rule whose condition is not known (`applies` None) is never broken either."""
    if rule.measures == rule.Measures.VALIDITY:
        met, state, days = _judge_validity(due, done, today, applies)
    else:
        met, state, days = _judge_by_rule(rule, due, done, today, cancelled)
    if state == BROKEN and not rule.binds:
        return None, OFF_GUIDANCE, days
    return met, state, days


def _judge_validity(due, done, today, applies):
    """Art. 73(1): the draft report sent to the ministry (`done`) within the period, which runs
    until `due`; after it, broken only if the condition is known to apply."""
    if done is not None:
        if done > due:
            return False, BROKEN, (done - due).days
        return (None, ON_TRACK, 0) if due >= today else (True, MET, 0)
    if today <= due:
        return None, RUNNING, (due - today).days
    if applies is None:
        return None, NOT_JUDGED, (today - due).days
    return False, BROKEN, (today - due).days


def _judge_by_rule(rule, due, done, today, cancelled):
    Measures = rule.Measures
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


PENDING = (DUE, ON_TRACK, RUNNING)


def deadlines(hearing, today=None, calendar=None):
    """Every rule of the hearing's rule set, applied to it, in the rule set's order. A cancelled
    hearing, or one that did not take place, keeps only what was decided before: nothing is
    pending for it (its repeat has a clock of its own)."""
    zone, language = timezone.get_current_timezone(), get_language()
    today = today or timezone.localdate(timezone=zone)
    rule_set = rule_set_for(hearing, today)
    if rule_set is None:
        return []
    calendar = calendar_of(hearing, calendar)
    hearing_days = Days.of(hearing, zone)
    result = _window_notice(hearing, hearing_days) + _holidays_row(hearing, calendar, hearing_days)
    for rule in rule_set.rules_in_order():
        if not _in_scope(hearing, rule):
            continue
        due = _due(hearing, rule, calendar, hearing_days)
        if due is None:
            continue
        done = _done(hearing, rule, hearing_days)
        met, state, days = _judge(
            rule, due, done, today, hearing.is_called_off(), hearing.ended_before_assessment
        )
        label, described, source, note = rule.words(language)
        working_days = rule.unit == rule.Unit.WORKING_DAYS
        result.append(
            Deadline(
                key=rule.measures,
                label=label,
                rule=described,
                due=due,
                done=done,
                met=met,
                state=state,
                days=days,
                planned=done is not None and done > today,
                source=source,
                source_url=rule.source_url,
                verified=rule.binds,
                note=note,
                done_from=_done_from(hearing, rule, hearing_days),
                calendar_note=_calendar_note(due, calendar, working_days),
                provisional=working_days and calendar.is_provisional(due),
            )
        )
    if hearing.is_called_off():
        result = [deadline for deadline in result if deadline.state not in PENDING]
    return result


def _in_scope(hearing, rule):
    """Art. 73(1)'s six months (the `validity` rule) concern only the draft report on possible
    impacts (legal-sources, Q3), not every hearing of a rule set, and only when the hearings
    ended before the ministry's quality assessment began: not when it is recorded that they did
    not (when it is not recorded, the period shows but is never judged broken)."""

    if rule.measures == rule.Measures.VALIDITY:
        return (
            hearing.legal_basis == LegalBasis.EIA_REPORT
            and hearing.ended_before_assessment is not False
        )
    return True


def _holidays_row(hearing, calendar, hearing_days=None):
    """A hearing or a discussion's window on public holidays (those that are days off): a
    warning, never a rule."""
    hearing_days = hearing_days or Days.of(hearing)
    days = calendar.holidays_between(hearing_days.first, hearing_days.last)
    if not days:
        return []
    dates = ", ".join(formats.day(day) for day, _name in days)
    if hearing.is_public_discussion():
        text = _(
            "The window includes public holidays (%(dates)s): they are not counted as working "
            "days, and few residents may take part on them."
        )
    else:
        text = _("The hearing falls on a public holiday (%(dates)s): few residents may come.")
    return [
        Deadline(
            key="holiday",
            label=_("Public holiday"),
            rule=_("a hearing is held on working days"),
            due=days[0][0],
            done=None,
            met=None,
            state=WARNING,
            source=_("No source found"),
            note=text % {"dates": dates},
            provisional=calendar.is_provisional(days[0][0]),
        )
    ]


def _window_notice(hearing, days):
    """A public discussion announced after its window had opened: flagged, not left to read
    "due on …" as if residents had had the whole window. Not a rule of law (none is confirmed
    for a discussion's notice): a fact, shown in neutral colours."""
    found = days.notice
    start = found.day if found else None
    if not hearing.is_public_discussion() or start is None or start <= days.first:
        return []
    return [
        Deadline(
            key="window_notice",
            label=_("Announced before the window opened"),
            rule=_("a public discussion's window opens after its announcement"),
            due=days.first,
            done=start,
            met=None,
            state=OFF_GUIDANCE,
            days=(start - days.first).days,
            source=_("No source found"),
            note=_(
                "The discussion was announced after its window had opened: residents had less "
                "than the whole window to take part."
            ),
            done_from=found.where,
        )
    ]


def rule(hearing, measures, today=None):
    """The hearing's rule measuring `measures`, or None."""
    rule_set = rule_set_for(hearing, today)
    if rule_set is None:
        return None
    return next((r for r in rule_set.ordered_rules if r.measures == measures), None)


def protocol_deadline(hearing):
    """The day the hearing's protocol is due by its protocol rule, or None without one."""
    protocol = rule(hearing, Rule.Measures.PROTOCOL)
    if protocol is None:
        return None
    return shift(hearing.last_day(), protocol, getattr(hearing, "_clock_calendar", None), 1)


def is_protocol_late(hearing, today=None):
    """Late by a protocol rule that binds; an unverified rule never makes an akimat late."""
    today = today or timezone.localdate()
    protocol = rule(hearing, Rule.Measures.PROTOCOL)
    if protocol is None or not protocol.binds:
        return False
    deadline = protocol_deadline(hearing)
    if hearing.status in (Hearing.Status.ANNOUNCED, Hearing.Status.HELD):
        return today > deadline and (hearing.starts_at < timezone.now())
    if hearing.status == Hearing.Status.RECORD_PUBLISHED and hearing.record_published_at:
        return timezone.localdate(hearing.record_published_at) > deadline
    return False


def late_protocols(hearings, today=None):
    """The `hearings` (a queryset) held, their record not published, whose binding protocol
    deadline has passed. A protocol rule that does not bind (`Rule.binds`) makes nobody late.

    The deadline depends on each hearing's rule set, so the database narrows the candidates
    by the shortest binding protocol period of any rule set and each is then checked.
    """
    today = today or timezone.localdate()
    # verified=True is `Rule.binds` in the database (the `rule_verified_has_record` check).
    shortest = Rule.objects.filter(measures=Rule.Measures.PROTOCOL, verified=True).aggregate(
        days=Min("number")
    )["days"]
    if shortest is None:
        return hearings.none()
    latest_start = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=shortest), datetime.time.min)
    )
    candidates = (
        hearings.filter(
            status__in=[Hearing.Status.ANNOUNCED, Hearing.Status.HELD],
            starts_at__lt=latest_start,
        )
        .select_related("rule_set")
        .prefetch_related("rule_set__rules")
    )
    late = [hearing.pk for hearing in candidates if is_protocol_late(hearing, today)]
    return hearings.filter(pk__in=late)


def _source_text(rule):
    text = _("Source: %(source)s.") % {"source": rule.citation()}
    if not rule.binds:
        text += " " + _("Not yet verified against the official text.")
    return text


def earliest_lawful_start(hearing, today=None, calendar=None, binding_only=True):
    """The first day the hearing may start if it is announced (or moved) today, by every
    "before" rule on its start that binds (counted in the rule's unit, working days included);
    with `binding_only` False, by the site's expectations too. The same arithmetic as the check
    (`announcement_problems`): materials already up count from the day they went up."""

    today = today or timezone.localdate()
    rule_set = rule_set_for(hearing, today)
    if rule_set is None:
        return today
    calendar = calendar_of(hearing, calendar)
    earliest = today
    for each in rule_set.ordered_rules:
        if each.direction != Rule.Direction.BEFORE or each.event != Rule.Event.HEARING:
            continue
        if binding_only and not each.binds:
            continue
        if each.measures == Rule.Measures.MATERIALS:
            start_from = hearing.materials_available_from or today
        elif each.measures == Rule.Measures.ANNOUNCEMENT:
            start_from = notice_day_if_announced(hearing, today)
        else:
            continue
        earliest = max(earliest, shift(start_from, each, calendar, 1))
    return earliest


def announcement_problems(hearing, today=None):
    """Why announcing (or moving) `hearing` today would break its binding rules; empty when
    lawful. Only rules that bind (`Rule.binds`) refuse: the rest is `announcement_guidance`.

    Each refusal names the rule, its source and the earliest lawful date.
    """

    problems = _form_problems(hearing, today)
    if problems:
        return problems
    rule_set = rule_set_for(hearing, today)
    if rule_set is None and hearing.art87_subparagraph == Art87Subparagraph.RULES_165:
        return []  # no rule set is entered for Rules No. 165: nothing to judge, nothing refused
    if rule_set is None:
        return [_("No rule set of the legal clock applies to this hearing: ask the moderators.")]
    return [text for rule, text in _rule_findings(hearing, rule_set, today) if rule.binds]


def announcement_guidance(hearing, today=None):
    """What the site expects of `hearing` by rules whose legal source is not confirmed: shown to
    the official as advice, never a refusal."""
    if _form_problems(hearing, today):
        return []
    advice = _day_off_warnings(hearing)
    rule_set = rule_set_for(hearing, today)
    if rule_set is None:
        if hearing.art87_subparagraph == "r165":
            advice.append(
                _(
                    "No rule set of the legal clock is entered for Rules No. 165 (2023): the "
                    "site shows no deadlines for this hearing."
                )
            )
        return advice
    prefix = _("Legal source not confirmed — the site's expectation:")
    return advice + [
        f"{prefix} {text}"
        for rule, text in _rule_findings(hearing, rule_set, today)
        if not rule.binds
    ]


def _day_off_warnings(hearing, calendar=None):
    """A hearing (or a discussion's window) on public holidays, and dates counted in a year of
    provisional working days: warnings."""
    calendar = calendar_of(hearing, calendar)
    rows = _holidays_row(hearing, calendar)
    advice = [row.note for row in rows]
    if calendar.is_provisional(hearing.last_day()):
        advice.append(provisional_note(hearing.last_day().year))
    return advice


def _form_problems(hearing, today=None):
    """What the notice itself lacks, whatever the rules: a discussion's basis and window, and
    a window that would start before its announcement."""

    if hearing.form != ParticipationForm.PUBLIC_DISCUSSION:
        return []
    today = today or timezone.localdate()
    if hearing.announced_at is None and hearing.first_day() < today:
        return [
            _(
                "A public discussion cannot open before it is announced: its first day, "
                "%(first)s, has passed. Give a window that starts today or later."
            )
            % {"first": formats.day(hearing.first_day())}
        ]
    if not hearing.art87_subparagraph and hearing.legal_basis != "general_plan":
        return [
            _(
                "Say under which sub-paragraph of Art. 87 of the Ecological Code the project "
                "falls: the length of a public discussion depends on it."
            )
        ]
    if not hearing.discussion_ends_on:
        return [_("Give the last day of the public discussion.")]
    if hearing.discussion_ends_on < hearing.first_day():
        return [_("The public discussion cannot end before it starts.")]
    return []


def _rule_findings(hearing, rule_set, today=None):
    """(rule, message) for every rule of `rule_set` that announcing `hearing` today misses. The
    earliest date quoted counts the rules of the same kind: binding ones for a refusal, every
    one for guidance."""

    today = today or timezone.localdate()
    calendar = WorkingCalendar.load()
    earliest = {
        binds: formats.day(earliest_lawful_start(hearing, today, calendar, binding_only=binds))
        for binds in (True, False)
    }
    notice_day = notice_day_if_announced(hearing, today)
    days = Days.of(hearing)
    findings = []
    for each in rule_set.rules_in_order():
        due = _due(hearing, each, calendar, days)
        values = {
            "rule": each.describe(),
            "label": each.get_measures_display(),
            "source": _source_text(each),
        }
        if each.binds:
            values["earliest"] = _("The earliest lawful date for the hearing is %(date)s.") % {
                "date": earliest[True]
            }
            values["last_day"] = _("The earliest lawful last day of the discussion is %(date)s.")
        else:
            values["earliest"] = _(
                "The earliest date the site expects for the hearing is %(date)s."
            ) % {"date": earliest[False]}
            values["last_day"] = _(
                "The earliest last day of the discussion the site expects is %(date)s."
            )
        values["last_day"] %= {"date": formats.day(due)}
        if each.measures == Rule.Measures.ANNOUNCEMENT and due < notice_day:
            findings.append((each, _EARLIEST() % values))
        elif each.measures == Rule.Measures.MATERIALS:
            if not hearing.materials_available_from:
                findings.append((each, NEEDS_MATERIALS_DATE()))
            elif hearing.materials_available_from > due:
                findings.append((each, _EARLIEST() % values))
        elif each.measures == Rule.Measures.COMMENTS:
            if hearing.comments_until and hearing.comments_until < due:
                findings.append(
                    (
                        each,
                        _("%(label)s: %(rule)s (%(date)s). %(source)s")
                        % {**values, "date": formats.day(due)},
                    )
                )
        elif each.measures == Rule.Measures.DISCUSSION and hearing.discussion_ends_on:
            if hearing.discussion_ends_on < due:
                findings.append(
                    (
                        each,
                        _("%(label)s: %(rule)s. %(source)s %(last_day)s") % values,
                    )
                )
    return findings


def _EARLIEST():  # noqa: N802
    return _("%(label)s: %(rule)s. %(source)s %(earliest)s")


def NEEDS_MATERIALS_DATE():  # noqa: N802
    return _("Say from which day the materials are available before announcing the hearing.")
