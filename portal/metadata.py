"""The open data page as schema.org structured data (JSON-LD Dataset)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core import opendata
from core.metadata import SCHEMA, absolute
from portal import downloads


def _bulk_downloads():
    """The files at /data/, at their stable addresses: the data package, then each resource as
    CSV and as JSON."""
    files = [(downloads.DATAPACKAGE, "application/json", "Data package (Frictionless)")]
    for resource in downloads.RESOURCES:
        files += [
            (f"{resource.name}.csv", "text/csv", f"{resource.title}, CSV"),
            (f"{resource.name}.json", "application/json", f"{resource.title}, JSON"),
        ]
    return [
        {
            "@type": "DataDownload",
            "name": name,
            "encodingFormat": media_type,
            "contentUrl": absolute(reverse("data_file", kwargs={"name": filename})),
            "license": opendata.LICENCE_URL,
        }
        for filename, media_type, name in files
    ]


def dataset_data():
    """JSON-LD Dataset of the open data page: what is published, under which licence, where."""
    distributions = [
        ("text/csv", "disclosures:export_csv", _("Contributions and promises, CSV")),
        ("application/json", "disclosures:export_json", _("Contributions and promises, JSON")),
        ("application/rss+xml", "disclosures:feed", _("Contributions and promises, RSS")),
        ("application/atom+xml", "hearings:feed", _("Public hearings, Atom")),
        ("text/calendar", "hearings:calendar", _("Public hearings, iCalendar")),
    ]
    nodes = _bulk_downloads() + [
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
        "url": absolute(reverse("portal:open_data")),
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
