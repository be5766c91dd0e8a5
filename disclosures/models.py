"""What organisations did for villages: contributions and promises, with evidence and others' word.

A `Disclosure` is one contribution by a company (or by an akimat spending a company's payment) to
one or more settlements. Promises are disclosures in the "promised" state; one past its due date
and not delivered is *overdue*, computed from the dates so that nobody has to flag it.

The three voices on a disclosure: the organisation's claim (the disclosure, its photos and
documents), the akimat's word (`Confirmation`) and the residents' (`ResidentFeedback`, `Question`).
Published disclosures are never silently changed: every change after publication is a `Revision`
with field-level old and new values and a reason, shown on a public change log.
"""

import functools
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core import formats
from core.caching import SITE, VisibilityTracked, place_scopes, record_scope
from core.lifecycle import DATE, MEMBER, REASON, STAFF, Publishable, Transition, editable
from core.models import (
    Compiled,
    ListOf,
    NestedJSON,
    ResidentInput,
    ResidentInputQuerySet,
    Slot,
    count_of,
    kept_queryset,
    prepared,
)
from core.text import clean_text_fields
from core.translation import (
    TranslatedField,
    choice_label,
    language_field,
    translated_expression,
    versions_field,
)
from core.validators import EARLIEST_YEAR, LATEST_YEAR
from disclosures.images import thumbnail_size
from projects.models import (
    ChangeLogEntry,
    Currency,
    Organisation,
    Place,
    Project,
    organisation_name,
)


class Category(models.TextChoices):
    HOUSING = "housing", _("housing")
    EDUCATION = "education", _("education")
    SCHOOL_TRANSPORT = "school_transport", _("school transport")
    WATER = "water", _("water supply")
    HEALTHCARE = "healthcare", _("healthcare")
    FIRE_SAFETY = "fire_safety", _("fire safety")
    ROADS = "roads", _("roads")
    UTILITIES = "utilities", _("heating, gas and electricity")
    CULTURE_SPORT = "culture_sport", _("culture and sport")
    SOCIAL = "social", _("social support")
    ENVIRONMENT = "environment", _("environment")
    JOBS = "jobs", _("jobs and training")
    OTHER = "other", _("other")


class Status(models.TextChoices):
    PROMISED = "promised", _("promised")
    IN_PROGRESS = "in_progress", _("in progress")
    DELIVERED = "delivered", _("delivered")
    # "cancelled" for a promise reads "refused" in Kazakh (бас тартылды), not a hearing's word.
    CANCELLED = "cancelled", pgettext_lazy("promise status", "cancelled")


class Basis(models.TextChoices):
    """Why the contribution was made: EITI Requirement 6.1 separates mandatory from voluntary."""

    VOLUNTARY = "voluntary", _("voluntary")
    SUBSOIL_CONTRACT = (
        "subsoil_contract",
        _("required by a subsoil-use contract (social and economic development)"),
    )
    MEMORANDUM = "memorandum", _("agreed in a memorandum with the akimat")
    HEARING = "hearing", _("promised at a public hearing")
    OTHER = "other", _("other")


# EITI Requirement 6.1 separates social expenditure required by law or contract from voluntary
# giving. Only a subsoil-use contract's social and economic development obligation binds the
# company; a memorandum with an akimat or a promise at a hearing is given freely. "Other" is
# left unclassified rather than guessed.
MANDATORY_BASES = ("subsoil_contract",)
VOLUNTARY_BASES = ("voluntary", "memorandum", "hearing")


def obligation(basis):
    """'mandatory', 'voluntary' or '' (not stated) for a basis, as EITI reports it."""
    if basis in MANDATORY_BASES:
        return "mandatory"
    if basis in VOLUNTARY_BASES:
        return "voluntary"
    return ""


class ValueForm(models.TextChoices):
    CASH = "cash", _("cash")
    IN_KIND = "in_kind", _("in kind")


class RecipientRole(models.TextChoices):
    AKIMAT_BUDGET = "akimat_budget", _("akimat budget")
    SCHOOL = "school", _("school or kindergarten")
    HEALTH = "health", _("clinic or hospital")
    FUND = "fund", _("fund")
    HOUSEHOLDS = "households", _("families or households")
    ORGANISATION = "organisation", _("public body or organisation")
    OTHER = "other", _("other")


OPEN_STATUSES = (Status.PROMISED, Status.IN_PROGRESS)

# The headline sums, disjoint: each published contribution is in exactly one of them, or is
# cancelled or withdrawn and in none. An open promise past its due date is "overdue", not
# "promised" or "in progress"; nothing is "delivered" until it is.
OVERDUE = "overdue"
COUNTED_BUCKETS = ("delivered", "in_progress", "promised", OVERDUE)


def bucket_label(key):
    """The word a resident reads for a status shown: a recorded status's label, or "overdue",
    which is no recorded status (the figures' rows, `Disclosure.display_status`)."""
    return _("overdue") if key == OVERDUE else choice_label(Status, key)


def today():
    """Today in Kazakhstan: a due date is a local calendar date."""
    return timezone.localdate()


def overdue_condition(on=None, through=""):
    """The one rule for "overdue", as a condition: an open promise (promised or in progress)
    whose due date is before `on` (today in Kazakhstan). `through` reaches the disclosure over a
    relation, e.g. "disclosure__". `DisclosureQuerySet.overdue`, the sums of `summary`, the
    places' kept figures (`PlaceFiguresQuerySet`) and the exports use it;
    `Disclosure.is_overdue` is its twin."""
    return Q(**{f"{through}status__in": OPEN_STATUSES, f"{through}due_date__lt": on or today()})


# The columns a contribution card reads (`DisclosureQuerySet.for_cards`): its title, status,
# category, amount, key dates, the withdrawn or cancelled note and their languages.
CARD_FIELDS = (
    "organisation",
    *(f"title_{code}" for code, _name in settings.LANGUAGES),
    "language",
    "translations",
    "status",
    "category",
    "amount",
    "currency",
    "is_estimate",
    "due_date",
    "delivered_date",
    "published_at",
    "hidden_at",
    "withdrawn_at",
    "withdrawal_reason",
    "withdrawal_reason_language",
    "cancel_reason",
    "cancel_reason_language",
    # The akimat's and residents' word, of the kept counts (`VOICE_COUNTS`).
    "confirmed_count",
    "seen_count",
    "dispute_count",
)
# The fields of a card's thumbnail: the first photo's (`for_cards(photos=True)`), with its
# `translations` (the alt text's added languages), kept as `Disclosure.first_photo`.
PHOTO_CARD_FIELDS = {
    name: name for name in ("thumbnail", "width", "height", "alt_text", "language")
}


def first_photo():
    """The fields of the first photo of the contribution (`OuterRef("pk")`), or None: what
    `Disclosure.first_photo` keeps, from scratch (`keep_first_photos`)."""
    photos = Photo.objects.filter(disclosure=OuterRef("pk")).order_by("uploaded_at", "pk")
    return Subquery(
        photos.values(
            fields=JSONObject(**PHOTO_CARD_FIELDS, translations=NestedJSON("translations"))
        )[:1]
    )


