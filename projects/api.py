"""The read API's common ground, and its places, organisations and projects.

Every read endpoint is public, anonymous and cacheable: responses carry an ETag and
Last-Modified taken from the content version (projects/caching.py), so a harvester that asks
again with If-None-Match or If-Modified-Since gets a 304 without a database query beyond the
version; and they allow cross-origin reads, so a newsroom's page can fetch them from a browser.
Lists are cursor-paginated (stable under inserts) and filtered by the same FilterSets as the
HTML lists, plus `updated_since` for harvesting; an invalid filter is a 400 naming the errors.
"""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny, BasePermission

from . import caching, services
from .filters import OrganisationFilter, PlaceFilter, ProjectFilter
from .metadata import absolute
from .models import ApiToken, Organisation, Place, Project
from .serializers import OrganisationSerializer, PlaceSerializer, ProjectSerializer
from .validators import EARLIEST_YEAR, LATEST_YEAR

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


def updated_since():
    return BoundedIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed at or after this instant (ISO 8601, e.g. 2026-01-31T00:00:00Z)",
    )


def content_validators():
    """(ETag, Last-Modified) of everything public, as of now.

    The day is part of both: hearings' deadlines and overdue promises change at midnight
    (Kazakhstan time) without any write.
    """
    version, changed_at = caching.current()
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    last_modified = max(changed_at, midnight) if changed_at else midnight
    etag = f'"api-v1-{version}-{get_language()}-{today.isoformat()}"'
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


class PlaceViewSet(PublicReadViewSet):
    """Places of the KATO classifier: regions, districts, rural districts and settlements.

    The id is the 9-digit KATO code. Coordinates are from GeoNames (geonames.org, CC BY 4.0)
    where the place has them.
    """

    queryset = Place.objects.select_related("parent")
    serializer_class = PlaceSerializer
    filterset_class = PlaceFilter
    lookup_field = "kato_code"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9]{9}"


class OrganisationViewSet(PublicReadViewSet):
    """Companies (with their BIN) and akimats. The id is the organisation's address name."""

    queryset = Organisation.objects.select_related("place")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    lookup_field = "slug"
    lookup_url_kwarg = "id"


class ProjectAPIFilter(ProjectFilter):
    updated_since = updated_since()


class ProjectViewSet(PublicReadViewSet):
    """Investment projects and the settlements they affect. The id is the address name."""

    queryset = Project.objects.select_related("operator", "primary_settlement").prefetch_related(
        "investors", "settlements"
    )
    serializer_class = ProjectSerializer
    filterset_class = ProjectAPIFilter
    lookup_field = "slug"
    lookup_url_kwarg = "id"


# --- Writing with an organisation's API key -------------------------------------------------


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer aa_…`: the request acts for the key's organisation, as its creator.

    `request.auth` is the `ApiToken`; views scope every lookup to `request.auth.organisation`.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        keyword, _space, raw = header.partition(" ")
        if keyword != self.keyword:
            return None
        token = services.authenticate_api_key(raw.strip())
        if token is None:
            raise AuthenticationFailed(
                _("This API key is not valid, or it was revoked or expired.")
            )
        return token.created_by, token

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "organisationKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation's API key, made by its administrator on the site.",
        }


class HasApiKey(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)
