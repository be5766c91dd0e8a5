from django.urls import path, register_converter

from core.caching import public_page
from hearings import views
from hearings.feeds import HearingsFeed, PlaceHearingsFeed
from projects.urls import KatoConverter

app_name = "hearings"

register_converter(KatoConverter, "kato")

urlpatterns = [
    path("", views.hearing_list, name="list"),
    path("manage/", views.dashboard, name="dashboard"),
    path("new/", views.hearing_create, name="create"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<str:kind>/<int:pk>/", views.moderate, name="moderate"),
    path("comments/<int:pk>/answer/", views.comment_answer, name="comment_answer"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<slug:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<slug:token>/", views.unsubscribe, name="unsubscribe"),
    path("feed/", public_page(HearingsFeed()), name="feed"),
    path("calendar.ics", views.all_calendar, name="calendar"),
    path("place/<kato:kato_code>/calendar.ics", views.place_calendar, name="place_calendar"),
    path(
        "place/<kato:kato_code>/feed/",
        public_page(PlaceHearingsFeed(), scopes=views.place_scopes),
        name="place_feed",
    ),
    path("<int:pk>/", views.hearing_detail, name="detail"),
    path("<int:pk>/calendar.ics", views.hearing_ics, name="ics"),
    path("<int:pk>/notice/", views.hearing_notice, name="notice"),
    path("<int:pk>/comment/", views.comment_create, name="comment"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/learned/", views.learned_of, name="learned_of"),
    path("<int:pk>/edit/", views.hearing_edit, name="edit"),
    path("<int:pk>/announce/", views.hearing_announce, name="announce"),
    path("<int:pk>/held/", views.hearing_held, name="held"),
    path("<int:pk>/reschedule/", views.hearing_reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.hearing_cancel, name="cancel"),
    path("<int:pk>/record/", views.hearing_record, name="record"),
    path("<int:pk>/failed/", views.hearing_failed, name="failed"),
    path("<int:pk>/repeat/", views.hearing_repeat, name="repeat"),
    path("<int:pk>/decision/", views.hearing_decision, name="decision"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path("<int:pk>/promises/new/", views.promise_create, name="promise_create"),
    path("<int:pk>/translate/", views.hearing_translate, name="translate"),
    path("<int:pk>/questions/new/", views.question_create, name="question_create"),
    path("<int:pk>/registrations/", views.registrations, name="registrations"),
]
