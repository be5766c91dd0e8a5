"""Public hearings: the notice residents cannot miss, and the record afterwards.

A `Hearing` is posted by the organising akimat for a planned activity (often an investment
project) whose initiator is a company. Its notice says what Kazakhstan's Rules for public hearings
and the Aarhus Convention (Art. 6(2)) require: what is planned, who decides and how, the territory
of impact, when and where, the materials and until when written comments are taken.

Lifecycle: draft → announced → held → record published; or cancelled. Drafts are never public.
Moving a hearing (`reschedule_hearing`) keeps the old date in the change log (`HearingChange`) and
restarts the notice clock: residents must get the full notice period before the new date.

After the hearing the record: protocol (PDF), attendance, video, every question and comment with
the answer and how it was taken into account (Aarhus Art. 6(8)), and `HearingPromise`s, which
the `disclosures` app turns into promised disclosures (`promise.disclosures`).
"""

import datetime
import functools
import re
import secrets
from collections import defaultdict
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core import formats
from core.api import NestedRows, columns_of, instances
from core.caching import EVERYTHING, SITE, VisibilityTracked, place_scopes, record_scope
from core.changelog import ChangeRows
from core.lifecycle import DATE, MEMBER, REASON, STAFF, Publishable, Transition, editable
from core.models import Compiled, ListOf, ResidentInput
from core.translation import (
    TranslatedField,
    choice_label,
    language_field,
    page_language,
    versions_field,
)
from projects.models import Organisation, Place, Project, organisation_name

# What a rule of the legal clock names as its source when none was found: such a rule guides,
# never decides (the shipped rule sets in migrations/_default_rule_sets.py use the same words).
NO_SOURCE = "No source found"


class LegalBasis(models.TextChoices):
    EIA_REPORT = "eia_report", _("environmental impact assessment report")
    EIA_SCOPING = "eia_scoping", _("scoping of the environmental impact assessment")
    ENVIRONMENTAL_PERMIT = "environmental_permit", _("draft environmental permit")
    LAND_ALLOCATION = "land_allocation", _("land allocation")
    GENERAL_PLAN = "general_plan", _("general plan")
    OTHER = "other", _("other")


class HearingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("in person and online")


class HearingLanguage(models.TextChoices):
    KK = "kk", _("Kazakh")
    RU = "ru", _("Russian")
    EN = "en", _("English")


class ParticipationForm(models.TextChoices):
    """The two forms of public hearing in the Rules' 2024 edition (see README, legal clock)."""

    OPEN_MEETING = "open_meeting", _("open meeting")
    PUBLIC_DISCUSSION = "public_discussion", _("public discussion online")


class ObjectCategory(models.TextChoices):
    """The object's category under the Ecological Code (I is the most harmful)."""

    I = "I", _("category I")  # noqa: E741
    II = "II", _("category II")
    III = "III", _("category III")
    IV = "IV", _("category IV")


class Art87Subparagraph(models.TextChoices):
    """The basis the ministry's portal names for a hearing: a sub-paragraph of Art. 87 of the
    Ecological Code, the group "3)–8)" as the portal writes it most often, or in 2023 paragraph 9
    of Rules No. 165 (legal-sources, §1.3 and Q7: the portal's records; the texts themselves were
    not read, so `BASIS_SOURCES` marks each as unverified)."""

    SP2 = "2", _("sub-paragraph 2) (environmental protection sections)")
    SP3_8 = "3-8", _("sub-paragraphs 3)–8)")
    SP3 = "3", _("sub-paragraph 3)")
    SP4 = "4", _("sub-paragraph 4)")
    SP5 = "5", _("sub-paragraph 5)")
    SP6 = "6", _("sub-paragraph 6)")
    SP7 = "7", _("sub-paragraph 7)")
    SP8 = "8", _("sub-paragraph 8)")
    RULES_165 = "r165", _("paragraph 9 of Rules No. 165 (2023)")


# --- The legal clock's rules, as data -------------------------------------------------------


class Regime(models.TextChoices):
    """Which procedure a hearing follows; each has its own rule sets (one per edition)."""

    ECO_OPEN_MEETING = "eco_open_meeting", _("environmental hearing, open meeting")
    ECO_DISCUSSION_87_2 = (
        "eco_discussion_87_2",
        _("environmental hearing, public discussion, Art. 87 sub-paragraph 2)"),
    )
    ECO_DISCUSSION_87_3_8 = (
        "eco_discussion_87_3_8",
        _("environmental hearing, public discussion, Art. 87 sub-paragraphs 3)–8)"),
    )
    GENERAL_PLAN = "general_plan", _("discussion of a general plan (urban planning)")


class RuleSetQuerySet(models.QuerySet):
    def applicable(self, regime, on):
        """The edition of `regime`'s rules in force on the day `on`, or None."""
        return (
            self.filter(regime=regime, in_force_from__lte=on)
            .filter(Q(in_force_until__isnull=True) | Q(in_force_until__gte=on))
            .order_by("-in_force_from", "-pk")
            .prefetch_related("rules")
            .first()
        )

    def with_rules_and_calendar(self):
        """Newest edition first, each set's row with its rules (`RuleSet.read_rules`) and the
        working-day calendar's rows (`transfers`, `decrees`): what the legal clock reads, in one
        query (`clock.rule_sets_and_calendar`)."""
        return self.order_by(*NEWEST).annotate(**_rules_and_calendar())


# The order of the rule sets the clock chooses from: newest edition first.
NEWEST = ("-in_force_from", "-pk")


@functools.cache
def _rules_and_calendar():
    """`with_rules_and_calendar`'s lists, built once: their SQL depends on the code only."""
    rules = Rule.objects.filter(rule_set=OuterRef("pk"))
    return {"rule_rows": NestedRows(RuleSet, rules, *columns_of(Rule)), **_calendar_rows(RuleSet)}


def _calendar_rows(outer):
    """The working-day calendar's rows as lists on each row of `outer` (`transfers`,
    `decrees`), for `WorkingCalendar.of_rows`."""
    return {
        "transfers": NestedRows(outer, DayTransfer.objects.order_by(), "date", "kind"),
        "decrees": NestedRows(outer, TransferDecree.objects.order_by(), "year"),
    }


@functools.cache
def _clock_rows():
    """What the legal clock reads, as lists on a hearing's row (`for_detail`): every rule set,
    newest edition first (`clock_sets`), every rule (`clock_rules`) and the calendar's rows.
    Built once: their SQL depends on the code only."""
    return {
        "clock_sets": NestedRows(Hearing, RuleSet.objects.order_by(*NEWEST), *columns_of(RuleSet)),
        "clock_rules": NestedRows(Hearing, Rule.objects.order_by("pk"), *columns_of(Rule)),
        **_calendar_rows(Hearing),
    }


def rule_sets_read(set_rows, rule_rows, db):
    """The rule sets of `set_rows`, in their order, each with its rules' rows among
    `rule_rows` (what `RuleSet.read_rules` builds): the lists `for_detail` read with a hearing."""
    rules = defaultdict(list)
    for row in rule_rows:
        rules[row.rule_set_id].append(row)
    sets = instances(RuleSet, set_rows, db)
    for each in sets:
        each.rule_rows = rules[each.pk]
    return sets


def _in_order(rules):
    """Rules in the order a hearing's clock lists them."""
    return sorted(rules, key=lambda rule: (Rule.ORDER.index(rule.measures), rule.pk))


