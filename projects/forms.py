import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organisation, Place, Project
from .text import strip_control_characters
from .validators import EARLIEST_YEAR, LATEST_YEAR


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


class PlacePickerInput(forms.TextInput):
    """A text box of KATO codes that `static/js/place-picker.js` enhances with a search by name.

    Without JavaScript it is the plain code box it always was; with it, a search box above it
    suggests "Name — district, region (КАТО code)" as the official types and writes the chosen
    code into this box.
    """

    is_place_picker = True

    def __init__(self, attrs=None, *, multiple=True, level=""):
        defaults = {
            "data-place-picker": "multiple" if multiple else "single",
            "data-level": level,
            "autocomplete": "off",
            "spellcheck": "false",
        }
        super().__init__({**defaults, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Reversed when drawn, so that the address carries the page's language.
        attrs = context["widget"]["attrs"]
        attrs["data-suggest-url"] = reverse("projects:place_suggest")
        # The script's texts, translated here: no string lives in the JavaScript.
        attrs["data-text-search"] = _("Find a place by name")
        attrs["data-text-hint"] = _(
            "Type two letters or more, choose with the arrow keys and Enter: the KATO code is "
            "written into the box below."
        )
        attrs["data-text-chosen"] = _("Chosen places")
        attrs["data-text-count"] = _("Places found: %s. Use the up and down arrows to choose.")
        attrs["data-text-none"] = _("No place found. Try another spelling or the KATO code.")
        attrs["data-text-error"] = _("The search does not answer; type the KATO code instead.")
        attrs["data-text-added"] = _("Added: %s")
        attrs["data-text-removed"] = _("Removed: %s")
        attrs["data-text-remove"] = _("Remove %s")
        return context


_PARTS = re.compile(r"[,;\n]+")
_CODES_ONLY = re.compile(r"[\d\s]+")
CANDIDATES_SHOWN = 5


def place_tokens(value):
    """Codes and names as typed: parts between commas, semicolons or line breaks; a part of
    digits and spaces is several codes (the old "596036500 596036600"), any other part a name."""
    tokens = []
    for part in _PARTS.split(value or ""):
        part = " ".join(part.split())
        if _CODES_ONLY.fullmatch(part):
            tokens += part.split()
        elif part:
            tokens.append(part)
    return tokens


class SettlementCodesField(forms.CharField):
    """KATO codes of settlements, separated by spaces or commas; or their names.

    A select of 13,000 villages is unusable on a phone; the code is what akimats and companies
    already use in their paperwork, and the village search shows it for everyone else. The place
    picker (`PlacePickerInput`) finds a code by name as you type. A name typed by hand is
    accepted when exactly one place of the right level has it; otherwise the error lists the
    places it could be, each with its code.
    """

    settlements_only = True
    default_error_messages = {
        "malformed": _("“%(value)s” is not a KATO code: a KATO code has exactly 9 digits."),
        "unknown": _("No settlement has the KATO code %(value)s."),
        "not_settlement": _("%(value)s is a region or district, not a settlement."),
        "no_name": _(
            "No place is called “%(value)s”. Check the spelling, try the Russian or Kazakh "
            "name, or give the KATO code."
        ),
        "ambiguous": _(
            "“%(value)s” is the name of several places: %(candidates)s. Give the KATO code of "
            "the one you mean."
        ),
    }

    def __init__(self, *, multiple=True, **kwargs):
        kwargs.setdefault(
            "widget",
            PlacePickerInput(
                multiple=multiple, level="settlement" if self.settlements_only else ""
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        tokens = place_tokens(value)
        codes = [token for token in tokens if any(char.isdigit() for char in token)]
        for code in codes:
            if not (len(code) == 9 and code.isdigit()):
                raise forms.ValidationError(
                    self.error_messages["malformed"], code="malformed", params={"value": code}
                )
        places = {p.kato_code: p for p in Place.objects.filter(kato_code__in=codes)}
        chosen = []
        for token in tokens:
            place = places.get(token) if token in codes else self._by_name(token)
            if place is None:
                raise forms.ValidationError(
                    self.error_messages["unknown"], code="unknown", params={"value": token}
                )
            if self.settlements_only and place.level != Place.Level.SETTLEMENT:
                raise forms.ValidationError(
                    self.error_messages["not_settlement"],
                    code="not_settlement",
                    params={"value": token},
                )
            chosen.append(place)
        return list(dict.fromkeys(chosen))

    def _by_name(self, name):
        """The one place called `name` (in any language and spelling), or a clear error."""
        named = Place.objects.named(name).order_by("prominence", "depth", "kato_code")
        candidates = list((named.settlements() if self.settlements_only else named)[:50])
        if not candidates:
            if self.settlements_only and named.exists():
                raise forms.ValidationError(
                    self.error_messages["not_settlement"],
                    code="not_settlement",
                    params={"value": name},
                )
            raise forms.ValidationError(
                self.error_messages["no_name"], code="no_name", params={"value": name}
            )
        if len(candidates) > 1:
            shown = Place.objects.attach_ancestors(candidates[:CANDIDATES_SHOWN])
            labels = "; ".join(place.picker_label() for place in shown)
            if len(candidates) > CANDIDATES_SHOWN:
                more = len(candidates) - CANDIDATES_SHOWN
                labels += "; " + _("%(count)s more") % {"count": f"{more}+" if more >= 45 else more}
            raise forms.ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"value": name, "candidates": labels},
            )
        return candidates[0]

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return " ".join(getattr(p, "kato_code", str(p)) for p in value)
        return value


def add_service_errors(form, error, renames=None):
    """Put a service's ValidationError onto the form, field by field where it can (`renames`
    maps the service's names to the form's)."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            name = (renames or {}).get(name, name)
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class ProjectForm(SafeInputMixin, forms.ModelForm):
    primary_settlement_code = SettlementCodesField(
        multiple=False,
        label=_("Main settlement (KATO code)"),
        help_text=_("The 9-digit code of the village or town; find it with the village search."),
    )
    other_settlement_codes = SettlementCodesField(
        label=_("Other settlements affected (KATO codes)"),
        required=False,
        help_text=_("Separate codes with spaces or commas."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_(
            "Required when you change a project: shown publicly in its history, with what changed."
        ),
    )
    # The latest change-log row when the form was opened (see `services.save_project`).
    seen_change = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Project
        # The main settlement is chosen by its KATO code (`primary_settlement_code`).
        fields = [name for name in Project.TRACKED_FIELDS if name != "primary_settlement"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "commissioning_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "investors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        companies = Organisation.objects.companies().order_by_name()
        self.fields["investors"].queryset = companies
        self.fields["operator"].queryset = (
            companies if user.is_staff else companies.filter(memberships__user=user)
        )
        if not self.instance.pk:
            del self.fields["reason"]  # a new project has no history to explain yet
            del self.fields["seen_change"]
        else:
            latest = self.instance.history.order_by("-pk").values_list("pk", flat=True).first()
            self.initial["seen_change"] = latest or 0
        if self.instance.pk:
            self.initial["primary_settlement_code"] = [self.instance.primary_settlement]
            self.initial["other_settlement_codes"] = list(
                self.instance.settlements.exclude(pk=self.instance.primary_settlement_id)
            )

    def clean(self):
        cleaned = super().clean()
        primary = cleaned.get("primary_settlement_code") or []
        if len(primary) > 1:
            self.add_error("primary_settlement_code", _("Give one main settlement."))
        elif primary:
            self.instance.primary_settlement = primary[0]
        return cleaned

    def settlements(self):
        primary = self.cleaned_data["primary_settlement_code"]
        others = self.cleaned_data.get("other_settlement_codes") or []
        return list(dict.fromkeys([*primary, *others]))


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


class PlaceSearchForm(SafeInputMixin, forms.Form):
    q = forms.CharField(
        label=_("Village, town or KATO code"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": _("e.g. Ilyichevka")}
        ),
    )


class MemberForm(SafeInputMixin, forms.Form):
    # The e-mail becomes the user name, which holds at most 150 characters.
    email = forms.EmailField(label=_("E-mail of the person"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user_model = get_user_model()
        if Membership.objects.filter(
            organisation=self.organisation, user__in=user_model.objects.filter(email__iexact=email)
        ).exists():
            raise forms.ValidationError(_("This person is already a member."))
        if user_model.objects.filter(email__iexact=email, is_staff=True).exists():
            raise forms.ValidationError(
                _("Moderators cannot join an organisation or act in its name.")
            )
        return email


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the accounting system's export."),
    )
    valid_for = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("one year"))],
    )


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
    }


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
