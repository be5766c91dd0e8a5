"""An RSS feed of published disclosures, narrowed by the list's own filters (e.g. `?place=KATO`)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .filters import DisclosureFilter
from .models import Disclosure

FEED_SIZE = 50


class DisclosureFeed(Feed):
    title = _("Ashyq Auyl: contributions and promises")
    description = _(
        "What companies and akimats disclose they did, or promised to do, for villages."
    )

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def link(self):
        query = self.request.GET.urlencode()
        return reverse("disclosures:list") + (f"?{query}" if query else "")

    def items(self):
        filterset = DisclosureFilter(
            self.request.GET, queryset=Disclosure.objects.published().with_related()
        )
        return filterset.qs[:FEED_SIZE]

    def item_title(self, item):
        status = item.display_status()[1]
        return f"{item.title} ({status})"

    def item_description(self, item):
        places = ", ".join(place.name for place in item.settlements.all())
        parts = [str(item.organisation), places, item.amount_display(), item.description]
        return " — ".join(part for part in parts if part)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
