"""Disclosures as rows: the one write path of the CSV/JSON exports and the bulk download.

`COLUMNS` describes every column once (name, type, title, description, codelist); the list's
exports, the files at /data/ with their datapackage.json, and the import (which reads back the
`writable` ones) all take it from here. The columns carry the fields of EITI Requirement 6.1:
the company and its BIN, mandatory or voluntary (`basis`, `obligation`), cash or in kind with
what was given, the beneficiary, the reporting year and the akimat's verdict.
"""

import json
import operator

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from core.opendata import Column, chunks, joined_codes, json_number, written
from core.translation import translated_expression
from disclosures.models import (
    Basis,
    Category,
    Confirmation,
    Disclosure,
    RecipientRole,
    Status,
    ValueForm,
    obligation,
    overdue_condition,
)
from hearings.models import Hearing
from projects.models import Currency, Organisation, Place

COLUMNS = [
    Column("id", "integer", "Id", "The disclosure's number; its page is `url`.", required=True),
    Column("url", "string", "Page", "The disclosure's public page.", format="uri"),
    Column(
        "organisation", "string", "Organisation", "Name of the company or akimat that disclosed it."
    ),
    Column(
        "organisation_slug",
        "string",
        "Organisation id",
        "The organisation's id (`organisations.slug`).",
    ),
    Column(
        "organisation_bin",
        "string",
        "BIN",
        "The organisation's business identification number (12 digits), when known.",
    ),
    Column(
        "organisation_kind",
        "string",
        "Kind of organisation",
        "A company, or an akimat spending a company's payment.",
        Organisation.Kind,
    ),
    Column(
        "project", "string", "Project", "The project's id (`projects.slug`), if any.", writable=True
    ),
    Column(
        "title",
        "string",
        "Title",
        "The title in the language of the export (Kazakh in the bulk files), else another.",
    ),
    Column("title_kk", "string", "Title in Kazakh", "", writable=True),
    Column("title_ru", "string", "Title in Russian", "", writable=True),
    Column("title_en", "string", "Title in English", "", writable=True),
    Column("description_kk", "string", "Description in Kazakh", "", writable=True),
    Column("description_ru", "string", "Description in Russian", "", writable=True),
    Column("description_en", "string", "Description in English", "", writable=True),
    Column(
        "category",
        "string",
        "Category",
        "What kind of contribution.",
        Category,
        required=True,
        writable=True,
    ),
    Column(
        "settlements",
        "string",
        "Settlements",
        "9-digit KATO codes of the settlements that benefit, separated by spaces "
        "(`places.kato_code`).",
        required=True,
        writable=True,
    ),
    Column(
        "status",
        "string",
        "Status",
        "As the organisation recorded it.",
        Status,
        required=True,
        writable=True,
    ),
    Column(
        "overdue",
        "boolean",
        "Overdue",
        "A promise past its due date, neither delivered nor cancelled, on the day of the export.",
    ),
    Column("due_date", "date", "Due date", "For a promise: when it is to be done.", writable=True),
    Column("delivered_date", "date", "Date delivered", "", writable=True),
    Column("cancel_reason", "string", "Reason for cancelling", "", writable=True),
    Column(
        "amount",
        "number",
        "Value",
        "In `currency`; for a contribution in kind, its deemed value.",
        writable=True,
    ),
    Column("currency", "string", "Currency", "ISO 4217 code.", Currency, writable=True),
    Column(
        "value_form",
        "string",
        "Cash or in kind",
        "EITI 6.1: paid in cash, or given in kind.",
        ValueForm,
        writable=True,
    ),
    Column(
        "in_kind_description",
        "string",
        "What was given in kind",
        "EITI 6.1: the goods, works or services given in kind.",
        writable=True,
    ),
    Column(
        "is_estimate",
        "boolean",
        "The value is an estimate",
        "yes when the value is estimated rather than taken from accounts.",
        writable=True,
    ),
    Column(
        "basis",
        "string",
        "Basis",
        "Why it was given: voluntary, a subsoil-use contract's obligation, a memorandum with "
        "the akimat, a promise at a public hearing, or other.",
        Basis,
        writable=True,
    ),
    Column(
        "obligation",
        "string",
        "Mandatory or voluntary",
        "EITI 6.1, from `basis`: mandatory for a subsoil-use contract's obligation, voluntary "
        "for voluntary giving, memoranda and hearing promises; empty for 'other'.",
        ["mandatory", "voluntary"],
    ),
    Column(
        "basis_reference",
        "string",
        "Reference to the document",
        "The contract, memorandum or hearing minutes: number and date.",
        writable=True,
    ),
    Column(
        "reporting_year",
        "integer",
        "Reporting year",
        "EITI: the financial year whose report includes it.",
        writable=True,
    ),
    Column(
        "recipient_name",
        "string",
        "Recipient",
        "EITI 6.1: who received it (the beneficiary).",
        writable=True,
    ),
    Column("recipient_role", "string", "Recipient's role", "", RecipientRole, writable=True),
    Column("beneficiaries_count", "integer", "Number of beneficiaries", "", writable=True),
    Column("beneficiaries_description", "string", "Who benefits", "", writable=True),
    Column(
        "language",
        "string",
        "Written in",
        "The language the text typed once is written in: the recipient, what was given in "
        "kind, who benefits, the reference to the document and the reasons (kk, ru or en). "
        "Titles and descriptions carry their language in their column names.",
        ["kk", "ru", "en"],
        writable=True,
    ),
    Column(
        "translations",
        "object",
        "Added translations",
        "Versions of the texts typed in one language, added later in other languages: "
        '{field: {language: text}}, e.g. {"recipient_name": {"kk": "…"}} (JSON text in CSV); '
        "the text columns keep the original.",
    ),
    Column(
        "funded_by",
        "integer",
        "Funded from",
        "For an akimat's spending: the id of the company's payment it was paid from.",
    ),
    Column(
        "hearing",
        "integer",
        "Public hearing",
        "The id of the public hearing where it was promised (`hearings.id`).",
    ),
    Column(
        "akimat_verdict",
        "string",
        "Akimat's verdict",
        "The latest word of an akimat covering the settlements: confirmed, cannot confirm, or "
        "empty when none has checked.",
        Confirmation.Verdict,
    ),
    Column("akimat_verdict_date", "date", "Date checked by the akimat", ""),
    Column(
        "akimat_verdict_by",
        "string",
        "Akimat that checked",
        "The akimat's id (`organisations.slug`).",
    ),
    Column("published_at", "datetime", "Published", "UTC."),
    Column("updated_at", "datetime", "Last changed", "UTC."),
    Column(
        "version",
        "integer",
        "Version",
        "Grows with every change; an import of an older version is refused.",
    ),
    Column(
        "withdrawn_at",
        "datetime",
        "Withdrawn",
        "UTC; empty unless the organisation withdrew it (withdrawn records stay public, marked).",
    ),
    Column("withdrawal_reason", "string", "Reason for withdrawal", ""),
    Column(
        "withdrawal_reason_language",
        "string",
        "Reason for withdrawal: written in",
        "The language of `withdrawal_reason`: kk, ru or en.",
        ["kk", "ru", "en"],
    ),
    Column(
        "cancel_reason_language",
        "string",
        "Reason for cancelling: written in",
        "The language of `cancel_reason`: kk, ru or en.",
        ["kk", "ru", "en"],
    ),
]