# The akimat's and residents' word, by kind: {verdict or kind: the contribution's column that
# counts it}. An akimat's every confirmation counts (it may change its word: both stay on the
# record); a resident's word once a moderator approved it. Kept on the contribution
# (`Disclosure.confirmed_count` …) by the receivers in disclosures/figures.py, which ask each
# word `counted_as()`; `voice_counts()` counts them from scratch.
CONFIRMATION_COUNTS = {"confirmed": "confirmed_count", "cannot_confirm": "unconfirmed_count"}
FEEDBACK_COUNTS = {"seen": "seen_count", "disputed": "dispute_count"}
VOICE_COUNTS = (*CONFIRMATION_COUNTS.values(), *FEEDBACK_COUNTS.values())


def voice_counts():
    """The kept counts (`VOICE_COUNTS`) from scratch: {column: correlated subquery counting
    that word}, for `recount_voices` and the tests that check the kept ones."""
    voices = (
        (Confirmation.objects.all(), "verdict", CONFIRMATION_COUNTS),
        (ResidentFeedback.objects.approved(), "kind", FEEDBACK_COUNTS),
    )
    counts = {}
    for queryset, field, names in voices:
        for value, name in names.items():
            rows = (
                queryset.filter(disclosure=OuterRef("pk"), **{field: value})
                .order_by()
                .values("disclosure")
                .annotate(n=Count("pk"))
                .values("n")
            )
            counts[name] = Coalesce(Subquery(rows, output_field=IntegerField()), 0)
    return counts


# The list of `for_cards`, built once per language and copied by each queryset that uses it:
# building its subquery (with the first photo's, since kept) cost about 10 ms of CPU a page.


@functools.cache
def settlement_names(language):
    """`for_cards`' list of the settlements' names in `language`."""
    settlements = (
        Disclosure.settlements.through.objects.filter(disclosure=OuterRef("pk"))
        .order_by("place__kato_code")
        .values(name=translated_expression("place__name", language))
    )
    return ListOf(settlements, "name")


@functools.cache
def _detail_lists():
    """`for_detail`'s count and `EXISTS`, compiled once (`core.models.Compiled`): compiling them on
    every request cost a contribution's page more than running them."""
    this = {"disclosure": OuterRef("pk")}
    lists = {
        "has_photos": Photo.objects.filter(**this),
        "has_documents": Document.objects.filter(**this),
        "has_confirmations": Confirmation.objects.filter(**this),
        "has_feedback": ResidentFeedback.objects.filter(**this),
        "has_questions": Question.objects.filter(**this),
        "has_funded": Disclosure.objects.published().filter(funded_by=OuterRef("pk")),
    }
    revisions = count_of(Revision.objects.public(), "disclosure")
    return {
        "public_revisions": Compiled(Disclosure, revisions),
        **{name: Compiled(Disclosure, Exists(rows)) for name, rows in lists.items()},
    }


@kept_queryset
def published_cards(photos=False):
    """`Disclosure.objects.published().for_cards(photos)`, to filter further (`.for_place(place)`):
    resolving the card's subqueries on every request was 4 ms of CPU of a village page's 9 ms
    for its contributions' query."""
    return Disclosure.objects.published().for_cards(photos=photos)