class RuleSet(models.Model):
    """One edition of the rules of one regime: the periods a hearing must keep, with sources.

    Staff edit these in the admin when the text of the law is checked or changes. A hearing
    keeps the rule set that applied when it was announced (`Hearing.rule_set`), so a later
    edition never re-judges an old hearing.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    regime = models.CharField(_("regime"), max_length=30, choices=Regime.choices)
    name_kk = models.CharField(_("name in Kazakh"), max_length=255, blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=255, blank=True)
    name_en = models.CharField(_("name in English"), max_length=255)
    in_force_from = models.DateField(
        _("applies to hearings announced from"),
    )
    in_force_until = models.DateField(
        _("applies to hearings announced until"),
        null=True,
        blank=True,
        help_text=_("Empty while this edition is in force."),
    )
    document = models.CharField(
        _("legal act"), max_length=300, help_text=_("The act these rules come from.")
    )
    edition = models.DateField(_("date of the edition"), null=True, blank=True)
    url = models.URLField(_("link to the text"), blank=True)

    objects = RuleSetQuerySet.as_manager()

    name = TranslatedField()

    class Meta:
        verbose_name = _("rule set of the legal clock")
        verbose_name_plural = _("rule sets of the legal clock")
        ordering = ["regime", "-in_force_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    regime__in=[
                        "eco_open_meeting",
                        "eco_discussion_87_2",
                        "eco_discussion_87_3_8",
                        "general_plan",
                    ]
                ),
                name="ruleset_regime_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def is_in_force(self, regime, on):
        """The twin of `RuleSet.objects.applicable`: this edition applies to `regime` on `on`."""
        return (
            self.regime == regime
            and self.in_force_from <= on
            and (self.in_force_until is None or self.in_force_until >= on)
        )

    @cached_property
    def ordered_rules(self):
        """Its rules in the order a hearing's clock lists them: from the rows read with the set
        (`with_rules_and_calendar`, `clock.prepare`), built for the sets a page uses only."""
        if hasattr(self, "rule_rows"):
            return self.read_rules()
        return _in_order(self.rules.all())

    def read_rules(self):
        """Its rules as `RuleSet.objects.with_rules_and_calendar` read them with its row, in
        order: model instances, as a query of them would give."""
        rules = instances(Rule, self.rule_rows, self._state.db)
        for rule in rules:
            rule.rule_set = self
        return _in_order(rules)

    def rules_in_order(self):
        return self.ordered_rules

    def cache_scopes(self):
        """The legal clock shows on every hearing, and hearings on every page."""
        return {EVERYTHING}


class Rule(models.Model):
    """One period of a rule set: what it measures, how long, counted how, and from which law."""

    class Measures(models.TextChoices):
        REQUEST_ANSWER = "request_answer", _("Akimat's answer to the initiator's request")
        MATERIALS = "materials", _("Materials available")
        ANNOUNCEMENT = "announcement", _("Announcement published")
        COMMENTS = "comments", _("Written comments accepted")
        DISCUSSION = "discussion", _("Public discussion window")
        PROTOCOL = "protocol", _("Protocol published")
        VALIDITY = "validity", _("Draft sent to the ministry (protocol valid)")

    class Unit(models.TextChoices):
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        WORKING_DAYS = "working_days", _("working days")
        MONTHS = "months", _("months")

    class Direction(models.TextChoices):
        BEFORE = "before", _("before")
        AFTER = "after", _("after")

    class Event(models.TextChoices):
        HEARING = "hearing", _("the hearing")
        HEARING_END = "hearing_end", _("the end of the hearing")
        PROTOCOL_SIGNED = "protocol_signed", _("the signing of the protocol")
        REQUEST_RECEIVED = "request_received", _("the initiator's request")

    ORDER = [m.value for m in Measures]

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    measures = models.CharField(_("what it measures"), max_length=20, choices=Measures.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    event = models.CharField(_("counted from"), max_length=20, choices=Event.choices)
    source_document = models.CharField(_("source: legal act"), max_length=300)
    source_document_kk = models.CharField(
        _("source: legal act, in Kazakh"), max_length=300, blank=True
    )
    source_document_ru = models.CharField(
        _("source: legal act, in Russian"), max_length=300, blank=True
    )
    source_article = models.CharField(
        _("source: article or paragraph"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty if the paragraph is not identified yet."),
    )
    source_edition = models.DateField(_("source: date of the edition"), null=True, blank=True)
    source_url = models.URLField(_("source: link"), blank=True)
    source_text_kk = models.TextField(
        _("source: the rule's words in Kazakh"),
        blank=True,
        help_text=_("Quoted from the official text of the edition in force."),
    )
    source_text_ru = models.TextField(
        _("source: the rule's words in Russian"),
        blank=True,
        help_text=_("Quoted from the official text of the edition in force."),
    )
    verified = models.BooleanField(
        _("verified against the primary text"),
        default=False,
        editable=False,
        help_text=_(
            "Set only through the legal review (`services.verify_rule`), with the whole record: "
            "act, edition, article, the words in Kazakh and Russian, the official link, who "
            "read it and when. Until then the rule is the site's expectation and decides nothing."
        ),
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(
        _("what is known about it, in English"), blank=True, help_text=_("Shown on English pages.")
    )
    note_kk = models.TextField(_("what is known about it, in Kazakh"), blank=True)
    note_ru = models.TextField(_("what is known about it, in Russian"), blank=True)

    class Meta:
        verbose_name = _("rule of the legal clock")
        verbose_name_plural = _("rules of the legal clock")
        ordering = ["rule_set", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "measures"], name="rule_unique_measure"),
            models.CheckConstraint(
                condition=Q(unit__in=["calendar_days", "working_days", "months"]),
                name="rule_unit_valid",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["before", "after"]), name="rule_direction_valid"
            ),
            # A rule binds only with its whole verification record (`Rule.binds`).
            models.CheckConstraint(
                condition=Q(verified=False)
                | (
                    Q(verified_on__isnull=False, source_edition__isnull=False)
                    & ~Q(source_article="")
                    & ~Q(source_url="")
                    & ~Q(source_text_kk="")
                    & ~Q(source_text_ru="")
                    & ~Q(source_document=NO_SOURCE)
                ),
                name="rule_verified_has_record",
            ),
        ]
        permissions = [
            ("review_legal_rules", _("Can verify, correct or withdraw rules of the legal clock"))
        ]

    def __str__(self):
        return f"{self.rule_set.code}: {self.measures}"

    # The labels of the page's choices in one lookup each (`choice_label`): Django's
    # `get_FOO_display` translates every label of the field to find one.
    def get_measures_display(self):
        return choice_label(self.Measures, self.measures)

    def get_event_display(self):
        return choice_label(self.Event, self.event)

    def describe(self):
        """'at least 30 calendar days before the hearing', in the active language."""
        n = self.number
        period = {
            self.Unit.CALENDAR_DAYS: ngettext("%(n)s calendar day", "%(n)s calendar days", n),
            self.Unit.WORKING_DAYS: ngettext("%(n)s working day", "%(n)s working days", n),
            self.Unit.MONTHS: ngettext("%(n)s month", "%(n)s months", n),
        }[self.unit] % {"n": n}
        values = {"period": period, "event": self.get_event_display()}
        if self.measures == self.Measures.COMMENTS:
            return gettext("until no earlier than %(period)s before %(event)s") % values
        if self.measures == self.Measures.DISCUSSION:
            return gettext("open for %(period)s or longer") % values
        if self.direction == self.Direction.BEFORE:
            return gettext("at least %(period)s before %(event)s") % values
        return gettext("within %(period)s after %(event)s") % values

    @cached_property
    def wording(self):
        """{language: (label, description, citation, note)}, filled by `words` as each language
        asks: the hearings of an API page or a feed share their rule sets' rules
        (`clock.prepare`), and wording each rule again for each hearing was most of a page's
        work."""
        return {}

    def words(self, language=None):
        """The rule's label, description, source and note in the active language (`language`,
        when the caller looked it up already: a clock asks for each of its rules)."""
        language = language or get_language()
        if language not in self.wording:
            self.wording[language] = (
                self.get_measures_display(),
                self.describe(),
                self.citation(),
                self.note_text(),
            )
        return self.wording[language]

    @property
    def binds(self):
        """The one test of whether this rule decides anything: only a rule verified against the
        official text (its whole record, see the `rule_verified_has_record` constraint) refuses an
        announcement or a move, is judged kept or broken, colours a state red, alerts an akimat
        or counts an official as late. Any other rule is guidance: the site's expectation."""
        return self.verified

    def note_text(self):
        """What is known about the rule, in the active language (no English on kk/ru pages)."""
        language = (get_language() or "kk")[:2]
        if language == "kk":
            return self.note_kk
        if language == "ru":
            return self.note_ru
        return self.note

    def quoted_text(self):
        """The rule's words in the official text, in Kazakh or Russian (the languages of law)."""
        language = (get_language() or "kk")[:2]
        if language == "kk":
            return self.source_text_kk or self.source_text_ru
        return self.source_text_ru or self.source_text_kk

    def article_text(self):
        """The article and paragraph in the active language: 'Art. 73(1)' is stored as such
        and read '73-баптың 1-тармағы' or 'п. 1 ст. 73'; any other form as it was entered."""
        match = re.fullmatch(r"Art\. (\d+)\((\d+)\)", self.source_article.strip())
        if not match:
            return self.source_article
        return _("Art. %(article)s(%(paragraph)s)") % {
            "article": match[1],
            "paragraph": match[2],
        }

    def citation(self):
        """The source as residents can quote it: act, paragraph, edition, in the active
        language (the act's Kazakh or Russian title on kk and ru pages)."""
        # "No source found" is stored as the legal data's own marker; residents read it in
        # their language.
        document = self.source_document
        language = (get_language() or "kk")[:2]
        if document == NO_SOURCE:
            document = _("No source found")
        elif language == "kk" and self.source_document_kk:
            document = self.source_document_kk
        elif language == "ru" and self.source_document_ru:
            document = self.source_document_ru
        parts = [document]
        if self.source_article:
            parts.append(self.article_text())
        if self.source_edition:
            parts.append(_("edition of %(date)s") % {"date": formats.day(self.source_edition)})
        return ", ".join(str(part) for part in parts)

    def cache_scopes(self):
        """The legal clock shows on every hearing, and hearings on every page."""
        return {EVERYTHING}


class RuleChange(models.Model):
    """One step of the legal review of a rule: verified, corrected or withdrawn, by whom and why.

    Written only by `services.verify_rule` and `services.withdraw_rule_verification`; public.
    """

    class Action(models.TextChoices):
        VERIFIED = "verified", _("verified against the official text")
        WITHDRAWN = "withdrawn", _("verification withdrawn")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    before = models.JSONField(_("the record before"), default=dict)

    class Meta:
        verbose_name = _("change of a rule of the legal clock")
        verbose_name_plural = _("changes of the rules of the legal clock")
        ordering = ["rule", "at", "pk"]

    def __str__(self):
        return f"{self.rule}: {self.action}"


