"""What every open-data output says about itself: the licence, the credit, stable entry ids."""

import csv
import json
import operator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

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


def csv_cell(value):
    """A value as a spreadsheet-safe CSV cell.

    Spreadsheets run a cell starting with = + - @ as a formula: such text is prefixed with an
    apostrophe (and `csv_value` takes it off again on import). Booleans are yes/no.
    """
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value.__class__ is str and value[:1] in FORMULA_CHARACTERS:
        return "'" + value
    return value


def csv_value(text):
    """The value a `csv_cell` wrote: the apostrophe that disarmed a formula comes off."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class Echo:
    """A file-like object whose write returns the text, for csv.writer in a stream."""

    def write(self, value):
        return value


def csv_lines(columns, rows, bom=False):
    """A header line, then one line per row dict, each a string.

    Only free text can start like a formula and only yes/no columns need words, so only those
    cells go through `csv_cell`; numbers, dates and codes from a list are written as they are
    (None as an empty cell, as `csv` does): a country-wide export is ten million cells.
    """
    writer = csv.writer(Echo())
    names = [column.name for column in columns]
    values = operator.itemgetter(*names)
    checked = [
        index
        for index, column in enumerate(columns)
        if column.type == "boolean" or (column.type == "string" and column.choices is None)
    ]
    yield ("\ufeff" if bom else "") + writer.writerow(names)
    for row in rows:
        cells = list(values(row))
        for index in checked:
            cells[index] = csv_cell(cells[index])
        yield writer.writerow(cells)


# One encoder for every row: `json.dumps(row, ensure_ascii=False)` builds a new one per call.
json_row = json.JSONEncoder(ensure_ascii=False).encode


def licence_object():
    """The top-level licence of the JSON downloads and the datapackage (Frictionless form)."""
    return {"name": "CC-BY-4.0", "path": LICENCE_URL, "title": LICENCE_TITLE}


LICENCE_TITLE = "Creative Commons Attribution 4.0 International"


def attribution():
    """The credit every export and the API ask for, in English like the data package."""
    return (
        f"Ashyq Auyl ({settings.SITE_URL}/), {LICENCE_TITLE} ({LICENCE_URL}). "
        f"Coordinates of settlements: GeoNames ({GEONAMES_URL}), CC BY 4.0."
    )


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


def iso(value):
    """A date or time as ISO 8601 text (times in UTC, as stored), or None."""
    return value.isoformat() if value is not None else None


def number_text(value):
    """A Decimal as exact text (JSON has no decimals; a float would round it), or None."""
    return str(value) if value is not None else None


def blank_as_none(value):
    """One spelling of "nothing" in JSON: null, never an empty string."""
    return None if value == "" else value


def text_columns(columns):
    """The names of `columns` that may hold an empty string (the others need no `blank_as_none`)."""
    return [column.name for column in columns if column.type == "string"]
