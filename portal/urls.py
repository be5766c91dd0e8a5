"""The addresses of the pages that gather every app (under the language prefix)."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("places/", views.place_search, name="place_search"),
    path("places/suggest/", views.place_suggest, name="place_suggest"),
    path("places/<slug:slug>/", views.place_detail, name="place_detail"),
    path("projects/<slug:slug>/", views.project_detail, name="project_detail"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("open-data/", views.open_data, name="open_data"),
    path("data/", views.data_page, name="data"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
