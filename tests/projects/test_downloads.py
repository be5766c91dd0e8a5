"""The bulk downloads at /data/: complete, described, licensed, valid, rebuilt after a change."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from frictionless import Resource, Schema, validate
from jsonschema import Draft202012Validator, FormatChecker

from disclosures import export as disclosure_export
from disclosures import services
from disclosures.models import Disclosure
from portal import downloads
from portal.management.commands.send_notifications import Command as Worker
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    HearingFactory,
    ProjectFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    places = place_tree()
    places["village"].latitude, places["village"].longitude = Decimal("53.12345"), Decimal("69.5")
    places["village"].save()
    project = ProjectFactory(
        primary_settlement=places["village"], investment_amount=Decimal("1250000000.50")
    )
    akimat = AkimatFactory(place=places["rural"])
    hearing = HearingFactory(announced=True, organiser=akimat, territory=[places["village"]])
    shown = DisclosureFactory(
        published=True,
        organisation=project.operator,
        project=project,
        hearing=hearing,
        settlements=[places["village"], places["neighbour"]],
        value_form="in_kind",
        in_kind_description="a school bus",
        reporting_year=2025,
        recipient_name="Lakeside school",
        basis="subsoil_contract",
        title_en="=cmd|' /C calc'!A0",  # a formula, disarmed in CSV
        amount=Decimal("1800000.25"),
    )
    ConfirmationFactory(disclosure=shown, akimat=akimat)
    withdrawn = DisclosureFactory(withdrawn=True, settlements=[places["village"]])
    draft = DisclosureFactory(settlements=[places["village"]])
    hidden = DisclosureFactory(published=True, hidden=True, settlements=[places["village"]])
    return {"shown": shown, "withdrawn": withdrawn, "draft": draft, "hidden": hidden}


def folder(manifest):
    return Path(settings.MEDIA_ROOT) / manifest["directory"]


def read_csv(manifest, name):
    with open(folder(manifest) / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# How datapackage.json says each Table Schema type is written in the JSON files.
JSON_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    # Added translations: {field: {language: text}}.
    "object": {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "propertyNames": {"enum": ["kk", "ru", "en"]},
            "additionalProperties": {"type": "string"},
        },
    },
}


def row_schema(table_schema):
    """A JSON Schema for one row of a JSON file, from the CSV's Table Schema in the package:
    every column, of its declared type and format, from its codelist, null only if optional."""
    properties = {}
    for field in table_schema["fields"]:
        required = field.get("constraints", {}).get("required", False)
        spec = dict(JSON_TYPES[field["type"]])
        if field.get("format") == "uri":
            spec["pattern"] = "^https?://"
        if "enum" in field.get("constraints", {}):
            spec["enum"] = field["constraints"]["enum"]
        properties[field["name"]] = spec if required else {"anyOf": [spec, {"type": "null"}]}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def json_errors(manifest, package, resource_name, rows=None):
    """Every way the rows of `<resource_name>.json` differ from the package's description."""
    table = next(r for r in package["resources"] if r["name"] == resource_name)["schema"]
    document = json.loads((folder(manifest) / f"{resource_name}.json").read_text())
    validator = Draft202012Validator(row_schema(table), format_checker=FormatChecker())
    return [
        f"{resource_name} row {number}: {error.message}"
        for number, row in enumerate(document["data"] if rows is None else rows)
        for error in validator.iter_errors(row)
    ]


def test_datapackage_and_every_csv_validate_with_frictionless(dataset):
    """The package descriptor follows the Data Package profile, and every CSV its Table Schema
    (types, codelists, required cells, primary and foreign keys between the files)."""
    manifest = downloads.build()
    report = validate(str(folder(manifest) / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "type", "note"])
    package = json.loads((folder(manifest) / "datapackage.json").read_text())
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    assert any("geonames.org" in source["path"] for source in package["sources"])
    assert any("stat.gov.kz" in source["path"] for source in package["sources"])
    tables = {r["name"]: r for r in package["resources"] if "schema" in r}
    assert set(tables) == {"disclosures", "hearings", "places", "organisations", "projects"}
    for resource in tables.values():
        assert resource["path"].endswith(".csv") and resource["mediatype"] == "text/csv"
        assert resource["encoding"] == "utf-8"
        for field in resource["schema"]["fields"]:
            assert field["name"] and field["type"] and field["title"] and field["description"]
    fields = {f["name"]: f for f in tables["disclosures"]["schema"]["fields"]}
    assert fields["status"]["constraints"]["enum"] == [
        "promised",
        "in_progress",
        "delivered",
        "cancelled",
    ]
    assert "KZT" in fields["currency"]["constraints"]["enum"]
    assert fields["akimat_verdict"]["constraints"]["enum"] == ["confirmed", "cannot_confirm"]
    assert tables["disclosures"]["schema"]["primaryKey"] == ["id"]
    assert {"fields": "hearing", "reference": {"resource": "hearings", "fields": "id"}} in (
        tables["disclosures"]["schema"]["foreignKeys"]
    )
    assert any("geonames" in s["path"] for s in tables["places"]["sources"])


