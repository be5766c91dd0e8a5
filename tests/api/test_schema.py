"""The OpenAPI schema is generated from the code, its docs need no CDN nor inline script, and
schemathesis finds no failure of any kind (every default check) on any operation: reads
anonymous, writes with an organisation's API key."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests.api.test_write import make_key
from tests.factories import (
    ConfirmationFactory,
    DisclosureFactory,
    HearingDocumentFactory,
    HearingFactory,
    HearingPromiseFactory,
    PhotoFactory,
    PlaceFactory,
    ProjectFactory,
    member_of,
    place_tree,
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
# The schema's own formats: a settlement's KATO code, a project of the writing organisation
# (the rows `api_data` makes).
SETTLEMENTS = ["799999901", "799999902"]
OWN_PROJECT = "own-wind-farm"
schemathesis.openapi.format("kato-settlement", st.sampled_from(SETTLEMENTS))
schemathesis.openapi.format("own-project", st.just(OWN_PROJECT))


@pytest.fixture(scope="module")
def keep_connection():
    """Requests go through the real WSGI handler, which closes the database connection when a
    response ends; inside a test that would close the test's transaction (Django's test client
    disconnects the same receiver)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_rows(django_db_setup, django_db_blocker, keep_connection):
    """A little of everything, so that lists and details have rows to render; the company's
    API key for the writes. Made once for every operation, in a transaction rolled back at the
    end (each operation's test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_rows()
        transaction.set_rollback(True)


@pytest.fixture
def api_data(api_rows, db):
    return api_rows


def make_rows():
    places = place_tree()
    project = ProjectFactory(primary_settlement=places["village"], slug=OWN_PROJECT)
    for code in SETTLEMENTS:
        PlaceFactory(parent=places["rural"], kato_code=code)
    disclosure = DisclosureFactory(
        published=True, organisation=project.operator, project=project,
        settlements=[places["village"]],
    )  # fmt: skip
    PhotoFactory(disclosure=disclosure)
    ConfirmationFactory(disclosure=disclosure)
    DisclosureFactory(withdrawn=True, settlements=[places["neighbour"]])
    DisclosureFactory(published=True, hidden=True)
    HearingDocumentFactory(hearing=HearingFactory(announced=True))
    HearingPromiseFactory()
    HearingFactory(cancelled=True)
    member_of(project.operator, role="administrator")
    return {"Authorization": f"Bearer {make_key(project.operator)}"}


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, api_data):
    """Every operation, with generated parameters, valid and invalid: every default check of
    schemathesis passes (no 5xx, statuses, bodies and headers as documented, valid data
    accepted, invalid data refused, authentication not ignored, undeclared methods refused)."""
    headers = api_data if case.operation.definition.raw.get("security") else None
    name_own_rows(case)
    case.call_and_validate(headers=headers)


def name_own_rows(case):
    """A valid body names a project of the writer's and settlements that exist: the schema
    states their formats, not which rows one organisation may name, and schemathesis also
    fills text from values it has seen (an organisation's kind as a project's slug)."""
    body = case.body
    if not (isinstance(body, dict) and case.meta and case.meta.generation.mode.is_positive):
        return
    if isinstance(body.get("project"), str):
        body["project"] = OWN_PROJECT
    if isinstance(body.get("settlements"), list):
        body["settlements"] = [SETTLEMENTS[i % 2] for i, _ in enumerate(body["settlements"])]


def test_schema_describes_every_endpoint(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for name in ("places", "organisations", "projects", "disclosures", "hearings"):
        assert f"/api/v1/{name}/" in paths
        assert any(p.startswith(f"/api/v1/{name}/{{") for p in paths)
    parameters = {p["name"] for p in paths["/api/v1/disclosures/"]["get"]["parameters"]}
    assert {"place", "status", "updated_since", "cursor", "page_size"} <= parameters


def test_schema_documents_a_deadlines_planned_flag_and_state(client):
    """Added beside the older fields (an existing client's fields are all still there)."""
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    deadline = schemas["Deadline"]
    properties = deadline["properties"]
    assert {"key", "label", "rule", "due", "done", "met", "planned", "state"} <= set(properties)
    assert properties["planned"]["type"] == "boolean"
    assert "a plan, not a step taken" in properties["planned"]["description"]
    assert "never `met`" in properties["planned"]["description"]
    state = properties["state"]
    assert "planned" in state["description"]
    (ref,) = [part["$ref"] for part in state.get("allOf", [state]) if "$ref" in part]
    enum = schemas[ref.rsplit("/", 1)[1]]["enum"]
    assert set(enum) == {
        "met",
        "on_track",
        "due",
        "broken",
        "running",
        "off_guidance",
        "not_judged",
        "warning",
    }
    # Beside `met`/`state`, where the rule comes from and whether it binds, which publication the
    # notice counted from and what the calendar says of the due day.
    assert {"source", "source_url", "verified", "note"} <= set(properties)
    assert {"done_from", "calendar_note", "provisional"} <= set(properties)
    assert properties["verified"]["type"] == "boolean"
    hearing = schemas["Hearing"]["properties"]
    assert {"form", "discussion_first_day", "discussion_last_day"} <= set(hearing)


def test_docs_are_served_from_our_own_static_files_without_inline_script(client):
    """The docs page loads Swagger UI from /static/ (vendored) and its init script from a URL."""
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
