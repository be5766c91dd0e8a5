import re
from collections import defaultdict

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import SafeInputMixin
from core.search import fold
from core.validators import MAX_PLACE_NAME_LENGTH, check_list_size
from projects.models import Membership, Organisation, Place, Project


class PlacePickerInput(forms.TextInput):
    """A text box of KATO codes that `static/js/place-picker.js` enhances with a search by name.

    Without JavaScript it is the plain code box it always was; with it, a search box above it
    suggests "Name — district, region (КАТО code)" as the official types and writes the chosen
    code into this box.
    """

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
        attrs["data-suggest-url"] = reverse("portal:place_suggest")
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
        # Bounded before any query: the list's length, then each item's.
        check_list_size(tokens)
        for token in tokens:
            if len(token) > MAX_PLACE_NAME_LENGTH:
                raise forms.ValidationError(
                    self.error_messages["no_name"],
                    code="no_name",
                    params={"value": token[:MAX_PLACE_NAME_LENGTH] + "…"},
                )
        codes = [token for token in tokens if any(char.isdigit() for char in token)]
        for code in codes:
            if not (len(code) == 9 and code.isdigit()):
                raise forms.ValidationError(
                    self.error_messages["malformed"], code="malformed", params={"value": code}
                )
        places = {p.kato_code: p for p in Place.objects.filter(kato_code__in=codes)}
        named = self._named([token for token in tokens if token not in codes])
        chosen = []
        for token in tokens:
            if token in codes:
                place = places.get(token)
            else:
                place = self._by_name(token, named.get(fold(token), []))
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

    @staticmethod
    def _named(names):
        """The places called each of `names` (by folded name), best first: one query for all."""
        if not names:
            return {}
        wanted = {fold(name) for name in names}
        found = defaultdict(list)
        places = Place.objects.named_any(names).order_by("prominence", "depth", "kato_code")
        for place in places:
            for key in wanted.intersection(place.search_key.split("|")):
                found[key].append(place)
        return found

    def _by_name(self, name, named):
        """The one place called `name` among `named` (every place of that name), or a clear
        error."""
        settlements = [p for p in named if p.level == Place.Level.SETTLEMENT]
        candidates = (settlements if self.settlements_only else named)[:50]
        if not candidates:
            if self.settlements_only and named:
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
            self.initial["seen_change"] = self.instance.logged_version()
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
