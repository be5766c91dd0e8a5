"""What a page says about itself to search engines and link previews: names that tell one village
from another, and schema.org structured data (JSON-LD).

5,473 of Kazakhstan's 13,025 settlements share their Kazakh name with another, so a village is
named with its district and region ("Нұра, Нұра ауданы, Қарағанды облысы"); rural districts and
larger villages a settlement hangs under are left out, as people do when they write an address.
The ancestors come from `Place.ancestors()` (one query) or `attach_ancestors`.

The JSON-LD is built here from the objects a page already loaded, so it costs no query.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import opendata
from .models import Place

SCHEMA = "https://schema.org"
NAMED_LEVELS = (Place.Level.DISTRICT, Place.Level.REGION)


def absolute(path):
    """A path on the public site (SITE_URL), whatever host name the request came through: links
    in e-mails, feeds, API responses and exports are kept by others, and pages are cached whole."""
    return settings.SITE_URL + path


def absolute_template(view, key):
    """The absolute address of `view`'s page, in the active language, with `{}` for its `key`:
    an export fills in thousands of rows with `str.format` instead of reversing each one."""
    return absolute(reverse(view, kwargs={key: "999999999"}).replace("999999999", "{}"))


def place_label(place, ancestors=None):
    """The place's name followed by its district and region, in the active language."""
    if ancestors is None:
        ancestors = getattr(place, "ancestor_list", None)
        if ancestors is None:
            ancestors = list(place.ancestors())
    names = [place.name]
    names += [a.name for a in reversed(ancestors) if a.level in NAMED_LEVELS and a.name]
    return ", ".join(names)


def places_label(places, shown=3):
    """Several places (a contribution's villages, a hearing's territory): the first few names,
    then the districts and regions they lie in, each once. Ancestors from `attach_ancestors`."""
    places = list(places)
    names = [place.name for place in places[:shown]]
    if len(places) > shown:
        names[-1] += " …"
    for place in places:
        for ancestor in reversed(getattr(place, "ancestor_list", [])):
            if ancestor.level in NAMED_LEVELS and ancestor.name and ancestor.name not in names:
                names.append(ancestor.name)
    return ", ".join(names)


def absolute_media(url):
    """A file's address for other sites (Open Graph): storage may already give a full URL."""
    return url if url.startswith(("http://", "https://")) else absolute(url)


