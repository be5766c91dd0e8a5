from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import HoneypotMixin, SafeInputMixin, VersionField
from core.lifecycle import REASON
from core.translation import page_language
from core.validators import PDF_MAX_BYTES, validate_pdf
from disclosures import images
from disclosures.models import Confirmation, Disclosure, Document, ResidentFeedback, Status
from hearings.models import Hearing
from projects.forms import SettlementCodesField
from projects.models import Organisation, Project

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def validate_pdf_upload(upload):
    validate_pdf(upload, PDF_MAX_BYTES)


class DisclosureForm(SafeInputMixin, forms.ModelForm):
    """Create or correct a disclosure. The organisation and the starting status are chosen only
    when creating: afterwards the status moves only by the lifecycle's steps (`StatusForm`), the
    delivered date and the cancel reason are corrected only in their own states."""

    version = VersionField()

    settlement_codes = SettlementCodesField(
        label=_("Settlements that benefit (KATO codes)"),
        help_text=_("The 9-digit codes of the villages, separated by spaces; at least one."),
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        max_length=500,
        help_text=_("Required for a published disclosure: shown publicly in its change log."),
    )

    class Meta:
        model = Disclosure
        fields = [
            "organisation",
            "project",
            "title_kk",
            "title_ru",
            "title_en",
            "description_kk",
            "description_ru",
            "description_en",
            "category",
            "language",
            "recipient_name",
            "recipient_role",
            "status",
            "due_date",
            "delivered_date",
            "cancel_reason",
            "amount",
            "currency",
            "value_form",
            "in_kind_description",
            "is_estimate",
            "basis",
            "basis_reference",
            "reporting_year",
            "beneficiaries_count",
            "beneficiaries_description",
            "funded_by",
            "hearing",
        ]
        widgets = {"due_date": DATE_WIDGET, "delivered_date": DATE_WIDGET}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.of_user(user).order_by_name()
        if self.instance.pk:
            del self.fields["organisation"]
            del self.fields["status"]
            if self.instance.status != Status.DELIVERED:
                del self.fields["delivered_date"]
            if self.instance.status != Status.CANCELLED:
                del self.fields["cancel_reason"]
            organisation = self.instance.organisation
            self.initial["settlement_codes"] = list(self.instance.settlements.all())
            self.initial["version"] = self.instance.version
            if not self.instance.published_at:
                del self.fields["reason"]
        else:
            del self.fields["reason"]
            del self.fields["version"]
            self.initial.setdefault("language", page_language())
            self.fields["organisation"].queryset = organisations
            self.fields["organisation"].empty_label = None
            organisation = organisations.first() if organisations.count() == 1 else None
        own = (
            organisations
            if organisation is None
            else Organisation.objects.filter(pk=organisation.pk)
        )
        self.fields["project"].queryset = Project.objects.of_organisations(own).order_by_name()
        fundable = Disclosure.objects.none()
        for akimat in own.akimats().select_related("place"):
            fundable |= Disclosure.objects.fundable_by(akimat)
        self.fields["funded_by"].queryset = fundable.select_related("organisation")
        self.fields["funded_by"].label_from_instance = lambda d: f"{d.organisation} — {d.title}"
        self.fields["hearing"].queryset = (
            Hearing.objects.published()
            .filter(Q(initiator__in=own) | Q(organiser__in=own) | Q(promises__organisation__in=own))
            .distinct()
            .order_by("-starts_at")
        )
        if organisation is not None and organisation.is_company:
            # Only an akimat spends another's contribution.
            del self.fields["funded_by"]

    def clean(self):
        cleaned = super().clean()
        changed = [name for name in self.changed_data if name not in ("reason", "version")]
        if "reason" in self.fields and changed and not cleaned.get("reason"):
            self.add_error("reason", _("Say why you correct a published disclosure."))
        return cleaned

    def settlements(self):
        return self.cleaned_data["settlement_codes"]


