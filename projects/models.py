"""Places of Kazakhstan, the organisations that act in them, and investment projects.

This app is the foundation: `disclosures` and `hearings` point at its models; it imports neither.
"""

import datetime
import functools
from collections import namedtuple
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat, Substr
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.caching import SITE, invalidate_everything, place_scopes, record_scope
from core.changelog import ChangeRows
from core.lifecycle import MEMBER, STAFF, Editable, editable
from core.metadata import path_template
from core.models import Compiled, prepared
from core.search import fold, fold_query, one_typo_pattern, search_key
from core.translation import (
    PlaceNameField,
    TranslatedField,
    choice_label,
    language_field,
    page_language,
    translated_columns,
    translated_expression,
    translated_place_name,
)
from core.validators import validate_bin, validate_kato_code


class Currency(models.TextChoices):
    KZT = "KZT", _("tenge (KZT)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("euro (EUR)")
    CNY = "CNY", _("yuan (CNY)")
    RUB = "RUB", _("rouble (RUB)")


class Country(models.TextChoices):
    """Countries whose companies invest in Kazakhstan most often, by ISO 3166 code."""

    KZ = "KZ", _("Kazakhstan")
    CN = "CN", _("China")
    RU = "RU", _("Russia")
    NL = "NL", _("Netherlands")
    US = "US", _("United States")
    GB = "GB", _("United Kingdom")
    CH = "CH", _("Switzerland")
    FR = "FR", _("France")
    DE = "DE", _("Germany")
    IT = "IT", _("Italy")
    KR = "KR", _("South Korea")
    JP = "JP", _("Japan")
    TR = "TR", _("Türkiye")
    AE = "AE", _("United Arab Emirates")
    UZ = "UZ", _("Uzbekistan")
    OTHER = "ZZ", _("other country")


# --- Places -----------------------------------------------------------------------------------

# Places were made or moved (`paths`: their paths, the old ones of moved places too; None after
# an import of the classifier, whose bulk writes send no model signal): for what other apps keep
# per place and its ancestors (hearings/concerned.py, disclosures/listed.py).
places_changed = Signal()


def path_scopes(path):
    """The cache scopes of the page of the place at `path`: the place (bumped by anything in or
    under it) and every area it lies in (things that concern a whole area, like a district's
    hearing)."""
    codes = [code for code in path.split("/") if code]
    return [f"place:{codes[-1]}", *(f"area:{code}" for code in codes)]


def rewrite_rows(model, key, ids, rows, batch=2000):
    """Delete the rows of `model` kept for the records `ids` (their column `key`; every row
    when `ids` is None: then the records' ids come from `key`'s model) and write `rows(chunk)`
    for each chunk of the records again; returns how many rows were written. For the tables
    kept per place (hearings/concerned.py, disclosures/listed.py)."""
    if ids is None:
        model.objects.all().delete()
        records = model._meta.get_field(key).related_model.objects.order_by("pk")
        ids = list(records.values_list("pk", flat=True))
    else:
        ids = sorted(ids)
        model.objects.filter(**{f"{key}__in": ids}).delete()
    return sum(
        len(model.objects.bulk_create(rows(ids[start : start + batch])))
        for start in range(0, len(ids), batch)
    )


def rows_following_places(rebuild, related_name):
    """An `m2m_changed` receiver for records' places (a hearing's territory, a contribution's
    settlements) of which another table keeps rows per place: `rebuild(record_ids)` after any
    change, from the record's side or the place's (`place.<related_name>`, read before a
    clear)."""

    def changed(sender, instance, action, reverse, pk_set, **kwargs):
        if not reverse:
            if action.startswith("post_"):
                rebuild({instance.pk})
        elif action == "pre_clear":
            instance._records_before = set(
                getattr(instance, related_name).values_list("pk", flat=True)
            )
        elif action == "post_clear":
            rebuild(instance.__dict__.pop("_records_before", set()))
        elif action.startswith("post_"):
            rebuild(pk_set or set())

    return changed


PlaceLink = namedtuple("PlaceLink", "name url")


# A few entries: each language's region and district options, and the rows they had before a
# place changed, which age out.
@functools.lru_cache(maxsize=8)
def _choices_by_level(language, rows):
    """`area_choices` of `rows` read in `language`, worked out once: the 250
    labels (each name's fallback and KATO abbreviations spelled out) were about 0.6 ms of CPU
    on every uncached list page, for rows that change only when a place does. Keyed by the
    rows themselves, so a renamed, added or moved place is seen at once, in every process."""
    by_level = {}
    for row in rows:
        name = translated_place_name(row, "name", language)
        by_level.setdefault(row.level, []).append((row.kato_code, Place.label(name, row.kato_code)))
    return by_level


@functools.cache
def _has_children():
    """`line`'s `has_children`, compiled once (`core.models.Compiled`): compiled on each request,
    it was a quarter of the line's CPU, which every place page asks, kept or not."""
    return Compiled(Place, Exists(Place.objects.filter(parent=OuterRef("pk"))))


@prepared
def _areas_by_name():
    areas = Place.objects.filter(level__in=[Place.Level.REGION, Place.Level.DISTRICT])
    return areas.order_by_name().choice_rows()


def area_choices():
    """{level: [(KATO code, `str(place)`), ...]} of every region and district, by name in the
    page's language, for the lists' selects, in one query (a query for each level cost about 2
    ms more), prepared once (`core.models.prepared`: building and compiling it cost three times
    running it). The rows are read each time; their labels are worked out once a process for
    the same rows in the same language (`_choices_by_level`)."""
    return _choices_by_level(page_language(), tuple(_areas_by_name()))


def place_links(rows):
    """(name, url) of each place of `rows` (`PlaceQuerySet.link_columns`), from plain rows: a
    list of the places within a region without a model instance and a `reverse()` (65 µs)
    for each."""
    language, url = page_language(), path_template("portal:place_detail", "slug")
    return [
        PlaceLink(translated_place_name(row, "name", language), url.format(row.slug))
        for row in rows
    ]


class PlaceQuerySet(models.QuerySet):
    def page_scopes(self, **lookup):
        """The cache scopes of the page of the place found by `lookup` (`Place.page_scopes`);
        the site-wide scope when there is no such place."""
        path = self.filter(**lookup).values_list("path", flat=True).first()
        return [SITE] if path is None else path_scopes(path)

    def line(self, slug):
        """The place of `slug` last, after the places above it (region first), in one query by
        the codes of its path; none when no place has that slug. Each says whether any place
        lies under it (`has_children`), so a village with none asks for no list of them."""
        path = self.filter(slug=slug).order_by().values("path")
        return (
            self.filter(kato_code__part_of=Subquery(path))
            .annotate(has_children=_has_children())
            .order_by("depth")
        )

    def within(self, place):
        """`place` and everything under it (its jurisdiction), in one indexed prefix match."""
        return self.filter(path__startswith=place.path)

    def settlements(self):
        return self.filter(level=Place.Level.SETTLEMENT)

    def populated(self):
        """Villages, towns and cities: what people mean by 'my village'."""
        return self.filter(kind__in=Place.POPULATED_KINDS)

    def order_by_name(self):
        return self.annotate(display_name=translated_expression("name")).order_by(
            "display_name", "kato_code"
        )

    def choice_rows(self):
        """The rows `area_choices` labels: plain rows, as model instances for the lists' 250
        regions and districts cost more than the rest of an uncached list page's filter form
        (docs/performance.md)."""
        names = [f"name_{code}" for code, _name in settings.LANGUAGES]
        return self.values_list("level", "kato_code", *names, named=True)

    def link_columns(self, *columns):
        """The rows of `columns` with each place's slug and names, for `place_links`."""
        return self.values_list(*columns, "slug", *translated_columns("name"), named=True)

    def link_rows(self, *columns):
        """(row, link) of each of these places: the row of `columns` (with its slug and names)
        and its `place_links` link, in the same one query."""
        rows = list(self.link_columns(*columns))
        return list(zip(rows, place_links(rows), strict=True))

    def attach_ancestors(self, places):
        """Set `place.ancestor_list` (region first) on each place, in one query for them all."""
        places = list(places)
        codes = {code for place in places for code in place.path_codes[:-1]}
        by_code = {p.kato_code: p for p in Place.objects.filter(kato_code__in=codes)}
        for place in places:
            place.ancestor_list = [by_code[c] for c in place.path_codes[:-1] if c in by_code]
        return places

    def by_path(self, paths):
        """The places of `paths`, in their order, each with its `ancestor_list` (region first),
        read with their ancestors in one query: a place is the last code of its path."""
        codes = [[code for code in path.split("/") if code] for path in paths]
        # Unordered: the paths give the order, and an ordered query of all a place's columns
        # took a fifth longer to compile.
        read = self.filter(kato_code__in={code for path in codes for code in path}).order_by()
        by_code = {place.kato_code: place for place in read}
        places = []
        for *above, own in codes:
            place = by_code[own]
            place.ancestor_list = [by_code[code] for code in above if code in by_code]
            places.append(place)
        return places

    def named(self, name):
        """Places called exactly `name` in one of their languages, in any usual spelling."""
        folded = fold(name)
        return self.filter(search_key__contains=f"|{folded}|") if folded else self.none()

    def named_any(self, names):
        """Places called exactly one of `names`, in one query (see `named`)."""
        folded = {fold(name) for name in names} - {""}
        if not folded:
            return self.none()
        condition = Q()
        for key in folded:
            condition |= Q(search_key__contains=f"|{key}|")
        return self.filter(condition)

    def search(self, query, forgive=True):
        """Places whose name matches `query` in any language and spelling, best first.

        Words naming the kind of place ("село Нура", "Жанатас ауылы", "г. Жанатас") are left
        out, and when nothing matches, a whole name one typo away is found ("Ильчевка"), unless
        `forgive` is false (a caller that reads the matches anyway and asks again only when
        there are none saves the query that checks for them).
        A 9-digit KATO code finds its place. Otherwise exact names rank above name prefixes above
        other matches; then villages and towns above administrative units above wintering places,
        stations and sidings; then shallower places (a district above a village of the same name).
        """
        query = (query or "").strip()
        if query.isdigit() and len(query) == 9:
            return self.filter(kato_code=query)
        folded = fold_query(query)
        if len(folded) < 2:
            return self.none()
        pattern = one_typo_pattern(folded) if forgive else None
        if pattern and not self.filter(search_key__contains=folded).exists():
            # Nothing as typed: forgive one typo in a whole name ("Ильчевка").
            return self.filter(search_key__regex=pattern).order_by(
                "prominence", "depth", "kato_code"
            )
        match = Case(
            When(search_key__contains=f"|{folded}|", then=Value(0)),
            When(search_key__contains=f"|{folded}", then=Value(1)),
            When(search_key__contains=f" {folded}", then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        return (
            self.filter(search_key__contains=folded)
            .annotate(match_rank=match)
            .order_by("match_rank", "prominence", "depth", "kato_code")
        )


class Place(models.Model):
    """One unit of the KATO classifier: a region, district, rural district or settlement.

    KATO (the classifier of administrative-territorial objects) gives every unit a 9-digit code
    whose segments are hierarchical: 59 0000000 is North Kazakhstan Region, 596 000000 Taiynsha
    district, 596036 000 Amandyk rural district, 596036 500 the village of Ilyichevka. Small
    settlements can hang under a larger village (code ending in other than 00 under the ...H00
    village), so a settlement's parent may be another settlement.

    `path` stores the codes from the region down to the place ("/590000000/.../596036500/"): the
    ancestors are one `kato_code__in` query and the descendants (a jurisdiction) one prefix match.
    """

    class Level(models.TextChoices):
        REGION = "region", _("region")
        DISTRICT = "district", _("district")
        RURAL_DISTRICT = "rural_district", _("rural district")
        SETTLEMENT = "settlement", _("settlement")

    class Kind(models.TextChoices):
        REGION = "region", _("region")
        REPUBLICAN_CITY = "city_of_republican_significance", _("city of republican significance")
        DISTRICT = "district", _("district")
        CITY_ADMINISTRATION = "city_administration", _("city administration")
        CITY_DISTRICT = "city_district", _("city district")
        CITY_DISTRICT_ADMINISTRATION = (
            "city_district_administration",
            _("city district administration"),
        )
        RURAL_OKRUG = "rural_okrug", _("rural district")
        VILLAGE_ADMINISTRATION = "village_administration", _("village administration")
        SETTLEMENT_ADMINISTRATION = "settlement_administration", _("settlement administration")
        TOWN_ADMINISTRATION = "town_administration", _("town administration")
        CITY = "city", _("town")
        URBAN_SETTLEMENT = "urban_settlement", _("urban settlement")
        VILLAGE = "village", _("village")
        WINTERING_PLACE = "wintering_place", _("wintering place")
        SITE = "site", _("site")
        RAILWAY_STATION = "railway_station", _("railway station")
        RAILWAY_SIDING = "railway_siding", _("railway siding")
        SEASONAL_PASTURE = "seasonal_pasture", _("seasonal pasture")
        OTHER = "other", _("other settlement")

    POPULATED_KINDS = (Kind.VILLAGE, Kind.CITY, Kind.URBAN_SETTLEMENT, Kind.REPUBLICAN_CITY)
    ADMINISTRATIVE_LEVELS = (Level.REGION, Level.DISTRICT, Level.RURAL_DISTRICT)

    class Prominence(models.IntegerChoices):
        """Search order: villages and towns first, wintering places and sidings last."""

        POPULATED = 0, _("village or town")
        ADMINISTRATIVE = 1, _("administrative unit")
        MINOR = 2, _("minor settlement")

    kato_code = models.CharField(
        _("KATO code"), max_length=9, unique=True, validators=[validate_kato_code]
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices, blank=True)
    name_kk = models.CharField(_("name in Kazakh"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(
        _("address"),
        max_length=140,
        unique=True,
        help_text=_("Part of the page address; set once so that links keep working."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    path = models.CharField(max_length=100, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    prominence = models.PositiveSmallIntegerField(
        choices=Prominence.choices, default=Prominence.POPULATED, editable=False
    )
    search_key = models.TextField(editable=False, blank=True)
    kato_edition = models.CharField(_("KATO edition"), max_length=60, blank=True)

    objects = PlaceQuerySet.as_manager()

    name = PlaceNameField()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["kato_code"]
        indexes = [
            models.Index(
                fields=["path"], name="place_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "prominence"], name="place_level_prominence"),
            # The search's `search_key LIKE '%…%'` (`PlaceQuerySet.search`) by trigrams, not a
            # scan of every place: 0.6 ms instead of 56 at scale 0.05 (docs/performance.md).
            GinIndex(
                fields=["search_key"], name="place_search_trigrams", opclasses=["gin_trgm_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["region", "district", "rural_district", "settlement"]),
                name="place_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(kato_code__regex=r"^[0-9]{9}$"), name="place_kato_code_9_digits"
            ),
        ]

    def __str__(self):
        return self.label(self.name, self.kato_code)

    def save(self, *args, **kwargs):
        """Compute `path`, `depth` and `search_key` from the parent and the names, so that no
        write (the admin included) leaves them stale; when the path changes (a new parent or a
        new code) the places under it follow, and every cached page goes stale."""
        old_path = None
        if self.pk:
            old_path = Place.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        parent_path = self.parent.path if self.parent_id else "/"
        if old_path and parent_path.startswith(old_path):
            raise ValueError("a place cannot be part of itself")
        self.path = f"{parent_path}{self.kato_code}/"
        self.depth = self.path.count("/") - 2
        self.search_key = search_key(self.name_kk, self.name_ru, self.name_en)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "path", "depth", "search_key"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                Place.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + (self.depth - (old_path.count("/") - 2)),
                )
                invalidate_everything()
            if old_path != self.path:
                places_changed.send(Place, paths=[p for p in (old_path, self.path) if p])

    def get_absolute_url(self):
        return reverse("portal:place_detail", kwargs={"slug": self.slug})

    @staticmethod
    def label(name, kato_code):
        """How a list or a select names a place: "Нура ауданы (354000000)"."""
        return f"{name} ({kato_code})"

    def get_level_display(self):
        return choice_label(self.Level, self.level)

    def get_kind_display(self):
        return choice_label(self.Kind, self.kind)

    def clean(self):
        if self.parent_id and self.pk:
            parent_path = Place.objects.filter(pk=self.parent_id).values_list("path", flat=True)
            own_path = Place.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            if own_path and (parent_path.first() or "").startswith(own_path):
                raise ValidationError({"parent": _("A place cannot be part of itself.")})

    @staticmethod
    def make_slug(name_en, name_ru, kato_code):
        base = slugify(name_en) or slugify(fold(name_ru))
        return f"{base[:120]}-{kato_code}" if base else kato_code

    def picker_label(self):
        """ "Name — rural district, district, region (КАТО code)", for pickers and for errors
        that list candidates; call `Place.objects.attach_ancestors` first."""
        within = ", ".join(str(a.name) for a in reversed(getattr(self, "ancestor_list", [])))
        values = {"name": self.name, "within": within, "code": self.kato_code}
        if within:
            return str(_("%(name)s — %(within)s (KATO %(code)s)") % values)
        return str(_("%(name)s (KATO %(code)s)") % values)

    @property
    def path_codes(self):
        return [code for code in self.path.split("/") if code]

    def within_ids(self):
        """Primary keys of this place and every place under it, read once per instance.

        Queries over a place's contributions filter on these as constants rather than on a
        path join: with constants PostgreSQL's statistics see that one village has thousands of
        contributions and another a handful, and choose a plan fit for each.
        """
        if not hasattr(self, "_within_ids"):
            self._within_ids = list(Place.objects.within(self).values_list("pk", flat=True))
        return self._within_ids

    def ancestors(self):
        """Region first, parent last; one query."""
        return Place.objects.filter(kato_code__in=self.path_codes[:-1]).order_by("depth")

    def page_scopes(self):
        """The cache scopes of this place's page (`path_scopes`)."""
        return path_scopes(self.path)

    def descendants(self):
        return Place.objects.filter(path__startswith=self.path).exclude(pk=self.pk)

    def contains(self, place):
        return place.path.startswith(self.path)

    def is_populated(self):
        return self.kind in self.POPULATED_KINDS

    def coordinates(self, ancestors=None):
        """(latitude, longitude, own) — the place's own point or its nearest ancestor's.

        Only about 2% of settlements have a point in the classifier; a district's point is an
        interior point of its area, not its centre, so `own` says which one this is.
        """
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude, True
        for ancestor in reversed(list(ancestors if ancestors is not None else self.ancestors())):
            if ancestor.latitude is not None and ancestor.longitude is not None:
                return ancestor.latitude, ancestor.longitude, False
        return None

    def cache_scopes(self):
        """A place's name and code show on its page, the pages above it (their villages) and
        below it (breadcrumbs), and in site-wide lists and search."""
        return {SITE, *place_scopes(self.path), f"area:{self.kato_code}"}


# --- Organisations and people ------------------------------------------------------------------


class OrganisationQuerySet(models.QuerySet):
    def companies(self):
        return self.filter(kind=Organisation.Kind.COMPANY)

    def initiators(self):
        """Who may initiate a public hearing: companies and state bodies."""
        return self.filter(kind__in=Organisation.INITIATOR_KINDS)

    def akimats(self):
        return self.filter(kind=Organisation.Kind.AKIMAT)

    def of_user(self, user):
        """Organisations the user is a member of and so may act for.

        Never any for staff: a moderator does not act in a company's or an akimat's name, even
        with a membership row made around the rules (e.g. in the admin).
        """
        if not user.is_authenticated or user.is_staff:
            return self.none()
        return self.filter(memberships__user=user)

    def administered_by(self, user):
        """Organisations whose members this user may manage: those they administer (not staff:
        a moderator who could add members could add themselves or a stand-in)."""
        if not user.is_authenticated or user.is_staff:
            return self.none()
        return self.filter(memberships__user=user, memberships__role=Membership.Role.ADMINISTRATOR)

    def covering(self, path):
        """Akimats whose jurisdiction includes the place of `path`: the akimats of the places
        its KATO path names (it and the places above it)."""
        return self.akimats().filter(place__kato_code__part_of=path)

    def order_by_name(self):
        return self.annotate(display_name=translated_expression("name")).order_by(
            "display_name", "pk"
        )


@functools.cache
def organisation_name(outer, key, language):
    """The name in `language`, as `Organisation.name` reads it, of the organisation that the
    `key` column of `outer`'s rows names, read with the row by key and compiled once per
    language (`Compiled`): joining the organisation for cards cost a village's two hearing lists
    0.4 ms of CPU and its 20 contribution cards 0.3 ms, to compile and build."""
    name = translated_expression("name", language)
    organisation = Organisation.objects.filter(pk=OuterRef(key)).values(name=name)
    return Compiled(outer, Subquery(organisation))


class Organisation(models.Model):
    """A company (an investor or operator) or an akimat (a local executive body).

    One table for both, so that memberships, disclosures and hearings point at one kind of thing;
    the fields that only make sense for one kind are required for it by constraints.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        AKIMAT = "akimat", _("akimat")
        # An akimat's department or another state institution (e.g. КГУ «Управление природных
        # ресурсов … акимата Жамбылской области»): it may initiate a hearing, with its BIN.
        STATE_BODY = "state_body", _("state body or institution")

    # Who may initiate a public hearing: the portal's records name state bodies as often as
    # companies (legal-sources, §6.1, Q7).
    INITIATOR_KINDS = (Kind.COMPANY, Kind.STATE_BODY)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_kk = models.CharField(_("name in Kazakh"), max_length=255, blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=255, blank=True)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    slug = models.SlugField(_("address"), max_length=140, unique=True)
    bin = models.CharField(
        _("BIN"),
        max_length=12,
        blank=True,
        validators=[validate_bin],
        help_text=_("Business identification number: 12 digits, the last a check digit."),
    )
    country = models.CharField(
        _("country of registration"),
        max_length=2,
        choices=Country.choices,
        default=Country.KZ,
    )
    owner_countries = models.CharField(
        _("countries of the main owners and investors"),
        max_length=80,
        blank=True,
        help_text=_("Two-letter country codes separated by commas, e.g. CN, KZ."),
    )
    place = models.ForeignKey(
        Place,
        verbose_name=_("governed place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="akimats",
        help_text=_("For an akimat: the region, district, rural district or town it governs."),
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("public e-mail"), blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True)
    description_kk = models.TextField(_("description in Kazakh"), blank=True)
    description_ru = models.TextField(_("description in Russian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    name = TranslatedField()
    description = TranslatedField()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["company", "akimat", "state_body"]),
                name="organisation_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="akimat", place__isnull=False)
                | Q(kind__in=["company", "state_body"], place__isnull=True),
                name="organisation_akimat_has_place",
            ),
            models.CheckConstraint(
                condition=~Q(name_kk="", name_ru="", name_en=""),
                name="organisation_has_a_name",
            ),
            models.UniqueConstraint(
                fields=["bin"], condition=~Q(bin=""), name="organisation_bin_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:organisation_detail", kwargs={"slug": self.slug})

    def clean(self):
        if not (self.name_kk or self.name_ru or self.name_en):
            raise ValidationError(_("Give the name in at least one language."))
        if self.kind == self.Kind.AKIMAT and not self.place_id:
            raise ValidationError({"place": _("An akimat governs a place: choose it.")})
        if self.kind in self.INITIATOR_KINDS:
            if self.place_id:
                raise ValidationError({"place": _("Only an akimat governs a place.")})
            if not self.bin:
                raise ValidationError({"bin": _("A company or a state body needs its BIN.")})
        self.owner_countries = ",".join(self.owner_country_codes())
        unknown = set(self.owner_country_codes()) - set(Country.values)
        if unknown:
            raise ValidationError(
                {"owner_countries": _("Unknown country codes: %s") % ", ".join(sorted(unknown))}
            )

    @property
    def is_company(self):
        return self.kind == self.Kind.COMPANY

    @property
    def is_akimat(self):
        return self.kind == self.Kind.AKIMAT

    def owner_country_codes(self):
        codes = [code.strip().upper() for code in (self.owner_countries or "").split(",")]
        return [code for code in dict.fromkeys(codes) if code]

    def owner_country_labels(self):
        labels = dict(Country.choices)
        return [labels.get(code, code) for code in self.owner_country_codes()]

    def covers(self, place):
        """Whether `place` is in this akimat's jurisdiction."""
        return self.is_akimat and place.path.startswith(self.place.path)

    def cache_scopes(self):
        """Its page and the site-wide lists; an akimat shows on every place it covers."""
        scopes = {SITE, record_scope(self)}
        if self.place_id:
            scopes.add(f"area:{self.place.kato_code}")
        return scopes


class Membership(models.Model):
    """A user's role in an organisation. Editors publish; administrators also manage members."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("editor")
        ADMINISTRATOR = "administrator", _("administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["editor", "administrator"]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def clean(self):
        if self.user_id and self.user.is_staff:
            raise ValidationError(
                {"user": _("Moderators cannot join an organisation or act in its name.")}
            )


# --- API tokens ------------------------------------------------------------------------------


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        """Tokens that authenticate: not revoked and not expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A key for a company's software to write through the API, in one organisation's name.

    An administrator of the organisation creates it on the site. The key is shown once; only its
    SHA-256 is stored (the key is 256 random bits, so a plain hash is enough), with the first
    characters kept to tell keys apart. Every write made with it is logged as its creator's, and
    it stops working when revoked, when it expires, or when its creator is no longer an
    administrator of the organisation.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the accounting system's export."),
    )
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


# --- Projects ----------------------------------------------------------------------------------


class ProjectQuerySet(models.QuerySet):
    def editable_by(self, user):
        """Projects this user may edit: their companies' own, or all for staff
        (`core.lifecycle.editable`)."""
        return editable(self, user, self.filter(operator__in=Organisation.objects.of_user(user)))

    def of_organisations(self, organisations):
        """Projects that any of `organisations` (a queryset, or a list of them or their ids)
        operates or invests in: an organisation's own projects, the ones its disclosures may
        name and its page lists. Each project once."""
        invested = Project.investors.through.objects.filter(organisation__in=organisations)
        return self.filter(Q(operator__in=organisations) | Q(pk__in=invested.values("project_id")))

    def affecting(self, path):
        """Projects that affect the place of `path` or any place under it."""
        return self.filter(
            pk__in=ProjectSettlement.objects.filter(place__path__startswith=path).values(
                "project_id"
            )
        )

    def with_related(self):
        return self.select_related("operator", "primary_settlement").prefetch_related("investors")

    def for_cards(self):
        """What a project card (projects/includes/_project_cards.html) and its map point show,
        in one query: the names, sector, status, Belt and Road, the operator's name and the
        primary settlement's coordinates. No investors' prefetch, and 20 columns instead of 60:
        half of a village page's project list cost (docs/performance.md). Any other column is
        read with a query of its own."""
        names = translated_columns("name")
        return self.select_related("operator", "primary_settlement").only(
            *names,
            "slug",
            "sector",
            "status",
            "is_bri",
            "operator",
            "primary_settlement",
            *(f"operator__{name}" for name in names),
            "primary_settlement__latitude",
            "primary_settlement__longitude",
        )

    def order_by_name(self):
        return self.annotate(display_name=translated_expression("name")).order_by(
            "display_name", "pk"
        )


class Project(Editable, models.Model):
    """An investment project: a plant, a mine, a wind farm, and the villages it affects."""

    class Sector(models.TextChoices):
        OIL_GAS = "oil_gas", _("oil and gas processing")
        MINING = "mining", _("mining and metals")
        WIND = "wind", _("wind power")
        SOLAR = "solar", _("solar power")
        POWER = "power", _("other power generation")
        CHEMICALS = "chemicals", _("chemicals")
        AGRICULTURE = "agriculture", _("agriculture and food")
        MANUFACTURING = "manufacturing", _("manufacturing")
        CONSTRUCTION = "construction", _("construction materials")
        TRANSPORT = "transport", _("transport and logistics")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CONSTRUCTION = "construction", _("under construction")
        OPERATING = "operating", _("operating")
        SUSPENDED = "suspended", _("suspended")
        CLOSED = "closed", _("closed")

    name_kk = models.CharField(_("name in Kazakh"), max_length=255, blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=255, blank=True)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    slug = models.SlugField(_("address"), max_length=140, unique=True)
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="operated_projects",
        limit_choices_to={"kind": Organisation.Kind.COMPANY},
        help_text=_("The company that builds and runs the project."),
    )
    investors = models.ManyToManyField(
        Organisation,
        verbose_name=_("investors"),
        related_name="invested_projects",
        blank=True,
        limit_choices_to={"kind": Organisation.Kind.COMPANY},
        help_text=_("Companies that put money into the project, the operator's owners included."),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    settlements = models.ManyToManyField(
        Place,
        verbose_name=_("settlements affected"),
        through="ProjectSettlement",
        related_name="projects",
    )
    primary_settlement = models.ForeignKey(
        Place,
        verbose_name=_("main settlement"),
        on_delete=models.PROTECT,
        related_name="primary_projects",
        help_text=_("The settlement where the project is, or the one nearest to it."),
    )
    start_date = models.DateField(_("start of construction"), null=True, blank=True)
    commissioning_date = models.DateField(_("commissioning"), null=True, blank=True)
    investment_amount = models.DecimalField(
        _("investment"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    investment_currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.KZT
    )
    jobs_planned = models.PositiveIntegerField(_("jobs planned"), null=True, blank=True)
    jobs_created = models.PositiveIntegerField(_("jobs created"), null=True, blank=True)
    jobs_local = models.PositiveIntegerField(
        _("of them, local hires"),
        null=True,
        blank=True,
        help_text=_("Jobs created that went to residents of the affected settlements."),
    )
    is_bri = models.BooleanField(
        _("part of the Belt and Road Initiative"),
        default=False,
        help_text=_("China's programme of investment abroad, launched in 2013."),
    )
    description_kk = models.TextField(_("description in Kazakh"), blank=True)
    description_ru = models.TextField(_("description in Russian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    name = TranslatedField()
    description = TranslatedField()

    # Who may change a project (`core.lifecycle.editable`): its operator's members, and
    # moderators, who correct the register (each change logged as theirs).
    EDITORS = frozenset({MEMBER, STAFF})

    # What a company edits on the project form and the public history logs (`ProjectChange`),
    # in the order both list them; the settlements affected are logged after these, as a list.
    TRACKED_FIELDS = (
        "name_kk",
        "name_ru",
        "name_en",
        "operator",
        "investors",
        "sector",
        "status",
        "primary_settlement",
        "start_date",
        "commissioning_date",
        "investment_amount",
        "investment_currency",
        "jobs_planned",
        "jobs_created",
        "jobs_local",
        "is_bri",
        "description_kk",
        "description_ru",
        "description_en",
        "website",
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_kk="", name_ru="", name_en=""), name="project_has_a_name"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["planned", "construction", "operating", "suspended", "closed"]
                ),
                name="project_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(jobs_local__isnull=True)
                | Q(jobs_created__isnull=True)
                | Q(jobs_local__lte=models.F("jobs_created")),
                name="project_local_jobs_within_created",
            ),
            models.CheckConstraint(
                condition=Q(commissioning_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(commissioning_date__gte=models.F("start_date")),
                name="project_commissioned_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "sector"], name="project_status_sector")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:project_detail", kwargs={"slug": self.slug})

    def get_sector_display(self):
        return choice_label(self.Sector, self.sector)

    def get_status_display(self):
        return choice_label(self.Status, self.status)

    def logged_version(self):
        """The version an edit form is opened at: the latest row of the project's change log
        (0 before any). A project has no `version` field; its log moves with every write."""
        return self.history.order_by("-pk").values_list("pk", flat=True).first() or 0

    def clean(self):
        errors = {}
        if not (self.name_kk or self.name_ru or self.name_en):
            errors["name_ru"] = _("Give the name in at least one language.")
        if (
            self.jobs_local is not None
            and self.jobs_created is not None
            and self.jobs_local > self.jobs_created
        ):
            errors["jobs_local"] = _("Local hires cannot outnumber the jobs created.")
        if (
            self.start_date
            and self.commissioning_date
            and self.commissioning_date < self.start_date
        ):
            errors["commissioning_date"] = _("Commissioning cannot come before the start.")
        if self.primary_settlement_id and self.primary_settlement.level != Place.Level.SETTLEMENT:
            errors["primary_settlement"] = _("Choose a settlement (a village or town).")
        if self.operator_id and not self.operator.is_company:
            errors["operator"] = _("The operator must be a company.")
        if errors:
            raise ValidationError(errors)

    def investor_countries(self):
        """Countries of the investors and of the operator's owners, without repeats."""
        codes = []
        for organisation in [self.operator, *self.investors.all()]:
            for code in [organisation.country, *organisation.owner_country_codes()]:
                if code not in codes:
                    codes.append(code)
        labels = dict(Country.choices)
        return [(code, labels.get(code, code)) for code in codes]

    def cache_scopes(self):
        """Its page, its companies' pages, the places it affects (and above), the lists."""
        companies = {self.operator_id, *self.investors.values_list("pk", flat=True)}
        paths = self.settlements.values_list("path", flat=True)
        return {
            SITE,
            record_scope(self),
            *(f"organisation:{pk}" for pk in companies if pk),
            *place_scopes(*paths),
        }


class ProjectSettlement(models.Model):
    """A settlement affected by a project (the project's main settlement among them)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="affected")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="affected_by")

    class Meta:
        verbose_name = _("settlement affected")
        verbose_name_plural = _("settlements affected")
        constraints = [
            models.UniqueConstraint(fields=["project", "place"], name="project_settlement_unique")
        ]

    def __str__(self):
        return f"{self.project} — {self.place}"

    def cache_scopes(self):
        return self.project.cache_scopes() | place_scopes(self.place.path)


class LinkRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=LinkRequest.Status.PENDING)

    def withdrawable_by(self, user):
        """Pending requests this user may withdraw: those of an organisation they administer."""
        return self.pending().filter(requested_by__in=Organisation.objects.administered_by(user))

    def declined_lately(self):
        """Declined less than `ASK_AGAIN_AFTER_DAYS` ago: the same link may not be asked yet."""
        since = timezone.now() - datetime.timedelta(days=LinkRequest.ASK_AGAIN_AFTER_DAYS)
        return self.filter(status=LinkRequest.Status.DECLINED, decided_at__gte=since)

    def answerable_by(self, user):
        """Requests this user may accept or decline: naming as investor an organisation they
        administer, or adding a person who belongs to an organisation they administer (never
        by an administrator of the organisation asking: its request is not its to answer)."""
        administered = Organisation.objects.administered_by(user)
        return self.filter(
            Q(kind=LinkRequest.Kind.INVESTOR, organisation__in=administered)
            | Q(
                kind=LinkRequest.Kind.MEMBER,
                pk__in=LinkRequest.objects.filter(
                    user__memberships__organisation__in=administered
                ).values("pk"),
            )
        ).exclude(kind=LinkRequest.Kind.MEMBER, requested_by__in=administered)


class LinkRequest(models.Model):
    """One organisation links its record to another organisation, which has not agreed yet.

    Naming a company as a project's investor, or adding as a member a person who already
    belongs to another organisation, waits for that organisation's administrators to accept
    (`services.accept_link_request`); until then the link does not exist, so no page, export
    or API answer shows it. A request is kept after it is decided, or withdrawn by the asking
    side (`decided_by` says who, `decided_at` when). A declined link may be asked again
    `ASK_AGAIN_AFTER_DAYS` after the decline, not sooner, so the other side is not asked (and
    e-mailed) over and over.
    """

    ASK_AGAIN_AFTER_DAYS = 30

    class Kind(models.TextChoices):
        INVESTOR = "investor", _("named as investor")
        MEMBER = "member", _("added as member")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    requested_by = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="link_requests_sent"
    )
    # An investor request: the project, and the company named.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="link_requests"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="link_requests_received",
    )
    # A member request: the person and the role offered.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="link_requests",
    )
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = LinkRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("link request")
        verbose_name_plural = _("link requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="investor", project__isnull=False, organisation__isnull=False)
                | Q(kind="member", user__isnull=False, role__in=["editor", "administrator"]),
                name="link_request_kind_complete",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined", "withdrawn"]),
                name="link_request_status_valid",
            ),
            models.UniqueConstraint(
                fields=["project", "organisation"],
                condition=Q(status="pending", kind="investor"),
                name="link_request_one_pending_investor",
            ),
            models.UniqueConstraint(
                fields=["user", "requested_by"],
                condition=Q(status="pending", kind="member"),
                name="link_request_one_pending_member",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.requested_by} → {self.organisation or self.user}"

    def answering_organisations(self):
        """The organisations whose administrators may answer."""
        if self.kind == self.Kind.INVESTOR:
            return Organisation.objects.filter(pk=self.organisation_id)
        return Organisation.objects.filter(memberships__user=self.user_id).exclude(
            pk=self.requested_by_id
        )


class ChangeLogEntry(ChangeRows, models.Model):
    """What a row of a public change log holds (a project's `ProjectChange`, a contribution's
    `disclosures.Revision`): the changed fields as codes (`core.changelog`), the reason, and
    who acted: an organisation, or the moderators, whose steps are never shown as a company's.
    Each log adds the record it belongs to and its own `action` choices."""

    changes = models.JSONField(default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reason_language = language_field()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acting_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_staff = models.BooleanField(_("by moderators"), default=False)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d}"


class ProjectChangeQuerySet(models.QuerySet):
    def latest_first(self):
        return self.select_related("acting_organisation").order_by("-created_at", "-pk")


class ProjectChange(ChangeLogEntry):
    """One step in a project's public history: added to the site, or edited, with field-level
    old and new values as codes (`core.changelog`) and, for an edit, the reason.

    The companies and settlements a project names are logged as lists: investors as "#<id>",
    settlements (and the main one) as KATO codes, named in the reader's language when read.
    Written only by `services.save_project`, only when something changed.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("added to the site")
        EDITED = "edited", _("changed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("what happened"), max_length=20, choices=Action.choices)

    objects = ProjectChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("project change")
        verbose_name_plural = _("project changes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["created", "edited"]), name="project_change_action_valid"
            )
        ]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="project_change_latest"),
        ]

    logged_model = Project
    money_fields = ("investment_amount",)
    # Fields logged as codes of other records: companies as "#<id>", settlements as KATO codes.
    NAMED_FIELDS = ("operator", "investors", "primary_settlement", "settlements")

    @classmethod
    def attach_records(cls, entries):
        """Fetch every company and settlement `entries` name, with two queries at most, so a
        page showing a log costs the same however many changes it shows."""
        codes = set()
        for entry in entries:
            for change in entry.changes:
                if change["field"] in cls.NAMED_FIELDS:
                    for value in (change.get("old"), change.get("new")):
                        codes.update(value if isinstance(value, list) else [value or ""])
        organisation_ids = {
            int(code[1:]) for code in codes if code[1:].isdigit() and code[0] == "#"
        }
        kato_codes = {code for code in codes if code.isdigit()}
        records = {}
        if organisation_ids:
            for organisation in Organisation.objects.filter(pk__in=organisation_ids):
                records[f"#{organisation.pk}"] = organisation
        if kato_codes:
            for place in Place.objects.filter(kato_code__in=kato_codes):
                records[place.kato_code] = place
        for entry in entries:
            entry.records = records
        return entries

    def change_rows(self):
        if not hasattr(self, "records"):
            self.attach_records([self])
        return super().change_rows()

    def shown(self, field_, value):
        if field_ is not None and field_.name in self.NAMED_FIELDS:
            codes = value if isinstance(value, list) else [value] if value else []
            return ", ".join(
                record.name if (record := self.records.get(code)) else code for code in codes
            )
        return super().shown(field_, value)

    def history_rows(self):
        """The rows the public history shows: a field's old and new value, or for the lists
        (investors, settlements) what was removed and what was added, so dropping one village of
        twenty reads as that one name."""
        rows = []
        for change, (label, old, new) in zip(self.changes, self.change_rows(), strict=True):
            before, after = change.get("old"), change.get("new")
            if isinstance(before, list) or isinstance(after, list):
                before, after = before or [], after or []
                field_ = self.logged_model._meta.get_field(change["field"])
                removed = self.shown(field_, [code for code in before if code not in after])
                added = self.shown(field_, [code for code in after if code not in before])
                rows.append({"label": label, "listed": True, "removed": removed, "added": added})
            else:
                rows.append({"label": label, "old": old, "new": new})
        return rows

    def is_edit(self):
        return self.action == self.Action.EDITED


# --- What residents send in ----------------------------------------------------------------


# --- Caching ---------------------------------------------------------------------------------
