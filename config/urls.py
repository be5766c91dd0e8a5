from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from core.api import ApiIndex
from core.forms import NewPasswordForm, PasswordResetRequestForm, SignInForm
from disclosures.api import DisclosureViewSet, OwnDisclosureViewSet
from disclosures.sitemaps import DisclosureSitemap
from hearings import views as hearings_views
from hearings.api import HearingViewSet
from hearings.sitemaps import HearingSitemap
from portal import views as portal_views
from portal.sitemaps import PlaceSitemap
from projects.api import OrganisationViewSet, PlaceViewSet, ProjectViewSet


class ApiRouter(DefaultRouter):
    """/api/v1/ answers the index of the resources (no `.json` suffixes)."""

    APIRootView = ApiIndex
    include_format_suffixes = False


api = ApiRouter(trailing_slash=True)
api.register("places", PlaceViewSet, basename="place")
api.register("organisations", OrganisationViewSet, basename="organisation")
api.register("projects", ProjectViewSet, basename="project")
api.register("disclosures", DisclosureViewSet, basename="disclosure")
api.register("hearings", HearingViewSet, basename="hearing")
api.register("own/disclosures", OwnDisclosureViewSet, basename="own-disclosure")

sitemaps = {"places": PlaceSitemap, "disclosures": DisclosureSitemap, "hearings": HearingSitemap}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", portal_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", portal_views.sitemap_index, {"sitemaps": sitemaps}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("api/v1/", include((api.urls, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("media/<path:path>", portal_views.media_file, name="media"),
    # The bulk downloads: stable addresses without a language (the page is at /<lang>/data/).
    path("data/", portal_views.data_redirect, name="data_redirect"),
    path("data/<str:name>", portal_views.data_file, name="data_file"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("readyz", portal_views.readyz, name="readyz"),
]

urlpatterns += i18n_patterns(
    path("", portal_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetRequestForm),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("projects.urls")),
    path("", include("portal.urls")),
    path("disclosures/", include("disclosures.urls")),
    path("hearings/", include("hearings.urls")),
    path("legal/", hearings_views.legal_rules, name="legal"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    prefix_default_language=True,
)

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
