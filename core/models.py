"""What every app shares in the database: residents' input awaiting moderation,
files kept from refused forms."""

import datetime
import functools
import json

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.models import Count, Func, OuterRef, Subquery
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Coalesce
from django.db.models.query import (
    ModelIterable,
    NamedValuesListIterable,
    ValuesIterable,
    get_related_populators,
)
from django.db.models.utils import create_namedtuple_class
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.caching import VisibilityTracked


def count_of(rows, field):
    """How many of `rows` have `field` pointing at the outer query's row: a correlated
    subquery (0 for none), to annotate one record's page with the counts it states instead of
    asking for each separately."""
    rows = rows.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


class Compiled(RawSQL):
    """`expression`, a value of each of `outer`'s rows (an `Exists`, a subquery referring to
    the row by `OuterRef`), as its SQL compiled once: build it once (at import or cached) and
    annotate with it. Compiling subqueries for every request cost a list more than running
    them (docs/performance.md); their SQL depends on the code only."""

    def __init__(self, outer, expression, output_field=None):
        query = outer._default_manager.annotate(compiled=expression).query
        compiler = query.get_compiler(using=router.db_for_read(outer))
        sql, params = compiler.compile(query.annotations["compiled"])
        super().__init__(sql, params, output_field=output_field or expression.output_field)
        self.expression = expression

    def get_db_converters(self, connection):
        """The expression's own reading of its values (a `ListOf`'s JSON list on SQLite)."""
        return self.expression.get_db_converters(connection)


class Slot(Expression):
    """A value that a `prepared` query is given each time it runs, in place of a constant of
    its SQL: `filter(place=Slot("place"))` in the queryset, then `query(place=place.pk)`."""

    def __init__(self, name, output_field=None):
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self):
        return f"Slot({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [self]


# Every `prepared` query, for the tests to check that each one's SQL depends on the code only.
PREPARED = []


class prepared:
    """`build()`'s queryset, built and compiled to SQL once per process, database and language,
    then run with the values of its `Slot`s: `query(place=place.pk)` is a list of the model's
    instances (as the queryset would give them, `select_related` included) or, for a
    `values()` queryset, of dicts, for `values_list(..., named=True)` of named rows.

    Building and compiling a card list's queryset cost three to eight times running it: 8
    queries of a village page spent about 5 ms of CPU in the ORM and 0.65 ms sending them and
    reading the rows (docs/performance.md). Django compiles a queryset each time it runs and
    has no prepared form of one (django-prepared-query, the one library that had, is
    unmaintained), so this does what `ModelIterable` does after compiling: the rows through
    the fields' converters into `Model.from_db`. Anything that changes between requests (the
    place, the time, today's date) must be a `Slot`: the tests build every prepared query at
    two instants and in each language and ask for the same SQL (tests/core/test_prepared.py).
    No `prefetch_related`: what a card lists is read in its row (`ListOf`)."""

    def __init__(self, build):
        functools.update_wrapper(self, build)
        self.build = build
        self.model = None
        self.plans = {}
        PREPARED.append(self)

    def __call__(self, **values):
        using = self.model and router.db_for_read(self.model)
        plan = self.plans.get((using, get_language()))
        if plan is None:
            queryset = self.build()
            self.model = queryset.model
            plan = self.plans[queryset.db, get_language()] = _Plan(queryset)
        return plan.run(values)


def _names(query):
    """A values query's columns, as Django's iterables name them without `selected` fields."""
    return [*query.extra_select, *query.values_select, *query.annotation_select]


def _out_of_range(value):
    """An integer no column holds (a 30-digit id in an address): it matches no row, as in
    Django's lookups, and is not sent (compared as a number, it would not use an index)."""
    return isinstance(value, int) and not -(2**63) <= value < 2**63


