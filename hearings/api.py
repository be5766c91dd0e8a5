"""Hearings in the read API: every published hearing (cancelled ones included), never drafts."""

import functools

from django.db.models import OuterRef

from core.api import NestedRows, PublicReadViewSet, by_key, updated_since
from hearings import clock
from hearings.filters import HearingFilter
from hearings.models import (
    DecisionNotice,
    Hearing,
    HearingChange,
    HearingComment,
    HearingDocument,
    HearingFailure,
    HearingPromise,
)
from hearings.serializers import (
    DecisionNoticeSerializer,
    FailureSerializer,
    HearingChangeSerializer,
    HearingCommentSerializer,
    HearingSerializer,
)
from projects.models import Organisation, Place, Project


class HearingAPIFilter(HearingFilter):
    updated_since = updated_since()


@functools.cache
def nested_lists():
    """{attribute: expression} of what a hearing's row reads besides its columns
    (hearings/serializers.py `hearing_row`): its lists (`NestedRows`) and its organisations'
    and project's slugs. Built once: their SQL depends on the code only.

    The slugs are each a subquery by key, not a join: joined, PostgreSQL chose to merge or hash
    every organisation (3,442) for a page of 35 hearings (4 of its 6 ms). The rule set is not
    read (the clock is given them all, `clock.prepare`)."""
    mine = {"hearing": OuterRef("pk")}
    change_columns = [
        "document__pk" if name == "document" else name
        for name in HearingChangeSerializer.Meta.fields
    ]
    return {
        "initiator_slug": by_key(Hearing, Organisation, "initiator_id", "slug"),
        "organiser_slug": by_key(Hearing, Organisation, "organiser_id", "slug"),
        "project_slug": by_key(Hearing, Project, "project_id", "slug"),
        "document_list": NestedRows(
            Hearing,
            HearingDocument.objects.filter(**mine),
            *("title_kk", "title_ru", "title_en", "file", "uploaded_at"),
        ),
        # Their ids, where public.
        "public_repeats": NestedRows(
            Hearing, Hearing.objects.published().filter(repeat_of=OuterRef("pk")), "id"
        ),
        # Drafts are private forever: the change log from the announcement on.
        "public_changes": NestedRows(
            Hearing, HearingChange.objects.public().filter(**mine), *change_columns
        ),
        "promise_list": NestedRows(
            Hearing,
            HearingPromise.objects.filter(**mine),
            *("organisation__slug", "text", "due_text", "language", "translations"),
        ),
        "public_comments": NestedRows(
            Hearing,
            HearingComment.objects.approved().filter(**mine),
            *HearingCommentSerializer.Meta.fields,
        ),
        # Rows of one or none.
        "failure_list": NestedRows(
            Hearing, HearingFailure.objects.filter(**mine), *FailureSerializer.Meta.fields
        ),
        "decision_list": NestedRows(
            Hearing,
            DecisionNotice.objects.filter(**mine),
            *[
                "document__file" if name == "document" else name
                for name in DecisionNoticeSerializer.Meta.fields
            ],
        ),
        "territory_list": NestedRows(
            Hearing,
            Place.objects.filter(hearings=OuterRef("pk")).order_by("kato_code"),
            "kato_code",
        ),
    }


class HearingViewSet(PublicReadViewSet):
    """Public hearings: the notice, the legal clock's deadlines and, afterwards, the record."""

    serializer_class = HearingSerializer
    filterset_class = HearingAPIFilter
    lookup_value_regex = "[0-9]+"

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            clock.prepare(page)  # the rules and the calendar once for the page, not per row
        return page

    def get_object(self):
        return clock.prepare([super().get_object()])[0]  # its rules and the calendar, one query

    def get_queryset(self):
        published = Hearing.objects.published()
        if self.action == "list":
            return published
        return self.represented(published)

    def represented(self, queryset):
        """With what a hearing's representation reads, read with the row; not the hearing
        repeated, whose id is the row's (`with_related` joins its 80 columns)."""
        return queryset.annotate(**nested_lists())