class StatusForm(SafeInputMixin, forms.Form):
    """One step of the status lifecycle; the choices are the steps the table allows now."""

    step = forms.ChoiceField(label=_("What happened"), widget=forms.RadioSelect)
    date = forms.DateField(
        label=_("Date"), widget=DATE_WIDGET, help_text=_("When it happened (delivered, started).")
    )
    note = forms.CharField(
        label=_("Note or reason"),
        max_length=500,
        required=False,
        help_text=_("Required when cancelling: shown publicly."),
    )
    version = VersionField()

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps = {step.name: step for step in steps}
        self.fields["step"].choices = [(step.name, step.label) for step in steps]

    def clean(self):
        cleaned = super().clean()
        step = self.steps.get(cleaned.get("step"))
        if step is not None and REASON in step.requires and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say why it was cancelled."))
        if cleaned.get("date") and cleaned["date"] > timezone.localdate():
            self.add_error("date", _("The date cannot be in the future."))
        return cleaned

    def target_status(self):
        return self.steps[self.cleaned_data["step"]].target


class ReasonForm(SafeInputMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea)
    version = VersionField()


class PhotoForm(SafeInputMixin, forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 15 MB."),
        validators=[images.validate_image],
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=300,
        help_text=_("Required: describe the photo for people who cannot see it."),
    )


class DocumentForm(SafeInputMixin, forms.ModelForm):
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("PDF only, at most 20 MB."),
        validators=[validate_pdf_upload],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    class Meta:
        model = Document
        fields = ["kind", "title"]


class ConfirmationForm(SafeInputMixin, forms.Form):
    akimat = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none())
    verdict = forms.ChoiceField(
        label=_("The akimat's word"),
        choices=Confirmation.Verdict.choices,
        widget=forms.RadioSelect,
    )
    date = forms.DateField(label=_("Date checked"), widget=DATE_WIDGET)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Required when the akimat cannot confirm: say why."),
    )
    document = forms.FileField(
        label=_("Document (PDF, optional)"),
        required=False,
        validators=[validate_pdf_upload],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, akimats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["akimat"].queryset = akimats
        self.fields["akimat"].empty_label = None

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("verdict") == Confirmation.Verdict.CANNOT_CONFIRM
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", _("Say why the akimat cannot confirm it."))
        return cleaned


class FeedbackForm(SafeInputMixin, HoneypotMixin, forms.ModelForm):
    """A resident's word, without an account."""

    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 15 MB. Location data is removed."),
        validators=[images.validate_image],
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = ResidentFeedback
        fields = ["kind", "comment", "photo_alt", "author_name", "contact"]
        widgets = {"kind": forms.RadioSelect}

    field_order = ["kind", "comment", "photo", "photo_alt", "author_name", "contact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ResidentFeedback.Kind.choices
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and not cleaned.get("photo_alt", "").strip():
            self.add_error("photo_alt", _("Describe what the photo shows."))
        return cleaned


class QuestionForm(SafeInputMixin, HoneypotMixin, forms.Form):
    text = forms.CharField(label=_("Your question"), max_length=2000, widget=forms.Textarea)
    author_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        required=False,
        help_text=_("Shown publicly. Leave empty to stay anonymous."),
    )
    contact = forms.CharField(
        label=_("Phone or e-mail"),
        max_length=200,
        required=False,
        help_text=_("Optional, never shown publicly: only so that moderators can ask you."),
    )


class AnswerForm(SafeInputMixin, forms.Form):
    answer = forms.CharField(label=_("Public answer"), max_length=4000, widget=forms.Textarea)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        required=False,
        help_text=_("Required to change an answer already published: shown publicly with it."),
    )


class ImportForm(SafeInputMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none()
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, separated by commas or semicolons, with the template's header row; "
            "an export from this site can be uploaded back as it is."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.of_user(user).order_by_name()
        self.fields["organisation"].empty_label = None
