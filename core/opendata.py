"""What every open-data output says about itself: the licence, the credit, stable entry ids."""

import csv
import json
import operator
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import CharField, F, Func, Value
from django.db.models.functions import NullIf
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from core.caching import VisibilityTracked

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


# --- Tabular exports: one description of each column, for the files and their data dictionary ---
#
# Every export (a list's CSV/JSON, the bulk downloads at /data/) writes its rows through these
# helpers from one list of `Column`s per resource; the same list gives the Frictionless Table
# Schema in datapackage.json, so a column cannot be written without being described. The data
# dictionary is written in English, as one machine-readable document (Frictionless has no
# per-language titles); the pages about it are translated.


@dataclass(frozen=True)
class Column:
    """One column of an export: its name, Table Schema type, title and description.

    `choices` (a TextChoices class or a list of codes) becomes the column's enum; `writable`
    marks the columns the disclosure import reads back (the others are ignored on import).
    """

    name: str
    type: str
    title: str
    description: str
    choices: object = None
    required: bool = False
    writable: bool = False
    format: str = ""

    def codes(self):
        if self.choices is None:
            return None
        values = getattr(self.choices, "values", self.choices)
        return list(values)

    def descriptor(self):
        field = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            # A column whose title says it all is described by its title.
            "description": self.description or f"{self.title}.",
        }
        if self.format:
            field["format"] = self.format
        if self.type == "boolean":  # written as yes/no (csv_cell)
            field.update(trueValues=["yes"], falseValues=["no"])
        constraints = {}
        if self.required:
            constraints["required"] = True
        if (codes := self.codes()) is not None:
            # An empty cell is "not stated", not a code: the enum applies to filled cells only.
            constraints["enum"] = codes
        if constraints:
            field["constraints"] = constraints
        return field


