import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UsernameField
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


class SettlementCodesField(forms.CharField):
    """KATO codes of settlements, separated by spaces or commas.

    A select of 13,000 villages is unusable on a phone; the code is what akimats and companies
    already use in their paperwork, and the village search shows it for everyone else.
    """

    default_error_messages = {
        "malformed": _("“%(value)s” is not a KATO code: a KATO code has exactly 9 digits."),
        "unknown": _("No settlement has the KATO code %(value)s."),
        "not_settlement": _("%(value)s is a region or district, not a settlement."),
    }

    def to_python(self, value):
        codes = [code for code in re.split(r"[\s,;]+", value or "") if code]
        for code in codes:
            if not (len(code) == 9 and code.isdigit()):
                raise forms.ValidationError(
                    self.error_messages["malformed"], code="malformed", params={"value": code}
                )
        places = {p.kato_code: p for p in Place.objects.filter(kato_code__in=codes)}
        for code in codes:
            if code not in places:
                raise forms.ValidationError(
                    self.error_messages["unknown"], code="unknown", params={"value": code}
                )
            if places[code].level != Place.Level.SETTLEMENT:
                raise forms.ValidationError(
                    self.error_messages["not_settlement"],
                    code="not_settlement",
                    params={"value": code},
                )
        return [places[code] for code in dict.fromkeys(codes)]

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return " ".join(getattr(p, "kato_code", str(p)) for p in value)
        return value


class ProjectForm(SafeInputMixin, forms.ModelForm):
    primary_settlement_code = SettlementCodesField(
        label=_("Main settlement (KATO code)"),
        help_text=_("The 9-digit code of the village or town; find it with the village search."),
    )
    other_settlement_codes = SettlementCodesField(
        label=_("Other settlements affected (KATO codes)"),
        required=False,
        help_text=_("Separate codes with spaces or commas."),
    )

    class Meta:
        model = Project
        fields = [
            "name_kk",
            "name_ru",
            "name_en",
            "operator",
            "investors",
            "sector",
            "status",
            "start_date",
            "commissioning_date",
            "investment_amount",
            "investment_currency",
            "jobs_planned",
            "jobs_created",
            "jobs_local",
            "is_bri",
            "description_kk",
            "description_ru",
            "description_en",
            "website",
        ]
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