class DisclosureQuerySet(models.QuerySet):
    # --- Visibility: one rule (`published`), and two named derivations of it ---

    def out_of_draft(self):
        """Published at some time, withdrawn and hidden ones included (twin: not `is_draft`).
        The API answers 410 Gone for the hidden ones; only these can be withdrawn."""
        return self.filter(published_at__isnull=False)

    def published(self):
        """What residents may see, newest first: published and not hidden by moderators.

        The one visibility rule (twin: `Disclosure.is_published`), for pages, lists, feeds,
        exports, the API, sitemaps, uploaded files and templates. Withdrawn ones are included,
        marked, with their reason and outside the sums: a company that takes back a claim
        cannot make it vanish. Drafts and what moderators hid never appear.
        """
        return self.out_of_draft().filter(hidden_at__isnull=True).order_by("-published_at", "-pk")

    def in_force(self):
        """Published and not withdrawn (twin: `is_in_force`): the claims an organisation still
        stands by. What residents may act on (their word, questions), what an akimat may fund
        from, and what the figures count (less the cancelled ones)."""
        return self.published().filter(withdrawn_at__isnull=True)

    def current(self):
        """Neither withdrawn nor cancelled: what the "hide withdrawn and cancelled" filter
        leaves."""
        return self.filter(withdrawn_at__isnull=True).exclude(status=Status.CANCELLED)

    def editable_by(self, user):
        """Disclosures of the organisations (companies or akimats) this user works for; staff
        none, a disclosure being the organisation's own claim (`core.lifecycle.editable`)."""
        return editable(
            self, user, self.filter(organisation__in=Organisation.objects.of_user(user))
        )

    def in_jurisdiction(self, akimat):
        """Disclosures for at least one settlement in the akimat's jurisdiction."""
        return self.for_place(akimat.place)

    def confirmable_by(self, user):
        """Public disclosures the user's akimat(s) may confirm: a settlement in their jurisdiction.

        An akimat does not confirm its own disclosures.
        """
        if not user.is_authenticated:
            return self.none()
        akimats = list(Organisation.objects.of_user(user).akimats().select_related("place"))
        if not akimats:
            return self.none()
        condition = Q()
        for akimat in akimats:
            condition |= Q(place__path__startswith=akimat.place.path)
        through = Disclosure.settlements.through.objects.filter(condition)
        return (
            self.published()
            .filter(pk__in=through.values("disclosure_id"))
            .exclude(organisation__in=akimats)
        )

    def fundable_by(self, akimat):
        """Company payments this akimat may say it spent: money paid into its own budget.

        A payment made "to the akimat" is a published company disclosure whose recipient is an
        akimat budget and whose every settlement lies in this akimat's jurisdiction. A rural
        district's akimat cannot book its spending against a payment into the district's
        budget for several rural districts, nor any akimat against money paid elsewhere.
        """
        if not akimat.is_akimat:
            return self.none()
        outside = Disclosure.settlements.through.objects.exclude(
            place__path__startswith=akimat.place.path
        )
        return (
            self.in_force()
            .filter(
                organisation__kind=Organisation.Kind.COMPANY,
                recipient_role=RecipientRole.AKIMAT_BUDGET,
            )
            .exclude(pk__in=outside.values("disclosure_id"))
        )

    def for_place(self, place):
        """Disclosures for a settlement within `place` (the place itself or anything under it)."""
        # One array parameter (`__any`): a region's 1,600 ids as an IN list cost 8 ms of Python
        # to prepare and compile, with the same plan.
        through = Disclosure.settlements.through.objects.filter(place_id__any=place.within_ids())
        return self.filter(pk__in=through.values("disclosure_id"))

    def listed_in(self, place):
        """Of these published records, those of `for_place(place)`, from the place's own
        `ListedPlace` rows: one index range, whose size PostgreSQL's statistics know (a list of
        the district's village ids made it expect thousands where there were none)."""
        return self.filter(pk__in=ListedPlace.objects.filter(place=place).values("disclosure_id"))

    def newest_for(self, place, count):
        """Of these published records, the `count` newest of `for_place(place)`, newest first:
        a walk of the place's own `ListedPlace` rows down from the latest publication (a
        district with a handful of contributions made PostgreSQL check the country's newest
        ones against its villages: 5 s at country scale)."""
        newest = (
            ListedPlace.objects.filter(place=place)
            .order_by("-published_at", "-disclosure_id")
            .values("disclosure_id")[:count]
        )
        return self.filter(pk__in=newest).order_by("-published_at", "-pk")

    def overdue(self, on=None):
        """Promises past their due date and not delivered (nor cancelled) — computed, no flag."""
        return self.filter(overdue_condition(on))

    def with_related(self):
        """Everything a contribution's page, feed or API record shows, without a query per row
        (cards read less: `for_cards`)."""
        return self.select_related(
            "organisation", "project", "funded_by", "funded_by__organisation", "hearing"
        ).prefetch_related(
            models.Prefetch("settlements", queryset=Place.objects.order_by("kato_code"))
        )

    def for_detail(self):
        """One contribution's page, as cheap as its content allows: the organisation and project
        joined (most contributions have them); a linked hearing or source contribution read only
        when there is one; and, as `EXISTS` subqueries of its one row, whether each list the
        page shows has anything in it, so that an empty list costs no query (most contributions
        have no photos, documents, akimat's word, residents' word, questions or money trail).

        Annotates `public_revisions` (the change log's length for residents) and `has_photos`,
        `has_documents`, `has_confirmations`, `has_feedback`, `has_questions` (in any state of
        moderation: the page counts the rejected and pending ones) and `has_funded`. No
        prefetch: the page reads the settlements in a query of their own, prepared once
        (`core.models.prepared`), as each of its lists.
        """
        return self.select_related("organisation", "project").annotate(**_detail_lists())

    def keep_first_photos(self):
        """Set these records' kept `first_photo` from their photos: after a photo's write (the
        receiver in disclosures/figures.py) and rows made in bulk (`seed_scale`)."""
        return self.update(first_photo=first_photo())

    def recount_voices(self):
        """Set these records' kept counts (`VOICE_COUNTS`) from their rows: after rows made in
        bulk, which pass no receiver (`seed_scale`). Returns how many records it set."""
        return self.update(**voice_counts())

    def order_by_key_date(self):
        """Timeline order, newest first: delivered date, else due date, else publication day.

        For published disclosures (the only ones it orders) the key is never empty; the order
        is exactly that of the `disclosure_key_date` index.
        """
        return self.annotate(
            key_date=Coalesce("delivered_date", "due_date", TruncDate("published_at"))
        ).order_by(F("key_date").desc(), "-pk")

    def for_cards(self, photos=False):
        """What a contribution card shows (templatetags/disclosure_cards.py), in one query:
        the card's columns (`CARD_FIELDS`, with the residents' and akimat's word as kept counts),
        `organisation_name` and `settlement_names` in the page's language (kato_code order)
        and, with `photos`, the kept `first_photo`: the fields of the first photo, or None.

        Lists in the SELECT rather than prefetched rows: prefetching settlements and photos
        built about 40 model instances a card, most of a list page's ORM time
        (docs/performance.md). The records carry only these columns: any other is read
        with a query of its own.
        """
        language = get_language()
        return self.only(*CARD_FIELDS, *(["first_photo"] if photos else [])).annotate(
            organisation_name=organisation_name(Disclosure, "organisation_id", language),
            settlement_names=settlement_names(language),
        )

    def order_by_title(self):
        return self.annotate(display_title=translated_expression("title")).order_by(
            "display_title", "pk"
        )

    def summary(self):
        """Headline figures for a set of disclosures, e.g. `published().for_place(place)`.

        Counted once, in disjoint sums: every record is delivered, in progress, promised,
        overdue (an open promise past its due date), cancelled or withdrawn. Values are summed
        per currency (tenge and dollars are never added up) for the first four only; cancelled
        and withdrawn records are counted by number, "not counted" in money.

        Money is counted once: a contribution paid out of another one in the same set (an
        akimat's roof funded from a company's payment into its budget, `funded_by`) is part of
        that payment, so its value is shown as `funded` ("of which spent by ...") and not added
        again. A chain of such records counts its first one in the set. A sum that includes an
        estimated value says so (`estimated`).

        One query, whatever the number of disclosures: rows grouped by sum, currency and
        whether their funder is in the set; the akimat's confirmations and residents' disputes
        are EXISTS tests per row.
        """
        on = today()
        confirmed = Confirmation.objects.filter(
            disclosure=OuterRef("pk"), verdict=Confirmation.Verdict.CONFIRMED
        )
        disputed = ResidentFeedback.objects.approved().filter(
            disclosure=OuterRef("pk"), kind=ResidentFeedback.Kind.DISPUTED
        )
        # A record's money is already counted when its funder's value is counted here.
        valued = self.current().filter(amount__isnull=False)
        bucket = Case(
            When(withdrawn_at__isnull=False, then=Value("withdrawn")),
            When(status=Status.CANCELLED, then=Value("cancelled")),
            When(overdue_condition(on), then=Value("overdue")),
            default=F("status"),
            output_field=CharField(),
        )
        inside = ExpressionWrapper(
            Q(funded_by__isnull=False, funded_by__in=valued.values("pk")),
            output_field=BooleanField(),
        )
        rows = (
            self.annotate(bucket=bucket, inside=inside)
            .values("bucket", "currency", "inside")
            .annotate(
                n=Count("pk"),
                value=Sum("amount"),
                estimates=Count("pk", filter=Q(is_estimate=True, amount__isnull=False)),
                confirmed=Count("pk", filter=Exists(confirmed)),
                disputed=Count("pk", filter=Exists(disputed)),
            )
            .order_by()
        )
        return figures_from_rows(list(rows))


def figures_from_rows(rows):
    """The summary's figures from its grouped rows (see `DisclosureQuerySet.summary`)."""
    names = (*COUNTED_BUCKETS, "cancelled", "withdrawn")
    figures = dict.fromkeys(names, 0)
    figures.update(confirmed=0, disputed=0)
    money = {}  # currency -> bucket -> [amount, estimated]; "funded" for the parts of payments
    for row in rows:
        figures[row["bucket"]] += row["n"]
        if row["bucket"] == "withdrawn":
            continue
        figures["confirmed"] += row["confirmed"]
        figures["disputed"] += row["disputed"]
        if row["value"] is None or row["bucket"] == "cancelled":
            continue
        key = "funded" if row["inside"] else row["bucket"]
        cell = money.setdefault(row["currency"], {}).setdefault(key, [Decimal("0"), False])
        cell[0] += row["value"]
        cell[1] = cell[1] or bool(row["estimates"])
    figures["counted"] = sum(figures[name] for name in COUNTED_BUCKETS)
    figures["total"] = figures["counted"] + figures["cancelled"]
    figures["listed"] = figures["total"] + figures["withdrawn"]
    # Tenge first, then the other currencies, each on its own line and never added together.
    currencies = sorted(money, key=lambda code: (code != Currency.KZT, code))

    def amounts(key):
        return [
            {"currency": code, "amount": money[code][key][0], "estimated": money[code][key][1]}
            for code in currencies
            if key in money[code]
        ]

    figures["sums"] = [
        {"key": name, "count": figures[name], "amounts": amounts(name)} for name in COUNTED_BUCKETS
    ]
    figures["totals"] = []
    for code in currencies:
        cells = [money[code][name] for name in COUNTED_BUCKETS if name in money[code]]
        if cells:
            figures["totals"].append(
                {
                    "currency": code,
                    "amount": sum((cell[0] for cell in cells), Decimal("0")),
                    "estimated": any(cell[1] for cell in cells),
                }
            )
    figures["funded"] = amounts("funded")
    kzt = [row["amount"] for row in figures["totals"] if row["currency"] == Currency.KZT]
    figures["total_kzt"] = kzt[0] if kzt else Decimal("0")
    return figures