def table_schema(columns, primary_key=None, foreign_keys=()):
    schema = {"fields": [column.descriptor() for column in columns], "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = primary_key
    if foreign_keys:
        schema["foreignKeys"] = [
            {"fields": field, "reference": {"resource": resource, "fields": target}}
            for field, resource, target in foreign_keys
        ]
    return schema


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARACTERS = frozenset(FORMULA_STARTS)
# After an apostrophe, these make the apostrophe an escape (`csv_value` takes it off).
ESCAPED_CHARACTERS = frozenset((*FORMULA_STARTS, "'"))
# What the files say about it (datapackage.json and README.txt).
FORMULA_ESCAPE_NOTE = (
    "Spreadsheets run a cell that begins with =, +, -, @, a tab or a carriage return as a "
    "formula: such a text cell is written with an apostrophe (') in front, and so is a text that "
    "itself begins with an apostrophe followed by one of those characters or another "
    "apostrophe. To read the value, take one apostrophe off the front of such a cell; the JSON "
    "files hold the values as they are."
)
CSV_ENCODING_NOTE = (
    "UTF-8 with a byte-order mark (so that spreadsheets read Kazakh and Russian letters), "
    "comma-separated, with a header row, lines ending in CRLF."
)


YES_NO = {True: "yes", False: "no"}


def csv_cell(value):
    """A value as a spreadsheet-safe CSV cell (FORMULA_ESCAPE_NOTE); booleans are yes/no.

    The escape is reversible: `csv_value(csv_cell(text)) == text` for every text, so an export
    imported unchanged changes nothing.
    """
    if value is None:
        return ""
    if value.__class__ is bool:
        return YES_NO[value]
    if value.__class__ is str and (
        value[:1] in FORMULA_CHARACTERS or (value[:1] == "'" and value[1:2] in ESCAPED_CHARACTERS)
    ):
        return "'" + value
    return value


def csv_value(text):
    """The value a `csv_cell` wrote: the apostrophe that disarmed a formula comes off."""
    if text[:1] == "'" and text[1:2] in ESCAPED_CHARACTERS:
        return text[1:]
    return text


class Echo:
    """A file-like object whose write returns the text, for csv.writer in a stream."""

    def write(self, value):
        return value


def csv_lines(columns, rows):
    """A byte-order mark and the header line, then one line per row dict, each a string
    (CSV_ENCODING_NOTE: every CSV of the site, bulk or filtered, is written here).

    Only free text can start like a formula and only yes/no columns need words, so only those
    cells are looked at (free text goes through `csv_cell` only when it starts like an escape);
    numbers, dates and codes from a list are written as they are
    (None as an empty cell, as `csv` does): a country-wide export is ten million cells.
    """
    writer = csv.writer(Echo())
    names = [column.name for column in columns]
    values = operator.itemgetter(*names)
    texts = [
        index
        for index, column in enumerate(columns)
        if column.type == "string" and column.choices is None
    ]
    flags = [index for index, column in enumerate(columns) if column.type == "boolean"]
    objects = [index for index, column in enumerate(columns) if column.type == "object"]
    yield "\ufeff" + writer.writerow(names)
    for row in rows:
        cells = list(values(row))
        for index in texts:  # `csv_cell` only for the few that start like an escape
            value = cells[index]
            if value.__class__ is str and value[:1] in ESCAPED_CHARACTERS:
                cells[index] = csv_cell(value)
        for index in flags:
            cells[index] = YES_NO.get(cells[index], cells[index])
        for index in objects:  # JSON text; an empty object as an empty cell
            cells[index] = json_row(cells[index]) if cells[index] else None
        yield writer.writerow(cells)


# One encoder for every row: `json.dumps(row, ensure_ascii=False)` builds a new one per call.
json_row = json.JSONEncoder(ensure_ascii=False).encode


def licence_object():
    """The top-level licence of the JSON downloads and the datapackage (Frictionless form)."""
    return {"name": "CC-BY-4.0", "path": LICENCE_URL, "title": LICENCE_TITLE}


LICENCE_TITLE = "Creative Commons Attribution 4.0 International"


def attribution():
    """How to credit the data, in every JSON export and download."""
    return (
        f"Ashyq Auyl ({settings.SITE_URL}/), {LICENCE_TITLE} ({LICENCE_URL}). "
        f"Coordinates of settlements: GeoNames ({GEONAMES_URL}), CC BY 4.0."
    )


def export_head(**extra):
    """The start of a JSON export, an object naming its licence and attribution (and `extra`
    members), to which the writer adds "data", its rows."""
    return json.dumps(
        {"license": licence_object(), "attribution": attribution(), **extra}, ensure_ascii=False
    )


def licence_link():
    """The `Link` header of every export and download: the licence, for a CSV too (RFC 8288,
    the `license` relation of RFC 4946)."""
    return f'<{LICENCE_URL}>; rel="license"'


KATO_URL = "https://stat.gov.kz/"


CHUNK = 2000  # rows read per server-side cursor fetch, and lines per write of a streamed export


def batches(items, size=CHUNK):
    """`items` as lists of `size` (the last one shorter, never empty)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def chunks(values, size=CHUNK):
    """A values() queryset read from a server-side cursor, `size` rows at a time."""
    return batches(values.iterator(chunk_size=size), size)


def joined_codes(pairs):
    """{owner id: "code code ..."} from (owner id, code) pairs in code order."""
    codes = {}
    for owner, code in pairs:
        codes.setdefault(owner, []).append(code)
    return {owner: " ".join(values) for owner, values in codes.items()}


def json_number(value):
    """A Decimal as a JSON number (the type the data package declares), or None: an integer
    when whole, else a float, which is exact for the values stored (coordinates; amounts with
    tiyn below 10^13)."""
    if value is None:
        return None
    whole = int(value)
    return whole if whole == value else float(value)


def written(columns, **expressions):
    """The expressions that read `columns` as they are written (`expressions` by name, else
    the field of the column's name): PostgreSQL gives the values ready, an empty text as null
    (one spelling of "nothing" in JSON), dates and times as ISO 8601 text (`IsoDate`,
    `IsoTime`), so that they go out as they come (docs/performance.md)."""
    read = []
    for column in columns:
        expression = expressions.get(column.name, F(column.name))
        if column.type == "string":
            expression = NullIf(expression, Value(""), output_field=CharField())
        elif column.type == "date":
            expression = IsoDate(expression)
        elif column.type == "datetime":
            expression = IsoTime(expression)
        read.append(expression)
    return read


class IsoDate(Func):
    """A date as the ISO 8601 text of Python's `isoformat()`, or null."""

    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # The quick start's SQLite holds dates as this text already; `|| ''` keeps the driver
        # from reading the column's declared type back into a date.
        template = "%(expressions)s || ''"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class IsoTime(Func):
    """A time in UTC as the text of Python's `isoformat()` (no fraction of a second when it is
    nought), or null: one to_char with microseconds, taken off again when they are nought."""

    template = (
        "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || '+00:00'"
    )
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite holds the text Django wrote, str() of the UTC time: isoformat() with a space.
        template = "replace(%(expressions)s, ' ', 'T') || '+00:00'"
        return self.as_sql(compiler, connection, template=template, **extra_context)


# --- Takedowns: the bulk downloads never serve a record that left the public ---------------
#
# The files at /data/ are rebuilt by the worker, a minute or more after a change. A record in
# them (a model marked `in_open_data`, see core.caching.VisibilityTracked) that is hidden (or
# deleted, or back to draft) or withdrawn must not stay downloadable meanwhile:
# once the writer's transaction commits, a new takedown mark is set in the shared cache, every
# process sees it, and a build made before it (its manifest names the mark it started under) is
# not served until the worker has rebuilt the files without the record. The mark is read before
# a build reads any row, so a build that started before the commit is always withheld.


TAKEDOWN_KEY = "open-data:takedown"


def takedown_mark():
    """The mark of the last takedown. One that was evicted comes back as a new mark, which can
    only withhold the files until the next build."""
    shared = caches["shared"]
    mark = shared.get(TAKEDOWN_KEY)
    if mark is None:
        mark = uuid.uuid4().hex
        if not shared.add(TAKEDOWN_KEY, mark, None):
            mark = shared.get(TAKEDOWN_KEY, mark)
    return mark


def record_takedown():
    """Once the current transaction commits, the downloads built before it are withheld."""
    transaction.on_commit(lambda: caches["shared"].set(TAKEDOWN_KEY, uuid.uuid4().hex, None))


def _in_open_data(instance):
    return isinstance(instance, VisibilityTracked) and instance.in_open_data


def _saved(sender, instance, **kwargs):
    if _in_open_data(instance) and instance.left_the_public():
        record_takedown()


def _deleted(sender, instance, **kwargs):
    if _in_open_data(instance) and instance.was_or_is_visible():
        record_takedown()


def connect():
    """Called once (core/apps.py): a row that leaves the public takes the downloads down."""
    post_save.connect(_saved, dispatch_uid="open-data-takedown-save")
    post_delete.connect(_deleted, dispatch_uid="open-data-takedown-delete")
