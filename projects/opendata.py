"""What every open-data output says about itself: the licence, the credit, stable entry ids."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
GEONAMES_URL = "https://www.geonames.org/"
# The year in entry ids (RFC 4151 tag URIs): the year the site's domain was first used. It
# never changes, so that an entry keeps its id forever.
TAG_YEAR = "2026"


def rights():
    """The licence line of feeds and downloads, in the reader's language."""
    return _("Ashyq Auyl data, licensed under Creative Commons Attribution 4.0 (%(url)s).") % {
        "url": LICENCE_URL
    }


def tag_uri(kind, pk):
    """A permanent IRI for an entry (`tag:example.kz,2026:hearing/12`), unlike a page address
    it does not change with the language or the site's scheme."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{TAG_YEAR}:{kind}/{pk}"
