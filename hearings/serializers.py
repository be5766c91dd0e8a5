"""The read API's representation of hearings: every notice field, the legal clock, the record."""

import datetime

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import NestedRelated, PlainRows
from core.metadata import absolute_media
from hearings import clock
from hearings.models import (
    DecisionNotice,
    Hearing,
    HearingChange,
    HearingComment,
    HearingDocument,
    HearingFailure,
    HearingPromise,
)
from projects.serializers import (
    AbsoluteURL,
    AddedTranslations,
    LoggedChange,
    OptionalURL,
    Translations,
)


class DeadlineSerializer(serializers.Serializer):
    """One rule of the legal clock as it applies to this hearing (`clock.deadlines(hearing)`)."""

    key = serializers.CharField()
    label = serializers.CharField()
    rule = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    done = serializers.DateField(allow_null=True)
    met = serializers.BooleanField(
        allow_null=True, help_text="True or false once decided; null while still open."
    )
    planned = serializers.BooleanField(
        help_text=(
            "True when `done` is a date still ahead that the notice gives for this step (e.g. "
            "materials to be put up on 7 December): a plan, not a step taken. A planned step is "
            "judged `due`, or `broken` when the plan itself misses the due date; never `met`, "
            "except a comment period still open after the day it had to run until."
        )
    )
    state = serializers.ChoiceField(
        choices=[
            (clock.MET, "met"),
            (clock.ON_TRACK, "on track"),
            (clock.DUE, "due"),
            (clock.BROKEN, "broken"),
            (clock.RUNNING, "running"),
            (clock.OFF_GUIDANCE, "off guidance"),
            (clock.NOT_JUDGED, "not judged"),
            (clock.WARNING, "warning"),
        ],
        help_text=(
            "What the hearing's page says: `met` (kept, due date passed), `on_track` (already "
            "kept, due date still ahead), `due` (not done yet, or only planned), `broken` (missed, "
            "or planned too late, by a verified rule only), `running` (the protocol's validity "
            "period), `off_guidance` (an unverified rule, the site's expectation, not kept: "
            "never a breach of law), `not_judged` (a period that ran out but whose condition is "
            "not recorded, e.g. Art. 73(1)), `warning` (a fact, not a rule: public holidays)."
        ),
    )
    source = serializers.CharField(help_text="The rule's legal source, in the request's language.")
    source_url = serializers.CharField(help_text="A link to the source, or empty.")
    verified = serializers.BooleanField(
        help_text=(
            "True only for a rule verified against the official text; it alone can be `broken` "
            "or `met` false. False: guidance, the site's expectation."
        )
    )
    note = serializers.CharField(
        help_text="What is known about the rule, in the request's language."
    )
    done_from = serializers.CharField(
        help_text=(
            "What `done` was read from: for the announcement, the earliest official publication "
            "(mass media or the ministry's portal) or, with none recorded, this site."
        )
    )
    calendar_note = serializers.CharField(
        help_text=(
            "Said when `due` is a day off (the clock does not move it; no rule for that is "
            "confirmed) or counted in a year whose decree moving days off is not entered."
        )
    )
    provisional = serializers.BooleanField(
        help_text="True when `due` is counted in working days of a year not yet confirmed."
    )


class HearingDocumentSerializer(PlainRows, serializers.ModelSerializer):
    title = Translations("title")
    url = AbsoluteURL(file="file")

    class Meta:
        model = HearingDocument
        fields = ["title", "url", "uploaded_at"]


class HearingChangeSerializer(PlainRows, serializers.ModelSerializer):
    changes = LoggedChange(many=True, read_only=True)

    class Meta:
        model = HearingChange
        fields = [
            "action",
            "at",
            "reason",
            "reason_language",
            "changes",
            "document",
            "by_staff",
            "old_starts_at",
            "new_starts_at",
            "old_venue",
            "new_venue",
        ]