class Disclosure(Publishable, VisibilityTracked, models.Model):
    """One contribution by an organisation to one or more settlements (EITI Requirement 6.1)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("disclosed by"),
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        help_text=_("The project this contribution relates to, if any."),
    )
    recipient_name = models.CharField(
        _("recipient"),
        max_length=255,
        blank=True,
        help_text=_("Who received it, e.g. the school, the akimat budget, a named fund."),
    )
    recipient_role = models.CharField(
        _("recipient's role"), max_length=20, choices=RecipientRole.choices, blank=True
    )
    # The language of the fields typed once (`WRITTEN_FIELDS`): see core/translation.py.
    language = language_field(_("language of the recipient, description and reasons"))
    title_kk = models.CharField(_("title in Kazakh"), max_length=255, blank=True)
    title_ru = models.CharField(_("title in Russian"), max_length=255, blank=True)
    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    description_kk = models.TextField(_("description in Kazakh"), blank=True)
    description_ru = models.TextField(_("description in Russian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    settlements = models.ManyToManyField(
        Place,
        verbose_name=_("settlements that benefit"),
        related_name="disclosures",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROMISED
    )
    due_date = models.DateField(
        _("due date"), null=True, blank=True, help_text=_("For a promise: when it is to be done.")
    )
    delivered_date = models.DateField(_("date delivered"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    amount = models.DecimalField(
        _("value"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For a contribution in kind, its deemed value."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.KZT
    )
    value_form = models.CharField(
        _("cash or in kind"), max_length=10, choices=ValueForm.choices, default=ValueForm.IN_KIND
    )
    in_kind_description = models.CharField(
        _("what was given in kind"),
        max_length=500,
        blank=True,
        help_text=_("For a contribution in kind: the goods, works or services, e.g. a school bus."),
    )
    is_estimate = models.BooleanField(
        _("the value is an estimate"),
        default=False,
        help_text=_("Tick when the value is estimated rather than taken from accounts."),
    )
    basis = models.CharField(
        _("basis"), max_length=20, choices=Basis.choices, default=Basis.VOLUNTARY
    )
    basis_reference = models.CharField(
        _("reference to the document"),
        max_length=300,
        blank=True,
        help_text=_("The contract, memorandum or hearing minutes: number and date."),
    )
    reporting_year = models.PositiveSmallIntegerField(
        _("reporting year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)],
        help_text=_("The financial year whose report includes this contribution (EITI)."),
    )
    beneficiaries_count = models.PositiveIntegerField(
        _("number of beneficiaries"), null=True, blank=True
    )
    beneficiaries_description = models.CharField(
        _("who benefits"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 12 families of plant workers and qandas."),
    )
    funded_by = models.ForeignKey(
        "self",
        verbose_name=_("funded from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_disclosures",
        help_text=_("For an akimat: the company's contribution this was paid from."),
    )
    hearing = models.ForeignKey(
        "hearings.Hearing",
        verbose_name=_("public hearing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        help_text=_("The public hearing where this was promised, if any."),
    )
    hearing_promise = models.ForeignKey(
        "hearings.HearingPromise",
        verbose_name=_("promise made at the hearing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)
    # Reasons written later, maybe in another language than the record's.
    withdrawal_reason_language = language_field()
    cancel_reason_language = language_field()
    # The other languages of `TRANSLATABLE` texts, added later (core/translation.py).
    translations = versions_field()
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Grows with every write through `services`: an edit form carries the version it was opened
    # at, and a save from a form opened before someone else's change is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The akimat's and residents' word, kept as counts (`VOICE_COUNTS`) for the cards: counted
    # on reading, they were correlated subqueries compiled on every list and place page. Each
    # write of a confirmation or an approved resident's word moves them in its transaction
    # (disclosures/figures.py); `voice_counts()` is the count from scratch they are tested
    # against. Written only by those updates (see `save`).
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    unconfirmed_count = models.PositiveIntegerField(default=0, editable=False)
    seen_count = models.PositiveIntegerField(default=0, editable=False)
    dispute_count = models.PositiveIntegerField(default=0, editable=False)
    # The fields of its first photo (`PHOTO_CARD_FIELDS` and the alt text's `translations`), or
    # None, for its cards' thumbnail: as a subquery of every card's row it cost a place page
    # 0.4 ms of CPU to compile. Each write of a photo sets it again (disclosures/figures.py);
    # `first_photo()` is the value from scratch. Written only by those updates (see `save`).
    first_photo = models.JSONField(null=True, blank=True, editable=False)

    objects = DisclosureQuerySet.as_manager()

    title = TranslatedField()
    description = TranslatedField()

    # The text typed in one language, whose language `language` holds.
    WRITTEN_FIELDS = (
        "recipient_name",
        "in_kind_description",
        "beneficiaries_description",
        "basis_reference",
        "cancel_reason",
        "withdrawal_reason",
    )
    # The texts whose other languages its company may add later (`services.add_translation`).
    TRANSLATABLE = WRITTEN_FIELDS

    # Fields whose change after publication is a correction, kept in the change log.
    TRACKED_FIELDS = (
        "project",
        "recipient_name",
        "recipient_role",
        "language",
        "title_kk",
        "title_ru",
        "title_en",
        "description_kk",
        "description_ru",
        "description_en",
        "category",
        "status",
        "due_date",
        "delivered_date",
        "cancel_reason",
        "amount",
        "currency",
        "value_form",
        "in_kind_description",
        "is_estimate",
        "basis",
        "basis_reference",
        "reporting_year",
        "beneficiaries_count",
        "beneficiaries_description",
        "funded_by",
        "hearing",
    )

    # The lifecycle, on three independent axes (see `core.lifecycle`):
    # - status: promised → in progress → delivered, or cancelled; delivered and cancelled are
    #   final (a mistake in a delivered date or a cancel reason is a correction, with a reason);
    # - publication: draft → published → withdrawn (withdrawn stays visible, marked);
    # - visibility: moderators hide a record for legal reasons and show it again, each with a
    #   reason.
    # The status is chosen freely when a record is created; after that only these steps move it.
    _OPEN = ("draft", "published")
    # Who may change a disclosure (`core.lifecycle.editable`): its organisation's members only.
    EDITORS = frozenset({MEMBER})
    TRANSITIONS = (
        Transition(
            "start", "status", (Status.PROMISED,), Status.IN_PROGRESS,
            frozenset({MEMBER}), _("Mark as started"), frozenset({DATE}),
            when={"publication": _OPEN},
        ),
        Transition(
            "deliver", "status", OPEN_STATUSES, Status.DELIVERED,
            frozenset({MEMBER}), _("Mark as delivered"), frozenset({DATE}),
            when={"publication": _OPEN},
        ),
        Transition(
            "cancel", "status", OPEN_STATUSES, Status.CANCELLED,
            frozenset({MEMBER}), _("Cancel the contribution"), frozenset({REASON}),
            when={"publication": _OPEN},
        ),
        Transition(
            "edit", "publication", ("draft",), "draft",
            EDITORS, _("Edit"),
        ),
        Transition(
            "edit", "publication", ("published",), "published",
            EDITORS, _("Correct"), frozenset({REASON}),
        ),
        Transition(
            "add_evidence", "publication", _OPEN, None,
            frozenset({MEMBER}), _("Add a photo or document"),
        ),
        Transition(
            "publish", "publication", ("draft",), "published",
            frozenset({MEMBER}), _("Publish"),
        ),
        Transition(
            "withdraw", "publication", ("published",), "withdrawn",
            frozenset({MEMBER}), _("Withdraw"), frozenset({REASON}),
        ),
        Transition(
            "hide", "visibility", ("visible",), "hidden",
            frozenset({STAFF}), _("Hide this disclosure"), frozenset({REASON}),
        ),
        Transition(
            "unhide", "visibility", ("hidden",), "visible",
            frozenset({STAFF}), _("Show this disclosure again"), frozenset({REASON}),
        ),
    )  # fmt: skip

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="disclosure_status_due"),
            # What residents see (`published()`), in its order: a list page's COUNT and its
            # page of keys read this index alone (2.6 ms and 14 ms on page 244 at scale 0.05,
            # instead of a scan and a sort of every row: 25 ms and 70 ms).
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                name="disclosure_published",
                condition=Q(published_at__isnull=False, hidden_at__isnull=True),
            ),
            # The timeline's order (`order_by_key_date`): a busy place's newest 30 without
            # sorting all its thousands of contributions.
            models.Index(
                Coalesce("delivered_date", "due_date", TruncDate("published_at")).desc(),
                F("id").desc(),
                name="disclosure_key_date",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="disclosure_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="disclosure_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(basis__in=Basis.values), name="disclosure_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(value_form__in=ValueForm.values), name="disclosure_value_form_valid"
            ),
            models.CheckConstraint(
                condition=Q(recipient_role__in=["", *RecipientRole.values]),
                name="disclosure_recipient_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="disclosure_currency_valid"
            ),
            models.CheckConstraint(
                condition=~Q(title_kk="", title_ru="", title_en=""), name="disclosure_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="disclosure_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="promised") | Q(due_date__isnull=False),
                name="disclosure_promise_has_due_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_date__isnull=False),
                name="disclosure_delivered_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="disclosure_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True)
                | (Q(published_at__isnull=False) & ~Q(withdrawal_reason="")),
                name="disclosure_withdrawn_published_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="disclosure_hidden_with_reason",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        """A record read before a word arrived saves every column but its kept counts (and its
        kept first photo), which only their receivers' `UPDATE`s write: else the old count came
        back."""
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            kept = {*VOICE_COUNTS, "first_photo", *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname not in kept
            ]
        super().save(**kwargs)

    def get_absolute_url(self):
        return reverse("disclosures:detail", kwargs={"pk": self.pk})

    def written_text(self):
        """The text typed in one language, for guessing its language when none was given."""
        return " ".join(getattr(self, name) for name in self.WRITTEN_FIELDS)

    def clean(self):
        # The one text rule of every write path (form, API, CSV import): see core/text.py.
        clean_text_fields(self)
        errors = {}
        if not (self.title_kk or self.title_ru or self.title_en):
            errors["title_ru"] = _("Give the title in at least one language.")
        if self.status == Status.PROMISED and not self.due_date:
            errors["due_date"] = _("A promise needs a due date.")
        if self.status == Status.DELIVERED and not self.delivered_date:
            errors["delivered_date"] = _("Give the date it was delivered.")
        if (
            self.status == Status.DELIVERED
            and self.delivered_date
            and self.delivered_date > today()
        ):
            errors["delivered_date"] = _("The delivery date cannot be in the future.")
        if self.status == Status.CANCELLED and not self.cancel_reason.strip():
            errors["cancel_reason"] = _("Say why it was cancelled.")
        if self.basis == Basis.OTHER and not self.basis_reference.strip():
            errors["basis_reference"] = _("Describe the basis or name the document.")
        if self.project_id and self.organisation_id and self.organisation.is_company:
            own_projects = Project.objects.of_organisations([self.organisation_id])
            if not own_projects.filter(pk=self.project_id).exists():
                errors["project"] = _("Choose one of your own company's projects.")
        if self.funded_by_id:
            if self.funded_by_id == self.pk:
                errors["funded_by"] = _("A disclosure cannot be funded from itself.")
            elif self.funded_by.organisation_id == self.organisation_id:
                errors["funded_by"] = _("Choose another organisation's contribution.")
            elif not self.funded_by.is_in_force():
                errors["funded_by"] = _("Choose a published contribution.")
            elif (
                self.organisation_id
                and not Disclosure.objects.fundable_by(self.organisation)
                .filter(pk=self.funded_by_id)
                .exists()
            ):
                errors["funded_by"] = _(
                    "Choose a company's payment into your akimat's budget, for places in "
                    "your jurisdiction."
                )
        if self.hearing_promise_id:
            promise = self.hearing_promise
            if self.organisation_id and promise.organisation_id != self.organisation_id:
                errors["hearing_promise"] = _("This promise was made by another organisation.")
            if self.hearing_id and self.hearing_id != promise.hearing_id:
                errors["hearing"] = _("The promise was made at another hearing.")
        if errors:
            raise ValidationError(errors)

    # --- The lifecycle (the table above) ---

    def lifecycle_state(self, axis):
        if axis == "status":
            return self.status
        if axis == "publication":
            if self.is_withdrawn():
                return "withdrawn"
            return "draft" if self.is_draft() else "published"
        return "hidden" if self.is_hidden() else "visible"

    def lifecycle_state_display(self, axis):
        if axis == "status":
            return self.get_status_display()
        return {
            "draft": _("draft"),
            "published": _("published"),
            "withdrawn": _("withdrawn"),
            "hidden": _("hidden"),
            "visible": _("visible"),
        }[self.lifecycle_state(axis)]

    def lifecycle_roles(self, user):
        """MEMBER for a member of the disclosing organisation, STAFF for moderators. Staff are
        never members (`Organisation.objects.of_user`): they cannot act in a company's name."""
        roles = set()
        if not user.is_authenticated:
            return roles
        if user.is_staff:
            roles.add(STAFF)
        if Organisation.objects.of_user(user).filter(pk=self.organisation_id).exists():
            roles.add(MEMBER)
        return roles

    def clear_fields_of_other_states(self):
        """A delivered date belongs to a delivered record, a cancel reason to a cancelled one:
        neither stays behind when the status says otherwise."""
        if self.status != Status.DELIVERED:
            self.delivered_date = None
        if self.status != Status.CANCELLED:
            self.cancel_reason = ""

    # --- Rules about one disclosure, each beside its queryset twin ---

    def is_published(self):
        """What residents may see (twin of `DisclosureQuerySet.published`, the one rule)."""
        return not self.is_draft() and not self.is_hidden()

    def is_in_force(self):
        """Published and not withdrawn (twin of `DisclosureQuerySet.in_force`)."""
        return self.is_published() and not self.is_withdrawn()

    def is_draft(self):
        return self.published_at is None

    def is_withdrawn(self):
        return self.withdrawn_at is not None

    def is_current(self):
        """Neither withdrawn nor cancelled (twin of `DisclosureQuerySet.current`): what counts
        in the figures; the others stay listed, greyed."""
        return not self.is_withdrawn() and self.status != Status.CANCELLED

    def is_hidden(self):
        return self.hidden_at is not None

    def is_overdue(self, on=None):
        """Twin of `DisclosureQuerySet.overdue` (`overdue_condition`)."""
        return (
            self.status in OPEN_STATUSES
            and self.due_date is not None
            and self.due_date < (on or today())
        )

    def get_status_display(self):
        return choice_label(Status, self.status)

    def get_category_display(self):
        return choice_label(Category, self.category)

    def display_status(self, on=None):
        """The status a resident sees on the day `on` (today): overdue and withdrawn override
        the recorded one."""
        if self.is_withdrawn():
            return "withdrawn", _("withdrawn")
        if self.is_overdue(on):
            return OVERDUE, bucket_label(OVERDUE)
        return self.status, self.get_status_display()

    def hearing_url(self):
        """The public hearing's page, when the hearing is published and has a page."""
        if not self.hearing_id or not self.hearing.is_published():
            return ""
        try:
            return self.hearing.get_absolute_url()
        except NoReverseMatch:  # the hearings pages are not mounted (yet)
            return ""

    @classmethod
    def hearing_reference(cls, hearing, language):
        """The basis reference of a promise made at `hearing`: its number and title in the
        promise's `language`, as long as the field holds."""
        with translation.override(language):
            return str(hearing)[: cls._meta.get_field("basis_reference").max_length]

    def basis_reference_shown(self):
        """Whether the page writes out the basis reference: not when it is only the
        `hearing_reference` of the hearing the page links, which the link names already."""
        if not self.basis_reference:
            return False
        if not self.hearing_url():
            return True
        return self.basis_reference != self.hearing_reference(self.hearing, self.language or None)

    def amount_display(self):
        return formats.money(self.amount, self.currency)

    def money_trail(self, funded=True):
        """Where this contribution's money went: public disclosures funded from it (none
        asked for when `funded` says there are none: `for_detail`'s `has_funded`).

        Returns (children, accounted, unaccounted, accounted_share in percent) with amounts in
        this disclosure's currency; children in another currency are listed but not summed.
        """
        children = []
        if funded:
            children = list(
                self.funded_disclosures.published()
                .select_related("organisation")
                .order_by("delivered_date", "pk")
            )
        # Withdrawn and cancelled ones are listed, marked, and account for nothing.
        accounted = sum(
            (
                c.amount
                for c in children
                if c.amount is not None and c.currency == self.currency and c.is_current()
            ),
            Decimal("0"),
        )
        if not self.amount:
            return children, accounted, None, None
        unaccounted = max(self.amount - accounted, Decimal("0"))
        share = min(Decimal("100"), (accounted / self.amount * 100).quantize(Decimal("1")))
        return children, accounted, unaccounted, share

    visibility_fields = ("published_at", "hidden_at")
    in_open_data = True

    def visible_to_residents(self):
        return self.is_published()

    def cache_scopes(self):
        """What a change of this record makes stale: its page, the places it concerns and
        those above them, its organisation, project and hearing, and the site-wide lists; nothing
        while it is a draft that was never public."""
        if not self.was_or_is_visible():
            return set()
        scopes = {SITE, record_scope(self), f"organisation:{self.organisation_id}"}
        if self.project_id:
            scopes.add(f"project:{self.project_id}")
        if self.hearing_id:
            scopes.add(f"hearing:{self.hearing_id}")
        # The records that name this one on their pages and change logs: what it funded, and
        # what funded it (a source hidden by moderators must leave those pages too).
        linked = self.funded_disclosures.values_list("pk", flat=True)
        scopes |= {f"disclosure:{pk}" for pk in linked}
        if self.funded_by_id:
            scopes.add(f"disclosure:{self.funded_by_id}")
        return scopes | place_scopes(*self.settlements.values_list("path", flat=True))


