"""The read API's representation of hearings: every notice field, the legal clock, the record."""

import datetime
from types import SimpleNamespace

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import NestedRelated, PlainRows, instant, iso_date
from core.metadata import absolute_media, absolute_template
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
    ADDED,
    AbsoluteURL,
    AddedTranslations,
    LoggedChange,
    OptionalURL,
    Translations,
    file_url,
    logged_change,
    texts,
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
        """The serializers of the method fields' parts, as DRF's fields write them (the rows
        `hearing_row` writes are held to them, tests/api/test_rows.py)."""
        return {
            "basis": BasisSerializer(),
            "failure": FailureSerializer(),
            "decision_notice": DecisionNoticeSerializer(context=self.context),
            "changes": HearingChangeSerializer(many=True),
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_languages(self, hearing):
        return languages(hearing)

    @extend_schema_field(
        serializers.DateTimeField(
            help_text=(
                "An open meeting's end (start + duration); a public discussion's end: midnight "
                "after its last day (Kazakhstan time), not start + duration."
            )
        )
    )
    def get_ends_at(self, hearing):
        return instant(end_of(hearing), timezone.get_current_timezone())

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
        return deadlines(hearing)

    @extend_schema_field(HearingChangeSerializer(many=True))
    def get_changes(self, hearing):
        """Steps since the announcement (`HearingChange.objects.public()`, read with the row: a
        draft's own history is not public)."""
        return self.nested["changes"].to_representation(hearing.public_changes)

    def to_representation(self, hearing):
        """The fields above, written by a plain function (`hearing_row`) rather than by DRF
        field by field, as `DisclosureSerializer` does: the fields stay the schema's source,
        and a test holds the two to the same JSON for every kind of hearing
        (tests/api/test_rows.py). DRF's loop, with the nested serializers' fields deep-copied
        for each page, was half of a list's CPU time."""
        return hearing_row(hearing, self.page)

    @cached_property
    def page(self):
        """What a page's rows share: their address's pattern and the time zone."""
        return SimpleNamespace(
            url=absolute_template("hearings:detail", "pk"), zone=timezone.get_current_timezone()
        )


def languages(hearing):
    """The codes of the languages the hearing is held in."""
    return [code.strip() for code in (hearing.languages or "").split(",") if code.strip()]


def end_of(hearing):
    """An open meeting's end (start + duration); a public discussion's: midnight after its last
    day (in the active time zone)."""
    if hearing.is_public_discussion():
        after = hearing.last_day() + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(after, datetime.time.min))
    return hearing.ends_at


def deadlines(hearing):
    """`DeadlineSerializer`'s representation of the legal clock's deadlines of a hearing."""
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


