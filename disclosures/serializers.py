"""The read API's representation of disclosures: the claim, its timeline, its change log and
the akimat's word, with evidence as absolute URLs."""

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import BoundedDatesMixin, NestedRelated, PlainRows, StrictJsonMixin
from disclosures import export
from disclosures.models import (
    Confirmation,
    Disclosure,
    Document,
    Photo,
    Revision,
    StatusChange,
    obligation,
)
from projects.models import Organisation, Project
from projects.serializers import (
    AbsoluteURL,
    AddedTranslations,
    KatoCodes,
    LoggedChange,
    Translations,
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
