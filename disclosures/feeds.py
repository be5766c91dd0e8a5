"""An RSS feed of published disclosures (withdrawn ones marked), narrowed by the list's own
filters (e.g. `?place=KATO`).

Every address in it is built from SITE_URL, not from the request's host, as in e-mails and
printed notices: a feed fetched through a proxy or a mirror still points at the public site, and
the cached feed, shared by every visitor, names one site whoever fetched it first."""

import mimetypes

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Enclosure
from django.utils.translation import gettext_lazy as _

from core import opendata
from core.filters import bad_filter_response, filter_errors
from core.metadata import absolute, absolute_media
from core.text import feed_text, one_line
from disclosures.filters import DisclosureFilter
from disclosures.models import Disclosure, Status

FEED_SIZE = 50


def _with_filters(view, filterset):
    """The absolute address of `view` with the feed's own filters as its query."""
    query = filterset.data.urlencode()
    return absolute(reverse(view) + (f"?{query}" if query else ""))


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
        return _with_filters("disclosures:list", filterset)

    def feed_url(self, filterset):
        # The self link keeps the query: a filtered feed names itself, not the whole feed.
        return _with_filters("disclosures:feed", filterset)

    def feed_copyright(self):
        return opendata.rights()

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return opendata.tag_uri("disclosure", item.pk)

    item_guid_is_permalink = False

    def item_author_name(self, item):
        return item.organisation.name

    def items(self, filterset):
        return filterset.qs.prefetch_related("photos", "documents")[:FEED_SIZE]

    def item_enclosures(self, item):
        """The first photo, else the first document (RSS allows one enclosure per item)."""
        files = [photo.image for photo in item.photos.all()]
        files += [document.file for document in item.documents.all()]
        for stored in files[:1]:
            try:
                length = str(stored.size)
            except OSError:  # the file is missing from storage: no enclosure rather than a 500
                return []
            mime_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
            return [Enclosure(absolute_media(stored.url), length, mime_type)]
        return []

    def item_title(self, item):
        status = item.display_status()[1]
        return one_line(f"{item.title} ({status})")

    def item_description(self, item):
        places = ", ".join(place.name for place in item.settlements.all())
        parts = [str(item.organisation), places, item.amount_display(), item.description]
        if item.is_withdrawn():
            parts.insert(0, _("Withdrawn: %(reason)s") % {"reason": item.withdrawal_reason})
        elif item.status == Status.CANCELLED:
            parts.insert(0, _("Cancelled: %(reason)s") % {"reason": item.cancel_reason})
        return feed_text(" — ".join(str(part) for part in parts if part))

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
