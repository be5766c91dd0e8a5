"""The bulk downloads at /data/: the whole published dataset as CSV and JSON, with a data package.

`build()` writes every resource (disclosures, hearings, places, organisations, projects) as CSV
and JSON, a README with the licence and the credits, and a Frictionless `datapackage.json`
describing every column, into a new generation folder of the default storage (MEDIA_ROOT, or
the bucket), then points `open-data/manifest.json` at it. Readers always see one complete
generation: the manifest is written last, and the previous generation is kept until the next
build, so a download already under way finishes.

Rows are streamed from server-side cursors into temporary files, one pass for both formats, so
memory stays bounded whatever the number of rows. Nothing is built inside a resident's request:
every run of the outbox worker (`send_notifications`, from cron or with --loop) calls
`refresh_if_stale()`, which builds at once when there is no build yet or a record was taken
down since (`core.opendata.takedown_mark`: such a build is not served meanwhile), and after any
other change once the last build is OPEN_DATA_MIN_AGE seconds old. `make run` and
`manage.py build_open_data` build on demand.

This module gathers every app's rows, like the place pages in `projects/views.py`: it is the
other place where `projects` looks outward.
"""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation

from core import caching, opendata
from core.metadata import absolute_template
from core.opendata import (
    CSV_ENCODING_NOTE,
    FORMULA_ESCAPE_NOTE,
    GEONAMES_URL,
    KATO_URL,
    LICENCE_URL,
    csv_lines,
    export_head,
    json_row,
    licence_object,
    table_schema,
)
from disclosures import export as disclosure_export
from disclosures.models import Disclosure
from hearings import export as hearing_export
from projects import export

PREFIX = "open-data"
MANIFEST = f"{PREFIX}/manifest.json"
LOCK = caching.advisory_lock_id("build-open-data")
DATAPACKAGE = "datapackage.json"
README = "README.txt"

SOURCES = {
    "ashyq": {
        "title": "Ashyq Auyl: disclosures by organisations and public hearings, as published",
        "path": "",  # the site's address, filled in at build time
    },
    "kato": {
        "title": "KATO, the classifier of administrative-territorial units "
        "(НК РК 11-2025), Bureau of National Statistics of Kazakhstan",
        "path": KATO_URL,
    },
    "geonames": {
        "title": "GeoNames (CC BY 4.0): coordinates of settlements",
        "path": GEONAMES_URL,
    },
    "geokz": {
        "title": "arodionoff/geokz (MIT), from OCHA COD-AB: coordinates of regions and districts",
        "path": "https://github.com/arodionoff/geokz",
    },
}


@dataclass
class Resource:
    name: str
    title: str
    description: str
    columns: list
    rows: object  # a function giving the row dicts
    primary_key: list = field(default_factory=list)
    foreign_keys: list = field(default_factory=list)  # (field, resource, field)
    sources: tuple = ("ashyq",)


def _url_template(view, key):
    """The page's absolute address with `{}` for the key, in the site's default language."""
    with translation.override(settings.LANGUAGE_CODE):
        return absolute_template(view, key)


def _disclosure_rows():
    # Published and withdrawn (marked) ones; not drafts, not those hidden by moderators.
    queryset = Disclosure.objects.published().order_by("pk")
    with translation.override(settings.LANGUAGE_CODE):
        yield from disclosure_export.rows(queryset, _url_template("disclosures:detail", "pk"))


