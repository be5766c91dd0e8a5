"""The bulk downloads at /data/: complete, described, licensed, valid, rebuilt after a change."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from frictionless import Resource, Schema, validate

from disclosures import export as disclosure_export
from disclosures.models import Disclosure
from portal import downloads
from portal.management.commands.send_notifications import Command as Worker
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    HearingFactory,
    ProjectFactory,
    place_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    places = place_tree()
    project = ProjectFactory(primary_settlement=places["village"])
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
    )
    ConfirmationFactory(disclosure=shown, akimat=akimat)
    withdrawn = DisclosureFactory(withdrawn=True, settlements=[places["village"]])
    draft = DisclosureFactory(settlements=[places["village"]])
    hidden = DisclosureFactory(published=True, hidden=True, settlements=[places["village"]])
    return {"shown": shown, "withdrawn": withdrawn, "draft": draft, "hidden": hidden}


def folder(manifest):
    return Path(settings.MEDIA_ROOT) / manifest["directory"]


def read_csv(manifest, name):
    with open(folder(manifest) / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    assert "https://www.geonames.org/" in html
    assert client.get("/data/", HTTP_ACCEPT_LANGUAGE="ru").url == "/ru/data/"


def test_files_are_served_with_type_dated_name_and_validators(client, dataset):
    manifest = downloads.build()
    response = client.get("/data/disclosures.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = manifest["generated_at"][:10]
    assert response["Content-Disposition"] == (
        f'attachment; filename="ashyq-auyl-disclosures-{day}.csv"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"id,url,organisation,")
    again = client.get("/data/disclosures.csv", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    later = client.get("/data/disclosures.csv", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert later.status_code == 304
    package = client.get("/data/datapackage.json")
    assert package["Content-Type"] == "application/json; charset=utf-8"
    assert client.get("/data/nothing.csv").status_code == 404
    assert client.get("/data/manifest.json").status_code == 404
