"""A hearing as schema.org structured data (JSON-LD Event)."""

from django.utils import timezone

from core.metadata import SCHEMA, absolute
from projects.metadata import geo_point, kato_identifier, organisation_node, place_label


def hearing_data(hearing, territory, changes=()):
    """JSON-LD Event of a hearing: when and where, who organises it, whether it still stands.

    A moved hearing is EventRescheduled with every earlier start as `previousStartDate`; an
    open meeting with a video link is a mixed event, a public discussion on the portal online.
    """
    event = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": hearing.title,
        "url": absolute(hearing.get_absolute_url()),
        "identifier": hearing.registration_number or str(hearing.pk),
        "organizer": organisation_node(hearing.organiser),
    }
    if hearing.subject:
        event["description"] = hearing.subject
    mode = _dates_and_mode(event, hearing)
    _status(event, hearing, changes)
    locations = _locations(hearing, territory, mode)
    if locations:
        event["location"] = locations if len(locations) > 1 else locations[0]
    return event


def _dates_and_mode(event, hearing):
    """Set the start, end and attendance mode; return the mode's name."""
    local = timezone.localtime
    if hearing.is_public_discussion():
        event["startDate"] = local(hearing.starts_at).date().isoformat()
        last_day = hearing.discussion_ends_on or local(hearing.starts_at).date()
        event["endDate"] = last_day.isoformat()
        mode = "OnlineEventAttendanceMode"
    else:
        event["startDate"] = local(hearing.starts_at).isoformat()
        event["endDate"] = local(hearing.ends_at).isoformat()
        online = bool(hearing.online_link)
        mode = "MixedEventAttendanceMode" if online else "OfflineEventAttendanceMode"
    event["eventAttendanceMode"] = f"{SCHEMA}/{mode}"
    return mode


def _status(event, hearing, changes):
    """Scheduled, cancelled, or rescheduled with every earlier start."""
    previous = [c.old_starts_at for c in changes if c.old_starts_at]
    if hearing.is_cancelled():
        status = "EventCancelled"
    elif previous:
        status = "EventRescheduled"
        event["previousStartDate"] = [timezone.localtime(at).isoformat() for at in previous]
    else:
        status = "EventScheduled"
    event["eventStatus"] = f"{SCHEMA}/{status}"


def _place_node(place):
    node = {
        "@type": "Place",
        "name": place.name,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": place_label(place),
            "addressCountry": "KZ",
        },
        "identifier": kato_identifier(place),
        "url": absolute(place.get_absolute_url()),
    }
    if point := geo_point(place, own_only=True):
        node["geo"] = point
    return node


def _locations(hearing, territory, mode):
    """The venue (within the first place concerned) or that place, and the online address."""
    places = [_place_node(place) for place in territory]
    locations = []
    if hearing.venue and not hearing.is_public_discussion():
        # No `geo`: the venue's own coordinates are not known, and the place's (often a
        # district's centre) would put the hall kilometres away. The place it is in has them.
        venue = {"@type": "Place", "name": hearing.venue, "address": hearing.venue}
        if places:
            venue["containedInPlace"] = places[0]
        locations.append(venue)
    elif places:
        locations.append(places[0])
    online_url = hearing.online_link or hearing.portal_url
    if online_url and mode != "OfflineEventAttendanceMode":
        locations.append({"@type": "VirtualLocation", "url": online_url})
    return locations
