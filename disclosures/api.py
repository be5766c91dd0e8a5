"""Disclosures in the read API: published ones (withdrawn ones marked), never drafts.

A disclosure hidden by moderators answers 410 Gone with no content, so that harvesters learn to
drop their copy, and is left out of lists.
"""

import functools
import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import (
    KATO_PATTERN,
    VISIBLE_PATTERN,
    BoundedIsoDateTimeFilter,
    Compiled,
    CursorPage,
    NestedRows,
    PublicReadViewSet,
    by_key,
    updated_since,
)
from core.validators import EARLIEST_YEAR
from disclosures import services
from disclosures.filters import DisclosureFilter
from disclosures.models import (
    ApiCreation,
    Basis,
    Confirmation,
    Disclosure,
    Document,
    Photo,
    Revision,
    Status,
    StatusChange,
)
from disclosures.serializers import (
    DisclosureCorrectionSerializer,
    DisclosureCreateSerializer,
    DisclosureSerializer,
    HiddenDisclosureSerializer,
    RevisionSerializer,
    StatusChangeSerializer,
    VersionSerializer,
)
from hearings.models import Hearing
from projects.api import ApiKeyAuthentication, HasApiKey
from projects.models import Organisation, Place, Project


class DisclosureAPIFilter(DisclosureFilter):
    updated_since = BoundedIsoDateTimeFilter(
        label=updated_since().label + "; a new change-log entry or confirmation counts",
        method="filter_updated_since",
    )

    def filter_updated_since(self, queryset, name, value):
        """Changed since `value`: the record, its change log (evidence included) or the akimat's
        word, which is written without touching the record's own `updated_at`."""
        logged = Revision.objects.filter(created_at__gte=value).values("disclosure_id")
        confirmed = Confirmation.objects.filter(created_at__gte=value).values("disclosure_id")
        return queryset.filter(Q(updated_at__gte=value) | Q(pk__in=logged) | Q(pk__in=confirmed))


# What the nested serializers read of each list's rows (disclosures/serializers.py).
STATUS_COLUMNS = StatusChangeSerializer.Meta.fields
REVISION_COLUMNS = RevisionSerializer.Meta.fields
CONFIRMATION_COLUMNS = ("akimat__slug", "verdict", "date", "note", "language", "document")
PHOTO_COLUMNS = ("image", "thumbnail", "alt_text", "language", "translations", "width", "height")
DOCUMENT_COLUMNS = ("kind", "title", "language", "translations", "file")


# What a disclosure's representation reads of its organisation (OrganisationRef).
ORGANISATION_COLUMNS = ("slug", "bin", "kind", "name_kk", "name_ru", "name_en")


@functools.cache
def nested_lists(public):
    """{attribute: Compiled} of what a disclosure's representation reads besides its own
    columns: its lists, from publication on in the public API (drafts are private forever),
    everything for the organisation's own key; its organisation as a list of one, its
    project's slug, and its hearing's id while public. Built once: their SQL depends on the code
    only. No join: a joined organisation and project cost compiling their columns and
    building their instances for every row (docs/performance.md)."""
    status_changes = StatusChange.objects.public() if public else StatusChange.objects.all()
    revisions = Revision.objects.public() if public else Revision.objects.all()
    mine = {"disclosure": OuterRef("pk")}
    # The hearing's id when it is public: a lookup by key for each row (as `EXISTS`,
    # PostgreSQL hashed every public hearing for each page).
    public_hearing = Hearing.objects.published().filter(pk=OuterRef("hearing_id")).values("pk")
    return {
        "organisation_list": NestedRows(
            Disclosure,
            Organisation.objects.filter(pk=OuterRef("organisation_id")),
            *ORGANISATION_COLUMNS,
        ),
        "project_slug": by_key(Disclosure, Project, "project_id", "slug"),
        "public_hearing": Compiled(Disclosure, Subquery(public_hearing)),
        "status_history": NestedRows(Disclosure, status_changes.filter(**mine), *STATUS_COLUMNS),
        "revision_list": NestedRows(Disclosure, revisions.filter(**mine), *REVISION_COLUMNS),
        "confirmation_list": NestedRows(
            Disclosure, Confirmation.objects.filter(**mine), *CONFIRMATION_COLUMNS
        ),
        "photo_list": NestedRows(Disclosure, Photo.objects.filter(**mine), *PHOTO_COLUMNS),
        "document_list": NestedRows(Disclosure, Document.objects.filter(**mine), *DOCUMENT_COLUMNS),
        "settlement_list": NestedRows(
            Disclosure,
            Place.objects.filter(disclosures=OuterRef("pk")).order_by("kato_code"),
            "kato_code",
        ),
    }


