"""The read API's representation of disclosures: the claim, its timeline, its change log and
the akimat's word, with evidence as absolute URLs."""

from types import SimpleNamespace

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import (
    BoundedDatesMixin,
    NestedRelated,
    PlainRows,
    StrictJsonMixin,
    instant,
    iso_date,
)
from core.metadata import absolute_template
from disclosures import export
from disclosures.models import (
    Confirmation,
    Disclosure,
    Document,
    Photo,
    Revision,
    StatusChange,
    obligation,
    today,
)
from projects.models import Organisation, Project
from projects.serializers import (
    ADDED,
    AbsoluteURL,
    AddedTranslations,
    KatoCodes,
    LoggedChange,
    Translations,
    file_url,
    logged_change,
    texts,
)


class OrganisationRef(PlainRows, serializers.ModelSerializer):
    id = serializers.CharField(source="slug")
    bin = serializers.CharField()
    kind = serializers.CharField()
    name = Translations("name")

    class Meta:
        model = Organisation
        fields = ["id", "bin", "kind", "name"]


class StatusChangeSerializer(PlainRows, serializers.ModelSerializer):
    class Meta:
        model = StatusChange
        fields = ["status", "date", "note"]


class RevisionSerializer(PlainRows, serializers.ModelSerializer):
    changes = LoggedChange(many=True, read_only=True)

    class Meta:
        model = Revision
        fields = [
            "action",
            "changes",
            "reason",
            "reason_language",
            "by_staff",
            "version",
            "created_at",
        ]


class ConfirmationSerializer(PlainRows, serializers.ModelSerializer):
    akimat = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    document = AbsoluteURL(file="document", allow_null=True)

    class Meta:
        model = Confirmation
        fields = ["akimat", "verdict", "date", "note", "language", "document"]


class PhotoSerializer(PlainRows, serializers.ModelSerializer):
    url = AbsoluteURL(file="image")
    thumbnail_url = AbsoluteURL(file="thumbnail", allow_null=True)
    translations = AddedTranslations()

    class Meta:
        model = Photo
        fields = [
            "url",
            "thumbnail_url",
            "alt_text",
            "language",
            "translations",
            "width",
            "height",
        ]


class DocumentSerializer(PlainRows, serializers.ModelSerializer):
    url = AbsoluteURL(file="file")
    translations = AddedTranslations()

    class Meta:
        model = Document
        fields = ["kind", "title", "language", "translations", "url"]


class Withdrawal(serializers.Serializer):
    at = serializers.DateTimeField(source="withdrawn_at")
    reason = serializers.CharField(source="withdrawal_reason")


class DisclosureSerializer(PlainRows, serializers.ModelSerializer):
    """A published disclosure. A withdrawn one stays, with `withdrawn` set (else null). Reads
    the records of `DisclosureViewSet.with_everything`."""

    organisation = OrganisationRef(read_only=True)
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    title = Translations("title")
    description = Translations("description")
    settlements = NestedRelated(
        serializers.SlugRelatedField(slug_field="kato_code", read_only=True),
        attribute="settlement_list",
    )
    display_status = serializers.SerializerMethodField()
    hearing = serializers.SerializerMethodField()
    withdrawn = serializers.SerializerMethodField()
    hidden = serializers.BooleanField(source="is_hidden", read_only=True)
    # The lists `DisclosureViewSet.with_everything` reads with the row.
    status_history = StatusChangeSerializer(many=True, read_only=True)
    revisions = RevisionSerializer(source="revision_list", many=True, read_only=True)
    confirmations = ConfirmationSerializer(source="confirmation_list", many=True, read_only=True)
    photos = PhotoSerializer(source="photo_list", many=True, read_only=True)
    documents = DocumentSerializer(source="document_list", many=True, read_only=True)
    translations = AddedTranslations()
    url = AbsoluteURL(view="disclosures:detail")
    obligation = serializers.SerializerMethodField(
        help_text="EITI 6.1: mandatory (a subsoil-use contract's obligation), voluntary, or empty "
        "when the basis is 'other'."
    )

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "url",
            "organisation",
            "project",
            "title",
            "description",
            "category",
            "settlements",
            "status",
            "display_status",
            "due_date",
            "delivered_date",
            "cancel_reason",
            "amount",
            "currency",
            "value_form",
            "in_kind_description",
            "is_estimate",
            "basis",
            "obligation",
            "basis_reference",
            "reporting_year",
            "recipient_name",
            "recipient_role",
            "beneficiaries_count",
            "beneficiaries_description",
            "language",
            "cancel_reason_language",
            "withdrawal_reason_language",
            "translations",
            "funded_by",
            "hearing",
            "published_at",
            "updated_at",
            "version",
            "withdrawn",
            "hidden",
            "status_history",
            "revisions",
            "confirmations",
            "photos",
            "documents",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["mandatory", "voluntary", ""]))
    def get_obligation(self, disclosure):
        return obligation(disclosure.basis)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["promised", "in_progress", "delivered", "cancelled", "overdue", "withdrawn"]
        )
    )
    def get_display_status(self, disclosure):
        return disclosure.display_status()[0]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_hearing(self, disclosure):
        """The public hearing's id, when the hearing is published."""
        return disclosure.hearing_id if disclosure.public_hearing else None

    @cached_property
    def withdrawal(self):
        """Built once for a page, not for each withdrawn disclosure."""
        return Withdrawal()

    @extend_schema_field(Withdrawal(allow_null=True))
    def get_withdrawn(self, disclosure):
        if not disclosure.is_withdrawn():
            return None
        return self.withdrawal.to_representation(disclosure)

    def to_representation(self, disclosure):
        """The fields above, written by plain functions (`disclosure_row`) rather than by DRF
        field by field: the fields stay the schema's source, and a test holds the two to the
        same JSON for every kind of record (tests/api/test_rows.py). DRF's loop, with its
        fields deep-copied for each request, was half of a list's CPU time
        (docs/performance.md)."""
        return disclosure_row(disclosure, self.page)

    @cached_property
    def page(self):
        """What a page's rows share: their address's pattern, the day and the time zone."""
        return SimpleNamespace(
            url=absolute_template("disclosures:detail", "pk"),
            today=today(),
            zone=timezone.get_current_timezone(),
        )