class StatusChangeQuerySet(models.QuerySet):
    def public(self):
        """Drafts are private forever: a record's public timeline starts at its publication,
        with the status it was published with (its last step recorded before) and every step
        since. Earlier draft-stage steps are shown only to its organisation and moderators."""
        published_with = (
            StatusChange.objects.filter(
                disclosure=OuterRef("disclosure"),
                recorded_at__lte=OuterRef("disclosure__published_at"),
            )
            .order_by("-recorded_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(disclosure__published_at__isnull=False).filter(
            Q(recorded_at__gt=F("disclosure__published_at")) | Q(pk=Subquery(published_with))
        )


class StatusChange(models.Model):
    """A dated step in a disclosure's timeline: promised → in progress → delivered or cancelled."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    note_language = language_field()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="status_change_status_valid"
            )
        ]

    def __str__(self):
        return f"{self.get_status_display()} {self.date}"

    def cache_scopes(self):
        """The record's scopes, once it is public."""
        return self.disclosure.cache_scopes() if self.disclosure.is_published() else set()


EXTRA_LABELS = {
    "photo": _("photo"),
    "document": _("document"),
    "alt_text": _("photo description"),
    "title": _("document title"),
    "answer": _("answer to a question"),
}


class RevisionQuerySet(models.QuerySet):
    def public(self):
        """Drafts are private forever: the public change log starts at publication; what a
        record said before is shown only to its organisation and moderators."""
        return self.filter(after_publication=True)


class Revision(ChangeLogEntry):
    """One logged event in a disclosure's life, with field-level old and new values.

    `changes` is a list of {"field", "old", "new"} holding codes, not words: choice values
    ("delivered"), "true"/"false", ISO dates, "1800000 KZT", "#<id>" for a linked record. They
    become words in the reader's language when the log is read (`change_rows`, shared with the
    projects' log in `core.changelog`), so a status changed on a Kazakh page reads in
    Russian on the Russian page. Free text (titles, reasons) is kept as typed; rows logged before
    codes were used are converted by a data migration where a value could be mapped back and
    otherwise shown as stored.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        PUBLISHED = "published", _("published")
        EDITED = "edited", _("corrected")
        STATUS = "status", _("status changed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        HIDDEN = "hidden", _("hidden by moderators")
        UNHIDDEN = "unhidden", _("shown again by moderators")
        EVIDENCE = "evidence", _("evidence added")
        TRANSLATED = "translated", _("translation added")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="revisions")
    action = models.CharField(_("what happened"), max_length=20, choices=Action.choices)
    # The disclosure's version after this step: a refused stale edit lists what changed since.
    version = models.PositiveIntegerField(null=True, blank=True)
    after_publication = models.BooleanField(default=False)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    action__in=[
                        "created",
                        "published",
                        "edited",
                        "status",
                        "withdrawn",
                        "hidden",
                        "unhidden",
                        "evidence",
                        "translated",
                    ]
                ),
                name="revision_action_valid",
            )
        ]

    logged_model = Disclosure
    extra_labels = EXTRA_LABELS
    money_fields = ("amount",)

    @classmethod
    def linked_records(cls, field_):
        if field_.name == "funded_by":
            return Disclosure.objects.select_related("organisation")
        return super().linked_records(field_)

    @classmethod
    def linked_name(cls, field_, record):
        """A funding source hidden by moderators later shows as hidden here too."""
        if field_.name == "funded_by":
            if record.is_hidden():
                return str(_("a contribution hidden by moderators"))
            return f"{record.title} ({record.organisation.name})"
        return super().linked_name(field_, record)

    def linked(self, field_, pk):
        """A funding source deleted since shows as hidden, as a hidden one does."""
        name = super().linked(field_, pk)
        if not name and field_.name == "funded_by":
            return str(_("a contribution hidden by moderators"))
        return name

    def cache_scopes(self):
        """A new row of a public record's change log shows on that record's pages."""
        return self.disclosure.cache_scopes() if self.disclosure.is_published() else set()


class Photo(models.Model):
    """A photo of the contribution, processed by `disclosures.images` (metadata stripped)."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="disclosures/photos/")
    thumbnail = models.ImageField(upload_to="disclosures/thumbs/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(
        _("what the photo shows"),
        max_length=300,
        help_text=_("Required: describe the photo for people who cannot see it."),
    )
    language = language_field()
    translations = versions_field()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    TRANSLATABLE = ("alt_text",)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.alt_text

    def thumbnail_size(self):
        return thumbnail_size(self.width, self.height)

    def cache_scopes(self):
        """The record's scopes, once it is public."""
        return self.disclosure.cache_scopes() if self.disclosure.is_published() else set()


class Document(models.Model):
    """Evidence as a PDF: an acceptance act, a contract, a memorandum."""

    class Kind(models.TextChoices):
        ACCEPTANCE_ACT = "acceptance_act", _("acceptance act")
        CONTRACT = "contract", _("contract or memorandum")
        PAYMENT = "payment", _("payment order")
        OTHER = "other", _("other document")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=255)
    language = language_field()
    translations = versions_field()
    file = models.FileField(_("PDF file"), upload_to="disclosures/documents/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    TRANSLATABLE = ("title",)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["acceptance_act", "contract", "payment", "other"]),
                name="document_kind_valid",
            )
        ]

    def __str__(self):
        return self.title

    def cache_scopes(self):
        """The record's scopes, once it is public."""
        return self.disclosure.cache_scopes() if self.disclosure.is_published() else set()