class DisclosureViewSet(PublicReadViewSet):
    """What companies and akimats did for villages, with timeline, change log and evidence."""

    serializer_class = DisclosureSerializer
    filterset_class = DisclosureAPIFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Disclosure.objects.published()  # a record alone: `retrieve`

    def represented(self, queryset):
        return self.with_everything(queryset)

    @staticmethod
    def with_everything(queryset, *, public=True):
        """With the timeline and change log: from publication on in the public API (drafts
        are private forever), everything for the organisation's own key."""
        # The nested lists are read with the row (`NestedRows`: one query for the page, no
        # model instances; the prefetches were half of a list's CPU time). The linked hearing
        # and source contribution are not read: a record shows their ids only, and the
        # hearing's only if it is public (`public_hearing`).
        return queryset.annotate(**nested_lists(public))

    @extend_schema(responses={200: DisclosureSerializer, 410: HiddenDisclosureSerializer})
    def retrieve(self, request, pk=None):
        disclosure = get_object_or_404(
            self.with_everything(Disclosure.objects.out_of_draft()), pk=pk
        )
        if disclosure.is_hidden():
            data = {
                "id": disclosure.pk,
                "hidden": True,
                "detail": _("This disclosure was hidden by moderators."),
            }
            return Response(data, status=status.HTTP_410_GONE)
        return Response(self.get_serializer(disclosure).data)


# --- Writing: an organisation's own disclosures, with its API key ----------------------------


def _refusal(error):
    """A model or service refusal as the API's 400 (or 409 for a stale version)."""
    if getattr(error, "code", None) == "stale":
        return Response({"version": error.messages}, status=status.HTTP_409_CONFLICT)
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return Response(detail, status=status.HTTP_400_BAD_REQUEST)


def state_disclosure_rules(result, **kwargs):
    """drf-spectacular post-processing hook: what `Disclosure.clean()` and the services check on
    a new disclosure, beyond each field's own type (a title, the dates its status needs...).

    Settlements are codes of settlements (format `kato-settlement`), the project one of the
    organisation's own (format `own-project`); a correction needs the `version` it was read at.
    """
    schemas = result["components"]["schemas"]
    for name in ("DisclosureCreateRequest", "PatchedDisclosureCorrectionRequest"):
        properties = schemas[name]["properties"]
        properties["settlements"]["items"].update(pattern=KATO_PATTERN, format="kato-settlement")
        properties["project"]["format"] = "own-project"
    # A correction, partial as it is, names the version it was read at (`partial_update`).
    schemas["PatchedDisclosureCorrectionRequest"]["required"] = ["version"]
    schemas["DisclosureCreateRequest"]["allOf"] = [
        {"anyOf": [_given(f"title_{language}") for language in ("kk", "ru", "en")]},
        {
            "anyOf": [
                {  # a promise, the default status
                    "properties": {"status": {"enum": [Status.PROMISED.value]}, "due_date": DATE},
                    "required": ["due_date"],
                },
                _status(Status.IN_PROGRESS),
                _status(
                    Status.DELIVERED,
                    "delivered_date",
                    {**DATE, "pattern": _years_before_this_one()},
                ),
                _status(Status.CANCELLED, "cancel_reason", {"pattern": VISIBLE_PATTERN}),
            ]
        },
        {
            "anyOf": [
                {"properties": {"basis": {"enum": [b.value for b in Basis if b != Basis.OTHER]}}},
                _given("basis_reference"),
            ]
        },
    ]
    return result


DATE = {"type": "string", "format": "date"}


