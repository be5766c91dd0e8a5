from django.contrib import admin

from .models import (
    Confirmation,
    Disclosure,
    Document,
    Photo,
    Question,
    ResidentFeedback,
    Revision,
    StatusChange,
)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    readonly_fields = ["action", "changes", "reason", "acting_user", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "category", "status", "published_at", "hidden_at"]
    list_filter = ["status", "category", "basis"]
    list_select_related = ["organisation"]
    search_fields = ["title_kk", "title_ru", "title_en"]
    raw_id_fields = ["organisation", "project", "funded_by", "settlements"]
    readonly_fields = ["published_at", "withdrawn_at", "hidden_at", "hidden_by", "hidden_reason"]
    inlines = [StatusChangeInline, RevisionInline]


@admin.register(ResidentFeedback, Question)
class ResidentInputAdmin(admin.ModelAdmin):
    list_display = ["__str__", "disclosure", "moderation_status", "submitted_at"]
    list_filter = ["moderation_status"]
    raw_id_fields = ["disclosure"]


admin.site.register([Photo, Document, Confirmation])