class Confirmation(models.Model):
    """The akimat's word: it confirms the contribution, or says it cannot confirm it and why."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        CANNOT_CONFIRM = "cannot_confirm", _("cannot confirm")

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="confirmations"
    )
    akimat = models.ForeignKey(
        Organisation,
        verbose_name=_("akimat"),
        on_delete=models.PROTECT,
        related_name="disclosure_confirmations",
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    date = models.DateField(_("date checked"))
    note = models.TextField(_("note"), blank=True)
    language = language_field()
    document = models.FileField(
        _("document (PDF)"), upload_to="disclosures/confirmations/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("akimat's confirmation")
        verbose_name_plural = _("akimat's confirmations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=["confirmed", "cannot_confirm"]),
                name="confirmation_verdict_valid",
            ),
            models.CheckConstraint(
                condition=Q(verdict="confirmed") | ~Q(note=""),
                name="confirmation_cannot_confirm_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.akimat} — {self.get_verdict_display()}"

    def counted_as(self):
        """The contribution's kept count this word is in (`CONFIRMATION_COUNTS`)."""
        return CONFIRMATION_COUNTS.get(self.verdict)

    def is_confirmed(self):
        return self.verdict == self.Verdict.CONFIRMED

    def cache_scopes(self):
        """The record's scopes, once it is public."""
        return self.disclosure.cache_scopes() if self.disclosure.is_published() else set()