# The resources, in the order the page lists them.
RESOURCES = [
    Resource(
        "disclosures",
        "Contributions and promises",
        "What companies (and akimats spending their payments) did or promised for "
        "settlements, with the EITI Requirement 6.1 fields; withdrawn records are included "
        "and marked. One row per disclosure.",
        disclosure_export.COLUMNS,
        _disclosure_rows,
        ["id"],
        [
            ("organisation_slug", "organisations", "slug"),
            ("project", "projects", "slug"),
            ("hearing", "hearings", "id"),
            ("akimat_verdict_by", "organisations", "slug"),
        ],
    ),
    Resource(
        "hearings",
        "Public hearings",
        "Every announced hearing, held or cancelled, with its notice and record.",
        hearing_export.COLUMNS,
        lambda: hearing_export.rows(_url_template("hearings:detail", "pk")),
        ["id"],
        [
            ("project", "projects", "slug"),
            ("initiator", "organisations", "slug"),
            ("organiser", "organisations", "slug"),
        ],
    ),
    Resource(
        "places",
        "Places (KATO)",
        "Regions, districts, rural districts and settlements of the KATO classifier, "
        "with coordinates where known.",
        export.PLACE_COLUMNS,
        lambda: export.place_rows(_url_template("portal:place_detail", "slug")),
        ["kato_code"],
        [("parent", "places", "kato_code")],
        ("kato", "geonames", "geokz"),
    ),
    Resource(
        "organisations",
        "Organisations",
        "Companies and akimats.",
        export.ORGANISATION_COLUMNS,
        lambda: export.organisation_rows(_url_template("portal:organisation_detail", "slug")),
        ["slug"],
        [("place", "places", "kato_code")],
    ),
    Resource(
        "projects",
        "Investment projects",
        "Plants, mines, wind farms and the settlements they affect.",
        export.PROJECT_COLUMNS,
        lambda: export.project_rows(_url_template("portal:project_detail", "slug")),
        ["slug"],
        [
            ("operator", "organisations", "slug"),
            ("primary_settlement", "places", "kato_code"),
        ],
    ),
]


# --- Reading what was built ------------------------------------------------------------------


def read_manifest(storage=None):
    """The last build's manifest, or None before the first build (or if it is unreadable)."""
    storage = storage or default_storage
    try:
        with storage.open(MANIFEST, "rb") as handle:
            return json.loads(handle.read().decode())
    except (OSError, ValueError):
        return None


def generated_at(manifest):
    return datetime.fromisoformat(manifest["generated_at"])


def content_changed_at(manifest):
    """When the content the build shows last changed (older manifests: when it was built)."""
    return datetime.fromisoformat(manifest.get("content_changed_at", manifest["generated_at"]))


def download_name(entry, manifest):
    """'ashyq-auyl-disclosures-2026-11-30.csv': the file's name with the day it was built."""
    stem, _dot, extension = entry["name"].rpartition(".")
    day = timezone.localtime(generated_at(manifest)).date().isoformat()
    return f"ashyq-auyl-{stem.lower()}-{day}.{extension}"


# --- Building -----------------------------------------------------------------------------


