import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import HoneypotMixin, SafeInputMixin, VersionField
from core.validators import validate_email_domain_name
from hearings.models import (
    AttendanceRegistration,
    DecisionNotice,
    Hearing,
    HearingComment,
    HearingFailure,
    HearingFormat,
    HearingLanguage,
    LearnedOf,
    ParticipationForm,
)
from projects.forms import SettlementCodesField
from projects.models import Organisation, Place, Project


class TerritoryCodesField(SettlementCodesField):
    """KATO codes (or names) of the settlements, rural districts and districts concerned."""

    settlements_only = False
    default_error_messages = {
        "unknown": _("No place has the KATO code %(value)s."),
    }


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


class HearingForm(SafeInputMixin, forms.ModelForm):
    """The notice. Times are entered in Kazakhstan time and stored in UTC."""

    territory_codes = TerritoryCodesField(
        label=_("Territory of impact (KATO codes)"),
        help_text=_(
            "KATO codes of the settlements, rural districts and districts concerned, separated "
            "by spaces."
        ),
    )
    language_codes = forms.MultipleChoiceField(
        label=_("Languages of the hearing"),
        choices=HearingLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["kk", "ru"],
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at (Kazakhstan time)"),
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed once the hearing is announced: residents see it in the change log."),
    )
    version = VersionField()

    class Meta:
        model = Hearing
        fields = [
            "title_kk",
            "title_ru",
            "title_en",
            "subject_kk",
            "subject_ru",
            "subject_en",
            "project",
            "legal_basis",
            "initiator",
            "initiator_contact",
            "organiser",
            "organiser_contact",
            "portal_number",
            "portal_url",
            "portal_published_on",
            "media_outlet",
            "media_published_on",
            "media_url",
            "media_scan",
            "object_category",
            "art87_subparagraph",
            "initiator_representative",
            "document_developer",
            "authorised_body",
            "request_received_on",
            "request_answered_on",
            "language",
            "decision_kk",
            "decision_ru",
            "decision_en",
            "decision_authority_kk",
            "decision_authority_ru",
            "decision_authority_en",
            "form",
            "format",
            "venue_kk",
            "venue_ru",
            "venue_en",
            "online_link",
            "online_instructions_kk",
            "online_instructions_ru",
            "online_instructions_en",
            "starts_at",
            "discussion_ends_on",
            "duration_minutes",
            "materials_available_from",
            "paper_copies_kk",
            "paper_copies_ru",
            "paper_copies_en",
            "comments_until",
            "comment_instructions_kk",
            "comment_instructions_ru",
            "comment_instructions_en",
        ]
        widgets = {
            "portal_published_on": DateInput(),
            "request_received_on": DateInput(),
            "request_answered_on": DateInput(),
            "media_published_on": DateInput(),
            "materials_available_from": DateInput(),
            "comments_until": DateInput(),
            "discussion_ends_on": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "subject_kk",
                    "subject_ru",
                    "subject_en",
                    "decision_kk",
                    "decision_ru",
                    "decision_en",
                    "online_instructions_kk",
                    "online_instructions_ru",
                    "online_instructions_en",
                    "paper_copies_kk",
                    "paper_copies_ru",
                    "paper_copies_en",
                    "comment_instructions_kk",
                    "comment_instructions_ru",
                    "comment_instructions_en",
                )
            },
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiator"].queryset = Organisation.objects.initiators().order_by_name()
        akimats = Organisation.objects.akimats().select_related("place")
        if user is not None and not user.is_staff:
            # An official of a covering akimat may edit another akimat's hearing: keep its
            # organiser choosable.
            mine = Q(memberships__user=user)
            if self.instance.organiser_id:
                mine |= Q(pk=self.instance.organiser_id)
            akimats = akimats.filter(mine).distinct()
        self.fields["organiser"].queryset = akimats.order_by_name()
        if not self.instance.pk and len(self.fields["organiser"].queryset) == 1:
            self.fields["organiser"].initial = self.fields["organiser"].queryset[0].pk
        self.fields["project"].queryset = Project.objects.order_by_name()
        # The scan of the newspaper notice is one of this hearing's documents.
        if self.instance.pk:
            self.fields["media_scan"].queryset = self.instance.documents.all()
        else:
            del self.fields["media_scan"]
        # Left out, a hearing is an open meeting (as every hearing was before the two forms).
        self.fields["form"].required = False
        if self.instance.pk:
            self.fields["territory_codes"].initial = list(self.instance.territory.all())
            self.fields["language_codes"].initial = [
                c for c in self.instance.languages.split(",") if c
            ]
            self.fields["version"].initial = self.instance.version
            # Another akimat announces its own hearing; this one's organiser does not change.
            self.fields["organiser"].disabled = True
            if self.instance.is_published():
                # The date, place, format and link move only by rescheduling, which tells
                # subscribers and restarts the notice clock.
                for name in Hearing.SCHEDULE_FIELDS:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Change it with “Reschedule”.")
                # They decide which rules apply, recorded at announcement.
                for name in ("form", "legal_basis", "art87_subparagraph"):
                    self.fields[name].disabled = True
        else:
            del self.fields["reason"]
            del self.fields["version"]

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("title_kk") or cleaned.get("title_ru") or cleaned.get("title_en")):
            self.add_error("title_ru", _("Give the title in at least one language."))
        starts_at = cleaned.get("starts_at")
        if not cleaned.get("form"):
            cleaned["form"] = ParticipationForm.OPEN_MEETING
            self.instance.form = ParticipationForm.OPEN_MEETING
        if cleaned.get("form") == ParticipationForm.PUBLIC_DISCUSSION:
            # Held online on the ministry's portal over a window: no venue, no meeting link.
            ends_on = cleaned.get("discussion_ends_on")
            if not ends_on:
                self.add_error("discussion_ends_on", _("Give the last day of the discussion."))
            elif starts_at and ends_on < timezone.localdate(starts_at):
                self.add_error(
                    "discussion_ends_on", _("The public discussion cannot end before it starts.")
                )
            cleaned["format"] = HearingFormat.ONLINE
            self.instance.format = HearingFormat.ONLINE
            return cleaned
        cleaned["discussion_ends_on"] = None
        names = ("form", "format", "online_link", "venue_kk", "venue_ru", "venue_en")
        hearing = Hearing(**{name: cleaned.get(name) for name in names})
        for name, problem in hearing.place_problems().items():
            self.add_error(name, problem)
        comments_until = cleaned.get("comments_until")
        if starts_at and comments_until and comments_until > timezone.localdate(starts_at):
            self.add_error("comments_until", _("The comment period cannot end after the hearing."))
        return cleaned

    def save(self, commit=True):
        self.instance.languages = ",".join(self.cleaned_data.get("language_codes") or [])
        return super().save(commit=commit)