class DayTransfer(models.Model):
    """A day the government moved: a weekday made a day off, or a weekend day made a working day.

    Kazakhstan moves days off each year by a government decree. The `holidays` library knows the
    public holidays and the transfers it was released with; staff add a new year's decree here,
    and a row here always wins over the library.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("day off")
        WORKING_DAY = "working_day", _("working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("becomes"), max_length=12, choices=Kind.choices)
    source = models.CharField(
        _("source"), max_length=300, help_text=_("The government decree that moved the day.")
    )

    class Meta:
        verbose_name = _("moved working day")
        verbose_name_plural = _("moved working days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["day_off", "working_day"]), name="daytransfer_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.date}: {self.get_kind_display()}"

    def cache_scopes(self):
        """The legal clock shows on every hearing, and hearings on every page."""
        return {EVERYTHING}


class TransferDecree(models.Model):
    """The government's decree moving the days off of one year, as staff entered it.

    Until a year's decree is entered, dates the clock counts in that year are provisional
    (`WorkingCalendar.is_provisional`): a transfer may still make a working day a day off. The
    `holidays` library holds the transfers up to `working_days.LIBRARY_TRANSFERS_UNTIL`.
    """

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_(
            "The decree (number and date), or where it is stated that no day is moved that year."
        ),
    )
    url = models.URLField(_("link to the text"), blank=True)
    language = language_field()

    class Meta:
        verbose_name = _("decree moving days off")
        verbose_name_plural = _("decrees moving days off")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}: {self.source}"

    def cache_scopes(self):
        """The legal clock shows on every hearing, and hearings on every page."""
        return {EVERYTHING}


# --- Hearings ---------------------------------------------------------------------------------


def portal_number_problem(number, latest_day):
    """Why `number` cannot be a registration number of the ministry's portal, or "".

    The portal's numbers are 12 digits: the day of registration (YYMMDD) and a sequence number
    (legal-sources, §1.3: 251210001008 for a notice registered on 10 December 2025). The day
    cannot be later than `latest_day`, the day the hearing was announced here (today for a
    draft): a notice is registered on the portal before it is announced.
    """
    if not (len(number) == 12 and number.isascii() and number.isdigit()):
        return gettext(
            "The portal's registration number has exactly 12 digits: the day of registration "
            "(year, month, day, two digits each) and a sequence number, e.g. 251210001008."
        )
    try:
        registered = datetime.date(2000 + int(number[:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return gettext(
            "The first six digits of the portal's registration number are not a date (year, "
            "month, day): please check the number for a typo."
        )
    if registered > latest_day:
        return gettext(
            "The portal's registration number says the notice was registered on %(registered)s, "
            "later than its announcement (%(announced)s): please check the number."
        ) % {"registered": formats.day(registered), "announced": formats.day(latest_day)}
    return ""


# The columns a hearing card reads (`HearingQuerySet.for_cards`): title, status, when and how
# long, where, the comment window, the cancellation and the languages of its texts.
HEARING_CARD_FIELDS = (
    "organiser",
    *(f"{name}_{code}" for name in ("title", "venue") for code, _name in settings.LANGUAGES),
    "registration_number",
    "status",
    "form",
    "starts_at",
    "duration_minutes",
    "discussion_ends_on",
    "comments_until",
    "cancelled_at",
    "cancellation_reason",
    "cancellation_reason_language",
    "language",
    "translations",
)


# What a hearing's page shows with it, in the same query (`for_detail`): not its rule set, which
# the page's clock reads with every set's rules and the calendar (`clock.prepare`). The printable
# notice joins the rule set and the decision's scan too (`with_related`).
DETAIL_RELATED = ("initiator", "organiser", "project", "failure", "decision_notice")
RELATED = (*DETAIL_RELATED, "rule_set", "decision_notice__document")
PREFETCHED = ("territory", "rule_set__rules")


class HearingQuerySet(models.QuerySet):
    def published(self):
        """What residents see: every hearing past its draft, cancelled ones included."""
        return self.exclude(status=Hearing.Status.DRAFT)

    @staticmethod
    def _not_over(now, today=None):
        """Not over yet: a date still to come, or a public discussion whose window is open (it
        has started, but residents can still take part until its last day). `today`: `now`'s
        local date, given with it where both are a prepared query's slots."""
        return Q(starts_at__gte=now) | Q(
            form=ParticipationForm.PUBLIC_DISCUSSION,
            discussion_ends_on__gte=timezone.localdate(now) if today is None else today,
        )

    def upcoming(self, now=None):
        """Announced hearings that are not over yet (`_not_over`), soonest first."""
        now = now or timezone.now()
        return self.filter(self._not_over(now), status=Hearing.Status.ANNOUNCED).order_by(
            "starts_at", "pk"
        )

    def forthcoming(self, now=None, not_over=None):
        """Published hearings that are not over yet: announced ones and cancelled ones, so that a
        cancellation is seen wherever the notice was (the village page), soonest first.
        `not_over`: `_not_over(now)` asked of a copy of the hearings' dates (`forthcoming_for`)."""
        now = now or timezone.now()
        return self.filter(
            self._not_over(now) if not_over is None else not_over,
            status__in=[Hearing.Status.ANNOUNCED, Hearing.Status.CANCELLED],
        ).order_by("starts_at", "pk")

    def for_cards(self):
        """What a hearing card shows (hearings/templatetags/hearing_cards.py), in one
        query: its columns and its organiser's name in the page's language
        (`organiser_name`). Of 69 columns a card reads 23; the records carry only those, any
        other is read with a query of its own. The name is read by key, compiled once: the
        organiser joined cost two place lists 0.4 ms of CPU to compile and build."""
        return self.only(*HEARING_CARD_FIELDS).annotate(
            organiser_name=organisation_name(Hearing, "organiser_id", page_language())
        )

    def past(self, now=None, today=None):
        """Published hearings that are over (their date passed, or their discussion window
        closed) or held, latest first; a discussion under way is not past."""
        now = now or timezone.now()
        return (
            self.published()
            .filter(
                ~self._not_over(now, today)
                | Q(status__in=[Hearing.Status.HELD, Hearing.Status.RECORD_PUBLISHED])
            )
            .order_by("-starts_at", "-pk")
        )

    def concerning(self, place):
        """Hearings whose territory is `place`, lies within it, or contains it.

        A hearing for a district concerns each village in the district (its territory is an
        ancestor of the village), and a village's hearing shows on its district's page too:
        the place's own rows of `ConcernedPlace`, one index range.
        """
        return self.filter(pk__in=ConcernedPlace.objects.filter(place=place).values("hearing_id"))

    def forthcoming_for(self, place, now=None, today=None):
        """`published().concerning(place).forthcoming()`, from the place's rows of hearings not
        over by their dates: a few, however many hearings the place had before (a region's
        page checked each of the country's upcoming hearings against its 1,600 places). The
        rows are joined (one per hearing and place) rather than asked in a subquery, which
        cost 0.5 ms more of CPU to build and compile; `_not_over` is asked of the rows' copy
        of the dates only (`open_until` is a public discussion's last day), and the statuses
        shown are all published ones: neither asked twice, 0.25 ms less. `today`: as for
        `_not_over`."""
        now = now or timezone.now()
        not_over = Q(concerned__starts_at__gte=now) | Q(
            concerned__open_until__gte=timezone.localdate(now) if today is None else today
        )
        # In one filter with the place: one join of the rows.
        return self.forthcoming(now, not_over=Q(concerned__place=place) & not_over)

    def past_for(self, place, now=None, today=None):
        """`concerning(place).past()`, latest first, walking the place's rows down from the
        latest date (`concerned_place_date`) until the page has its few."""
        by_date = self.filter(concerned__place=place).past(now, today)
        return by_date.order_by("-concerned__starts_at", "-pk")

    def counts_concerning(self, place_ids, now=None):
        """{place_id: (upcoming, past)} hearings concerning each place (as `concerning` means
        it), for search results and their ranking, in one query over the places' own
        `ConcernedPlace` rows; a place no published hearing concerns is absent (one concerned
        only by a cancelled hearing still to come is there, with (0, 0)).

        The rows' copy of the date decides most of it: a hearing whose date has passed is past
        whatever its status, and only one still to come has its status read, by its key (a few
        rows). Joined to every row, the hearings table was read whole into a hash for a region
        among the results (2,338 rows: 18 ms of PostgreSQL, against 3.6). Drafts (few) are left
        out by complement, as in `concern`."""
        now = now or timezone.now()
        done = [Hearing.Status.HELD, Hearing.Status.RECORD_PUBLISHED]
        drafts = Hearing.objects.filter(status=Hearing.Status.DRAFT).values("pk")
        status = Hearing.objects.filter(pk=OuterRef("hearing_id")).order_by().values("status")[:1]
        ahead = Q(starts_at__gte=now)
        rows = (
            ConcernedPlace.objects.filter(place_id__any=list(place_ids))
            .exclude(hearing__in=drafts)
            .alias(hearing_status=models.Subquery(status))
            .values("place_id")
            .annotate(
                upcoming=models.Count(
                    "pk", filter=ahead & Q(hearing_status=Hearing.Status.ANNOUNCED)
                ),
                past=models.Count("pk", filter=Q(starts_at__lt=now) | Q(hearing_status__in=done)),
            )
            .order_by()
        )
        return {row["place_id"]: (row["upcoming"], row["past"]) for row in rows}

    @staticmethod
    def concern(place):
        """`place` (an `OuterRef` to a place's pk) when a published hearing concerns it, as
        `concerning` means it, else NULL: one of the place's own `ConcernedPlace` rows. A
        scalar subquery, so that PostgreSQL probes the index once per place and stops at the
        first row (an `Exists` may be planned as a hash of every row of the table instead:
        300 ms for 473 places on a twenty-fold copy, against 13–36). Drafts (few) are left
        out by complement: a join with every published hearing costs more."""
        drafts = Hearing.objects.filter(status=Hearing.Status.DRAFT).values("pk")
        rows = ConcernedPlace.objects.filter(place=place).exclude(hearing__in=drafts)
        return models.Subquery(rows.values("place_id")[:1])

    def editable_by(self, user):
        """Hearings this user may manage: those organised by their akimat.

        Staff may manage all, through the services, logged as staff. Another akimat whose
        jurisdiction covers part of the territory (a rural district under a district's hearing,
        or the region above it) sees the hearing like the public. Company users, even the
        initiator's, may not: the akimat runs the hearing.
        """
        return editable(
            self, user, self.filter(organiser__in=Organisation.objects.of_user(user).akimats())
        )

    def with_fate(self):
        """What `Hearing.fate_lines` reads, in the same query."""
        return self.select_related("failure", "decision_notice", "repeat_of")

    def for_detail(self):
        """One hearing's page: `with_related` but the hearing it repeats (read only when there is
        one) and its rule set (the page's clock reads it, `clock.prepare`) and, as `EXISTS`
        subqueries of its one row, whether each list the page shows has anything in it, so that
        an empty list costs no query. Annotates `has_comments` (in any
        state of moderation: the page counts the pending and rejected ones), `has_learned_of`
        (approved), `has_documents` and `has_promises`; `territory_paths`, the paths of its
        territory's places, which the page reads with their ancestors in one query
        (`Place.objects.by_path`) where a prefetch and the ancestors took two; and
        `change_rows`, its whole change log (`Hearing.change_log`), where it took a query; and
        what its legal clock reads (`clock_sets`, `clock_rules`, `transfers`, `decrees`:
        `clock.prepare_read`), where that took one more.

        The decision's scan is not joined but read when shown (a query only when there is
        one): joined, an eighth table, it took PostgreSQL's planner about three times as long
        as the rest of the query (measured: commit 75b1836). No prefetch, so that the page can
        prepare the query once (`core.models.prepared`)."""
        return self.select_related(*DETAIL_RELATED).annotate(**_detail_lists(), **_clock_rows())

    def with_related(self):
        return self.select_related(*RELATED, "repeat_of").prefetch_related(*PREFETCHED)