class _Written:
    """A temporary file being written, with its size, SHA-256 and row count."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.hash = hashlib.sha256()
        self.bytes = 0
        self.rows = 0

    def write(self, text):
        data = text.encode()
        self.file.write(data)
        self.hash.update(data)
        self.bytes += len(data)


def _write_resource(resource, now):
    """Write one resource as CSV and JSON in one pass over its rows."""
    csv_file, json_file = _Written(), _Written()
    names = [column.name for column in resource.columns]
    # The object's head, then the rows streamed into its last member, "data".
    json_file.write(
        export_head(
            name=resource.name,
            title=resource.title,
            sources=[_source(key) for key in resource.sources],
            generated_at=now.isoformat(),
            fields=names,
        )[:-1]
        + ', "data": ['
    )
    lines = csv_lines(resource.columns, _counted(resource.rows(), csv_file, json_file))
    csv_file.write(next(lines))  # the header
    for line in lines:
        csv_file.write(line)
    json_file.write("]}\n")
    return csv_file, json_file


def _counted(rows, csv_file, json_file):
    """Pass the rows on to the CSV writer, writing each to the JSON file on the way."""
    for row in rows:
        json_file.write(("," if csv_file.rows else "") + "\n" + json_row(row))
        csv_file.rows += 1
        json_file.rows += 1
        yield row


def _source(key):
    source = dict(SOURCES[key])
    if key == "ashyq":
        source["path"] = settings.SITE_URL + "/"
    return source


def _readme(manifest):
    return "\n".join(
        [
            "Ashyq Auyl open data",
            "====================",
            "",
            f"Built {manifest['generated_at']} from content version "
            f"{manifest['content_version']} (the site's content as changed last at "
            f"{manifest['content_changed_at']}).",
            f"Site: {settings.SITE_URL}/",
            "",
            "Licence: Creative Commons Attribution 4.0 International (CC BY 4.0),",
            f"{LICENCE_URL}",
            "Reuse it for any purpose; name Ashyq Auyl as the source and link to the record",
            "(every row has its page's address in the `url` column).",
            "",
            "Credits:",
            "- Place codes and names: KATO, the classifier of administrative-territorial units",
            f"  (НК РК 11-2025) of the Bureau of National Statistics of Kazakhstan, {KATO_URL}",
            f"- Coordinates of settlements: GeoNames, {GEONAMES_URL}, licensed under CC BY 4.0.",
            "- Coordinates of regions and districts: arodionoff/geokz (MIT), from OCHA COD-AB.",
            "",
            "Files: each resource as CSV and as JSON. datapackage.json (Frictionless Data",
            "Package) describes every column, its type and its codes. Empty cells are unknown",
            "or not applicable; times are in UTC (ISO 8601).",
            "",
            f"CSV: {CSV_ENCODING_NOTE}",
            "",
            f"Formulas: {FORMULA_ESCAPE_NOTE}",
            "",
            f"JSON: {JSON_NOTE}",
            "",
        ]
    )


JSON_NOTE = (
    'An object: {"license": ..., "attribution": ..., "data": [rows]}. Each row has the '
    "columns of the CSV with the types its schema in datapackage.json declares: numbers and "
    "integers as JSON numbers, yes/no columns as true/false, dates and times as ISO 8601 text, "
    "codes from the codelists, and null where the CSV cell is empty."
)


def build(storage=None, now=None):
    """Write a new generation of every file, then the manifest; returns the manifest."""
    storage = storage or default_storage
    # Read before any row: a takedown committed after this point withholds this build.
    takedown = opendata.takedown_mark()
    now = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    manifest = _manifest_head(now, takedown)
    directory = manifest["directory"]
    files, package_resources = [], []
    for resource in RESOURCES:
        csv_file, json_file = _write_resource(resource, now)
        for written, extension, mediatype in (
            (csv_file, "csv", "text/csv"),
            (json_file, "json", "application/json"),
        ):
            entry = _save(storage, directory, f"{resource.name}.{extension}", written, mediatype)
            entry.update(resource=resource.name, title=resource.title, rows=written.rows)
            files.append(entry)
        package_resources += _package_resources(resource, files[-2], files[-1])
    files.append(_save_text(storage, directory, README, _readme(manifest), "text/plain"))
    package_resources.append(
        _file_resource(files[-1], "readme", "Read me: licence and credits", type="text")
    )
    datapackage = _datapackage(now, manifest["content_version"], package_resources)
    text = json.dumps(datapackage, indent=2)
    files.insert(0, _save_text(storage, directory, DATAPACKAGE, text, "application/json"))
    manifest["files"] = files
    previous = read_manifest(storage) or {}
    storage.delete(MANIFEST)
    storage.save(MANIFEST, ContentFile(json.dumps(manifest, indent=2).encode()))
    _delete_old_generations(storage, keep={directory, previous.get("directory")})
    return manifest


def _manifest_head(now, takedown):
    """The new generation's manifest, before its files: when, from which content, and where."""
    scopes = caching.versions([caching.SITE])
    version = caching.stamp(scopes)
    return {
        "generated_at": now.isoformat(),
        "content_version": version,
        "content_changed_at": datetime.fromtimestamp(max(scopes.values()) / 1e9, UTC)
        .replace(microsecond=0)
        .isoformat(),
        "takedown": takedown,
        "directory": f"{PREFIX}/{now:%Y%m%dT%H%M%SZ}-v{version}",
    }


def _save_text(storage, directory, name, text, mediatype):
    written = _Written()
    written.write(text)
    return _save(storage, directory, name, written, mediatype)


def _save(storage, directory, name, written, mediatype):
    written.file.seek(0)
    path = f"{directory}/{name}"
    storage.save(path, File(written.file, name=name))
    written.file.close()
    return {
        "name": name,
        "path": path,
        "mediatype": mediatype,
        "bytes": written.bytes,
        "sha256": written.hash.hexdigest(),
    }