class RescheduleForm(SafeInputMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New date and time (Kazakhstan time)"),
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
    )
    format = forms.ChoiceField(label=_("format"), choices=HearingFormat.choices, required=False)
    venue_kk = forms.CharField(label=_("venue, in Kazakh"), max_length=300, required=False)
    venue_ru = forms.CharField(label=_("venue, in Russian"), max_length=300, required=False)
    venue_en = forms.CharField(label=_("venue, in English"), max_length=300, required=False)
    online_link = forms.URLField(label=_("online link"), required=False)
    version = VersionField()
    comments_until = forms.DateField(
        label=_("written comments accepted until"), required=False, widget=DateInput()
    )
    discussion_ends_on = forms.DateField(
        label=_("public discussion open until"),
        required=False,
        widget=DateInput(),
        help_text=_("A public discussion only; left empty, the window moves with its start."),
    )
    reason = forms.CharField(
        label=_("Reason for moving the hearing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly beside the old and the new date."),
    )


class ReasonForm(SafeInputMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly."),
    )
    version = VersionField()


class FailureForm(SafeInputMixin, forms.Form):
    """A hearing that did not take place: what happened and why, shown publicly."""

    kind = forms.ChoiceField(
        label=_("What happened"), choices=HearingFailure.Kind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly, in the language you write it in."),
    )
    version = VersionField()