class ResidentFeedbackQuerySet(ResidentInputQuerySet):
    def counts(self):
        """For each disclosure of these rows, {seen, disputed}: the approved ones of each kind;
        {rejected, pending}: what moderators turned down or have not read yet. One query, rows
        (not an aggregate) so that a page can prepare it (`core.models.prepared`)."""
        approved = Q(moderation_status=ResidentInput.Moderation.APPROVED)
        return (
            self.order_by()
            .values("disclosure")
            .annotate(
                seen=Count("pk", filter=approved & Q(kind=ResidentFeedback.Kind.SEEN)),
                disputed=Count("pk", filter=approved & Q(kind=ResidentFeedback.Kind.DISPUTED)),
                rejected=Count("pk", filter=Q(moderation_status=ResidentInput.Moderation.REJECTED)),
                pending=Count("pk", filter=Q(moderation_status=ResidentInput.Moderation.PENDING)),
            )
            .values("seen", "disputed", "rejected", "pending")
        )


class ResidentFeedback(ResidentInput):
    """A resident's "I saw this" or "this is not what was done", with an optional photo."""

    class Kind(models.TextChoices):
        SEEN = "seen", _("I saw this")
        DISPUTED = "disputed", _("this is not what was done")

    objects = ResidentFeedbackQuerySet.as_manager()

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(_("your word"), max_length=10, choices=Kind.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="disclosures/residents/", blank=True)
    thumbnail = models.ImageField(upload_to="disclosures/residents/thumbs/", blank=True)
    photo_alt = models.CharField(_("what the photo shows"), max_length=300, blank=True)
    language = language_field()

    class Meta:
        verbose_name = _("resident's word")
        verbose_name_plural = _("residents' word")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["seen", "disputed"]), name="feedback_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(moderation_status__in=["pending", "approved", "rejected"]),
                name="feedback_moderation_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.disclosure_id}"

    def is_dispute(self):
        return self.kind == self.Kind.DISPUTED

    def counted_as(self):
        """The contribution's kept count this word is in once approved (`FEEDBACK_COUNTS`);
        None while it waits for a moderator or was rejected."""
        return FEEDBACK_COUNTS.get(self.kind) if self.is_approved() else None

    def cache_scopes(self):
        """Nothing while it awaits moderation; once shown (or counted as rejected), the
        record's scopes."""
        if self.was_or_is_visible() and self.disclosure.is_published():
            return self.disclosure.cache_scopes()
        return set()


class Question(ResidentInput):
    """A resident's question to the disclosing organisation; the answer is public."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("your question"), max_length=2000)
    language = language_field()
    answer = models.TextField(_("answer"), blank=True)
    answer_language = language_field(_("answer written in"))
    translations = versions_field()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The organisation may add its answer in the other languages; the question is the resident's.
    TRANSLATABLE = ("answer",)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(moderation_status__in=["pending", "approved", "rejected"]),
                name="question_moderation_valid",
            ),
        ]

    def __str__(self):
        return self.text[:60]

    def is_answered(self):
        return self.answered_at is not None

    def cache_scopes(self):
        """Nothing while it awaits moderation; once shown (or counted as rejected), the
        record's scopes."""
        if self.was_or_is_visible() and self.disclosure.is_published():
            return self.disclosure.cache_scopes()
        return set()