def _given(name):
    return {"properties": {name: {"pattern": VISIBLE_PATTERN}}, "required": [name]}


def _status(status, needs=None, schema=None):
    rule = {"properties": {"status": {"enum": [status.value]}}, "required": ["status"]}
    if needs:
        rule["properties"][needs] = schema
        rule["required"].append(needs)
    return rule


def _years_before_this_one():
    """A delivery date cannot be in the future: the schema states it as a date of an earlier
    year (it cannot compare dates), which the server accepts whatever the day."""
    years = range(EARLIEST_YEAR, timezone.localdate().year)
    return "^(" + "|".join(str(year) for year in years) + ")-"


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Send the same key when retrying a create: the first disclosure is returned.",
)


@extend_schema(tags=["organisation's own disclosures"])
class OwnDisclosureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """An organisation's own disclosures, drafts included, read and written with its API key.

    Writes go through `disclosures.services` like the site's forms: the same checks, lifecycle
    and change log (each correction of a published record needs a reason; a correction of a
    version older than the stored one is refused with 409).
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    serializer_class = DisclosureSerializer
    pagination_class = CursorPage
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        own = Disclosure.objects.filter(organisation=self.request.auth.organisation)
        return DisclosureViewSet.with_everything(own, public=False)

    def _answer(self, disclosure, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=disclosure.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        request=DisclosureCreateSerializer,
        responses={201: DisclosureSerializer, 200: DisclosureSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def create(self, request):
        token = request.auth
        key = request.headers.get("Idempotency-Key", "")[:100]
        body_hash = hashlib.sha256(request.body).hexdigest()
        if key:
            earlier = ApiCreation.objects.filter(token=token, key=key).first()
            if earlier is not None:
                if earlier.body_hash != body_hash:
                    message = _("This idempotency key was used for another request.")
                    return Response({"detail": message}, status=status.HTTP_409_CONFLICT)
                return self._answer(earlier.disclosure)
        serializer = DisclosureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        settlements, publish = data.pop("settlements"), data.pop("publish")
        disclosure = Disclosure(organisation=token.organisation, **data)
        try:
            with transaction.atomic():
                services.create_disclosure(
                    acting_user=request.user, disclosure=disclosure, settlements=settlements
                )
                if publish:
                    services.publish_disclosure(acting_user=request.user, disclosure=disclosure)
                if key:
                    ApiCreation.objects.create(
                        token=token, key=key, body_hash=body_hash, disclosure=disclosure
                    )
        except ValidationError as error:
            return _refusal(error)
        except IntegrityError:  # the same key, sent twice at once: the other one won
            earlier = ApiCreation.objects.filter(token=token, key=key).first()
            if earlier is None:
                raise
            return self._answer(earlier.disclosure)
        return self._answer(disclosure, status.HTTP_201_CREATED)

    @extend_schema(request=DisclosureCorrectionSerializer, responses=DisclosureSerializer)
    def partial_update(self, request, pk=None):
        disclosure = get_object_or_404(
            Disclosure.objects.filter(organisation=request.auth.organisation), pk=pk
        )
        serializer = DisclosureCorrectionSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "version" not in data:
            return Response(
                {"version": [_("Give the version you read.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        version, reason = data.pop("version"), data.pop("reason", "")
        settlements = data.pop("settlements", None)
        if settlements is None:
            settlements = list(disclosure.settlements.all())
        for name, value in data.items():
            setattr(disclosure, name, value)
        try:
            disclosure = services.update_disclosure(
                acting_user=request.user,
                disclosure=disclosure,
                settlements=settlements,
                reason=reason,
                expected_version=version,
            )
        except ValidationError as error:
            return _refusal(error)
        return self._answer(disclosure)

    @extend_schema(request=VersionSerializer, responses=DisclosureSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        disclosure = get_object_or_404(
            Disclosure.objects.filter(organisation=request.auth.organisation), pk=pk
        )
        serializer = VersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            disclosure = services.publish_disclosure(
                acting_user=request.user,
                disclosure=disclosure,
                expected_version=serializer.validated_data["version"],
            )
        except ValidationError as error:
            return _refusal(error)
        return self._answer(disclosure)
