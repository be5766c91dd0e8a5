"""Admin building blocks every app uses: read-only inlines and actions that ask for a reason."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdminMixin:
    """Records residents rely on are changed only through their services (lifecycle checks,
    change log, notifications, content version): the admin shows them and offers actions that
    call those services, and never adds, changes or deletes a row itself."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly."),
    )


def reason_action(name, description, run):
    """An admin action that asks for a reason, then calls `run(acting_user=, obj=, reason=)` (a
    service) for each selected object; the service's refusals are shown, not bypassed."""

    def action(modeladmin, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    run(acting_user=request.user, obj=obj, reason=form.cleaned_data["reason"])
                except (ValidationError, PermissionDenied) as error:
                    text = " ".join(getattr(error, "messages", [])) or _("Not allowed.")
                    modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
                else:
                    done += 1
            if done:
                modeladmin.message_user(request, _("Done: %(count)s.") % {"count": done})
            return None
        return TemplateResponse(
            request,
            "admin/reason_action.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "queryset": queryset,
                "action": name,
                "form": form,
                "opts": modeladmin.model._meta,
            },
        )

    action.__name__ = name
    action.short_description = description
    return action
