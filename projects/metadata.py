"""What a page says about itself to search engines and link previews: names that tell one village
from another, and schema.org structured data (JSON-LD).

5,473 of Kazakhstan's 13,025 settlements share their Kazakh name with another, so a village is
named with its district and region ("Нұра, Нұра ауданы, Қарағанды облысы"); rural districts and
larger villages a settlement hangs under are left out, as people do when they write an address.
The ancestors come from `Place.ancestors()` (one query) or `attach_ancestors`.

The JSON-LD is built here from the objects a page already loaded, so it costs no query.
"""

from django.utils.translation import gettext as _

from core.metadata import SCHEMA, absolute
from projects.models import Place

NAMED_LEVELS = (Place.Level.DISTRICT, Place.Level.REGION)


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


def kato_identifier(place):
    return {"@type": "PropertyValue", "propertyID": "KATO", "value": place.kato_code}


def _place_node(place, ancestors, own_point=True):
    """A schema.org Place (a settlement) or AdministrativeArea, contained in its ancestors."""
    node = {
        "@type": "Place" if place.level == Place.Level.SETTLEMENT else "AdministrativeArea",
        "name": place.name,
        "url": absolute(place.get_absolute_url()),
        "identifier": kato_identifier(place),
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


def organisation_node(organisation):
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


def geo_point(place, own_only=False):
    """The place's coordinates, or with `own_only` None when they are only a larger area's."""
    coordinates = place.coordinates(getattr(place, "ancestor_list", None))
    if not coordinates or (own_only and not coordinates[2]):
        return None
    latitude, longitude, _own = coordinates
    return {"@type": "GeoCoordinates", "latitude": float(latitude), "longitude": float(longitude)}
