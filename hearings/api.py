"""Hearings in the read API: every published hearing (cancelled ones included), never drafts."""

from django.db.models import Prefetch

from core.api import PublicReadViewSet, updated_since
from hearings import clock
from hearings.filters import HearingFilter
from hearings.models import Hearing, HearingChange, HearingComment, HearingPromise
from hearings.serializers import HearingSerializer


class HearingAPIFilter(HearingFilter):
    updated_since = updated_since()


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

    def get_queryset(self):
        return (
            Hearing.objects.published()
            .with_related()
            .prefetch_related(
                "documents",
                # Their ids, where public: a repeat's status and link, not its 120 columns.
                Prefetch("repeats", queryset=Hearing.objects.only("status", "repeat_of")),
                # Drafts are private forever: the change log from the announcement on.
                Prefetch(
                    "changes", queryset=HearingChange.objects.public(), to_attr="public_changes"
                ),
                Prefetch(
                    "promises", queryset=HearingPromise.objects.select_related("organisation")
                ),
                Prefetch(
                    "comments",
                    queryset=HearingComment.objects.approved(),
                    to_attr="public_comments",
                ),
            )
        )