class DecisionForm(SafeInputMixin, forms.ModelForm):
    """The decision taken after the hearing, with its reasons (Aarhus Art. 6(9))."""

    class Meta:
        model = DecisionNotice
        fields = ["authority", "decided_on", "outcome", "reasons", "url", "document"]
        widgets = {"decided_on": DateInput(), "reasons": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, hearing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = hearing.documents.all()


class RecordForm(SafeInputMixin, forms.Form):
    protocol = forms.FileField(
        label=_("Signed protocol (PDF)"),
        required=False,
        help_text=_("Required the first time; upload again only to replace it."),
    )
    protocol_signed_on = forms.DateField(
        label=_("protocol signed on"),
        required=False,
        widget=DateInput(),
        help_text=_("Starts the six months within which the draft must reach the ministry."),
    )
    ended_before_assessment = forms.NullBooleanField(
        label=_(
            "Did the hearings end before the ministry began assessing the draft report's quality?"
        ),
        required=False,
        widget=forms.RadioSelect(
            choices=[("", _("not known")), ("true", _("yes")), ("false", _("no"))]
        ),
        help_text=_(
            "The draft report on possible impacts only. Only then must the draft reach the "
            "ministry within six months of the protocol's signing (Ecological Code Art. 73(1))."
        ),
    )
    draft_sent_on = forms.DateField(
        label=_("draft report sent to the ministry on"),
        required=False,
        widget=DateInput(),
        help_text=_("The draft report on possible impacts only."),
    )
    attendance = forms.IntegerField(label=_("People attending"), min_value=0, required=False)
    video_url = forms.URLField(label=_("Video recording (link)"), required=False)
    record_summary_kk = forms.CharField(
        label=_("summary of the hearing, in Kazakh"), widget=forms.Textarea, required=False
    )
    record_summary_ru = forms.CharField(
        label=_("summary of the hearing, in Russian"), widget=forms.Textarea, required=False
    )
    record_summary_en = forms.CharField(
        label=_("summary of the hearing, in English"), widget=forms.Textarea, required=False
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when correcting a record already published."),
    )
    version = VersionField()


class DocumentForm(SafeInputMixin, forms.Form):
    file = forms.FileField(label=_("Document (PDF)"))
    title_kk = forms.CharField(label=_("title in Kazakh"), max_length=255, required=False)
    title_ru = forms.CharField(label=_("title in Russian"), max_length=255, required=False)
    title_en = forms.CharField(label=_("title in English"), max_length=255, required=False)


class PromiseForm(SafeInputMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Who promised"), queryset=Organisation.objects.none()
    )
    text = forms.CharField(label=_("What was promised"), widget=forms.Textarea(attrs={"rows": 3}))
    due_text = forms.CharField(label=_("By when, as said"), max_length=200, required=False)

    def __init__(self, *args, hearing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[hearing.initiator_id, hearing.organiser_id]
        )
        self.fields["organisation"].initial = hearing.initiator_id


class OralQuestionForm(SafeInputMixin, forms.ModelForm):
    """A question or comment raised at the hearing, entered from the protocol."""

    class Meta:
        model = HearingComment
        fields = ["kind", "author_name", "text", "answer", "outcome"]
        labels = {"author_name": _("Who asked (as in the protocol)")}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "answer": forms.Textarea(attrs={"rows": 3}),
        }


class AnswerForm(SafeInputMixin, forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        required=False,
        help_text=_("Required to change an answer already published: shown publicly with it."),
    )

    class Meta:
        model = HearingComment
        fields = ["answer", "outcome"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].required = True
        self.fields["outcome"].required = True
        self.fields["outcome"].choices = [c for c in HearingComment.Outcome.choices if c[0]]


class CommentForm(SafeInputMixin, HoneypotMixin, forms.ModelForm):
    class Meta:
        model = HearingComment
        fields = ["kind", "text", "author_name", "contact"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5}), "kind": forms.RadioSelect}


class RegistrationForm(SafeInputMixin, HoneypotMixin, forms.ModelForm):
    class Meta:
        model = AttendanceRegistration
        fields = ["name", "contact", "people", "needs"]


class LearnedOfForm(SafeInputMixin, HoneypotMixin, forms.ModelForm):
    class Meta:
        model = LearnedOf
        fields = ["learned_on", "channel", "author_name"]
        widgets = {"learned_on": DateInput()}

    def clean_learned_on(self):
        value = self.cleaned_data["learned_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        if value < timezone.localdate() - datetime.timedelta(days=3650):
            raise forms.ValidationError(_("This date is too far in the past."))
        return value


class SubscribeForm(SafeInputMixin, HoneypotMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail"), max_length=254, validators=[validate_email_domain_name]
    )
    place = forms.CharField(widget=forms.HiddenInput)

    def clean_place(self):
        code = self.cleaned_data["place"]
        place = Place.objects.filter(kato_code=code).first() if code.isdigit() else None
        if place is None:
            raise forms.ValidationError(_("Choose a settlement or a district."))
        return place
