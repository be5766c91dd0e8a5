"""Atom feeds of the public hearings: all of them, or those concerning a place.

Every address in them is built from SITE_URL, not from the request's host (see
`disclosures.feeds`)."""

import copy

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from core import formats, opendata
from core.metadata import absolute
from core.text import feed_text, one_line
from hearings.models import Hearing
from projects.models import Place

FEED_SIZE = 50


class HearingsFeed(Feed):
    """Every published hearing (cancelled ones included), most recently changed first."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        # The self link keeps the query, so a filtered feed names itself exactly; a copy per
        # request, since one instance serves every request (and thread).
        feed = copy.copy(self)
        feed._full_path = request.get_full_path()
        return Feed.__call__(feed, request, *args, **kwargs)

    def author_name(self):
        return _("Ashyq Auyl")

    def feed_url(self, obj):
        return absolute(self._full_path)

    def feed_copyright(self, obj):
        return opendata.rights()

    def get_object(self, request):
        return None

    def title(self, obj):
        return _("Public hearings")

    def subtitle(self, obj):
        return _("Every public hearing announced on Ashyq Auyl.")

    def link(self, obj):
        return absolute(reverse("hearings:list"))

    def items(self, obj):
        return (
            Hearing.objects.published()
            .with_fate()
            .select_related("organiser")
            .order_by("-updated_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        when = formats.day_time(item.starts_at)
        return one_line(f"{item.title} — {when} ({item.get_status_display()})")

    def item_description(self, item):
        parts = [
            *item.fate_lines(),
            item.registration_number,
            item.organiser.name,
            item.venue,
            item.subject,
        ]
        return feed_text(" — ".join(str(part) for part in parts if part))

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return opendata.tag_uri("hearing", item.pk)

    def item_author_name(self, item):
        return item.organiser.name

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.announced_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at


class PlaceHearingsFeed(HearingsFeed):
    """The hearings concerning a settlement, district or region."""

    def get_object(self, request, kato_code):
        return get_object_or_404(Place, kato_code=kato_code)

    def title(self, place):
        return _("Public hearings: %(place)s") % {"place": place.name}

    def subtitle(self, place):
        return _("Public hearings concerning %(place)s and the places in and around it.") % {
            "place": place.name
        }

    def link(self, place):
        return absolute(place.get_absolute_url())

    def items(self, place):
        return (
            Hearing.objects.published()
            .concerning(place)
            .with_fate()
            .select_related("organiser")
            .order_by("-updated_at", "-pk")[:FEED_SIZE]
        )


def place_hearing_urls(place):
    """The list, Atom and iCal addresses of the hearings concerning one place (for the village
    page, which gives the feed and calendar twice: reversed once)."""
    return {
        "list": f"{reverse('hearings:list')}?place={place.kato_code}",
        "feed": reverse("hearings:place_feed", args=[place.kato_code]),
        "calendar": reverse("hearings:place_calendar", args=[place.kato_code]),
    }
