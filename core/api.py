"""The API's common ground: cursor pages, strict filters, bounded dates, conditional GET, open
CORS, the index at /api/v1/ and the error answers every operation documents."""

import copy
import datetime
import functools
import inspect
import json
import re
from types import SimpleNamespace

import django_filters
from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.routers import APIRootView

from core import caching
from core.metadata import absolute
from core.models import Compiled, NestedJSON
from core.opendata import LICENCE_URL, attribution, licence_object
from core.validators import EARLIEST_YEAR, LATEST_YEAR, check_date_range, validate_kato_code

READ_METHODS = ("GET", "HEAD")


class CursorPage(CursorPagination):
    """Pages by id: a harvest that runs while records are added neither repeats nor skips.

    Each page names the data's licence and the credit it asks for (`license`, `attribution`,
    and a `Link: <…>; rel="license"` header), as the bulk files do.
    """

    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """`page_size` from 1 to max_page_size; anything else is a 400, not the default."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            message = _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def decode_cursor(self, request):
        if request.query_params.get(self.cursor_query_param) == "":
            message = _("Give a value, or leave this parameter out.")
            raise ValidationError({self.cursor_query_param: [message]})
        return super().decode_cursor(request)

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        # `next` and `previous` link to the public site (SITE_URL), like every `url` field.
        self.base_url = absolute(request.get_full_path())
        return page

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {**response.data, **licence_fields()}
        response["Link"] = f'<{LICENCE_URL}>; rel="license"'
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"].update(
            license={
                "type": "object",
                "description": "The data's licence (as in the bulk files' data package).",
                "properties": {key: {"type": "string"} for key in licence_object()},
                "required": list(licence_object()),
            },
            attribution={"type": "string", "description": "The credit to give on reuse."},
        )
        paginated["required"] = [*paginated.get("required", []), "license", "attribution"]
        return paginated

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
            else:
                parameter["schema"] = {**parameter["schema"], "minLength": 1}
        return parameters


def licence_fields():
    return {"license": licence_object(), "attribution": attribution()}


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant between 1991 and 2100, handed to the database in UTC.

    The database refuses some offsets that ISO 8601 allows (schemathesis sent
    `0249-10-01T17:02:07-22:42`, a 500); in UTC any valid offset is just a different hour.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                code="date_range",
                params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            )
        return value.astimezone(datetime.UTC)


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class BoundedDatesMixin:
    """A model serializer whose date fields take only the republic's years (as forms and the
    CSV import do): a due date of 0001 or 9999 is a 400 naming the field."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.DateField):
            kwargs["validators"] = [*kwargs.get("validators", []), check_date_range]
        return field_class, kwargs


# --- Filters: what django-filter lets pass for HTML forms, the API refuses or states -----------

KATO_PATTERN = "^[0-9]{9}$"
SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"
# An instant in EARLIEST_YEAR..LATEST_YEAR (BoundedIsoDateTimeField), as the schema states it.
YEARS_PATTERN = "^(199[1-9]|20[0-9][0-9]|2100)-"


def _target_field(choice_filter):
    """The model field a record filter looks its value up in (a KATO code, a slug)."""
    queryset = choice_filter.queryset
    if callable(queryset):
        queryset = queryset(None)
    return queryset.model._meta.get_field(choice_filter.extra.get("to_field_name") or "pk")


def _decimal_pattern(number_filter):
    places = number_filter.extra["decimal_places"]
    whole = number_filter.extra["max_digits"] - places
    return f"^[0-9]{{1,{whole}}}(\\.[0-9]{{1,{places}}})?$"


def _is_decimal(a_filter):
    return isinstance(a_filter, django_filters.NumberFilter) and "max_digits" in a_filter.extra