@functools.cache
def _detail_lists():
    """`for_detail`'s `EXISTS` and territory's paths, compiled once (`core.models.Compiled`):
    compiling them on every request cost a hearing's page more than running them."""
    this = {"hearing": OuterRef("pk")}
    lists = {
        "has_comments": HearingComment.objects.filter(**this),
        "has_learned_of": LearnedOf.objects.approved().filter(**this),
        "has_documents": HearingDocument.objects.filter(**this),
        "has_promises": HearingPromise.objects.filter(**this),
    }
    territory = Place.objects.filter(hearings=OuterRef("pk")).order_by("kato_code")
    changes = HearingChange.objects.filter(**this).order_by("at", "pk")
    return {
        **{name: Compiled(Hearing, Exists(rows)) for name, rows in lists.items()},
        "territory_paths": Compiled(Hearing, ListOf(territory.values("path"), "path")),
        "change_rows": NestedRows(Hearing, changes, *columns_of(HearingChange)),
    }


class Hearing(Publishable, VisibilityTracked, models.Model):
    """One public hearing: its notice, its lifecycle and, afterwards, its record."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ANNOUNCED = "announced", _("announced")
        HELD = "held", _("held")
        RECORD_PUBLISHED = "record_published", _("record published")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("did not take place")

    registration_number = models.CharField(
        _("registration number"), max_length=30, blank=True, editable=False
    )
    title_kk = models.CharField(_("title in Kazakh"), max_length=255, blank=True)
    title_ru = models.CharField(_("title in Russian"), max_length=255, blank=True)
    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    subject_kk = models.TextField(_("planned activity, in Kazakh"), blank=True)
    subject_ru = models.TextField(_("planned activity, in Russian"), blank=True)
    subject_en = models.TextField(_("planned activity, in English"), blank=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hearings",
        help_text=_("The investment project discussed, where there is one."),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=30, choices=LegalBasis.choices, default=LegalBasis.EIA_REPORT
    )
    initiator = models.ForeignKey(
        Organisation,
        verbose_name=_("initiator"),
        on_delete=models.PROTECT,
        related_name="initiated_hearings",
        limit_choices_to={"kind__in": Organisation.INITIATOR_KINDS},
        help_text=_("The company or state body that plans the activity."),
    )
    initiator_contact = models.CharField(
        _("initiator's contact"),
        max_length=255,
        blank=True,
        help_text=_("A person, phone or e-mail at the company for questions about the materials."),
    )
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organising akimat"),
        on_delete=models.PROTECT,
        related_name="organised_hearings",
        limit_choices_to={"kind": Organisation.Kind.AKIMAT},
    )
    organiser_contact = models.CharField(
        _("akimat's contact person"),
        max_length=255,
        blank=True,
        help_text=_("Name, position and phone of the official responsible for the hearing."),
    )
    decision_kk = models.TextField(_("decision to be taken, in Kazakh"), blank=True)
    decision_ru = models.TextField(_("decision to be taken, in Russian"), blank=True)
    decision_en = models.TextField(_("decision to be taken, in English"), blank=True)
    decision_authority_kk = models.CharField(
        _("deciding authority, in Kazakh"), max_length=255, blank=True
    )
    decision_authority_ru = models.CharField(
        _("deciding authority, in Russian"), max_length=255, blank=True
    )
    decision_authority_en = models.CharField(
        _("deciding authority, in English"), max_length=255, blank=True
    )
    territory = models.ManyToManyField(
        Place,
        verbose_name=_("territory of impact"),
        related_name="hearings",
        help_text=_("The settlements, rural districts and districts concerned."),
    )
    form = models.CharField(
        _("form of the hearing"),
        max_length=20,
        choices=ParticipationForm.choices,
        default=ParticipationForm.OPEN_MEETING,
        help_text=_(
            "An open meeting on one day (in person, possibly with a video link), or a public "
            "discussion on the ministry's portal over a window of days."
        ),
    )
    format = models.CharField(
        _("format"), max_length=10, choices=HearingFormat.choices, default=HearingFormat.IN_PERSON
    )
    venue_kk = models.CharField(_("venue, in Kazakh"), max_length=300, blank=True)
    venue_ru = models.CharField(_("venue, in Russian"), max_length=300, blank=True)
    venue_en = models.CharField(_("venue, in English"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    online_instructions_kk = models.TextField(_("how to join online, in Kazakh"), blank=True)
    online_instructions_ru = models.TextField(_("how to join online, in Russian"), blank=True)
    online_instructions_en = models.TextField(_("how to join online, in English"), blank=True)
    starts_at = models.DateTimeField(
        _("starts at"), help_text=_("For a public discussion: when the window opens.")
    )
    discussion_ends_on = models.DateField(
        _("public discussion open until"),
        null=True,
        blank=True,
        help_text=_("A public discussion only: the last day (inclusive) of the window."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("expected duration, minutes"), default=120
    )
    languages = models.CharField(
        _("languages of the hearing"),
        max_length=20,
        default="kk,ru",
        help_text=_("Language codes separated by commas: kk, ru, en."),
    )
    materials_available_from = models.DateField(
        _("materials available from"),
        null=True,
        blank=True,
        help_text=_("The day from which the documents can be read, online and on paper."),
    )
    paper_copies_kk = models.TextField(_("where paper copies can be read, in Kazakh"), blank=True)
    paper_copies_ru = models.TextField(_("where paper copies can be read, in Russian"), blank=True)
    paper_copies_en = models.TextField(_("where paper copies can be read, in English"), blank=True)
    comments_until = models.DateField(
        _("written comments accepted until"),
        null=True,
        blank=True,
        help_text=_("The last day (inclusive) on which written comments and questions are taken."),
    )
    comment_instructions_kk = models.TextField(_("how to send comments, in Kazakh"), blank=True)
    comment_instructions_ru = models.TextField(_("how to send comments, in Russian"), blank=True)
    comment_instructions_en = models.TextField(_("how to send comments, in English"), blank=True)

    # The official record, as on the ministry's portal (hearings.ndbecology.gov.kz).
    portal_number = models.CharField(
        _("portal registration number"),
        max_length=20,
        blank=True,
        help_text=_("The “№ регистрации” on the ministry's portal, e.g. 251210001008."),
    )
    portal_url = models.URLField(_("page on the official portal"), blank=True)
    # Where the notice was officially published: the clock's notice period counts from the
    # earliest of these (`clock.notice_publication`), not from the announcement on this site.
    portal_published_on = models.DateField(
        _("published on the official portal on"),
        null=True,
        blank=True,
        help_text=_("The day the notice appeared on the ministry's portal."),
    )
    media_outlet = models.CharField(
        _("mass media outlet"),
        max_length=200,
        blank=True,
        help_text=_("The newspaper, TV or radio channel or news site that published the notice."),
    )
    media_published_on = models.DateField(
        _("published in the mass media on"), null=True, blank=True
    )
    media_url = models.URLField(_("link to the publication in the mass media"), blank=True)
    media_scan = models.ForeignKey(
        "HearingDocument",
        verbose_name=_("scan of the publication in the mass media"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("One of the hearing's documents: upload the scan with “Add a document”."),
    )
    object_category = models.CharField(
        _("object category"), max_length=3, choices=ObjectCategory.choices, blank=True
    )
    art87_subparagraph = models.CharField(
        _("basis: Art. 87 of the Ecological Code"),
        max_length=8,
        choices=Art87Subparagraph.choices,
        blank=True,
        help_text=_(
            "The basis as the portal names it: one sub-paragraph, the group 3)–8), or in 2023 "
            "paragraph 9 of Rules No. 165."
        ),
    )
    initiator_representative = models.CharField(
        _("initiator's representative"), max_length=255, blank=True
    )
    document_developer = models.CharField(
        _("developer of the documents"),
        max_length=255,
        blank=True,
        help_text=_("The firm that wrote the report or the project documents."),
    )
    authorised_body = models.CharField(
        _("authorised body that received the materials"), max_length=300, blank=True
    )
    # The initiator's request letter to the akimat and the akimat's answer (2024 Rules, per a
    # secondary source: within five working days; the clock's `request_answer` rule).
    request_received_on = models.DateField(
        _("initiator's request received by the akimat on"), null=True, blank=True
    )
    request_answered_on = models.DateField(
        _("akimat answered the initiator's request on"), null=True, blank=True
    )
    rule_set = models.ForeignKey(
        RuleSet,
        verbose_name=_("rules applied"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="hearings",
        help_text=_("The edition of the rules in force when the hearing was announced."),
    )
    # A repeat of a hearing that did not take place (`HearingFailure`): its own notice and clock.
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="repeats",
    )
    protocol_signed_on = models.DateField(_("protocol signed on"), null=True, blank=True)
    # Ecological Code Art. 73(1): only for the draft report on possible impacts, and only when
    # the hearings ended before the ministry began assessing its quality (`clock`).
    ended_before_assessment = models.BooleanField(
        _("the hearings ended before the ministry began assessing the draft report's quality"),
        null=True,
        blank=True,
    )
    draft_sent_on = models.DateField(
        _("draft report sent to the ministry on"), null=True, blank=True
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    rescheduled_at = models.DateTimeField(_("last rescheduled"), null=True, blank=True)
    held_at = models.DateTimeField(_("marked as held"), null=True, blank=True)
    record_published_at = models.DateTimeField(_("record published"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancellation_reason_language = language_field()
    # The language of the contacts and the official record's names (`WRITTEN_FIELDS`).
    language = language_field(_("language of the contacts and the official record"))
    # The other languages of `TRANSLATABLE` texts, added later (core/translation.py).
    translations = versions_field()
    # Grows with each move or cancellation: the iCalendar SEQUENCE, so calendars update.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Grows with every write through `services`: a form carries the version it was opened at,
    # and a save from a form opened before someone else's change is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    protocol = models.FileField(
        _("signed protocol (PDF)"), upload_to="hearings/protocols/", blank=True
    )
    attendance = models.PositiveIntegerField(_("people attending"), null=True, blank=True)
    video_url = models.URLField(_("video recording"), blank=True)
    record_summary_kk = models.TextField(_("summary of the hearing, in Kazakh"), blank=True)
    record_summary_ru = models.TextField(_("summary of the hearing, in Russian"), blank=True)
    record_summary_en = models.TextField(_("summary of the hearing, in English"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HearingQuerySet.as_manager()

    title = TranslatedField()
    subject = TranslatedField()
    decision = TranslatedField()
    decision_authority = TranslatedField()
    venue = TranslatedField()
    online_instructions = TranslatedField()
    paper_copies = TranslatedField()
    comment_instructions = TranslatedField()
    record_summary = TranslatedField()

    # The text typed in one language, whose language `language` holds.
    WRITTEN_FIELDS = (
        "initiator_contact",
        "organiser_contact",
        "initiator_representative",
        "document_developer",
        "authorised_body",
    )
    # The texts whose other languages its organiser may add later (`services.add_translation`).
    TRANSLATABLE = (*WRITTEN_FIELDS, "cancellation_reason")

    # Fields of the notice that only `reschedule` changes once the hearing is announced: a
    # resident who planned to come must be told (notification, calendar SEQUENCE, change log).
    SCHEDULE_FIELDS = (
        "starts_at",
        "format",
        "venue_kk",
        "venue_ru",
        "venue_en",
        "online_link",
        "comments_until",
        "discussion_ends_on",
    )

    # The lifecycle (see `core.lifecycle`): draft → announced → held → record published, or
    # cancelled (from a draft or an announced hearing). Rescheduling keeps it announced but moves
    # its date, place, format or link and restarts the notice clock. Only members of the
    # organising akimat (MEMBER) and moderators (STAFF, logged as staff) take these steps.
    _MANAGERS = frozenset({MEMBER, STAFF})
    # Who may change a hearing (`core.lifecycle.editable`): the organiser's officials and staff.
    EDITORS = _MANAGERS
    TRANSITIONS = (
        Transition("edit", "status", (Status.DRAFT,), Status.DRAFT, _MANAGERS, _("Edit")),
        Transition(
            "edit", "status", (Status.ANNOUNCED,), Status.ANNOUNCED, _MANAGERS, _("Edit"),
            frozenset({REASON}),
        ),
        Transition(
            "add_document", "status",
            (Status.DRAFT, Status.ANNOUNCED, Status.HELD, Status.RECORD_PUBLISHED, Status.FAILED),
            None,
            _MANAGERS, _("Add a document"),
        ),
        Transition(
            "announce", "status", (Status.DRAFT,), Status.ANNOUNCED, _MANAGERS, _("Announce"),
        ),
        Transition(
            "reschedule", "status", (Status.ANNOUNCED,), Status.ANNOUNCED, _MANAGERS,
            _("Reschedule"), frozenset({REASON, DATE}),
        ),
        Transition(
            "cancel", "status", (Status.DRAFT, Status.ANNOUNCED), Status.CANCELLED, _MANAGERS,
            _("Cancel the hearing"), frozenset({REASON}),
        ),
        Transition(
            "mark_held", "status", (Status.ANNOUNCED,), Status.HELD, _MANAGERS,
            _("Mark as held"),
        ),
        Transition(
            "publish_record", "status", (Status.ANNOUNCED, Status.HELD), Status.RECORD_PUBLISHED,
            _MANAGERS, _("Publish the record"),
        ),
        Transition(
            "publish_record", "status", (Status.RECORD_PUBLISHED,), Status.RECORD_PUBLISHED,
            _MANAGERS, _("Correct the record"), frozenset({REASON}),
        ),
        Transition(
            "record_failure", "status", (Status.ANNOUNCED, Status.HELD), Status.FAILED,
            _MANAGERS, _("Record that it did not take place"), frozenset({REASON}),
        ),
        Transition(
            "announce_repeat", "status", (Status.FAILED,), None, _MANAGERS,
            _("Prepare a repeat hearing"),
        ),
        Transition(
            "record_decision", "status", (Status.HELD, Status.RECORD_PUBLISHED), None,
            _MANAGERS, _("Publish the decision"),
        ),
        Transition(
            "record_outcome", "status",
            (Status.ANNOUNCED, Status.HELD, Status.RECORD_PUBLISHED), None,
            _MANAGERS, _("Record a promise"),
        ),
    )  # fmt: skip

    class Meta:
        verbose_name = _("public hearing")
        verbose_name_plural = _("public hearings")
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "announced",
                        "held",
                        "record_published",
                        "cancelled",
                        "failed",
                    ]
                ),
                name="hearing_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(format__in=["in_person", "online", "hybrid"]),
                name="hearing_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(form__in=["open_meeting", "public_discussion"]),
                name="hearing_form_valid",
            ),
            models.CheckConstraint(
                condition=Q(form="open_meeting") | Q(discussion_ends_on__isnull=False),
                name="hearing_discussion_has_window",
            ),
            models.CheckConstraint(
                condition=~Q(title_kk="", title_ru="", title_en=""), name="hearing_has_a_title"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""),
                name="hearing_cancelled_has_reason",
            ),
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="hearing_registration_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="hearing_status_starts"),
            # The public list's order (`published()`, newest first): a deep page's keys and a
            # place's list walk it instead of sorting every public hearing (25,000 at country
            # scale). Its first column is the condition itself, not a partial index's WHERE: a
            # query asks for it only by saying `published()`, so an upcoming list (status
            # 'announced', which implies it) keeps `hearing_status_starts` (docs/performance.md).
            models.Index(
                models.ExpressionWrapper(~Q(status="draft"), output_field=models.BooleanField()),
                F("starts_at").desc(),
                F("id"),
                name="hearing_public_order",
            ),
        ]

    def __str__(self):
        number = self.registration_number or _("draft")
        return f"{number} {self.title}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.registration_number:
            # The number is derived from the primary key, so it is unique and never reused.
            year = (self.created_at or timezone.now()).year
            self.registration_number = f"PH-{year}-{self.pk:05d}"
            Hearing.objects.filter(pk=self.pk).update(registration_number=self.registration_number)

    def get_absolute_url(self):
        return reverse("hearings:detail", kwargs={"pk": self.pk})

    def clean(self):
        """The official publications and the draft report's dates, checked against each other
        and today: a typo gets a message the official understands, never a wrong clock."""
        today = timezone.localdate()
        errors = {}
        if self.portal_number:
            announced = timezone.localdate(self.announced_at) if self.announced_at else today
            problem = portal_number_problem(self.portal_number, announced)
            if problem:
                errors["portal_number"] = problem
        elif self.portal_published_on:
            errors["portal_number"] = gettext(
                "Give the notice's registration number on the portal."
            )
        if self.media_published_on and not self.media_outlet:
            errors["media_outlet"] = gettext("Name the outlet that published the notice.")
        if self.media_outlet and not self.media_published_on:
            errors["media_published_on"] = gettext("Give the day the notice was published.")
        if self.media_scan_id and self.media_scan.hearing_id != self.pk:
            errors["media_scan"] = gettext("Choose one of this hearing's documents.")
        last = self.last_day() if self.starts_at else None
        for name in ("portal_published_on", "media_published_on"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = gettext("This date is in the future.")
            elif value and last and value > last:
                errors[name] = gettext("The notice cannot be published after the hearing.")
        errors.update(self._request_problems(today))
        if self.legal_basis != LegalBasis.EIA_REPORT:
            if self.draft_sent_on or self.ended_before_assessment is not None:
                errors["draft_sent_on"] = gettext(
                    "Art. 73(1) of the Ecological Code concerns only the draft report on possible "
                    "impacts: leave the draft's dates empty for this hearing."
                )
        elif self.draft_sent_on and self.draft_sent_on > today:
            errors["draft_sent_on"] = gettext("This date is in the future.")
        if errors:
            raise ValidationError(errors)

    def _request_problems(self, today):
        """The initiator's request and the akimat's answer, in order and not in the future."""
        errors = {}
        for name in ("request_received_on", "request_answered_on"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = gettext("This date is in the future.")
        if self.request_answered_on and not self.request_received_on:
            errors["request_received_on"] = gettext("Give the day the request was received.")
        elif (
            self.request_answered_on
            and self.request_answered_on < self.request_received_on
            and "request_answered_on" not in errors
        ):
            errors["request_answered_on"] = gettext(
                "The answer cannot be earlier than the request."
            )
        return errors

    def written_text(self):
        """The text typed in one language, for guessing its language when none was given."""
        return " ".join(getattr(self, name) for name in self.WRITTEN_FIELDS)

    # The lifecycle (the table above).

    def lifecycle_state(self, axis):
        return self.status

    def lifecycle_state_display(self, axis):
        return self.get_status_display()

    def get_status_display(self):
        return choice_label(Hearing.Status, self.status)

    def get_legal_basis_display(self):
        return choice_label(LegalBasis, self.legal_basis)

    def get_form_display(self):
        return choice_label(ParticipationForm, self.form)

    def get_format_display(self):
        return choice_label(HearingFormat, self.format)

    def get_object_category_display(self):
        return choice_label(ObjectCategory, self.object_category)

    def change_log(self, documents=()):
        """Its change log, oldest first, from the rows `for_detail` read with it: model
        instances, as `hearing.changes.all()` gives, each with its hearing and its document
        when that is among `documents` (the hearing's, read already)."""
        by_pk = {document.pk: document for document in documents}
        changes = instances(HearingChange, self.change_rows, self._state.db)
        for change in changes:
            change.hearing = self
            if change.document_id in by_pk:
                change.document = by_pk[change.document_id]
        return changes

    def lifecycle_roles(self, user):
        """MEMBER for an official of the organising akimat, STAFF for moderators."""
        roles = set()
        if not user.is_authenticated:
            return roles
        if user.is_staff:
            roles.add(STAFF)
        if Organisation.objects.of_user(user).filter(pk=self.organiser_id).exists():
            roles.add(MEMBER)
        return roles

    # Lifecycle and visibility, twins of the queryset methods.

    def is_published(self):
        return self.status != self.Status.DRAFT

    def is_draft(self):
        return self.status == self.Status.DRAFT

    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    def is_failed(self):
        return self.status == self.Status.FAILED

    def is_called_off(self):
        """Cancelled, or did not take place: nothing of its clock is pending any more."""
        return self.status in (self.Status.CANCELLED, self.Status.FAILED)

    def related_or_none(self, name):
        """A one-to-one record of this hearing (`failure`, `decision_notice`), or None."""
        try:
            return getattr(self, name)
        except models.ObjectDoesNotExist:
            return None

    def fate_lines(self):
        """What a feed item or a calendar event says first: cancelled or did not take place
        (with the reason), the hearing a repeat repeats, the decision taken."""
        lines = []
        if self.is_cancelled():
            lines.append(gettext("Cancelled: %(reason)s") % {"reason": self.cancellation_reason})
        failure = self.related_or_none("failure")
        if failure is not None:
            lines.append(
                gettext("Did not take place: %(reason)s")
                % {"reason": f"{failure.get_kind_display()}. {failure.reason}"}
            )
        if self.repeat_of_id:
            lines.append(
                gettext("Repeats the hearing of %(date)s, which did not take place.")
                % {"date": formats.day(self.repeat_of.starts_at)}
            )
        decision = self.related_or_none("decision_notice")
        if decision is not None:
            lines.append(
                gettext("Decision: %(outcome)s (%(authority)s, %(date)s). Reasons: %(reasons)s")
                % {
                    "outcome": decision.get_outcome_display(),
                    "authority": decision.authority,
                    "date": formats.day(decision.decided_on),
                    "reasons": decision.reasons,
                }
            )
        return lines

    # The bases are known from the portal's records; nobody has read Art. 87 or Rules No. 165,
    # so none is verified (set True only with the paragraph read in the official text).
    BASIS_VERIFIED = False

    def basis_source(self):
        """Where the basis's wording comes from, in the active language."""
        return gettext(
            "As the ministry's portal names it in its records; the text of Art. 87 and of "
            "Rules No. 165 has not been read."
        )

    def basis_text(self):
        """The basis as the portal names it, in the active language."""
        if not self.art87_subparagraph:
            return ""
        if self.art87_subparagraph == Art87Subparagraph.RULES_165:
            return gettext("Rules No. 165 (2023), paragraph 9")
        return gettext("Art. 87 of the Ecological Code, %(sub)s") % {
            "sub": choice_label(Art87Subparagraph, self.art87_subparagraph)
        }

    def is_upcoming(self, now=None):
        return self.status == self.Status.ANNOUNCED and self.starts_at >= (now or timezone.now())

    def is_running(self, now=None):
        """A meeting under way: started, and within its expected duration (a public discussion
        runs for weeks and is judged by its comment window instead)."""
        now = now or timezone.now()
        return (
            self.status == self.Status.ANNOUNCED
            and not self.is_public_discussion()
            and self.starts_at <= now < self.ends_at
        )

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes or 0)

    @property
    def settlements(self):
        """The settlements among the territory (what `disclosures` attaches promises to)."""
        return self.territory.filter(level=Place.Level.SETTLEMENT)

    def language_labels(self):
        labels = dict(HearingLanguage.choices)
        codes = [c.strip() for c in (self.languages or "").split(",") if c.strip()]
        names = [str(labels.get(code, code)) for code in codes]
        # In a list inside a sentence Kazakh and Russian write language names in small letters.
        if (get_language() or "kk")[:2] in ("kk", "ru"):
            names = [name.lower() for name in names]
        return names

    def is_public_discussion(self):
        return self.form == ParticipationForm.PUBLIC_DISCUSSION

    def place_problems(self):
        """Where residents take part, by field: an online or hybrid hearing needs the link to
        join, one in person or hybrid its venue; a public discussion (on the portal) neither."""
        problems = {}
        if self.is_public_discussion():
            return problems
        if self.format in ("online", "hybrid") and not self.online_link:
            problems["online_link"] = gettext("An online hearing needs the link to join.")
        if self.format in ("in_person", "hybrid") and not (
            self.venue_kk or self.venue_ru or self.venue_en
        ):
            problems["venue_ru"] = gettext("Give the venue, down to the building and the room.")
        return problems

    def comments_open(self, today=None):
        """Written comments are taken while announced: for an open meeting from announcement
        until `comments_until`; for a public discussion during its window."""
        today = today or timezone.localdate()
        if self.status != self.Status.ANNOUNCED:
            return False
        if self.is_public_discussion():
            return self.first_day() <= today <= self.last_day()
        return today <= (self.comments_until or self.first_day())

    def first_day(self):
        """The hearing's day, or a public discussion's first day (in the active time zone)."""
        return timezone.localdate(self.starts_at)

    def last_day(self):
        """The hearing's day, or a public discussion's last day."""
        return self.discussion_ends_on or self.first_day()

    def registration_open(self, now=None):
        return self.is_upcoming(now) and not self.is_public_discussion()

    visibility_fields = ("status",)
    in_open_data = True

    def visible_to_residents(self):
        return self.is_published()

    def cache_scopes(self):
        """Its page, every place of its territory (and above; an area's hearing shows on every
        place under it), its organiser, initiator and project, the page of the hearing it
        repeats, and the site-wide lists;
        nothing while it is an unpublished draft."""
        if not self.was_or_is_visible():
            return set()
        territory = list(self.territory.values_list("path", "kato_code"))
        scopes = {SITE, record_scope(self), f"organisation:{self.organiser_id}"}
        scopes |= {f"organisation:{self.initiator_id}"} if self.initiator_id else set()
        scopes |= {f"project:{self.project_id}"} if self.project_id else set()
        # A repeat shows on the page of the hearing that did not take place.
        scopes |= {f"hearing:{self.repeat_of_id}"} if self.repeat_of_id else set()
        scopes |= {f"area:{code}" for _path, code in territory}
        return scopes | place_scopes(*(path for path, _code in territory))


