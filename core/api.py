"""The read API's common ground: cursor pages, bounded dates, conditional GET, open CORS."""

import datetime

import django_filters
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny

from core import caching
from core.metadata import absolute
from core.validators import EARLIEST_YEAR, LATEST_YEAR, check_date_range

READ_METHODS = ("GET", "HEAD")


class CursorPage(CursorPagination):
    """Pages by id: a harvest that runs while records are added neither repeats nor skips."""

    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        # `next` and `previous` link to the public site (SITE_URL), like every `url` field.
        self.base_url = absolute(request.get_full_path())
        return page


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
    return etag, last_modified.timestamp()


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


class PublicReadViewSet(viewsets.ReadOnlyModelViewSet):
    """Anonymous, cacheable, cross-origin reads of public records."""

    authentication_classes = []
    permission_classes = [AllowAny]
    pagination_class = CursorPage
    filter_backends = [DjangoFilterBackend]

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