def parameter_schema(a_filter):
    """The bounds of a filter's value the API enforces (ApiFilterBackend), for the schema: {}
    where django-filter's own description is already exact."""
    if isinstance(a_filter, django_filters.filters.BaseCSVFilter):
        return {"minItems": 1}  # `sort=` is refused, not read as no sorting
    if isinstance(a_filter, django_filters.ModelChoiceFilter):
        target = _target_field(a_filter)
        schema = {"type": "string", "minLength": 1, "maxLength": target.max_length}
        if validate_kato_code in target.validators:
            schema["pattern"] = KATO_PATTERN
        elif isinstance(target, models.SlugField):
            schema["pattern"] = SLUG_PATTERN
        return schema
    if _is_decimal(a_filter):
        return {"type": "string", "pattern": _decimal_pattern(a_filter)}
    if isinstance(a_filter, django_filters.NumberFilter):
        extra = a_filter.extra
        return {"type": "integer", "minimum": extra["min_value"], "maximum": extra["max_value"]}
    if isinstance(a_filter, django_filters.IsoDateTimeFilter):
        return {"type": "string", "format": "date-time", "pattern": YEARS_PATTERN}
    if isinstance(a_filter, django_filters.CharFilter):
        return {"type": "string", "minLength": 1}
    return {}


def _refusal(a_filter, value):
    """Messages refusing `value` before django-filter reads it (it would read an empty value
    as no filter, `hide_withdrawn=maybe` as true and `amount_min=1e5` as 100000), or []."""
    if value == "":
        return [_("Give a value, or leave this parameter out.")]
    if isinstance(a_filter, django_filters.BooleanFilter) and value not in ("true", "false"):
        return [_("Give true or false.")]
    if _is_decimal(a_filter) and not re.fullmatch(_decimal_pattern(a_filter), value):
        return [_("Give a number such as 1500000 or 1500000.50.")]
    if isinstance(a_filter, django_filters.ModelChoiceFilter):
        try:
            _target_field(a_filter).clean(value, None)
        except DjangoValidationError as error:
            return error.messages
    return []


def _names_unknown_record(filterset, name):
    """The value is well formed but no record has it: no row can match, an empty list."""
    errors = filterset.form.errors.as_data().get(name, [])
    return isinstance(filterset.filters.get(name), django_filters.ModelChoiceFilter) and all(
        error.code == "invalid_choice" for error in errors
    )


# At most this many filters asked have a FilterSet class of their own (`asking_for`): a few
# hundred classes at most, whatever the requests ask.
NARROWED_UP_TO = 2


@functools.cache
def _narrowed(filterset_class, names):
    narrowed = type(filterset_class.__name__, (filterset_class,), {})
    narrowed.base_filters = {
        name: a_filter for name, a_filter in filterset_class.base_filters.items() if name in names
    }
    return narrowed


def asking_for(filterset_class, asked):
    """`filterset_class` with only the filters `asked` (one or two; else all): a FilterSet copies
    each of its filters, and its form each field, for every request, whatever is asked (about a
    tenth of a page's CPU for one filter of sixteen). The same filtering, values and errors:
    a filter not asked for filters nothing."""
    names = frozenset(filterset_class.base_filters.keys() & set(asked))
    if len(names) > NARROWED_UP_TO:
        return filterset_class
    return _narrowed(filterset_class, names)


class ApiFilterBackend(DjangoFilterBackend):
    """django-filter's backend, as strict as the schema: an empty, ill-formed or out-of-range
    value is a 400 naming the parameter; an unknown KATO code or slug is an empty list."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        asked = request.query_params.keys()
        if filterset_class is None or not filterset_class.base_filters.keys() & asked:
            # No filter asked for: a FilterSet would copy and validate every filter and form
            # field (about 4 ms of CPU) to filter nothing.
            return queryset
        narrowed = asking_for(filterset_class, asked)
        filterset = narrowed(**self.get_filterset_kwargs(request, queryset, view))
        errors = {}
        for name, a_filter in filterset.filters.items():
            for value in request.query_params.getlist(name):
                if messages := _refusal(a_filter, value):
                    errors[name] = [str(message) for message in messages]
        valid = filterset.is_valid()
        if not valid:
            for name, messages in filterset.errors.items():
                if name not in errors and not _names_unknown_record(filterset, name):
                    errors[name] = messages
        if errors:
            raise ValidationError(errors)
        if not valid:  # only records nobody has: nothing matches
            return queryset.none()
        return filterset.qs


class ApiFilterExtension(DjangoFilterExtension):
    """The filters' parameters with the bounds ApiFilterBackend enforces."""

    target_class = ApiFilterBackend
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            parameter["schema"].update(parameter_schema(filter_field))
        return parameters


