from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, reason_action
from disclosures import services
from disclosures.models import (
    AnswerCorrection,
    Confirmation,
    Disclosure,
    Document,
    Photo,
    Question,
    ResidentFeedback,
    Revision,
    StatusChange,
)


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StatusChange
    extra = 0


class RevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Revision
    extra = 0
    readonly_fields = ["action", "changes", "reason", "acting_user", "by_staff", "created_at"]


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: companies and akimats change their records on the site, moderators hide and
    show them again here through `services` (reason, change log, content version)."""

    list_display = ["__str__", "organisation", "category", "status", "published_at", "hidden_at"]
    list_filter = ["status", "category", "basis"]
    list_select_related = ["organisation"]
    search_fields = ["title_kk", "title_ru", "title_en"]
    inlines = [StatusChangeInline, RevisionInline]
    actions = [
        reason_action(
            "hide",
            _("Hide the selected disclosures"),
            lambda *, acting_user, obj, reason: services.hide_disclosure(
                acting_user=acting_user, disclosure=obj, reason=reason
            ),
        ),
        reason_action(
            "unhide",
            _("Show the selected disclosures again"),
            lambda *, acting_user, obj, reason: services.unhide_disclosure(
                acting_user=acting_user, disclosure=obj, reason=reason
            ),
        ),
    ]


@admin.register(ResidentFeedback, Question)
class ResidentInputAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: moderators decide on the site's moderation queue."""

    list_display = ["__str__", "disclosure", "moderation_status", "submitted_at"]
    list_filter = ["moderation_status"]


@admin.register(Photo, Document, Confirmation, AnswerCorrection)
class DisclosureChildAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass
