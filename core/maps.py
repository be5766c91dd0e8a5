"""What a page's map shows: a list of named points, rendered as a list for everyone and drawn on
a Leaflet map (static/js/map.js) only when a visitor asks for it."""

from django.conf import settings
from django.utils.translation import gettext as _


def point(place, kind, ancestors=None, url=None, label=None):
    """A map point for `place`, or None when neither it nor an ancestor has coordinates."""
    found = place.coordinates(
        ancestors if ancestors is not None else getattr(place, "ancestor_list", None)
    )
    if found is None:
        return None
    latitude, longitude, own = found
    return {
        "name": label or place.name,
        "url": url or place.get_absolute_url(),
        "lat": float(latitude),
        "lon": float(longitude),
        "approximate": not own,
        "kind": kind,
    }


def map_data(points, zoom=11):
    points = [p for p in points if p is not None]
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "zoom": zoom,
        "points": points,
        "label": _("Map"),
    }