class HearingPromiseSerializer(PlainRows, serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    translations = AddedTranslations()

    class Meta:
        model = HearingPromise
        fields = ["organisation", "text", "due_text", "language", "translations"]


class HearingCommentSerializer(PlainRows, serializers.ModelSerializer):
    translations = AddedTranslations()

    class Meta:
        model = HearingComment
        fields = [
            "kind",
            "source",
            "text",
            "language",
            "answer",
            "answer_language",
            "translations",
            "outcome",
            "submitted_at",
            "answered_at",
        ]


class FailureSerializer(PlainRows, serializers.ModelSerializer):
    """Why a hearing did not take place (status `failed`); its repeat is in `repeats`."""

    class Meta:
        model = HearingFailure
        fields = ["kind", "reason", "language", "recorded_at"]


class DecisionNoticeSerializer(PlainRows, serializers.ModelSerializer):
    """The decision taken after the hearing, with its reasons (Aarhus Convention Art. 6(9))."""

    url = OptionalURL()
    document = serializers.SerializerMethodField()

    class Meta:
        model = DecisionNotice
        fields = [
            "authority",
            "decided_on",
            "outcome",
            "reasons",
            "language",
            "url",
            "document",
            "published_at",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True, help_text="The scan, a PDF."))
    def get_document(self, notice):
        return absolute_media(notice.document.file.url) if notice.document else None


class BasisSerializer(serializers.Serializer):
    """The basis as the ministry's portal names it, and how sure the site is of its wording."""

    code = serializers.CharField(source="art87_subparagraph")
    label = serializers.CharField(source="basis_text")
    source = serializers.CharField(source="basis_source")
    verified = serializers.BooleanField(
        source="BASIS_VERIFIED",
        help_text="False: the text of Art. 87 and of Rules No. 165 has not been read.",
    )


class RecordSerializer(serializers.Serializer):
    """What happened at the hearing: the protocol, attendance, summary, promises, comments."""

    published_at = serializers.DateTimeField(source="record_published_at", allow_null=True)
    protocol = AbsoluteURL(file="protocol", allow_null=True)
    attendance = serializers.IntegerField(allow_null=True)
    video_url = OptionalURL()
    summary = Translations("record_summary")
    promises = HearingPromiseSerializer(source="promise_list", many=True, read_only=True)
    comments = HearingCommentSerializer(source="public_comments", many=True, read_only=True)