# A read model serializer that represents a row by a plan made once for the page: DRF's own
# loop, less its generic attribute lookup (which tests every value it meets for being a callable)
# where the plan knows the answer: the model's own columns (read straight from the instance: a
# column is never a callable nor missing), with text columns as `str`, which is DRF's
# `CharField.to_representation`; the row itself for a field whose source is `*`; and the model's
# own methods, called. The same JSON; the generic lookup was a quarter of a list's serializing
# time (docs/performance.md). Relations and nested parts take DRF's path unchanged. (A comment,
# not a docstring: the schema would describe every serializer with it.)
COLUMN, ROW, METHOD, LOOKUP = range(4)
_DERIVED_FIELDS = {}


class PlainRows:
    def get_fields(self):
        """The fields ModelSerializer derives from the model, derived once for each serializer
        class and copied for each use (as DRF copies the declared ones): deriving them was a
        tenth of a list's CPU time."""
        derived = _DERIVED_FIELDS.get(type(self))
        if derived is None:
            derived = _DERIVED_FIELDS[type(self)] = super().get_fields()
        return copy.deepcopy(derived)

    @cached_property
    def row_plan(self):
        model = self.Meta.model
        columns = {
            field.name: field.attname
            for field in model._meta.concrete_fields
            if not field.is_relation
        }
        plan = []
        for name, field in self.fields.items():
            if field.write_only:
                continue
            if field.source in columns:
                how, attribute = COLUMN, columns[field.source]
            elif field.source == "*":
                how, attribute = ROW, None
            elif inspect.isfunction(getattr(model, field.source, None)):
                how, attribute = METHOD, field.source
            else:
                how, attribute = LOOKUP, None
            if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
                # The zone DRF looks up for each instant it writes (a thread-local read, a
                # tenth of a hearings page's CPU time), the same for the whole page: given as
                # the field's own `default_timezone` would give it.
                field.timezone = field.default_timezone()
            as_text = how == COLUMN and type(field) is serializers.CharField
            plan.append((name, field, how, attribute, str if as_text else field.to_representation))
        return plan

    def to_representation(self, instance):
        row = {}
        for name, field, how, attribute, represent in self.row_plan:
            if how == COLUMN:
                value = getattr(instance, attribute)
            elif how == ROW:
                value = instance
            elif how == METHOD:
                value = getattr(instance, attribute)()
            else:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(value, PKOnlyObject) and value.pk is None:
                    value = None
            row[name] = None if value is None else represent(value)
        return row


def instant(value, zone):
    """An instant as DRF's `DateTimeField` writes it in `zone` (the page's time zone, which
    DRF reads for every instant): ISO 8601, with `Z` for UTC; None for none."""
    if not value:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zone)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value):
    """A date as DRF's `DateField` writes it: ISO 8601; None for none."""
    return value.isoformat() if value else None


def by_key(outer, model, key, column):
    """`column` of the row of `model` that `outer`'s `key` column names (None for none), read
    with the row by its primary key: no join to compile, plan and build instances of. Build it
    once, as any `Compiled`."""
    return Compiled(outer, Subquery(model.objects.filter(pk=OuterRef(key)).values(column)))