def test_every_json_row_has_the_types_the_package_declares(dataset):
    """Amounts, coordinates and investment are JSON numbers, flags booleans, dates ISO text,
    codes from their codelists: each JSON file validates against a JSON Schema made from the
    package's Table Schema of its CSV."""
    manifest = downloads.build()
    package = json.loads((folder(manifest) / "datapackage.json").read_text())
    names = ("disclosures", "hearings", "places", "organisations", "projects")
    assert [error for name in names for error in json_errors(manifest, package, name)] == []
    data = json.loads((folder(manifest) / "disclosures.json").read_text())["data"]
    shown = next(row for row in data if row["id"] == dataset["shown"].pk)
    assert shown["amount"] == 1800000.25 and shown["overdue"] is False
    project = json.loads((folder(manifest) / "projects.json").read_text())["data"][0]
    assert project["investment_amount"] == 1250000000.5
    places = json.loads((folder(manifest) / "places.json").read_text())["data"]
    assert {(p["latitude"], p["longitude"]) for p in places} >= {(53.12345, 69.5)}
    csv_row = next(r for r in read_csv(manifest, "disclosures.csv") if r["id"] == str(shown["id"]))
    assert csv_row["amount"] == "1800000.25"


def test_the_json_schema_check_catches_a_number_written_as_text(dataset):
    """The check is real: an amount as a JSON string, or a code outside its list, is reported."""
    manifest = downloads.build()
    package = json.loads((folder(manifest) / "datapackage.json").read_text())
    rows = json.loads((folder(manifest) / "disclosures.json").read_text())["data"]
    rows[0]["amount"] = "1800000.25"
    rows[1]["status"] = "finished"
    errors = json_errors(manifest, package, "disclosures", rows)
    assert len(errors) == 2 and "'1800000.25' is not valid" in " ".join(errors)


def test_every_csv_states_its_encoding_byte_order_mark_and_formula_escape(client, dataset):
    """One choice for every CSV, bulk or filtered: UTF-8 with a byte-order mark; the package
    and README.txt say so, and say how formula-like text is escaped."""
    manifest = downloads.build()
    for entry in manifest["files"]:
        if entry["name"].endswith(".csv"):
            assert (folder(manifest) / entry["name"]).read_bytes().startswith(b"\xef\xbb\xbf")
    export = client.get(reverse("disclosures:export_csv"))
    assert b"".join(export.streaming_content).startswith(b"\xef\xbb\xbfid,")
    package = json.loads((folder(manifest) / "datapackage.json").read_text())
    readme = (folder(manifest) / "README.txt").read_text()
    for resource in (r for r in package["resources"] if r.get("format") == "csv"):
        assert "byte-order mark" in resource["description"]
        assert "apostrophe (')" in resource["description"]
    assert "byte-order mark" in readme and "apostrophe (')" in readme


def test_every_export_names_its_licence_and_attribution(client, dataset):
    """The filtered JSON export is an object with the licence and attribution, like the bulk
    files; every export and download has the licence in a `Link` header."""
    response = client.get(reverse("disclosures:export_json"))
    document = json.loads(b"".join(response.streaming_content))
    assert document["license"]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "Ashyq Auyl" in document["attribution"] and "GeoNames" in document["attribution"]
    assert {row["id"] for row in document["data"]} == {
        dataset["shown"].pk,
        dataset["withdrawn"].pk,
    }
    downloads.build()
    licence = '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    for url in (
        reverse("disclosures:export_json"),
        reverse("disclosures:export_csv"),
        "/data/disclosures.csv",
    ):
        assert client.get(url)["Link"] == licence


def test_a_broken_row_fails_validation(dataset):
    """The validation is real: a code outside the codelist is reported."""
    manifest = downloads.build()
    package = json.loads((folder(manifest) / "datapackage.json").read_text())
    schema = next(r for r in package["resources"] if r["name"] == "disclosures")["schema"]
    schema.pop("foreignKeys")
    rows = read_csv(manifest, "disclosures.csv")
    rows[0]["status"] = "finished"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    report = Resource(
        data=buffer.getvalue().encode(), format="csv", schema=Schema.from_descriptor(schema)
    ).validate()
    assert not report.valid
    assert "constraint-error" in {error.type for error in report.tasks[0].errors}