def _file_resource(entry, name, title, *, type=None, profile=None, description=None, **rest):
    """The datapackage's description of the file `_save` wrote (`entry`)."""
    resource = {
        "name": name,
        "type": type,
        "path": entry["name"],
        "profile": profile,
        "title": title,
        "description": description,
        "format": entry["name"].rpartition(".")[2],
        "mediatype": entry["mediatype"],
        "encoding": "utf-8",
        "bytes": entry["bytes"],
        "hash": "sha256:" + entry["sha256"],
        **rest,
    }
    return {key: value for key, value in resource.items() if value is not None}


def _package_resources(resource, csv_entry, json_entry):
    return [
        _file_resource(
            csv_entry,
            resource.name,
            resource.title,
            profile="tabular-data-resource",
            description="\n\n".join([resource.description, CSV_ENCODING_NOTE, FORMULA_ESCAPE_NOTE]),
            dialect={"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            schema=table_schema(resource.columns, resource.primary_key, resource.foreign_keys),
            sources=[_source(key) for key in resource.sources],
        ),
        _file_resource(
            json_entry,
            f"{resource.name}-json",
            f"{resource.title} (JSON)",
            type="json",
            description=f"The rows of `{resource.name}` as JSON. {JSON_NOTE}",
        ),
    ]


def _datapackage(now, version, package_resources):
    return {
        "name": "ashyq-auyl",
        "title": "Ashyq Auyl: what industrial projects did for villages in Kazakhstan",
        "description": (
            "Contributions and promises disclosed by companies and akimats (EITI Requirement "
            "6.1: social and economic spending), public hearings, the places they concern "
            "(KATO), organisations and investment projects, as published on Ashyq Auyl."
        ),
        "homepage": settings.SITE_URL + "/",
        "version": f"{now:%Y.%m.%d}.{version}",
        "created": now.isoformat().replace("+00:00", "Z"),
        "keywords": ["Kazakhstan", "EITI", "social expenditure", "public hearings", "KATO"],
        "licenses": [licence_object()],
        "sources": [_source(key) for key in SOURCES],
        "resources": package_resources,
    }


def _delete_old_generations(storage, keep):
    """Remove every generation but the new one and the one the last manifest named (kept for
    downloads under way). Names are not compared: builds in the same second sort by version."""
    try:
        directories, _files = storage.listdir(PREFIX)
    except OSError:
        return
    for directory in (f"{PREFIX}/{name}" for name in directories):
        if directory in keep:
            continue
        _subdirs, names = storage.listdir(directory)
        for name in names:
            storage.delete(f"{directory}/{name}")
        if hasattr(storage, "path"):  # a local folder: remove it too once empty
            try:
                os.rmdir(storage.path(directory))
            except OSError:
                pass


# --- When to build -----------------------------------------------------------------------------


def is_stale(manifest, version):
    return manifest is None or manifest.get("content_version") != version


def is_withheld(manifest):
    """Built before the last takedown (a record hidden or withdrawn since): not to be served."""
    return manifest.get("takedown") != opendata.takedown_mark()


def _due(manifest, version, min_age, now):
    """A build is due at once before the first and after a takedown; after another change,
    once the last build is `min_age` seconds old."""
    if manifest is None or is_withheld(manifest):
        return True
    old_enough = (now - generated_at(manifest)).total_seconds() >= min_age
    return is_stale(manifest, version) and old_enough


def refresh_if_stale(*, min_age=None, storage=None, now=None):
    """Build when due (`_due`: OPEN_DATA_MIN_AGE by default); returns the new manifest, or
    None. Called by every run of the worker, from cron or in its loop.

    One process builds at a time (a PostgreSQL advisory lock); the others skip.
    """
    min_age = settings.OPEN_DATA_MIN_AGE if min_age is None else min_age
    now = now or timezone.now()
    version = caching.stamp(caching.versions([caching.SITE]))
    if not _due(read_manifest(storage), version, min_age, now):
        return None
    with transaction.atomic():
        if not caching.try_advisory_xact_lock(LOCK):
            return None
        if not _due(read_manifest(storage), version, min_age, now):
            return None
        return build(storage, now)
