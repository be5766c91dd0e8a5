"""Hearings in the read API: every published hearing (cancelled ones included), never drafts."""

import functools

from django.db.models import OuterRef

from core.api import NestedRows, PublicReadViewSet, unread, updated_since
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
from projects.models import Place

# What a hearing's representation reads joined: its organisations and project (their slugs
# only). The rule set is not (the clock is given them all, `clock.prepare`), nor the failure and
# decision (read with the row, `nested_lists`: with them joined, PostgreSQL took 3-9 ms more to
# plan a page's query).
REPRESENTED = ("initiator", "organiser", "project")
UNREAD = [
    *unread(Hearing, "initiator", "slug"),
    *unread(Hearing, "organiser", "slug"),
    *unread(Hearing, "project", "slug"),
]


class HearingAPIFilter(HearingFilter):
    updated_since = updated_since()


@functools.cache
def nested_lists():
    """{attribute: NestedRows} of a hearing's lists, as hearings/serializers.py reads them.
    Built once: their SQL depends on the code only."""
    mine = {"hearing": OuterRef("pk")}
    change_columns = [
        "document__pk" if name == "document" else name
        for name in HearingChangeSerializer.Meta.fields
    ]
    return {
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
        """With what a hearing's representation reads, the lists read with the row; not the
        hearing repeated, whose id is the row's (`with_related` joins its 80 columns)."""
        return queryset.select_related(*REPRESENTED).defer(*UNREAD).annotate(**nested_lists())
