"""Form building blocks every app uses: input cleaning, a honeypot, service errors and the
form-to-service step, sign-in, moderation."""

import datetime
import functools
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
    UsernameField,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.text import Truncator, capfirst
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from core import ratelimit, signin
from core.proxies import client_ip
from core.request_limits import refuse_dropped_files
from core.text import strip_control_characters
from core.translation import MAX_VERSION_LENGTH, translatable_texts
from core.uploads import hold, keep, release, restore
from core.validators import EARLIEST_YEAR, LATEST_YEAR


class SafeInputMixin:
    """Every form that takes input: control characters removed from text, dates in sane years.

    Single-line text also loses line breaks and tabs; multi-line text (a Textarea) keeps them.
    """

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if isinstance(value, str) and field is not None:
                multiline = isinstance(field.widget, forms.Textarea)
                cleaned[name] = strip_control_characters(value, multiline=multiline)
            elif isinstance(value, datetime.date) and not (
                EARLIEST_YEAR <= value.year <= LATEST_YEAR
            ):
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("Enter a date between %(first)s and %(last)s."),
                        code="date_range",
                        params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
                    ),
                )
        return cleaned


class VersionField(forms.IntegerField):
    """The version of the record the form was opened at: a write refuses a form opened at an
    older one (`core.services.lock_for_write`)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)


def add_service_errors(form, error, renames=None):
    """Put a service's ValidationError onto the form, field by field where it can (`renames`
    maps the service's names to the form's)."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            name = (renames or {}).get(name, name)
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def saved(request, form, save, renames=None):
    """Whether a POST of `form` was valid and `save(data)`, one service call, took it; a
    refusal comes back on the form (`add_service_errors`, with `renames`), whose files wait
    for the next try (`core.uploads`); a file dropped for its size refuses it with the text
    kept (`refuse_dropped_files`)."""
    uploads = form.is_multipart()
    if uploads:
        restore(form, request)
        refuse_dropped_files(form, request)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, renames)
        else:
            if uploads:
                release(form)
            return True
    if request.method == "POST" and uploads:
        keep(form, request)
    return False


def resident_form(
    request, record, form_class, save, *, scope, success, template, context, renames=None
):
    """The shape of an anonymous resident's form on a public `record`: a POST within the rate
    limit (`scope`) is `saved` through `save(data)`, then back to the record with the `success`
    message; else `template` shows the form with `context` (400 when refused). Over the limit
    it is refused before anything is decoded (429, Retry-After): the typed text comes back and
    the files are kept as they came (`core.uploads.hold`), to be checked when it is sent again."""
    wait = ratelimit.retry_after(request, scope) if request.method == "POST" else None
    if wait is not None:
        form = form_class(request.POST)
        hold(form, request)
        form.add_error(None, ratelimit.refusal_message(wait))
    else:
        form = form_class(request.POST or None, request.FILES or None)
        if saved(request, form, save, renames):
            ratelimit.record(request, scope)
            messages.success(request, success)
            return redirect(record)
    status = 429 if wait is not None else 400 if request.method == "POST" else 200
    response = render(request, template, {**context, "form": form}, status=status)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


def blank_form(form_class, auto_id):
    """An empty `form_class` as `includes/_form.html` renders it, in the page's language.

    An empty form's HTML depends on the code and the language only: rendered once per process
    and language, not through a template per widget and label on every page that offers it
    (the two forms of a contribution's page were a quarter of its CPU time, docs/performance.md).
    A sent form, with its values and errors, is rendered as usual."""
    return _blank_form(form_class, auto_id, get_language())


@functools.cache
def _blank_form(form_class, auto_id, language):
    return loader.render_to_string("includes/_form.html", {"form": form_class(auto_id=auto_id)})


class HoneypotMixin:
    """A field people never see and bots fill in; a filled one makes the form invalid.

    The field is hidden with CSS (class `hp`) and `aria-hidden`, not `type=hidden`, because bots
    skip hidden inputs. Its label tells the rare human who sees it to leave it empty.
    """

    honeypot_field = "website_url"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.honeypot_field] = forms.CharField(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "hp"}),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(self.honeypot_field):
            raise forms.ValidationError(
                _("The form could not be accepted. Please try again."), code="honeypot"
            )
        return cleaned