class NestedRows(Compiled):
    """A list nested in each row of `outer`'s queries, read with the row: the rows of
    `queryset` (which refers to the outer row by `OuterRef`) as objects with the given columns
    (`relation__column` for a related row's value, read as `row.relation.column`), in its order.

    In place of a prefetch: no second query to run and no model instances, and the same values
    a nested `PlainRows` serializer reads from a model instance (instants and dates as such,
    stored files as `FieldFile`s). The database builds them as JSON (`ARRAY(…)` of objects on
    PostgreSQL; `json_group_array` on SQLite, the quick start's database). `Compiled`: build
    it once."""

    def __init__(self, outer, queryset, *columns):
        self.readers = [_json_reader(queryset.model, column) for column in columns]
        values = {column: _json_value(queryset.model, column) for column in columns}
        rows = _JsonArray(queryset.values(row=JSONObject(**values)))
        super().__init__(outer, rows, models.JSONField())

    def get_db_converters(self, connection):
        return [self.to_rows]

    def to_rows(self, value, _expression, _connection):
        if not value:
            return []
        # SQLite: one JSON array; PostgreSQL: an array of JSON objects, each as text, read in
        # one call as one array.
        found = json.loads(value if isinstance(value, str) else "[" + ",".join(value) + "]")
        if self.flat:
            for item in found:
                for key, read in self.converted:
                    if item[key] is not None:
                        item[key] = read(item[key])
            return [SimpleNamespace(**item) for item in found]
        return [self.row(item) for item in found]

    @cached_property
    def converted(self):
        """(key, how to read it back) of the columns whose JSON value is not the value."""
        return [(key, read) for key, _path, read in self.readers if read is not None]

    @cached_property
    def flat(self):
        """Whether each column is its row's attribute of the same name (no related row's)."""
        return all(path == [key] for key, path, _read in self.readers)

    def row(self, item):
        row = SimpleNamespace()
        for key, path, read in self.readers:
            value = item[key]
            if read is not None and value is not None:
                value = read(value)
            if len(path) == 2:
                value = None if value is None else SimpleNamespace(**{path[1]: value})
            setattr(row, path[0], value)
        return row


def columns_of(model):
    """Every concrete column of `model`, for `NestedRows` whose rows `instances` reads."""
    return [field.name for field in model._meta.concrete_fields]


def instances(model, rows, db):
    """`model`'s instances from `NestedRows` of all its columns (`columns_of`), as a query of
    them would give: a record's list read with its row, where a page uses model methods."""
    names = [field.attname for field in model._meta.concrete_fields]
    return [model.from_db(db, names, [getattr(row, name) for name in names]) for row in rows]


class NestedRelated(serializers.ManyRelatedField):
    """A read-only many-to-many field (`child_relation`, e.g. a `SlugRelatedField`) whose
    related rows are the row's `NestedRows` annotation `attribute`, not a related manager over
    a prefetch (building a manager for each row and the prefetch's model instances was a tenth
    of a list's CPU time). The same values; the same schema, which drf-spectacular derives from
    the model field the field's name (`source`) gives."""

    def __init__(self, child_relation, *, attribute, **kwargs):
        self.attribute = attribute
        super().__init__(child_relation=child_relation, read_only=True, **kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.attribute)


class _JsonArray(ArraySubquery):
    def as_sqlite(self, compiler, connection, **extra_context):
        template = '(SELECT json_group_array(json("row")) FROM (%(subquery)s))'
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _model_field(model, column):
    path = column.split("__")
    field = model._meta.get_field(path[0])
    if len(path) == 1:
        return field
    related = field.related_model._meta
    return related.pk if path[1] == "pk" else related.get_field(path[1])


def _json_value(model, column):
    """A column as a value of a JSON object: a JSON column as JSON, not as its text (SQLite)."""
    return (
        NestedJSON(column) if isinstance(_model_field(model, column), models.JSONField) else column
    )


def _json_reader(model, column):
    """(key, attribute path, how to read the JSON value back or None) for a column."""
    field = _model_field(model, column)
    path = column.split("__") if "__" in column else [field.attname]
    if isinstance(field, models.DateTimeField):
        return column, path, _instant
    if isinstance(field, models.DateField):
        return column, path, datetime.date.fromisoformat
    if isinstance(field, models.FileField):
        return column, path, lambda name: field.attr_class(None, field, name)
    if isinstance(field, models.BooleanField):
        return column, path, bool  # SQLite's are 0 and 1
    return column, path, None


def _instant(text):
    """An instant as PostgreSQL writes it in JSON (with its offset) or SQLite (in UTC)."""
    instant = datetime.datetime.fromisoformat(text)
    return instant if instant.tzinfo else instant.replace(tzinfo=datetime.UTC)


