from django.contrib import admin

from .models import (
    AttendanceRegistration,
    Hearing,
    HearingChange,
    HearingComment,
    HearingDocument,
    HearingPromise,
    LearnedOf,
    OutboxMessage,
    Subscription,
)


class HearingDocumentInline(admin.TabularInline):
    model = HearingDocument
    extra = 0


class HearingPromiseInline(admin.TabularInline):
    model = HearingPromise
    extra = 0
    raw_id_fields = ["organisation", "created_by"]


class HearingChangeInline(admin.TabularInline):
    model = HearingChange
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in HearingChange._meta.fields if f.name != "id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hearing)
class HearingAdmin(admin.ModelAdmin):
    list_display = ["registration_number", "title_ru", "organiser", "starts_at", "status"]
    list_filter = ["status", "legal_basis", "format"]
    search_fields = ["registration_number", "title_kk", "title_ru", "title_en"]
    raw_id_fields = ["project", "initiator", "organiser", "territory", "created_by"]
    readonly_fields = ["registration_number"]
    inlines = [HearingDocumentInline, HearingPromiseInline, HearingChangeInline]


@admin.register(HearingComment)
class HearingCommentAdmin(admin.ModelAdmin):
    list_display = ["hearing", "kind", "source", "moderation_status", "submitted_at"]
    list_filter = ["moderation_status", "kind", "source"]
    raw_id_fields = ["hearing", "moderated_by", "answered_by"]


@admin.register(LearnedOf)
class LearnedOfAdmin(admin.ModelAdmin):
    list_display = ["hearing", "learned_on", "channel", "moderation_status"]
    list_filter = ["moderation_status", "channel"]
    raw_id_fields = ["hearing", "moderated_by"]


@admin.register(AttendanceRegistration)
class AttendanceRegistrationAdmin(admin.ModelAdmin):
    list_display = ["hearing", "name", "people", "created_at"]
    raw_id_fields = ["hearing"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "place", "confirmed_at", "unsubscribed_at"]
    raw_id_fields = ["place"]
    search_fields = ["email"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "created_at",
        "last_error",
    ]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["recipient", "dedupe_key"]
    raw_id_fields = ["subscription", "hearing"]