def hearing_row(h, page):
    """`HearingSerializer`'s representation of a hearing of `HearingViewSet.represented`."""
    zone = page.zone
    discussion = h.is_public_discussion()
    return {
        "id": h.pk,
        "registration_number": h.registration_number,
        "url": page.url.format(h.pk),
        "status": h.status,
        "title": texts(h, "title"),
        "subject": texts(h, "subject"),
        "project": h.project_slug,
        "legal_basis": h.legal_basis,
        "initiator": h.initiator_slug,
        "initiator_contact": h.initiator_contact,
        "organiser": h.organiser_slug,
        "organiser_contact": h.organiser_contact,
        "decision": texts(h, "decision"),
        "decision_authority": texts(h, "decision_authority"),
        "territory": [place.kato_code for place in h.territory_list],
        "form": h.form,
        "art87_subparagraph": h.art87_subparagraph,
        "basis": basis_row(h) if h.art87_subparagraph else None,
        "request_received_on": iso_date(h.request_received_on),
        "request_answered_on": iso_date(h.request_answered_on),
        "portal_number": h.portal_number,
        "portal_published_on": iso_date(h.portal_published_on),
        "media_outlet": h.media_outlet,
        "media_published_on": iso_date(h.media_published_on),
        "media_url": h.media_url or None,
        "format": h.format,
        "venue": texts(h, "venue"),
        "online_link": h.online_link or None,
        "online_instructions": texts(h, "online_instructions"),
        "starts_at": instant(h.starts_at, zone),
        "ends_at": instant(end_of(h), zone),
        "discussion_first_day": h.first_day().isoformat() if discussion else None,
        "discussion_last_day": h.last_day().isoformat() if discussion else None,
        "duration_minutes": h.duration_minutes,
        "languages": languages(h),
        "materials_available_from": iso_date(h.materials_available_from),
        "paper_copies": texts(h, "paper_copies"),
        "comments_until": iso_date(h.comments_until),
        "comment_instructions": texts(h, "comment_instructions"),
        "announced_at": instant(h.announced_at, zone),
        "rescheduled_at": instant(h.rescheduled_at, zone),
        "held_at": instant(h.held_at, zone),
        "cancelled_at": instant(h.cancelled_at, zone),
        "cancellation_reason": h.cancellation_reason,
        "protocol_signed_on": iso_date(h.protocol_signed_on),
        "ended_before_assessment": h.ended_before_assessment,
        "draft_sent_on": iso_date(h.draft_sent_on),
        "cancellation_reason_language": h.cancellation_reason_language,
        "language": h.language,
        "translations": ADDED.to_representation(h.translations),
        "deadlines": deadlines(h),
        "documents": [document_row(row, zone) for row in h.document_list],
        "changes": [change_row(row, zone) for row in h.public_changes],
        "record": record_row(h, zone),
        "failure": failure_row(h.failure_list[0], zone) if h.failure_list else None,
        "repeat_of": h.repeat_of_id,
        "repeats": [repeat.id for repeat in h.public_repeats],
        "decision_notice": notice_row(h.decision_list[0], zone) if h.decision_list else None,
        "updated_at": instant(h.updated_at, zone),
    }


def basis_row(h):
    return {
        "code": h.art87_subparagraph,
        "label": str(h.basis_text()),
        "source": str(h.basis_source()),
        "verified": h.BASIS_VERIFIED,
    }


def document_row(row, zone):
    return {
        "title": texts(row, "title"),
        "url": file_url(row.file),
        "uploaded_at": instant(row.uploaded_at, zone),
    }


def change_row(row, zone):
    return {
        "action": row.action,
        "at": instant(row.at, zone),
        "reason": row.reason,
        "reason_language": row.reason_language,
        "changes": [logged_change(change) for change in row.changes],
        "document": None if row.document is None else row.document.pk,
        "by_staff": row.by_staff,
        "old_starts_at": instant(row.old_starts_at, zone),
        "new_starts_at": instant(row.new_starts_at, zone),
        "old_venue": row.old_venue,
        "new_venue": row.new_venue,
    }


def record_row(h, zone):
    return {
        "published_at": instant(h.record_published_at, zone),
        "protocol": file_url(h.protocol),
        "attendance": h.attendance,
        "video_url": h.video_url or None,
        "summary": texts(h, "record_summary"),
        "promises": [
            {
                "organisation": row.organisation.slug,
                "text": row.text,
                "due_text": row.due_text,
                "language": row.language,
                "translations": ADDED.to_representation(row.translations),
            }
            for row in h.promise_list
        ],
        "comments": [comment_row(row, zone) for row in h.public_comments],
    }


def comment_row(row, zone):
    return {
        "kind": row.kind,
        "source": row.source,
        "text": row.text,
        "language": row.language,
        "answer": row.answer,
        "answer_language": row.answer_language,
        "translations": ADDED.to_representation(row.translations),
        "outcome": row.outcome,
        "submitted_at": instant(row.submitted_at, zone),
        "answered_at": instant(row.answered_at, zone),
    }


def failure_row(row, zone):
    return {
        "kind": row.kind,
        "reason": row.reason,
        "language": row.language,
        "recorded_at": instant(row.recorded_at, zone),
    }


def notice_row(row, zone):
    return {
        "authority": row.authority,
        "decided_on": iso_date(row.decided_on),
        "outcome": row.outcome,
        "reasons": row.reasons,
        "language": row.language,
        "url": row.url or None,
        "document": None if row.document is None else absolute_media(row.document.file.url),
        "published_at": instant(row.published_at, zone),
    }
