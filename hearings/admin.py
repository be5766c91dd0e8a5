from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, ReasonForm, reason_action
from hearings import services
from hearings.models import (
    AnswerCorrection,
    DayTransfer,
    DecisionNotice,
    Hearing,
    HearingChange,
    HearingComment,
    HearingDocument,
    HearingFailure,
    HearingPromise,
    LearnedOf,
    OutboxMessage,
    Rule,
    RuleSet,
    Subscription,
    TransferDecree,
)


class HearingDocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HearingDocument
    extra = 0


class HearingPromiseInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HearingPromise
    extra = 0
    raw_id_fields = ["organisation", "created_by"]


class HearingFailureInline(ReadOnlyAdminMixin, admin.StackedInline):
    """Why the hearing did not take place, as its organiser recorded it (`record_failure`)."""

    model = HearingFailure
    raw_id_fields = ["recorded_by"]


class DecisionNoticeInline(ReadOnlyAdminMixin, admin.StackedInline):
    """The decision taken after the hearing, as its organiser published it (`publish_decision`)."""

    model = DecisionNotice
    raw_id_fields = ["document", "published_by"]


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
    inlines = [
        HearingFailureInline,
        DecisionNoticeInline,
        HearingDocumentInline,
        HearingPromiseInline,
        HearingChangeInline,
    ]
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


class RuleInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Each rule is edited on its own page, where a verified one is locked (`RuleAdmin`)."""

    model = Rule
    extra = 0
    fields = readonly_fields = ["measures", "number", "unit", "direction", "event", "verified"]
    show_change_link = True


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["code", "regime", "in_force_from", "in_force_until", "edition"]
    list_filter = ["regime"]
    inlines = [RuleInline]


class VerifyRuleForm(forms.ModelForm):
    """The whole verification record and a reason; saved only by `services.verify_rule`."""

    reason = ReasonForm.base_fields["reason"]

    class Meta:
        model = Rule
        fields = services.VERIFICATION_RECORD


def _withdraw(*, acting_user, obj, reason):
    return services.withdraw_rule_verification(acting_user=acting_user, rule=obj, reason=reason)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """Staff with the rule permissions edit a rule that does not bind yet. Once verified, its
    period and source are locked: only a legal editor (`hearings.review_legal_rules`) changes
    them, through the legal review (a reason, the public change log) or by withdrawing it."""

    list_display = ["rule_set", "measures", "number", "unit", "verified", "verified_on"]
    list_filter = ["verified", "rule_set"]
    readonly_fields = ["verified", "verified_on", "verified_by", "legal_review"]
    LOCKED_WHEN_VERIFIED = ("rule_set", "measures", "unit", "direction", "event")
    withdraw = reason_action(
        "withdraw", _("Withdraw the verification of the selected rules"), _withdraw
    )
    withdraw.allowed_permissions = ("review_legal_rules",)
    actions = [withdraw]

    def has_review_legal_rules_permission(self, request):
        return request.user.has_perm("hearings.review_legal_rules")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.verified:
            locked = (*self.LOCKED_WHEN_VERIFIED, *services.VERIFICATION_RECORD)
            return [*locked, *self.readonly_fields]
        return self.readonly_fields

    @admin.display(description=_("legal review"))
    def legal_review(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:hearings_rule_verify", args=[obj.pk]),
            _("Verify or correct against the official text"),
        )

    def get_urls(self):
        verify = self.admin_site.admin_view(self.verify_view)
        return [path("<int:pk>/verify/", verify, name="hearings_rule_verify"), *super().get_urls()]

    def verify_view(self, request, pk):
        if not self.has_review_legal_rules_permission(request):
            raise PermissionDenied
        rule = get_object_or_404(Rule, pk=pk)
        form = VerifyRuleForm(request.POST or None, instance=rule)
        if form.is_valid():
            record = {name: form.cleaned_data[name] for name in services.VERIFICATION_RECORD}
            try:
                services.verify_rule(
                    acting_user=request.user,
                    rule=rule,
                    reason=form.cleaned_data["reason"],
                    **record,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("The rule is verified and binds."), messages.SUCCESS)
                return redirect("admin:hearings_rule_change", rule.pk)
        return TemplateResponse(
            request,
            "admin/hearings/rule/verify.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Verify a rule of the legal clock"),
                "rule": rule,
                "form": form,
                "opts": Rule._meta,
            },
        )


@admin.register(DayTransfer)
class DayTransferAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(TransferDecree)
class TransferDecreeAdmin(admin.ModelAdmin):
    """A year's decree moving days off: once entered, that year's dates are no longer
    provisional. Enter the moved days themselves as moved working days."""

    list_display = ["year", "source", "url"]
