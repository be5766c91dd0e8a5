"""The read API's common ground, and its places, organisations and projects.

Every read endpoint is public, anonymous and cacheable: responses carry an ETag and
Last-Modified taken from the site-wide cache scope (core/caching.py), so a harvester that asks
again with If-None-Match or If-Modified-Since gets a 304 without a database query; and they
allow cross-origin reads, so a newsroom's page can fetch them from a browser.
Lists are cursor-paginated (stable under inserts) and filtered by the same FilterSets as the
HTML lists, plus `updated_since` for harvesting; an invalid filter is a 400 naming the errors.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from core.api import PublicReadViewSet, updated_since
from projects import services
from projects.filters import OrganisationFilter, PlaceFilter, ProjectFilter
from projects.models import ApiToken, Organisation, Place, Project
from projects.serializers import OrganisationSerializer, PlaceSerializer, ProjectSerializer


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
