from django.urls import path

from projects import views

app_name = "projects"


class KatoConverter:
    """A 9-digit KATO code in a URL: anything else (NUL bytes included) is a 404 unrouted."""

    regex = "[0-9]{9}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


urlpatterns = [
    path("link-requests/", views.link_requests, name="link_requests"),
    path("link-requests/<int:pk>/", views.link_request_answer, name="link_request_answer"),
    path(
        "link-requests/<int:pk>/withdraw/",
        views.link_request_withdraw,
        name="link_request_withdraw",
    ),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<slug:slug>/edit/", views.project_edit, name="project_edit"),
    path("projects/<slug:slug>/changes/", views.project_changes, name="project_changes"),
    path(
        "organisations/<slug:slug>/members/",
        views.organisation_members,
        name="organisation_members",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<slug:slug>/api-keys/",
        views.organisation_api_keys,
        name="organisation_api_keys",
    ),
    path(
        "organisations/<slug:slug>/api-keys/<int:pk>/revoke/",
        views.api_key_revoke,
        name="api_key_revoke",
    ),
]
