"""Places, organisations and projects as rows, for the bulk downloads (see `portal.downloads`).

Each resource is a list of `Column`s (which also gives its Table Schema) and a generator of
JSON-ready dicts read from a server-side cursor, a chunk at a time, as `core.opendata.written`
has PostgreSQL write them.
"""

from django.db.models import F

from core.opendata import Column, chunks, joined_codes, json_number, written
from projects.models import Country, Currency, Organisation, Place, Project, ProjectSettlement

PLACE_COLUMNS = [
    Column(
        "kato_code",
        "string",
        "KATO code",
        "The 9-digit code of the administrative-territorial unit in the KATO classifier.",
        required=True,
    ),
    Column("parent", "string", "Parent", "The KATO code of the unit it lies in (`kato_code`)."),
    Column("level", "string", "Level", "", Place.Level, required=True),
    Column("kind", "string", "Type", "What kind of unit or settlement.", Place.Kind),
    Column("name_kk", "string", "Name in Kazakh", "", required=True),
    Column("name_ru", "string", "Name in Russian", "", required=True),
    Column("name_en", "string", "Name in English", ""),
    Column("url", "string", "Page", "The place's public page.", format="uri"),
    Column(
        "latitude",
        "number",
        "Latitude",
        "WGS 84, where known. Settlements' coordinates are from GeoNames (CC BY 4.0); "
        "regions' and districts' from arodionoff/geokz (OCHA COD-AB).",
    ),
    Column("longitude", "number", "Longitude", "WGS 84, where known; see `latitude`."),
    Column("kato_edition", "string", "KATO edition", "The classifier's edition the row is from."),
]

ORGANISATION_COLUMNS = [
    Column(
        "slug", "string", "Id", "The organisation's id, as in its page's address.", required=True
    ),
    Column("kind", "string", "Kind", "", Organisation.Kind, required=True),
    Column("name_kk", "string", "Name in Kazakh", ""),
    Column("name_ru", "string", "Name in Russian", ""),
    Column("name_en", "string", "Name in English", ""),
    Column("bin", "string", "BIN", "Business identification number (12 digits), when known."),
    Column("country", "string", "Country of registration", "ISO 3166 code.", Country),
    Column(
        "owner_countries",
        "string",
        "Countries of the main owners and investors",
        "ISO 3166 codes separated by commas.",
    ),
    Column("place", "string", "Governed place", "For an akimat: its KATO code (`places`)."),
    Column("url", "string", "Page", "The organisation's public page.", format="uri"),
    Column("website", "string", "Website", ""),
]

PROJECT_COLUMNS = [
    Column("slug", "string", "Id", "The project's id, as in its page's address.", required=True),
    Column("name_kk", "string", "Name in Kazakh", ""),
    Column("name_ru", "string", "Name in Russian", ""),
    Column("name_en", "string", "Name in English", ""),
    Column("url", "string", "Page", "The project's public page.", format="uri"),
    Column("operator", "string", "Operator", "The operating company (`organisations.slug`)."),
    Column(
        "investors",
        "string",
        "Investors",
        "Investing companies (`organisations.slug`), separated by spaces.",
    ),
    Column("sector", "string", "Sector", "", Project.Sector),
    Column("status", "string", "Status", "", Project.Status),
    Column(
        "primary_settlement",
        "string",
        "Main settlement",
        "KATO code of the settlement where the project is (`places.kato_code`).",
    ),
    Column(
        "settlements",
        "string",
        "Settlements affected",
        "KATO codes separated by spaces.",
    ),
    Column("start_date", "date", "Start of construction", ""),
    Column("commissioning_date", "date", "Commissioning", ""),
    Column("investment_amount", "number", "Investment", "In `investment_currency`."),
    Column("investment_currency", "string", "Currency", "ISO 4217 code.", Currency),
    Column("jobs_planned", "integer", "Jobs planned", ""),
    Column("jobs_created", "integer", "Jobs created", ""),
    Column("jobs_local", "integer", "Of them, local hires", ""),
    Column(
        "is_bri", "boolean", "Belt and Road Initiative", "Part of China's Belt and Road Initiative."
    ),
    Column("updated_at", "datetime", "Last changed", "UTC."),
]


def place_rows(url_template):
    values = Place.objects.order_by("kato_code").values_list(
        *written(PLACE_COLUMNS, parent=F("parent__kato_code"), url=F("slug"))
    )
    names = [column.name for column in PLACE_COLUMNS]
    for chunk in chunks(values):
        for record in chunk:
            row = dict(zip(names, record, strict=True))
            row.update(
                url=url_template.format(row["url"]),
                latitude=json_number(row["latitude"]),
                longitude=json_number(row["longitude"]),
            )
            yield row


def organisation_rows(url_template):
    values = Organisation.objects.order_by("slug").values_list(
        *written(ORGANISATION_COLUMNS, place=F("place__kato_code"), url=F("slug"))
    )
    names = [column.name for column in ORGANISATION_COLUMNS]
    for chunk in chunks(values):
        for record in chunk:
            row = dict(zip(names, record, strict=True))
            row["url"] = url_template.format(row["url"])
            yield row


# The project's investors and settlements are read a chunk at a time; the rest as written.
PROJECT_READ = [c for c in PROJECT_COLUMNS if c.name not in {"investors", "settlements"}]


def project_rows(url_template):
    values = Project.objects.order_by("slug").values_list(
        "id",
        *written(
            PROJECT_READ,
            url=F("slug"),
            operator=F("operator__slug"),
            primary_settlement=F("primary_settlement__kato_code"),
        ),
    )
    names = [column.name for column in PROJECT_READ]
    for chunk in chunks(values):
        ids = [record[0] for record in chunk]
        investors = joined_codes(
            Project.investors.through.objects.filter(project_id__any=ids)
            .order_by("organisation__slug")
            .values_list("project_id", "organisation__slug")
        )
        settlements = joined_codes(
            ProjectSettlement.objects.filter(project_id__any=ids)
            .order_by("place__kato_code")
            .values_list("project_id", "place__kato_code")
        )
        for pk, *record in chunk:
            row = dict(zip(names, record, strict=True))
            row.update(
                url=url_template.format(row["url"]),
                investors=investors.get(pk),
                settlements=settlements.get(pk),
                investment_amount=json_number(row["investment_amount"]),
            )
            yield {column.name: row[column.name] for column in PROJECT_COLUMNS}