def ld_json(data):
    """`data` as a `<script type="application/ld+json">` element, escaped as `json_script` does
    (`<`, `>` and `&` as \\u escapes), so no text in it can close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    text = text.translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def _kato(place):
    return {"@type": "PropertyValue", "propertyID": "KATO", "value": place.kato_code}


def _place_node(place, ancestors, own_point=True):
    """A schema.org Place (a settlement) or AdministrativeArea, contained in its ancestors."""
    node = {
        "@type": "Place" if place.level == Place.Level.SETTLEMENT else "AdministrativeArea",
        "name": place.name,
        "url": absolute(place.get_absolute_url()),
        "identifier": _kato(place),
    }
    if own_point and place.latitude is not None and place.longitude is not None:
        node["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    if ancestors:
        node["containedInPlace"] = _place_node(ancestors[-1], ancestors[:-1])
    else:
        node["containedInPlace"] = {"@type": "Country", "name": _("Kazakhstan")}
    return node


def place_data(place, ancestors):
    """JSON-LD of a village, district or region page."""
    return {"@context": SCHEMA, **_place_node(place, list(ancestors))}


def _organisation(organisation):
    node = {
        "@type": "GovernmentOrganization" if organisation.is_akimat else "Organization",
        "name": organisation.name,
        "url": absolute(organisation.get_absolute_url()),
    }
    if organisation.bin:
        node["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "BIN",
            "value": organisation.bin,
        }
    if organisation.email:
        node["email"] = organisation.email
    return node


def hearing_data(hearing, territory, changes=()):
    """JSON-LD Event of a hearing: when and where, who organises it, whether it still stands.

    A moved hearing is EventRescheduled with every earlier start as `previousStartDate`; an
    open meeting with a video link is a mixed event, a public discussion on the portal online.
    """
    local = timezone.localtime
    event = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": hearing.title,
        "url": absolute(hearing.get_absolute_url()),
        "identifier": hearing.registration_number or str(hearing.pk),
        "organizer": _organisation(hearing.organiser),
    }
    if hearing.subject:
        event["description"] = hearing.subject
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
    previous = [c.old_starts_at for c in changes if c.old_starts_at]
    if hearing.is_cancelled():
        status = "EventCancelled"
    elif previous:
        status = "EventRescheduled"
        event["previousStartDate"] = [local(at).isoformat() for at in previous]
    else:
        status = "EventScheduled"
    event["eventStatus"] = f"{SCHEMA}/{status}"
    places = [
        {
            "@type": "Place",
            "name": place.name,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": place_label(place),
                "addressCountry": "KZ",
            },
            "identifier": _kato(place),
            "url": absolute(place.get_absolute_url()),
        }
        for place in territory
    ]
    locations = []
    if hearing.venue and not hearing.is_public_discussion():
        venue = {"@type": "Place", "name": hearing.venue, "address": hearing.venue}
        if places:
            venue["containedInPlace"] = places[0]
            point = _point(territory[0])
            if point:
                venue["geo"] = point
        locations.append(venue)
    elif places:
        locations.append(places[0])
    online_url = hearing.online_link or hearing.portal_url
    if online_url and mode != "OfflineEventAttendanceMode":
        locations.append({"@type": "VirtualLocation", "url": online_url})
    if locations:
        event["location"] = locations if len(locations) > 1 else locations[0]
    return event


def _point(place):
    coordinates = place.coordinates(getattr(place, "ancestor_list", None))
    if not coordinates:
        return None
    latitude, longitude, _own = coordinates
    return {"@type": "GeoCoordinates", "latitude": float(latitude), "longitude": float(longitude)}


def dataset_data():
    """JSON-LD Dataset of the open data page: what is published, under which licence, where."""
    distributions = [
        ("text/csv", "disclosures:export_csv", _("Contributions and promises, CSV")),
        ("application/json", "disclosures:export_json", _("Contributions and promises, JSON")),
        ("application/rss+xml", "disclosures:feed", _("Contributions and promises, RSS")),
        ("application/atom+xml", "hearings:feed", _("Public hearings, Atom")),
        ("text/calendar", "hearings:calendar", _("Public hearings, iCalendar")),
    ]
    nodes = [
        {
            "@type": "DataDownload",
            "name": str(name),
            "encodingFormat": media_type,
            "contentUrl": absolute(reverse(url_name)),
        }
        for media_type, url_name, name in distributions
    ]
    nodes.append(
        {
            "@type": "DataDownload",
            "name": _("Open data API (OpenAPI 3 description)"),
            "encodingFormat": "application/vnd.oai.openapi",
            "contentUrl": absolute(reverse("api-schema")),
        }
    )
    site = {"@type": "Organization", "name": _("Ashyq Auyl"), "url": absolute("/")}
    return {
        "@context": SCHEMA,
        "@type": "Dataset",
        "name": _("Ashyq Auyl: contributions, promises and public hearings"),
        "description": _(
            "What industrial companies and akimats disclose they did, or promised to do, for "
            "Kazakhstan's villages, with residents' confirmations, and the public hearings on "
            "industrial projects, by village (KATO code)."
        ),
        "url": absolute(reverse("projects:open_data")),
        "license": opendata.LICENCE_URL,
        "isAccessibleForFree": True,
        "creator": site,
        "publisher": site,
        "inLanguage": ["kk", "ru", "en"],
        "keywords": [_("public hearings"), _("social investment"), "EITI", "KATO"],
        "spatialCoverage": {
            "@type": "Place",
            "name": _("Kazakhstan"),
            "address": {"@type": "PostalAddress", "addressCountry": "KZ"},
        },
        "distribution": nodes,
    }
