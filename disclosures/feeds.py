"""An RSS feed of published disclosures, narrowed by the list's own filters (e.g. `?place=KATO`)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.filters import bad_filter_response, filter_errors
from projects.text import one_line, xml_safe

from .filters import DisclosureFilter
from .models import Disclosure

FEED_SIZE = 50


class DisclosureFeed(Feed):
    title = _("Ashyq Auyl: contributions and promises")
    description = _(
        "What companies and akimats disclose they did, or promised to do, for villages."
    )

    # One Feed instance serves every request (it is built once in urls.py), possibly from several
    # threads: nothing about a request is kept on `self`; the filterset is the feed's object.
    def __call__(self, request, *args, **kwargs):
        filterset = DisclosureFilter(
            request.GET, queryset=Disclosure.objects.published().with_related()
        )
        if errors := filter_errors(filterset):
            return bad_filter_response(errors, "text/plain")
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return DisclosureFilter(request.GET, queryset=Disclosure.objects.published().with_related())

    def link(self, filterset):
        query = filterset.data.urlencode()
        return reverse("disclosures:list") + (f"?{query}" if query else "")

    def items(self, filterset):
        return filterset.qs[:FEED_SIZE]

    def item_title(self, item):
        status = item.display_status()[1]
        return one_line(f"{item.title} ({status})")

    def item_description(self, item):
        places = ", ".join(place.name for place in item.settlements.all())
        parts = [str(item.organisation), places, item.amount_display(), item.description]
        return xml_safe(" — ".join(str(part) for part in parts if part))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


def place_feed_urls(place):
    """The list, RSS, CSV and JSON addresses of one place's disclosures (for the village page).

    Each one narrows to the settlements within `place`, so a district's addresses cover all its
    villages.
    """
    query = f"?place={place.kato_code}"
    return {
        "list": reverse("disclosures:list") + query,
        "feed": reverse("disclosures:feed") + query,
        "csv": reverse("disclosures:export_csv") + query,
        "json": reverse("disclosures:export_json") + query,
    }
