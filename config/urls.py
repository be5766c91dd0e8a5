from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from projects import views as project_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("media/<path:path>", project_views.media_file, name="media"),
    path("healthz", project_views.healthz, name="healthz"),
    path("readyz", project_views.readyz, name="readyz"),
]

urlpatterns += i18n_patterns(
    path("", project_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("projects.urls")),
    path("disclosures/", include("disclosures.urls")),
    path("hearings/", include("hearings.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    prefix_default_language=True,
)

handler400 = "projects.views.bad_request"
handler403 = "projects.views.permission_denied"
handler404 = "projects.views.page_not_found"
handler500 = "projects.views.server_error"