FIELDS = [column.name for column in COLUMNS]
WRITABLE = [column.name for column in COLUMNS if column.writable]

# The columns each chunk completes in Python (`_chunk`): the page's address, the settlements'
# codes, the amount as a JSON number, the EITI obligation, the added translations and the
# akimat's latest verdict. Every other column comes from the database ready to write
# (`_read_columns`).
COMPUTED = (
    "url",
    "settlements",
    "amount",
    "obligation",
    "translations",
    "akimat_verdict",
    "akimat_verdict_date",
    "akimat_verdict_by",
)
READ = [name for name in FIELDS if name not in COMPUTED]
# A row read is READ's values, then the stored amount and translations; the computed values
# follow it, and this picks the row's values in column order.
IN_ORDER = operator.itemgetter(
    *(READ.index(name) if name in READ else len(READ) + 2 + COMPUTED.index(name) for name in FIELDS)
)
NO_VERDICT = (None, None, None)
NO_TRANSLATIONS = {}  # shared by the rows without any: a row is only ever written out


def rows(queryset, url_template, today=None):
    """`queryset`'s rows as dicts of JSON-ready values in column order, streamed a chunk at a
    time.

    Plain values, not model instances: a country-wide export is a quarter of a million rows,
    and building objects, translating and reversing a URL per row made it 3,000 rows a second.
    PostgreSQL gives most columns as written (ISO 8601 dates and times, null for an empty
    text), so that they go out as they come (docs/performance.md). The rows come from a
    server-side cursor; each chunk's settlements and verdicts come in one query each, so memory
    stays bounded by the chunk. `url_template` is the page's address with `{}` for the id.
    """
    records = queryset.values_list(
        *_read_columns(today), "amount", Cast("translations", TextField())
    )
    place_codes = {}  # place id → KATO code, filled as chunks name new places
    for chunk in chunks(records):
        yield from _chunk(chunk, url_template, place_codes)


