from django.urls import path

from core.caching import public_page
from disclosures import views
from disclosures.feeds import DisclosureFeed

app_name = "disclosures"

urlpatterns = [
    path("", views.disclosure_list, name="list"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.json", views.export_json, name="export_json"),
    path("feed/", public_page(DisclosureFeed()), name="feed"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.disclosure_create, name="create"),
    path("import/", views.import_csv, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<str:kind>/<int:pk>/", views.moderate, name="moderate"),
    path("questions/<int:pk>/answer/", views.question_answer, name="question_answer"),
    path("<int:pk>/", views.disclosure_detail, name="detail"),
    path("<int:pk>/changes/", views.disclosure_changes, name="changes"),
    path("<int:pk>/edit/", views.disclosure_edit, name="edit"),
    path("<int:pk>/publish/", views.disclosure_publish, name="publish"),
    path("<int:pk>/withdraw/", views.disclosure_withdraw, name="withdraw"),
    path("<int:pk>/status/", views.disclosure_status, name="status"),
    path("<int:pk>/photos/new/", views.photo_create, name="photo_create"),
    path("<int:pk>/translate/", views.disclosure_translate, name="translate"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path("<int:pk>/confirm/", views.disclosure_confirm, name="confirm"),
    path("<int:pk>/hide/", views.disclosure_hide, name="hide"),
    path("<int:pk>/unhide/", views.disclosure_unhide, name="unhide"),
    path("<int:pk>/feedback/", views.feedback_create, name="feedback"),
    path("<int:pk>/question/", views.question_create, name="question"),
]