class StrictJsonMixin:
    """A write serializer that takes each field in its JSON type only, as the schema says: DRF
    also reads `0` and `"yes"` as booleans, `"5"` and `5.0` as whole numbers and `5` as text."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {
                name: [message]
                for name, field in self.fields.items()
                if name in data
                and not field.read_only
                and (message := _json_type_refusal(field, data[name]))
            }
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)


def _json_type_refusal(field, value):
    if value is None:
        return None  # DRF's own check: null where the field allows it
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Give true or false.")
    if isinstance(field, serializers.IntegerField):
        whole = isinstance(value, int) and not isinstance(value, bool)
        return None if whole else _("Give a whole number.")
    if isinstance(field, serializers.ListField | serializers.ManyRelatedField):
        return None if isinstance(value, list) else _("Give a list.")
    if isinstance(field, serializers.RelatedField) and value == "":
        return _("Give a value or null.")  # DRF would read "" as null
    return None if isinstance(value, str) else _("Give text, in quotes.")


def updated_since():
    return BoundedIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed at or after this instant (ISO 8601, e.g. 2026-01-31T00:00:00Z)",
    )


def content_validators():
    """(ETag, Last-Modified) of everything public, as of now: from the site-wide cache scope,
    which every public change bumps and a draft or pending input does not (core/caching.py).

    The day is part of both: hearings' deadlines and overdue promises change at midnight
    (Kazakhstan time) without any write.
    """
    found = caching.versions([caching.SITE])
    changed_at = datetime.datetime.fromtimestamp(max(found.values()) / 1e9, datetime.UTC)
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    last_modified = max(changed_at, midnight)
    etag = f'"api-v1-{caching.stamp(found)}-{get_language()}-{today.isoformat()}"'
    # Whole seconds, as HTTP dates carry them (RFC 9110): with a fraction, the exact
    # Last-Modified sent back in If-Modified-Since would look older than the content.
    return etag, int(last_modified.timestamp())


def allow_cross_origin(response):
    """Reads are open to scripts on any site (no cookies are used, so no credentials)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = (
        "Accept, Accept-Language, If-None-Match, If-Modified-Since"
    )
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    response["Access-Control-Max-Age"] = "86400"
    return response


class PublicRead:
    """Anonymous, cacheable, cross-origin reads (a mixin of API views)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def dispatch(self, request, *args, **kwargs):
        validators = None
        if request.method in READ_METHODS:
            validators = content_validators()
            etag, last_modified = validators
            not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if not_modified is not None:
                not_modified["ETag"] = etag
                patch_vary_headers(not_modified, ["Accept-Language"])
                return allow_cross_origin(not_modified)
        response = super().dispatch(request, *args, **kwargs)
        if validators and response.status_code == 200:
            response["ETag"] = validators[0]
            response["Last-Modified"] = http_date(validators[1])
        patch_vary_headers(response, ["Accept-Language"])
        return allow_cross_origin(response)


PAGING_PARAMETERS = {CursorPage.cursor_query_param, CursorPage.page_size_query_param}


class PublicReadViewSet(PublicRead, viewsets.ReadOnlyModelViewSet):
    """Anonymous, cacheable, cross-origin reads of public records."""

    pagination_class = CursorPage
    filter_backends = [ApiFilterBackend]

    def represented(self, queryset):
        """`queryset` with what a row's representation reads (joins, annotations, prefetches),
        for a list's page only: the query the filters and the page's keys are built on goes
        without them (a list's `get_queryset`), as they cost compiling, not filtering."""
        return queryset

    def paginate_queryset(self, queryset):
        """A filtered list's page: its keys first, from the filters alone, then its rows by key.

        Asked in one query with the joins and prefetches a row's representation reads, a place
        filter's semi-join made PostgreSQL join every published hearing to eight tables before
        keeping a page: over 200 ms of planning and execution at scale 0.05; the keys alone take
        a few milliseconds, the rows by key as many (docs/performance.md). An unfiltered page
        is read in one query, by the primary key's index."""
        if not set(self.request.query_params) - PAGING_PARAMETERS:
            return super().paginate_queryset(self.represented(queryset))
        keys = super().paginate_queryset(
            queryset.select_related(None).prefetch_related(None).values("pk")
        )
        if not keys:
            return keys  # no page (None), or an empty one: no rows to ask for
        # In the keys' order, not the queryset's: no ORDER BY to compile and sort by.
        rows = self.represented(self.get_queryset()).order_by().in_bulk([key["pk"] for key in keys])
        return [rows[key["pk"]] for key in keys]


# --- The answers besides success, as every operation documents them ---------------------------

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "Why the request was refused, in the reader's language.",
}
REFUSAL_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
    "description": (
        "Each refused parameter or field with its messages (a list's items by position); "
        "`detail` or `non_field_errors` for a refusal not about one field."
    ),
}