def _read_columns(today):
    """READ's columns as the database gives them ready to write."""
    expressions = {
        "organisation": translated_expression("organisation__name"),
        "organisation_slug": F("organisation__slug"),
        "organisation_bin": F("organisation__bin"),
        "organisation_kind": F("organisation__kind"),
        "project": F("project__slug"),
        "title": translated_expression("title"),
        "overdue": Coalesce(  # null when an open record has no due date
            ExpressionWrapper(overdue_condition(today), output_field=BooleanField()),
            Value(False),
        ),
        "hearing": Case(
            When(
                Exists(Hearing.objects.published().filter(pk=OuterRef("hearing_id"))),
                then=F("hearing_id"),
            )
        ),
    }
    return written([column for column in COLUMNS if column.name in READ], **expressions)


def _settlement_codes(ids, place_codes):
    """{disclosure id: its settlements' KATO codes joined}, reading only places not seen yet.

    The links without a join to the places (that join and its sort were the export's costliest
    query); the codes of places not seen yet in this export in one query.
    """
    links = list(
        Disclosure.settlements.through.objects.filter(disclosure_id__any=ids).values_list(
            "disclosure_id", "place_id"
        )
    )
    if missing := {place for _, place in links} - place_codes.keys():
        place_codes.update(Place.objects.filter(pk__in=missing).values_list("pk", "kato_code"))
    return joined_codes(sorted((owner, place_codes[place]) for owner, place in links))


def _latest_verdicts(ids):
    """{disclosure id: (verdict, date, akimat slug)}, the latest by date checked, then recorded."""
    confirmations = (
        Confirmation.objects.filter(disclosure_id__any=ids)
        .order_by("disclosure_id", "date", "created_at", "pk")
        .values_list("disclosure_id", "verdict", "date", "akimat__slug")
    )
    return {
        disclosure_id: (verdict, date.isoformat(), akimat)
        for disclosure_id, verdict, date, akimat in confirmations
    }


def _chunk(chunk, url_template, place_codes):
    ids = [record[0] for record in chunk]
    codes = _settlement_codes(ids, place_codes)
    verdicts = _latest_verdicts(ids)
    basis = READ.index("basis")
    for record in chunk:
        pk, amount, translations = record[0], record[-2], record[-1]
        computed = (
            url_template.format(pk),
            codes.get(pk) or None,
            json_number(amount),
            obligation(record[basis]) or None,
            NO_TRANSLATIONS if translations == "{}" else json.loads(translations),
            *verdicts.get(pk, NO_VERDICT),
        )
        yield dict(zip(FIELDS, IN_ORDER(record + computed), strict=True))
