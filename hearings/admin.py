from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, reason_action
from hearings import services
from hearings.models import (
    AnswerCorrection,
    DayTransfer,
    Hearing,
    HearingChange,
    HearingComment,
    HearingDocument,
    HearingPromise,
    LearnedOf,
    OutboxMessage,
    Rule,
    RuleSet,
    Subscription,
)


class HearingDocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HearingDocument
    extra = 0


class HearingPromiseInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HearingPromise
    extra = 0
    raw_id_fields = ["organisation", "created_by"]


class HearingChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HearingChange
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in HearingChange._meta.fields if f.name != "id"]


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the organising akimat manages a hearing on the site; moderators may cancel
    one here through `services` (reason, notification, change log marked as theirs)."""

    list_display = ["registration_number", "title_ru", "organiser", "starts_at", "status"]
    list_filter = ["status", "legal_basis", "format"]
    search_fields = ["registration_number", "title_kk", "title_ru", "title_en"]
    inlines = [HearingDocumentInline, HearingPromiseInline, HearingChangeInline]
    actions = [
        reason_action(
            "cancel",
            _("Cancel the selected hearings"),
            lambda *, acting_user, obj, reason: services.cancel_hearing(
                acting_user=acting_user, hearing=obj, reason=reason
            ),
        )
    ]


@admin.register(HearingComment)
class HearingCommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["hearing", "kind", "source", "moderation_status", "submitted_at"]
    list_filter = ["moderation_status", "kind", "source"]


@admin.register(LearnedOf)
class LearnedOfAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["hearing", "learned_on", "channel", "moderation_status"]
    list_filter = ["moderation_status", "channel"]


@admin.register(AnswerCorrection)
class AnswerCorrectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["comment", "corrected_at", "reason"]


# Registrations to attend (names and phone numbers) are not in the admin: only the organising
# akimat sees them, on the site.


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


# The legal clock's data: staff keep it in step with the law. A hearing keeps the rule set it
# was announced under, so editing a rule changes the clock of hearings already announced
# under that set; a new edition of the law is a new rule set with its own dates.


class RuleInline(admin.StackedInline):
    model = Rule
    extra = 0
    # Verification goes through `services.verify_rule` (a reason, a public log), never a tick.
    readonly_fields = ["verified", "verified_on", "verified_by"]


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["code", "regime", "in_force_from", "in_force_until", "edition"]
    list_filter = ["regime"]
    inlines = [RuleInline]


@admin.register(DayTransfer)
class DayTransferAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"