class HearingSerializer(PlainRows, serializers.ModelSerializer):
    title = Translations("title")
    subject = Translations("subject")
    decision = Translations("decision")
    decision_authority = Translations("decision_authority")
    venue = Translations("venue")
    online_instructions = Translations("online_instructions")
    paper_copies = Translations("paper_copies")
    comment_instructions = Translations("comment_instructions")
    translations = AddedTranslations()
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    initiator = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organiser = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    territory = NestedRelated(
        serializers.SlugRelatedField(slug_field="kato_code", read_only=True),
        attribute="territory_list",
    )
    online_link = OptionalURL()
    media_url = OptionalURL()
    languages = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()
    discussion_first_day = serializers.SerializerMethodField()
    discussion_last_day = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    documents = HearingDocumentSerializer(source="document_list", many=True, read_only=True)
    changes = serializers.SerializerMethodField()
    record = RecordSerializer(source="*", read_only=True)
    basis = serializers.SerializerMethodField()
    failure = serializers.SerializerMethodField()
    repeat_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    repeats = serializers.SerializerMethodField()
    decision_notice = serializers.SerializerMethodField()
    url = AbsoluteURL(view="hearings:detail")

    class Meta:
        model = Hearing
        fields = [
            "id",
            "registration_number",
            "url",
            "status",
            "title",
            "subject",
            "project",
            "legal_basis",
            "initiator",
            "initiator_contact",
            "organiser",
            "organiser_contact",
            "decision",
            "decision_authority",
            "territory",
            "form",
            "art87_subparagraph",
            "basis",
            "request_received_on",
            "request_answered_on",
            "portal_number",
            "portal_published_on",
            "media_outlet",
            "media_published_on",
            "media_url",
            "format",
            "venue",
            "online_link",
            "online_instructions",
            "starts_at",
            "ends_at",
            "discussion_first_day",
            "discussion_last_day",
            "duration_minutes",
            "languages",
            "materials_available_from",
            "paper_copies",
            "comments_until",
            "comment_instructions",
            "announced_at",
            "rescheduled_at",
            "held_at",
            "cancelled_at",
            "cancellation_reason",
            "protocol_signed_on",
            "ended_before_assessment",
            "draft_sent_on",
            "cancellation_reason_language",
            "language",
            "translations",
            "deadlines",
            "documents",
            "changes",
            "record",
            "failure",
            "repeat_of",
            "repeats",
            "decision_notice",
            "updated_at",
        ]

    @cached_property
    def nested(self):
        """The serializers of the method fields' parts, built once for a page, not for each
        hearing (building a model serializer's fields was a quarter of a list's CPU time)."""
        return {
            "basis": BasisSerializer(),
            "failure": FailureSerializer(),
            "decision_notice": DecisionNoticeSerializer(context=self.context),
            "changes": HearingChangeSerializer(many=True),
            # Every instant a method field writes, in the zone the page's fields write theirs.
            "instant": serializers.DateTimeField(default_timezone=timezone.get_current_timezone()),
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_languages(self, hearing):
        return [code.strip() for code in (hearing.languages or "").split(",") if code.strip()]

    @extend_schema_field(
        serializers.DateTimeField(
            help_text=(
                "An open meeting's end (start + duration); a public discussion's end: midnight "
                "after its last day (Kazakhstan time), not start + duration."
            )
        )
    )
    def get_ends_at(self, hearing):
        if hearing.is_public_discussion():
            after = hearing.last_day() + datetime.timedelta(days=1)
            return self.nested["instant"].to_representation(
                timezone.make_aware(datetime.datetime.combine(after, datetime.time.min))
            )
        return self.nested["instant"].to_representation(hearing.ends_at)

    @extend_schema_field(
        serializers.DateField(
            allow_null=True, help_text="A public discussion's first day; null for an open meeting."
        )
    )
    def get_discussion_first_day(self, hearing):
        return hearing.first_day().isoformat() if hearing.is_public_discussion() else None

    @extend_schema_field(
        serializers.DateField(
            allow_null=True,
            help_text="A public discussion's last day (inclusive); null for an open meeting.",
        )
    )
    def get_discussion_last_day(self, hearing):
        return hearing.last_day().isoformat() if hearing.is_public_discussion() else None

    @extend_schema_field(BasisSerializer(allow_null=True))
    def get_basis(self, hearing):
        return (
            self.nested["basis"].to_representation(hearing) if hearing.art87_subparagraph else None
        )

    @extend_schema_field(FailureSerializer(allow_null=True))
    def get_failure(self, hearing):
        failure = hearing.failure_list  # one row or none (HearingViewSet.represented)
        return self.nested["failure"].to_representation(failure[0]) if failure else None

    @extend_schema_field(
        serializers.ListField(
            child=serializers.IntegerField(),
            help_text="The published repeats of a hearing that did not take place.",
        )
    )
    def get_repeats(self, hearing):
        return [repeat.id for repeat in hearing.public_repeats]

    @extend_schema_field(DecisionNoticeSerializer(allow_null=True))
    def get_decision_notice(self, hearing):
        notice = hearing.decision_list  # one row or none (HearingViewSet.represented)
        return self.nested["decision_notice"].to_representation(notice[0]) if notice else None

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, hearing):
        return [
            {
                "key": getattr(deadline, "key", ""),
                "label": str(getattr(deadline, "label", "")),
                "rule": str(getattr(deadline, "rule", "")),
                "due": getattr(deadline, "due", None),
                "done": getattr(deadline, "done", None),
                "met": getattr(deadline, "met", None),
                "planned": getattr(deadline, "planned", False),
                "state": getattr(deadline, "state", ""),
                "source": str(getattr(deadline, "source", "")),
                "source_url": getattr(deadline, "source_url", ""),
                "verified": getattr(deadline, "verified", False),
                "note": str(getattr(deadline, "note", "")),
                "done_from": str(deadline.done_from),
                "calendar_note": str(deadline.calendar_note),
                "provisional": deadline.provisional,
            }
            for deadline in clock.deadlines(hearing)
        ]

    @extend_schema_field(HearingChangeSerializer(many=True))
    def get_changes(self, hearing):
        """Steps since the announcement (`HearingChange.objects.public()`, read with the row: a
        draft's own history is not public)."""
        return self.nested["changes"].to_representation(hearing.public_changes)