def test_the_files_hold_the_published_dataset_with_licence_and_eiti_fields(dataset):
    """Published and withdrawn (marked) disclosures are in, drafts and hidden ones are not;
    the EITI 6.1 columns are filled; JSON files carry the licence."""
    manifest = downloads.build()
    rows = {int(row["id"]): row for row in read_csv(manifest, "disclosures.csv")}
    assert set(rows) == {dataset["shown"].pk, dataset["withdrawn"].pk}
    shown = rows[dataset["shown"].pk]
    assert shown["organisation_bin"] == dataset["shown"].organisation.bin
    assert shown["value_form"] == "in_kind" and shown["in_kind_description"] == "a school bus"
    assert shown["basis"] == "subsoil_contract" and shown["obligation"] == "mandatory"
    assert shown["reporting_year"] == "2025" and shown["recipient_name"] == "Lakeside school"
    assert shown["akimat_verdict"] == "confirmed" and shown["akimat_verdict_by"]
    assert shown["title_en"].startswith("'=")  # a formula cell is disarmed
    assert shown["settlements"].count(" ") == 1
    assert rows[dataset["withdrawn"].pk]["withdrawn_at"]
    data = json.loads((folder(manifest) / "disclosures.json").read_text())
    assert data["license"]["name"] == "CC-BY-4.0"
    assert "GeoNames" in data["attribution"]
    assert {row["id"] for row in data["data"]} == set(rows)
    assert data["data"][0]["cancel_reason"] is None  # null, never ""
    readme = (folder(manifest) / "README.txt").read_text()
    assert "CC BY 4.0" in readme and "GeoNames" in readme and "KATO" in readme
    counts = {entry["name"]: entry.get("rows") for entry in manifest["files"]}
    assert counts["disclosures.csv"] == counts["disclosures.json"] == 2
    assert counts["hearings.csv"] == 1


def test_rows_are_read_in_a_constant_number_of_queries():
    """One query for the rows and one per chunk for settlements and verdicts, whatever the
    number of rows: the export never loads or queries per row."""
    place = place_tree()["village"]

    def queries():
        with CaptureQueriesContext(connection) as context:
            list(disclosure_export.rows(Disclosure.objects.published(), "/d/{}/"))
        return len(context.captured_queries)

    DisclosureFactory.create_batch(2, published=True, settlements=[place])
    few = queries()
    DisclosureFactory.create_batch(30, published=True, settlements=[place])
    assert queries() == few


def test_rebuilt_after_a_change_not_before(dataset):
    """The worker rebuilds once the content version moved and the last build is old enough."""
    first = downloads.build()
    assert downloads.refresh_if_stale(min_age=0) is None  # nothing changed
    DisclosureFactory(published=True, settlements=[place_tree()["village"]])
    assert downloads.refresh_if_stale(min_age=3600) is None  # changed, but built just now
    second = downloads.refresh_if_stale(min_age=0)
    assert second["content_version"] != first["content_version"]
    assert downloads.read_manifest() == second
    counts = {entry["name"]: entry.get("rows") for entry in second["files"]}
    assert counts["disclosures.csv"] == 3


def test_the_outbox_worker_rebuilds_stale_files(dataset, settings):
    """The worker's pass builds the files when there are none (or they are stale)."""
    settings.OPEN_DATA_MIN_AGE = 0
    assert downloads.read_manifest() is None
    worker = Worker(stdout=io.StringIO())
    worker.refresh_open_data()
    assert downloads.read_manifest() is not None
    assert "open data rebuilt" in worker.stdout._out.getvalue()


def test_the_worker_run_from_cron_rebuilds_too(dataset):
    """`send_notifications` without --loop, the README's cron line, builds what is due."""
    output = io.StringIO()
    call_command("send_notifications", stdout=output)
    assert downloads.read_manifest() is not None
    assert "open data rebuilt" in output.getvalue()