class ConcernedPlace(models.Model):
    """A place whose page shows a hearing: each place of its territory, every place above one
    (a village's hearing shows on its district's page) and every place under one (a district's
    hearing shows on each of its villages' pages), with the hearing's date, so that a page's
    "latest five" is an index walk of its own rows in date order (`HearingQuerySet.past_for`)
    rather than a check of every hearing of the country against the place's subtree.

    Kept by hearings/concerned.py (receivers of the territory, the hearing's date and the
    places' moves); any hearing, drafts included: the pages filter on the hearing itself."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+", db_index=False)
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="concerned")
    starts_at = models.DateTimeField()
    # The last day of a public discussion's window (none for a meeting): see `_not_over`.
    open_until = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "hearing"], name="concerned_place_unique")
        ]
        indexes = [
            models.Index(fields=["place", "starts_at", "hearing"], name="concerned_place_date"),
            models.Index(
                fields=["place", "open_until"],
                condition=Q(open_until__isnull=False),
                name="concerned_place_open",
            ),
        ]

    def __str__(self):
        return f"{self.place_id} {self.hearing_id}"


class HearingDocument(models.Model):
    """One document of the hearing materials (PDF), or of the record."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="documents")
    title_kk = models.CharField(_("title in Kazakh"), max_length=255, blank=True)
    title_ru = models.CharField(_("title in Russian"), max_length=255, blank=True)
    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    file = models.FileField(_("PDF file"), upload_to="hearings/materials/")
    uploaded_at = models.DateTimeField(_("published"), auto_now_add=True)

    title = TranslatedField()

    class Meta:
        verbose_name = _("hearing document")
        verbose_name_plural = _("hearing documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.title or self.file.name

    def cache_scopes(self):
        return self.hearing.cache_scopes() if self.hearing.is_published() else set()


class HearingChangeQuerySet(models.QuerySet):
    def public(self):
        """Drafts are private forever: a hearing's public change log starts when it left its
        draft — its announcement, or the cancellation of a draft never announced. What was
        edited before is shown only to its organiser and moderators. Its twin:
        `HearingChange.is_public`."""
        since_announced = Q(hearing__announced_at__isnull=False, at__gte=F("hearing__announced_at"))
        cancelled_draft = Q(
            hearing__announced_at__isnull=True, action=HearingChange.Action.CANCELLED
        )
        return self.filter(since_announced | cancelled_draft).exclude(
            action=HearingChange.Action.CREATED
        )


class HearingChange(ChangeRows, models.Model):
    """The public change log of a hearing: every step, with the old date kept when it moves."""

    class Action(models.TextChoices):
        CREATED = "created", _("draft created")
        EDITED = "edited", _("notice edited")
        ANNOUNCED = "announced", _("announced")
        RESCHEDULED = "rescheduled", _("rescheduled")
        CANCELLED = "cancelled", _("cancelled")
        HELD = "held", _("marked as held")
        RECORD_PUBLISHED = "record_published", _("record published")
        RECORD_CORRECTED = "record_corrected", _("record corrected")
        DOCUMENT_ADDED = "document_added", _("document added")
        PROMISE_ADDED = "promise_added", _("promise recorded")
        FAILED = "failed", _("did not take place")
        DECISION_PUBLISHED = "decision_published", _("decision published")
        TRANSLATED = "translated", _("translation added")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A moderator's step is shown as the moderators', not the organiser's.
    by_staff = models.BooleanField(_("by moderators"), default=False)
    # The hearing's version after this step: a refused stale edit lists what happened since.
    version = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    reason_language = language_field()
    # A translation added (`services.add_translation`): {"field", "language", "old", "new"}.
    changes = models.JSONField(default=list, blank=True)
    old_starts_at = models.DateTimeField(_("old date"), null=True, blank=True)
    new_starts_at = models.DateTimeField(_("new date"), null=True, blank=True)
    old_venue = models.CharField(_("old venue"), max_length=300, blank=True)
    new_venue = models.CharField(_("new venue"), max_length=300, blank=True)
    # An added document is named when the log is read, by its title in the reader's language.
    document = models.ForeignKey(
        HearingDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = HearingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("hearing change")
        verbose_name_plural = _("hearing changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.hearing_id} {self.get_action_display()} {self.at:%Y-%m-%d}"

    logged_model = Hearing
    extra_labels = {
        "answer": _("answer to a comment"),
        "text": _("promise"),
        "due_text": _("promise's deadline"),
    }

    def is_public(self):
        """The twin of `HearingChange.objects.public()`, for a change read with its hearing (a
        hearing's page has it, and filters its log without joining the hearing again)."""
        if self.action == self.Action.CREATED:
            return False
        if self.hearing.announced_at is None:
            return self.action == self.Action.CANCELLED
        return self.at >= self.hearing.announced_at

    def get_action_display(self):
        return choice_label(self.Action, self.action)


class HearingFailure(models.Model):
    """A hearing that did not take place (too few people, or not held at all), with the reason
    in the language it was written in. Its repeat is a hearing of its own (`Hearing.repeat_of`),
    with its own notice and clock (legal-sources, §1.2: "in case of unsuccessful hearings, the
    reasons are announced"; no quorum or test of failure was found in any source)."""

    class Kind(models.TextChoices):
        NO_QUORUM = "no_quorum", _("too few people came")
        NOT_HELD = "not_held", _("it was not held")
        OTHER = "other", _("other reason")

    hearing = models.OneToOneField(Hearing, on_delete=models.CASCADE, related_name="failure")
    kind = models.CharField(_("what happened"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    language = language_field()
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hearing that did not take place")
        verbose_name_plural = _("hearings that did not take place")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="hearing_failure_has_reason"),
            models.CheckConstraint(
                condition=Q(kind__in=["no_quorum", "not_held", "other"]),
                name="hearing_failure_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.hearing_id}: {self.kind}"

    def get_kind_display(self):
        return choice_label(self.Kind, self.kind)

    def cache_scopes(self):
        return self.hearing.cache_scopes()


class DecisionNotice(models.Model):
    """The decision taken after the hearing, made public with its reasons (Aarhus Convention
    Art. 6(9): "the text of the decision along with the reasons and considerations"). Published
    once, by the organiser; never changed silently."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("approved")
        CONDITIONS = "conditions", _("approved with conditions")
        REFUSED = "refused", _("refused")
        OTHER = "other", _("other")

    hearing = models.OneToOneField(
        Hearing, on_delete=models.CASCADE, related_name="decision_notice"
    )
    authority = models.CharField(_("who decided"), max_length=300)
    decided_on = models.DateField(_("decided on"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reasons = models.TextField(_("reasons and considerations"), max_length=8000)
    language = language_field()
    url = models.URLField(_("link to the decision"), blank=True)
    document = models.ForeignKey(
        HearingDocument,
        verbose_name=_("scan of the decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("One of the hearing's documents: upload the scan with “Add a document”."),
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The text typed in one language, whose language `language` holds.
    WRITTEN_FIELDS = ("authority", "reasons")

    class Meta:
        verbose_name = _("decision taken after a hearing")
        verbose_name_plural = _("decisions taken after hearings")
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="decision_has_reasons"),
            models.CheckConstraint(
                condition=Q(outcome__in=["approved", "conditions", "refused", "other"]),
                name="decision_outcome_valid",
            ),
        ]

    def __str__(self):
        return f"{self.hearing_id}: {self.outcome} ({self.decided_on})"

    def get_outcome_display(self):
        return choice_label(self.Outcome, self.outcome)

    def cache_scopes(self):
        return self.hearing.cache_scopes()


class HearingPromise(models.Model):
    """A promise made at the hearing, by the initiator, the akimat or another organisation.

    The `disclosures` app links its promised disclosures here (`promise.disclosures`), so a
    resident can follow a promise from the hearing to what was delivered.
    """

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="promises")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("who promised"),
        on_delete=models.PROTECT,
        related_name="hearing_promises",
    )
    text = models.TextField(_("what was promised"))
    due_text = models.CharField(
        _("by when, as said"), max_length=200, blank=True, help_text=_("E.g. 'by autumn 2027'.")
    )
    language = language_field()
    translations = versions_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSLATABLE = ("text", "due_text")

    class Meta:
        verbose_name = _("promise made at a hearing")
        verbose_name_plural = _("promises made at hearings")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.organisation}: {self.text[:80]}"

    def cache_scopes(self):
        return self.hearing.cache_scopes() if self.hearing.is_published() else set()


# --- What residents send in ----------------------------------------------------------------


class HearingComment(ResidentInput):
    """A written comment or question: sent by a resident in the comment period, or asked aloud
    at the hearing and entered by the akimat. The organiser answers publicly and says how it was
    taken into account (Aarhus Convention Art. 6(8))."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("question")
        COMMENT = "comment", _("comment or proposal")

    class Source(models.TextChoices):
        WRITTEN = "written", _("sent in writing")
        AT_HEARING = "at_hearing", _("raised at the hearing")

    class Outcome(models.TextChoices):
        PENDING = "", _("not yet considered")
        ACCEPTED = "accepted", _("taken into account")
        PARTLY = "partly", _("partly taken into account")
        REJECTED = "rejected", _("not taken into account, with reasons")
        EXPLAINED = "explained", _("answered; no change needed")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    source = models.CharField(
        _("how it was received"), max_length=12, choices=Source.choices, default=Source.WRITTEN
    )
    text = models.TextField(_("your comment or question"), max_length=4000)
    language = language_field()
    answer = models.TextField(_("answer"), blank=True)
    answer_language = language_field(_("answer written in"))
    translations = versions_field()
    outcome = models.CharField(
        _("how it was taken into account"),
        max_length=10,
        choices=Outcome.choices,
        blank=True,
        default=Outcome.PENDING,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    # The organiser may add its answer in the other languages; the comment is the resident's.
    TRANSLATABLE = ("answer",)

    class Meta:
        verbose_name = _("comment or question")
        verbose_name_plural = _("comments and questions")
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return self.text[:80]

    def get_kind_display(self):
        return choice_label(self.Kind, self.kind)

    def get_source_display(self):
        return choice_label(self.Source, self.source)

    def get_outcome_display(self):
        return choice_label(self.Outcome, self.outcome)

    def cache_scopes(self):
        """Nothing while it awaits moderation; once shown (or counted), the hearing's scopes."""
        if self.was_or_is_visible() and self.hearing.is_published():
            return self.hearing.cache_scopes()
        return set()


class AnswerCorrection(models.Model):
    """A published answer to a comment, replaced: the earlier text, the reason, who and when.

    Shown publicly under the answer, so an answer residents relied on is never silently gone.
    """

    comment = models.ForeignKey(
        HearingComment, on_delete=models.CASCADE, related_name="corrections"
    )
    old_answer = models.TextField(_("earlier answer"))
    old_outcome = models.CharField(
        _("how it was taken into account"),
        max_length=10,
        choices=HearingComment.Outcome.choices,
        blank=True,
    )
    reason = models.CharField(_("reason for the correction"), max_length=500)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_staff = models.BooleanField(_("by moderators"), default=False)
    corrected_at = models.DateTimeField(_("corrected"), auto_now_add=True)

    class Meta:
        verbose_name = _("correction of an answer")
        verbose_name_plural = _("corrections of answers")
        ordering = ["corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="answer_correction_has_reason")
        ]

    def __str__(self):
        return f"{self.comment_id} {self.corrected_at:%Y-%m-%d}"


class LearnedOf(ResidentInput):
    """'I learned of this hearing on … from …': evidence of how early residents really knew."""

    class Channel(models.TextChoices):
        NOTICE_BOARD = "notice_board", _("a notice on a board")
        AKIMAT = "akimat", _("the akimat (website, phone, visit)")
        THIS_SITE = "this_site", _("this website or its e-mails")
        NEWSPAPER = "newspaper", _("a newspaper, radio or TV")
        SOCIAL = "social", _("social media or a messenger group")
        NEIGHBOURS = "neighbours", _("neighbours, family or colleagues")
        COMPANY = "company", _("the company")
        OTHER = "other", _("other")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="learned_of")
    learned_on = models.DateField(_("I learned of this hearing on"))
    channel = models.CharField(_("from"), max_length=20, choices=Channel.choices)

    class Meta:
        verbose_name = _("report of how a resident learned of a hearing")
        verbose_name_plural = _("reports of how residents learned of hearings")
        ordering = ["learned_on", "pk"]

    def __str__(self):
        return f"{self.hearing_id}: {self.learned_on} ({self.channel})"

    def get_channel_display(self):
        return choice_label(self.Channel, self.channel)

    def days_before(self):
        return (timezone.localdate(self.hearing.starts_at) - self.learned_on).days

    def cache_scopes(self):
        """Nothing while it awaits moderation; once shown (or counted), the hearing's scopes."""
        if self.was_or_is_visible() and self.hearing.is_published():
            return self.hearing.cache_scopes()
        return set()


class AttendanceRegistration(models.Model):
    """A resident's note that they plan to come, so that the akimat can plan the room.

    Never shown publicly: only the organiser sees the names and how to reach them.
    """

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("your name"), max_length=120)
    contact = models.CharField(
        _("phone or e-mail"),
        max_length=200,
        blank=True,
        help_text=_("Only the akimat sees it, to tell you if the room or the date changes."),
    )
    people = models.PositiveSmallIntegerField(_("number of people"), default=1)
    needs = models.CharField(
        _("anything the akimat should know"),
        max_length=300,
        blank=True,
        help_text=_("E.g. step-free access, sign language, interpretation."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration to attend")
        verbose_name_plural = _("registrations to attend")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(people__gte=1) & Q(people__lte=50), name="registration_people_range"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.people})"


# --- Subscriptions and the outbox ----------------------------------------------------------


def new_token():
    return secrets.token_urlsafe(24)


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)

    def for_hearing(self, hearing):
        """Active subscriptions to a place the hearing concerns: a village subscriber hears of
        its district's hearings, a district subscriber of each village's (`concerning`'s twin)."""
        places = list(hearing.territory.all())
        condition = Q(pk__in=[])
        for place in places:
            condition |= Q(place__kato_code__in=place.path_codes)
            condition |= Q(place__path__startswith=place.path)
        return self.active().filter(condition).select_related("place")


class Subscription(models.Model):
    """An e-mail address that wants to hear of hearings for a settlement or district.

    No account: the address is confirmed by a link (double opt-in) and every message carries a
    one-click unsubscribe link. The two links carry different secrets: `token` confirms and is
    replaced once used (an old confirmation e-mail cannot subscribe anyone again), and
    `unsubscribe_token` stops the messages.
    """

    email = models.EmailField(_("e-mail"))
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        on_delete=models.CASCADE,
        related_name="hearing_subscriptions",
    )
    language = models.CharField(_("language"), max_length=2, default="kk")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    unsubscribe_token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["email", "place"], name="subscription_unique"),
        ]

    def __str__(self):
        return f"{self.email} → {self.place}"

    def is_active(self):
        return self.confirmed_at is not None and self.unsubscribed_at is None


class OutboxMessage(models.Model):
    """A message waiting to be sent, sent, or given up on.

    Written in the same transaction as the change it reports, sent later by
    `manage.py send_notifications`. `dedupe_key` is unique so the same news is never queued twice
    for one subscriber; the sender claims a row (status `sending`) before sending, so two workers
    never send it twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, retries exhausted")

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("confirm subscription")
        ANNOUNCED = "announced", _("hearing announced")
        RESCHEDULED = "rescheduled", _("hearing moved")
        CANCELLED = "cancelled", _("hearing cancelled")
        REMINDER = "reminder", _("reminder")
        RECORD = "record", _("record published")
        FAILED = "failed", _("hearing did not take place")
        DECISION = "decision", _("decision published")
        PROTOCOL_LATE = "protocol_late", _("protocol overdue (to the organiser)")
        RESIDENT = "resident", _("to a resident: their question answered or their word published")
        LINK_REQUEST = "link_request", _("to an organisation's administrators: a link to accept")

    channel = models.CharField(max_length=20, default="email")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    hearing = models.ForeignKey(
        Hearing, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed"]),
                name="outbox_status_valid",
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.status})"