def _adapted(value, connection):
    """A slot's value as the database takes it, as a date or time field would give it (SQLite
    keeps them as text, in UTC); other values go as they are."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


class _Plan:
    """A prepared query's SQL, and how its rows become what the queryset would have given."""

    def __init__(self, queryset):
        if queryset._prefetch_related_lookups:
            raise ValueError("A prepared query cannot prefetch: read the lists in its rows.")
        self.using = queryset.db
        compiler = queryset.query.get_compiler(using=self.using)
        try:
            self.sql, self.params = compiler.as_sql()
        except EmptyResultSet:
            self.sql = None
        else:
            self.slots = [(at, p.name) for at, p in enumerate(self.params) if isinstance(p, Slot)]
            self.width = compiler.col_count if compiler.has_extra_select else None
            columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
            self.converters = list(compiler.get_converters(columns).items())
            self.make = self._maker(queryset, compiler)

    def run(self, values):
        if self.sql is None or any(map(_out_of_range, values.values())):
            return []
        connection = connections[self.using]
        params = list(self.params)
        for at, name in self.slots:
            params[at] = _adapted(values[name], connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.width is not None:
            rows = [row[: self.width] for row in rows]
        if self.converters:
            rows = list(self._converted(rows, connection))
        return [self.make(row) for row in rows]

    def _converted(self, rows, connection):
        for row in map(list, rows):
            for at, (converters, expression) in self.converters:
                value = row[at]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[at] = value
            yield row

    def _maker(self, queryset, compiler):
        if queryset._iterable_class is ModelIterable:
            return self._instances(compiler)
        if queryset._iterable_class is ValuesIterable:
            return self._dicts(queryset)
        if queryset._iterable_class is NamedValuesListIterable:
            row_class = create_namedtuple_class(*(queryset._fields or _names(queryset.query)))
            return lambda row: tuple.__new__(row_class, row)
        raise ValueError(
            "A prepared query gives model instances, dicts from values() or named rows from "
            "values_list(..., named=True)."
        )

    def _instances(self, compiler):
        """What `ModelIterable` does with a row: the model's columns, the related rows
        (`select_related`), the annotations."""
        info, select = compiler.klass_info, compiler.select
        model, fields = info["model"], info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        related = get_related_populators(info, select, self.using)
        annotations = list(compiler.annotation_col_map.items())

        def make(row):
            instance = model.from_db(self.using, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, at in annotations:
                setattr(instance, name, row[at])
            return instance

        return make

    @staticmethod
    def _dicts(queryset):
        """Named as `ValuesIterable` names them."""
        names = list(queryset.query.selected or _names(queryset.query))
        return lambda row: dict(zip(names, row, strict=True))


class ListOf(ArraySubquery):
    """The values of a one-column subquery (`column`), in its order, as a list in one column of
    the outer query: `ARRAY(…)` on PostgreSQL; on SQLite (the quick start's database) gathered
    by `json_group_array` and read back."""

    def __init__(self, queryset, column, **kwargs):
        self.column = column
        super().__init__(queryset, **kwargs)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = f'(SELECT json_group_array("{self.column}") FROM (%(subquery)s))'
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def get_db_converters(self, connection):
        converters = super().get_db_converters(connection)
        return [_json_list, *converters] if connection.vendor == "sqlite" else converters


def _json_list(value, _expression, _connection):
    return [] if value is None else json.loads(value)


class NestedJSON(Func):
    """A JSON column inside JSON the database builds (`JSONObject`): as it is on PostgreSQL; on
    SQLite, which keeps JSON as text, marked as JSON so that it nests as an object, not as a
    string."""

    template = "%(expressions)s"
    output_field = models.JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="json(%(expressions)s)", **extra_context)


class ResidentInputQuerySet(models.QuerySet):
    def approved(self):
        """What the public sees: approved by a moderator."""
        return self.filter(moderation_status=ResidentInput.Moderation.APPROVED)

    def pending(self):
        return self.filter(moderation_status=ResidentInput.Moderation.PENDING).order_by(
            "submitted_at"
        )

    def rejected(self):
        return self.filter(moderation_status=ResidentInput.Moderation.REJECTED)


class ResidentInput(VisibilityTracked, models.Model):
    """Base for anything an anonymous resident sends: it waits for a moderator before it shows.

    A rejected item is kept (and counted on the public page), never silently dropped. The
    resident's contact details, if given, are for the moderators and the organisation only.
    """

    class Moderation(models.TextChoices):
        PENDING = "pending", _("awaiting moderation")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    author_name = models.CharField(
        _("your name"),
        max_length=120,
        blank=True,
        help_text=_("Shown publicly. Leave empty to stay anonymous."),
    )
    contact = models.CharField(
        _("phone or e-mail"),
        max_length=200,
        blank=True,
        help_text=_("Optional, never shown publicly: only so that moderators can ask you."),
    )
    moderation_status = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("sent"), auto_now_add=True)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = ResidentInputQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_approved(self):
        return self.moderation_status == self.Moderation.APPROVED

    visibility_fields = ("moderation_status",)

    def visible_to_residents(self):
        """Approved items show; rejected ones are counted on the public page."""
        return self.moderation_status != self.Moderation.PENDING

    def public_author(self):
        return self.author_name or _("a resident")


class KeptUploadQuerySet(models.QuerySet):
    def fresh(self, now=None):
        """Kept uploads younger than KEPT_UPLOAD_HOURS: the others are no longer offered."""
        now = now or timezone.now()
        return self.filter(created_at__gte=now - datetime.timedelta(hours=KEPT_UPLOAD_HOURS))

    def expired(self, now=None):
        now = now or timezone.now()
        return self.filter(created_at__lt=now - datetime.timedelta(hours=KEPT_UPLOAD_HOURS))

    def owned_by(self, owner):
        """The uploads of one browser session (see `core.uploads.owner_key`)."""
        return self.filter(owner=owner) if owner else self.none()


KEPT_UPLOAD_HOURS = 24


class KeptUpload(models.Model):
    """A file from a refused form, kept so that the visitor need not choose it again.

    When a form with a photo or a document is refused for another field (an empty comment, a
    missing description), the file already passed its checks; it is stored here, under a random
    token, for the browser session that sent it and for a day. The form is shown again with "…
    is kept"; on the resubmit the kept file goes through the same checks and is used. No record
    holds the file, so `/media/` never serves it (see `portal.media`).
    """

    token = models.CharField(max_length=64, unique=True)
    owner = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to="kept/%Y/%m/%d/", max_length=200)
    original_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = KeptUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("kept upload")
        verbose_name_plural = _("kept uploads")

    def __str__(self):
        return self.original_name

    def discard(self):
        """Delete the file and the row (after use, on removal, on expiry)."""
        self.file.delete(save=False)
        self.delete()


def kept_queryset(build):
    """`build(...)`'s queryset, built once per process, language and arguments and handed out as
    a fresh copy (`.all()`) at each call, as a `ListView` keeps its `queryset`: resolving a card's
    annotations and subqueries again on every request is a measurable part of an uncached page
    (docs/performance.md). The kept queryset is never evaluated; the caller filters its copy."""
    kept = functools.cache(lambda language, *args, **kwargs: build(*args, **kwargs))

    @functools.wraps(build)
    def copy(*args, **kwargs):
        return kept(get_language(), *args, **kwargs).all()

    return copy