def served_ids(client, name="disclosures.csv"):
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {int(row["id"]) for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.real_commit
def test_a_hidden_record_is_not_downloadable_after_the_hide(
    client, dataset, django_capture_on_commit_callbacks
):
    """Once a hide commits, no file built before it is served (503, and the page says the
    files are being rebuilt); the next run of the worker from cron rebuilds them at once,
    without the record, although the last build is younger than OPEN_DATA_MIN_AGE."""
    downloads.build()
    shown = dataset["shown"]
    assert shown.pk in served_ids(client)
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_disclosure(
            acting_user=UserFactory(staff=True), disclosure=shown, reason="Court order."
        )
    for name in ("disclosures.csv", "disclosures.json", "datapackage.json", "README.txt"):
        response = client.get(f"/data/{name}")
        assert response.status_code == 503, name
        assert response["Retry-After"] == "60" and response["Cache-Control"] == "no-store"
    page = client.get("/en/data/").content.decode()
    assert "being rebuilt" in page and "disclosures.csv" not in page
    call_command("send_notifications", stdout=io.StringIO())
    assert served_ids(client) == {dataset["withdrawn"].pk}
    data = json.loads(b"".join(client.get("/data/disclosures.json").streaming_content))
    assert shown.pk not in {row["id"] for row in data["data"]}


@pytest.mark.real_commit
def test_a_withdrawal_is_in_the_files_at_the_next_run(
    client, dataset, django_capture_on_commit_callbacks
):
    """A withdrawn record stays public, marked: the files that show it in force are withheld
    until the next run of the worker has rebuilt them with the withdrawal."""
    downloads.build()
    shown = dataset["shown"]
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_disclosure(
            acting_user=member_of(shown.organisation), disclosure=shown, reason="A mistake."
        )
    assert client.get("/data/disclosures.csv").status_code == 503
    call_command("send_notifications", stdout=io.StringIO())
    rows = {int(row["id"]): row for row in read_csv(downloads.read_manifest(), "disclosures.csv")}
    assert rows[shown.pk]["withdrawal_reason"] == "A mistake."


def test_a_build_under_way_when_a_hide_commits_is_not_served(
    client, dataset, monkeypatch, django_capture_on_commit_callbacks
):
    """A build that read its rows before the hide committed holds the record: it is not
    served, because the takedown mark it started under is no longer the current one."""
    rows = disclosure_export.rows

    def rows_then_hide(*args, **kwargs):
        read = list(rows(*args, **kwargs))
        with django_capture_on_commit_callbacks(execute=True):
            services.hide_disclosure(
                acting_user=UserFactory(staff=True), disclosure=dataset["shown"], reason="Court."
            )
        yield from read

    monkeypatch.setattr(disclosure_export, "rows", rows_then_hide)
    manifest = downloads.build()
    assert str(dataset["shown"].pk) in {row["id"] for row in read_csv(manifest, "disclosures.csv")}
    assert client.get("/data/disclosures.csv").status_code == 503


def test_old_generations_are_removed(dataset):
    """The current and the previous generation stay; older ones are deleted, even when every
    build falls in the same second (names then sort by content version, not by age)."""
    now = timezone.now()
    built = []
    for _ in range(3):
        DisclosureFactory(published=True)
        built.append(downloads.build(now=now)["directory"].rsplit("/", 1)[1])
    directories, _files = default_storage.listdir(downloads.PREFIX)
    assert sorted(directories) == sorted(built[1:])


def test_the_page_lists_every_file_with_size_rows_and_licence(client, dataset):
    response = client.get("/en/data/")
    assert response.status_code == 200
    assert "being prepared" in response.content.decode()
    downloads.build()
    response = client.get("/en/data/")
    html = response.content.decode()
    for name in ("datapackage.json", "disclosures.csv", "disclosures.json", "places.csv"):
        assert reverse("data_file", kwargs={"name": name}) in html
    assert "2 rows" in html
    manifest = downloads.read_manifest()
    assert f"content version {manifest['content_version']}" in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    assert "https://www.geonames.org/" in html
    assert client.get("/data/", HTTP_ACCEPT_LANGUAGE="ru").url == "/ru/data/"


def test_files_are_served_with_type_dated_name_and_validators(client, dataset):
    manifest = downloads.build()
    response = client.get("/data/disclosures.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # The day in Kazakhstan (UTC+5): after 19:00 UTC it is already the next day there.
    day = timezone.localtime(downloads.generated_at(manifest)).date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="ashyq-auyl-disclosures-{day}.csv"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfid,url,organisation,")
    assert response["Cache-Control"] == "public, no-cache"  # revalidated: a takedown is seen
    again = client.get("/data/disclosures.csv", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    later = client.get("/data/disclosures.csv", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert later.status_code == 304
    package = client.get("/data/datapackage.json")
    assert package["Content-Type"] == "application/json; charset=utf-8"
    assert client.get("/data/nothing.csv").status_code == 404
    assert client.get("/data/manifest.json").status_code == 404