class SignInForm(AuthenticationForm):
    """Django's sign-in form, asking for what an account is known by here: the e-mail address
    (accounts are created with the e-mail as the user name), with an error in our words."""

    username = UsernameField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong e-mail or password. Check both; capital and small letters count in the password."
        ),
        "slow_down": ngettext_lazy(
            "Several wrong passwords were tried for this account. Wait %(seconds)s second and "
            "try again, or reset your password.",
            "Several wrong passwords were tried for this account. Wait %(seconds)s seconds and "
            "try again, or reset your password.",
            "seconds",
        ),
    }

    def clean(self):
        """The account's own delay first (core/signin.py): while it runs, the password is not
        even checked, so guessing gains nothing."""
        wait = signin.account_wait(self.cleaned_data.get("username"), self.request)
        if wait:
            raise forms.ValidationError(
                self.error_messages["slow_down"], code="slow_down", params={"seconds": wait}
            )
        return super().clean()


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset request, limited per account and per address, with links to SITE_URL
    (never the request's host) and the e-mail sent outside the request (core/signin.py)."""

    def save(self, *, request, **options):
        email = self.cleaned_data["email"].strip().lower()
        allowed = ratelimit.allow_identity(
            "password-reset-address",
            client_ip(request),
            settings.PASSWORD_RESET_PER_ADDRESS,
        ) and ratelimit.allow_identity(
            "password-reset-account", email, settings.PASSWORD_RESET_PER_ACCOUNT
        )
        if not allowed:
            return  # the same answer as any other request: nothing tells a limit was reached
        site = urlsplit(settings.SITE_URL)
        options.update(domain_override=site.netloc, use_https=site.scheme == "https")
        super().save(request=request, **options)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Rendered here, in the reader's language; sent by the background thread."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        signin.send_later(message)


class NewPasswordForm(SetPasswordForm):
    """Setting a new password through a reset link: the owner's way out of any sign-in lock."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        signin.clear_account(user.get_username())
        return user


class ModerationForm(SafeInputMixin, forms.Form):
    """A moderator's decision on one resident's submission; a rejection needs a reason.

    The queue shows one such form per waiting item, so each gets ids of its own (`auto_id`
    from the item's kind and pk); a refused one is shown again bound, in its place, with the
    error summary (`for_queue`).
    """

    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("approve")), ("0", _("reject"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for rejection"), required=False, max_length=300)

    def __init__(self, *args, kind, item, **kwargs):
        kwargs.setdefault("auto_id", f"{kind}-{item.pk}-%s")
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.item = item

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("approve") is False and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting it."))
        return cleaned

    @classmethod
    def for_queue(cls, kind, items, refused=None):
        """`items` as a list, each with its `moderation_form`: the `refused` form for the item
        it was about (added at the end when the queue does not show it), a blank one for the
        others."""
        items = list(items)
        if refused is not None and refused.kind == kind:
            if all(item.pk != refused.item.pk for item in items):
                items.append(refused.item)
        for item in items:
            if refused is not None and (refused.kind, refused.item.pk) == (kind, item.pk):
                item.moderation_form = refused
            else:
                item.moderation_form = cls(kind=kind, item=item)
        return items


def moderation_page(request, template, queues, refused=None):
    """The moderators' queue, staff only: each list of `template` (`queues` maps its name to a
    kind and the items waiting) with a decision form per item; a `refused` decision comes back
    in its item's place, with the error summary (400)."""
    if not request.user.is_staff:
        raise PermissionDenied
    lists = {name: ModerationForm.for_queue(*queue, refused) for name, queue in queues.items()}
    status = 200 if refused is None else 400
    return render(request, template, {**lists, "form": refused}, status=status)


def moderation_decision(request, kind, item, moderate, page, success, queue_url):
    """A moderator's decision on `item`, taken by the service `moderate`, then back to the queue
    at `queue_url` with the `success` message; a refused one shows the queue again (`page`)."""
    form = ModerationForm(request.POST, kind=kind, item=item)
    if not form.is_valid():
        return page(request, refused=form)
    data = form.cleaned_data
    moderate(acting_user=request.user, item=item, approve=data["approve"], reason=data["reason"])
    messages.success(request, success)
    return redirect(queue_url)


class TranslationForm(SafeInputMixin, forms.Form):
    """Add a text's version in another language (`core.translation.add_version`): the texts of
    `records` typed in one language, each a choice keyed by its record's `prefix`."""

    target = forms.ChoiceField(
        label=_("Text to translate"), error_messages={"required": _("Choose the text.")}
    )
    language = forms.ChoiceField(
        label=_("Language of the translation"),
        choices=settings.LANGUAGES,
        error_messages={
            "required": _("Choose Kazakh, Russian or English."),
            "invalid_choice": _("Choose Kazakh, Russian or English."),
        },
    )
    text = forms.CharField(
        label=_("Translation"),
        max_length=MAX_VERSION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the translation.")},
    )

    def __init__(self, *args, records, **kwargs):
        """`records`: (prefix, record) pairs, e.g. ("", disclosure), ("photo-3-", photo)."""
        super().__init__(*args, **kwargs)
        self.targets = {}
        for prefix, record in records:
            for field, original, _versions in translatable_texts(record):
                label = capfirst(record._meta.get_field(field).verbose_name)
                self.targets[prefix + field] = (
                    record,
                    field,
                    f"{label}: {Truncator(original).chars(70)}",
                )
        self.fields["target"].choices = [(key, item[2]) for key, item in self.targets.items()]
        self.fields["target"].error_messages["invalid_choice"] = _(
            "Choose one of the texts shown here."
        )

    def translation(self):
        """The chosen text's version, as the apps' `services.add_translation` take it: `record`,
        `field`, `language` and `text`."""
        data = self.cleaned_data
        record, field, _label = self.targets[data["target"]]
        return dict(record=record, field=field, language=data["language"], text=data["text"])