def one(rows, write):
    """The row of a list of one (a record's organisation, read as `NestedRows`) written by
    `write`, or None for none."""
    return write(rows[0]) if rows else None


def disclosure_row(d, page):
    """`DisclosureSerializer`'s representation of a record of `with_everything`."""
    zone = page.zone
    return {
        "id": d.pk,
        "url": page.url.format(d.pk),
        "organisation": one(d.organisation_list, organisation_row),
        "project": d.project_slug,
        "title": texts(d, "title"),
        "description": texts(d, "description"),
        "category": d.category,
        "settlements": [place.kato_code for place in d.settlement_list],
        "status": d.status,
        "display_status": d.display_status(page.today)[0],
        "due_date": iso_date(d.due_date),
        "delivered_date": iso_date(d.delivered_date),
        "cancel_reason": d.cancel_reason,
        "amount": None if d.amount is None else AMOUNT.to_representation(d.amount),
        "currency": d.currency,
        "value_form": d.value_form,
        "in_kind_description": d.in_kind_description,
        "is_estimate": d.is_estimate,
        "basis": d.basis,
        "obligation": obligation(d.basis),
        "basis_reference": d.basis_reference,
        "reporting_year": d.reporting_year,
        "recipient_name": d.recipient_name,
        "recipient_role": d.recipient_role,
        "beneficiaries_count": d.beneficiaries_count,
        "beneficiaries_description": d.beneficiaries_description,
        "language": d.language,
        "cancel_reason_language": d.cancel_reason_language,
        "withdrawal_reason_language": d.withdrawal_reason_language,
        "translations": ADDED.to_representation(d.translations),
        "funded_by": d.funded_by_id,
        "hearing": d.public_hearing,
        "published_at": instant(d.published_at, zone),
        "updated_at": instant(d.updated_at, zone),
        "version": d.version,
        "withdrawn": None
        if d.withdrawn_at is None
        else {"at": instant(d.withdrawn_at, zone), "reason": d.withdrawal_reason},
        "hidden": d.hidden_at is not None,
        "status_history": [
            {"status": row.status, "date": iso_date(row.date), "note": row.note}
            for row in d.status_history
        ],
        "revisions": [revision_row(row, zone) for row in d.revision_list],
        "confirmations": [confirmation_row(row) for row in d.confirmation_list],
        "photos": [photo_row(row) for row in d.photo_list],
        "documents": [document_row(row) for row in d.document_list],
    }


AMOUNT = serializers.DecimalField(max_digits=18, decimal_places=2)


def organisation_row(organisation):
    return {
        "id": organisation.slug,
        "bin": organisation.bin,
        "kind": organisation.kind,
        "name": texts(organisation, "name"),
    }


def revision_row(row, zone):
    return {
        "action": row.action,
        "changes": [logged_change(change) for change in row.changes],
        "reason": row.reason,
        "reason_language": row.reason_language,
        "by_staff": row.by_staff,
        "version": row.version,
        "created_at": instant(row.created_at, zone),
    }


def confirmation_row(row):
    return {
        "akimat": None if row.akimat is None else row.akimat.slug,
        "verdict": row.verdict,
        "date": iso_date(row.date),
        "note": row.note,
        "language": row.language,
        "document": file_url(row.document),
    }


def photo_row(row):
    return {
        "url": file_url(row.image),
        "thumbnail_url": file_url(row.thumbnail),
        "alt_text": row.alt_text,
        "language": row.language,
        "translations": ADDED.to_representation(row.translations),
        "width": row.width,
        "height": row.height,
    }


def document_row(row):
    return {
        "kind": row.kind,
        "title": row.title,
        "language": row.language,
        "translations": ADDED.to_representation(row.translations),
        "url": file_url(row.file),
    }


class HiddenDisclosureSerializer(serializers.Serializer):
    """What is left of a disclosure hidden by moderators: that it was hidden, nothing else."""

    id = serializers.IntegerField()
    hidden = serializers.BooleanField()
    detail = serializers.CharField()


# What a company writes: the import's columns (one list, `disclosures/export.py`), less the
# status, which changes through the lifecycle's own steps.
WRITABLE_FIELDS = [name for name in export.WRITABLE if name != "status"]


class DisclosureCreateSerializer(StrictJsonMixin, BoundedDatesMixin, serializers.ModelSerializer):
    """A new disclosure, checked by the same model rules and service as the site's form."""

    settlements = KatoCodes()
    project = serializers.SlugRelatedField(
        slug_field="slug", queryset=Project.objects.all(), allow_null=True, required=False
    )
    publish = serializers.BooleanField(
        default=False, write_only=True, help_text="Publish at once (else it stays a draft)."
    )

    class Meta:
        model = Disclosure
        fields = ["status", *WRITABLE_FIELDS, "publish"]


class DisclosureCorrectionSerializer(DisclosureCreateSerializer):
    """A correction: the fields to change, the version it was read at and, once published, why.

    The status moves only by the lifecycle's steps, not by a correction.
    """

    version = serializers.IntegerField(
        min_value=1, help_text="The `version` you read; a correction of an older one is refused."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Required once published."
    )

    class Meta:
        model = Disclosure
        fields = [*WRITABLE_FIELDS, "version", "reason"]


class VersionSerializer(StrictJsonMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
