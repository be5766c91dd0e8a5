"""Atom feeds of the public hearings concerning a settlement, district or region."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from projects.models import Place
from projects.text import one_line, xml_safe

from .models import Hearing

FEED_SIZE = 50


class PlaceHearingsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, kato_code):
        return get_object_or_404(Place, kato_code=kato_code)

    def title(self, place):
        return _("Public hearings: %(place)s") % {"place": place.name}

    def subtitle(self, place):
        return _("Public hearings concerning %(place)s and the places in and around it.") % {
            "place": place.name
        }

    def link(self, place):
        return place.get_absolute_url()

    def items(self, place):
        return (
            Hearing.objects.published()
            .concerning(place)
            .select_related("organiser")
            .order_by("-updated_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        local = timezone.localtime(item.starts_at).strftime("%d.%m.%Y %H:%M")
        return one_line(f"{item.title} — {local} ({item.get_status_display()})")

    def item_description(self, item):
        parts = [item.registration_number, item.organiser.name, item.venue, item.subject]
        if item.is_cancelled():
            parts.insert(0, _("Cancelled: %(reason)s") % {"reason": item.cancellation_reason})
        return xml_safe(" — ".join(str(part) for part in parts if part))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"hearing-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.announced_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at
