"""Disclosures in the read API: published ones (withdrawn ones marked), never drafts.

A disclosure hidden by moderators answers 410 Gone with no content, so that harvesters learn to
drop their copy, and is left out of lists.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from projects.api import PublicReadViewSet, updated_since

from .filters import DisclosureFilter
from .models import Confirmation, Disclosure
from .serializers import DisclosureSerializer, HiddenDisclosureSerializer


class DisclosureAPIFilter(DisclosureFilter):
    updated_since = updated_since()


class DisclosureViewSet(PublicReadViewSet):
    """What companies and akimats did for villages, with timeline, change log and evidence."""

    serializer_class = DisclosureSerializer
    filterset_class = DisclosureAPIFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return self.with_everything(Disclosure.objects.public())

    @staticmethod
    def with_everything(queryset):
        return queryset.with_related().prefetch_related(
            "status_changes",
            "revisions",
            Prefetch("confirmations", queryset=Confirmation.objects.select_related("akimat")),
            "photos",
            "documents",
        )

    @extend_schema(responses={200: DisclosureSerializer, 410: HiddenDisclosureSerializer})
    def retrieve(self, request, pk=None):
        ever_published = Disclosure.objects.filter(published_at__isnull=False)
        disclosure = get_object_or_404(self.with_everything(ever_published), pk=pk)
        if disclosure.is_hidden():
            data = {
                "id": disclosure.pk,
                "hidden": True,
                "detail": _("This disclosure was hidden by moderators."),
            }
            return Response(data, status=status.HTTP_410_GONE)
        return Response(self.get_serializer(disclosure).data)