# Text the API refuses (DRF refuses NUL characters) and text that counts as given (something
# visible left once whitespace and control characters are stripped, core/text.py).
NO_NUL_PATTERN = "^[^\\x00]*$"
VISIBLE_PATTERN = "[^\\s\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ufffe\\uffff]"


def state_server_rules(result, **kwargs):
    """drf-spectacular post-processing hook: the error bodies the operations refer to, and what
    every request body's fields are checked for beyond their type: no NUL in text, and dates
    in EARLIEST_YEAR..LATEST_YEAR (BoundedDatesMixin)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in schemas.items():
        if name.endswith("Request"):
            for field in component.get("properties", {}).values():
                if field.get("type") == "string" and "pattern" not in field:
                    is_date = field.get("format") == "date"
                    field["pattern"] = YEARS_PATTERN if is_date else NO_NUL_PATTERN
    schemas.update(Error=ERROR_SCHEMA, Refusal=REFUSAL_SCHEMA)
    return result


def _json_response(name, description):
    schema = {"$ref": f"#/components/schemas/{name}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_responses(method, action, authenticated):
    """{status: response} an operation can answer besides its success."""
    responses = {
        "404": _json_response("Error", "Not found (or not yours), or an invalid cursor."),
        "406": _json_response("Error", "Only application/json can be answered."),
        "429": _json_response(
            "Error", "Too many requests; `Retry-After` says in how many seconds to try again."
        ),
    }
    if method == "GET":
        responses["304"] = {
            "description": "Not modified: the ETag sent in If-None-Match, or nothing newer than "
            "If-Modified-Since (whole seconds)."
        }
    if method != "GET" or action == "list":
        responses["400"] = _json_response("Refusal", "Invalid parameters or body.")
    if authenticated:
        responses["401"] = _json_response(
            "Error", "No API key, or one that is not valid, was revoked or expired."
        )
    if method != "GET":
        responses["409"] = _json_response(
            "Refusal", "A stale `version`, or an idempotency key used for another request."
        )
        responses["415"] = _json_response("Error", "The body must be application/json.")
    return responses


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, with every answer an operation can give besides its success."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            responses = error_responses(
                self.method,
                getattr(self.view, "action", None),
                bool(self.view.authentication_classes),
            )
            for code, response in responses.items():
                operation["responses"].setdefault(code, response)
        return operation


class ApiIndex(PublicRead, APIRootView):
    """/api/v1/: the resources, the schema, the docs and the licence."""

    schema = ApiSchema()

    @extend_schema(
        operation_id="api_index",
        responses={
            200: {
                "type": "object",
                "properties": {
                    "resources": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "format": "uri"},
                    },
                    "schema": {"type": "string", "format": "uri"},
                    "docs": {"type": "string", "format": "uri"},
                    "license": {"type": "object"},
                    "attribution": {"type": "string"},
                },
                "required": ["resources", "schema", "docs", "license", "attribution"],
            }
        },
    )
    def get(self, request, *args, **kwargs):
        namespace = request.resolver_match.namespace
        resources = {
            name: absolute(reverse(f"{namespace}:{url_name}"))
            for name, url_name in self.api_root_dict.items()
        }
        body = {
            "resources": resources,
            "schema": absolute(reverse("api-schema")),
            "docs": absolute(reverse("api-docs")),
            **licence_fields(),
        }
        return Response(body)


def api_error(request, status, detail):
    """An error outside any API view (an unknown /api/ address), in the API's JSON shape."""
    return JsonResponse({"detail": str(detail)}, status=status)