class AnswerCorrection(models.Model):
    """A published answer to a question, replaced: the earlier text, the reason, who and when.

    Shown publicly under the answer, like a disclosure's change log.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="corrections")
    old_answer = models.TextField(_("earlier answer"))
    reason = models.CharField(_("reason for the correction"), max_length=500)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(_("corrected"), auto_now_add=True)

    class Meta:
        verbose_name = _("correction of an answer")
        verbose_name_plural = _("corrections of answers")
        ordering = ["corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="question_answer_correction_has_reason"
            )
        ]

    def __str__(self):
        return f"{self.question_id} {self.corrected_at:%Y-%m-%d}"


class ApiCreation(models.Model):
    """A disclosure created through the API under an idempotency key.

    A client that retries a create (a timeout, a lost answer) sends the same `Idempotency-Key`
    and gets the disclosure made the first time instead of a duplicate; the same key with a
    different body is refused.
    """

    token = models.ForeignKey(
        "projects.ApiToken", on_delete=models.CASCADE, related_name="creations"
    )
    key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="api_creations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure created through the API")
        verbose_name_plural = _("disclosures created through the API")
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_creation_key_unique")
        ]

    def __str__(self):
        return f"{self.key} → {self.disclosure_id}"


class ListedPlace(models.Model):
    """A place whose page lists a contribution: each settlement it names and every place above
    one, with its publication time, so that a district's newest contributions are a walk of
    its own rows in date order (`DisclosureQuerySet.newest_for`) rather than a check of the
    country's newest contributions against the district's villages (a district with none
    under it read all 250,000 of them: 5 s).

    Only what residents may see (`published`): a draft or a hidden contribution has no rows,
    a withdrawn one keeps them (it stays listed, marked). Kept by disclosures/listed.py."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Read by the disclosure through the unique index, which leads with it.
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="listed", db_index=False
    )
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "place"], name="listed_place_unique")
        ]
        indexes = [
            models.Index(fields=["place", "published_at", "disclosure"], name="listed_place_date")
        ]

    def __str__(self):
        return f"{self.place_id} {self.disclosure_id}"


class PlaceFiguresQuerySet(models.QuerySet):
    """Reads of the places' headline figures (`PlaceFigures`): each a short indexed query on
    the rows of the places asked about, whatever the number of contributions under them."""

    def summary(self, place):
        """`DisclosureQuerySet.summary()` of `published().for_place(place)`, from its rows."""
        rows = place_sums(place=place.pk, today=today())
        return figures_from_rows(
            [
                row
                | {"bucket": row["sum_bucket"], "value": row["value"] if row["valued"] else None}
                for row in rows
            ]
        )

    def by_settlement(self, place):
        """Per settlement within `place`, counting the contributions in force that name it,
        busiest first: {place_id: {"total", "delivered", "in_progress", "promised", "overdue"}}
        (the sums of `summary`, disjoint; the total with cancelled ones), for the table of
        villages: the settlements' rows are one range of the figures' index (their `path`), and
        the page reads the few villages it shows (grouping by the joined villages' columns
        cost twice the query)."""
        rows = figures_by_settlement(path=place.path, today=today())
        return {row.pop("place_id"): row for row in rows}

    def in_force_counts(self, place_ids):
        """{place_id: how many contributions in force concern a settlement within it}, for the
        place search (places with none are absent)."""
        rows = in_force_totals().filter(place_id__any=list(place_ids))
        return {row["place_id"]: row["total"] for row in rows}


@kept_queryset
def in_force_totals():
    """Each place's count of contributions in force, for `in_force_counts` to filter by place
    (kept: building the grouped query was a fifth of its cost in Python, 0.25 of 1.25 ms)."""
    return (
        PlaceFigures.objects.exclude(status="withdrawn")
        .values("place_id")
        .annotate(total=Sum("n"))
        .filter(total__gt=0)
        .order_by()
    )


@prepared
def figures_by_settlement():
    """The figures of the settlements under the place of `path` on the day `today`, busiest
    first (`by_settlement`; prepared, like `place_sums`)."""
    late = overdue_condition(Slot("today"))
    return (
        PlaceFigures.objects.filter(direct=True, path__startswith=Slot("path"))
        .exclude(status="withdrawn")
        .values("place_id")
        .annotate(
            total=Sum("n"),
            delivered=Sum("n", filter=Q(status=Status.DELIVERED), default=0),
            in_progress=Sum("n", filter=Q(status=Status.IN_PROGRESS) & ~late, default=0),
            promised=Sum("n", filter=Q(status=Status.PROMISED) & ~late, default=0),
            overdue=Sum("n", filter=late, default=0),
        )
        .filter(total__gt=0)
        .order_by("-total", "place_id")
    )


@prepared
def place_sums():
    """The figures of the place `place` grouped by sum on the day `today` (an open promise due
    before it is overdue), for `PlaceFiguresQuerySet.summary`: built and compiled once
    (`core.models.prepared`), as building its annotations was half of the summary's cost."""
    bucket = Case(
        When(overdue_condition(Slot("today")), then=Value("overdue")), default=F("status")
    )
    return (
        PlaceFigures.objects.filter(place=Slot("place"))
        .annotate(sum_bucket=bucket)
        .values("sum_bucket", "currency", "inside")
        .annotate(
            n=Sum("n"),
            valued=Sum("valued"),
            value=Sum("value"),
            estimates=Sum("estimates"),
            confirmed=Sum("confirmed"),
            disputed=Sum("disputed"),
        )
        .filter(n__gt=0)
        .order_by()
    )


class PlaceFigures(models.Model):
    """The headline figures of each place, kept as it changes (disclosures/figures.py).

    A published, not hidden contribution counts once in every place in or above its
    settlements, in the row of its sum: its `status` ("withdrawn" once withdrawn), currency,
    whether it was paid out of a payment counted in the same place (`inside`, see
    `DisclosureQuerySet.summary`) and, for an open promise, its due date — overdue is read
    against today's date, by `overdue_condition`. A write adds rows of differences (never
    updating a shared row, so no writer waits on another); `rebuild_place_figures` sums them up
    from the records again.
    `direct` rows are those of the settlements the contribution names (the table of villages).
    `path` is the place's, kept with it (disclosures/figures.py sums the rows of a moved place
    again): a region's table of villages is one range of an index.
    """

    # Indexed by `place_figures_place`, which leads with it.
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+", db_index=False)
    path = models.CharField(max_length=100)
    direct = models.BooleanField()
    status = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    inside = models.BooleanField()
    due_date = models.DateField(null=True)
    n = models.IntegerField()
    valued = models.IntegerField()
    value = models.DecimalField(max_digits=24, decimal_places=2)
    estimates = models.IntegerField()
    confirmed = models.IntegerField()
    disputed = models.IntegerField()

    objects = PlaceFiguresQuerySet.as_manager()

    class Meta:
        indexes = [
            # A place's rows (`summary`), and the search's counts (`in_force_counts`) from this
            # index alone: `n` a key, not INCLUDEd, so that equal keys are deduplicated (3.2 MB
            # at country scale; 13 MB with INCLUDE). Without it, the search's 400 places were a
            # parallel bitmap scan of the table, 12–20 ms, against 1.5 ms (EXPLAIN, scale 1).
            models.Index(fields=["place", "status", "n"], name="place_figures_place"),
            # The table of villages (`by_settlement`) reads a region's rows from this index
            # alone, as one range of paths: not a probe per place under it, nor a scan of the
            # country's rows (110 ms for West Kazakhstan's 674 villages).
            models.Index(
                fields=["path", "place", "status", "due_date", "n"],
                opclasses=[
                    "varchar_pattern_ops",
                    "int8_ops",
                    "varchar_ops",
                    "date_ops",
                    "int4_ops",
                ],
                condition=models.Q(direct=True),
                name="place_figures_villages",
            ),
        ]

    def __str__(self):
        return f"{self.place_id} {self.status} {self.currency} {self.n}"
