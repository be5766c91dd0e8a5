"""Every input bounded before work: lists of places in forms, the write API and the CSV import
are capped before any query, names are looked up in one query, JSON bodies are bounded in size
and depth, and dates stay within the republic's years everywhere (a 500 fails these tests: the
test client re-raises what a view lets escape)."""

import datetime
import json

import pytest
from django import forms
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.validators import MAX_PLACES_PER_LIST
from disclosures.models import Disclosure
from hearings.forms import TerritoryCodesField
from projects.forms import SettlementCodesField
from tests.api.test_write import make_key
from tests.factories import CompanyFactory, PlaceFactory, place_tree
from tests.hostile.test_bad_input import _csv, _import

pytestmark = pytest.mark.django_db

URL = "/api/v1/own/disclosures/"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _villages(count):
    rural = place_tree()["rural"]
    # Names without digits: a part with a digit is read as a code.
    names = ["Steppe " + "".join(chr(97 + int(d)) for d in f"{n:02d}") for n in range(count)]
    return [PlaceFactory(parent=rural, name_en=name) for name in names]


@pytest.mark.parametrize("field_class", [SettlementCodesField, TerritoryCodesField])
def test_a_list_over_the_cap_is_refused_before_any_query(field_class):
    """1,000 names (9 KB) used to cost ~36 s of queries; past the cap nothing is looked up."""
    text = ", ".join(f"Nowhere {n}" for n in range(1000))
    with CaptureQueriesContext(connection) as queries, pytest.raises(forms.ValidationError) as e:
        field_class().clean(text)
    assert e.value.code == "too_many"
    assert str(MAX_PLACES_PER_LIST) in e.value.messages[0]
    assert len(queries) == 0


def test_names_are_looked_up_in_one_query():
    """Forty names cost one query, not forty; each still finds its own place."""
    villages = _villages(40)
    field = SettlementCodesField()
    with CaptureQueriesContext(connection) as queries:
        chosen = field.clean("; ".join(village.name_en for village in villages))
    assert chosen == villages
    assert len(queries) == 1


def test_an_over_long_name_is_refused_without_a_query():
    with CaptureQueriesContext(connection) as queries, pytest.raises(forms.ValidationError):
        SettlementCodesField().clean("x" * 5000)
    assert len(queries) == 0


def test_the_cap_message_is_translated():
    with translation.override("ru"), pytest.raises(forms.ValidationError) as e:
        SettlementCodesField().clean(" ".join(["123456789"] * (MAX_PLACES_PER_LIST + 1)))
    with translation.override("ru"):
        assert "Можно указать" in e.value.messages[0]


# --- The write API ----------------------------------------------------------------------------


@pytest.fixture
def api(client):
    company = CompanyFactory()
    raw = make_key(company)
    village = PlaceFactory()

    def call(data=None, body=None, path=URL, method="post"):
        payload = body if body is not None else json.dumps(data)
        return getattr(client, method)(
            path, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )

    call.village = village
    return call


def _body(village, **extra):
    return {
        "title_ru": "Ремонт школы",
        "category": "education",
        "status": "delivered",
        "delivered_date": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "settlements": [village.kato_code],
        "amount": "1500000.00",
        "currency": "KZT",
        **extra,
    }


def test_api_refuses_ten_thousand_codes_before_looking_them_up(api):
    """10,000 settlement codes (130 KB) used to cost a query each."""
    codes = [f"{n:09d}" for n in range(10_000)]
    with CaptureQueriesContext(connection) as queries:
        response = api(_body(api.village, settlements=codes))
    assert response.status_code == 400
    assert str(MAX_PLACES_PER_LIST) in json.dumps(response.json(), ensure_ascii=False)
    assert not any("projects_place" in query["sql"] for query in queries.captured_queries)
    assert not Disclosure.objects.exists()


def test_api_looks_up_many_codes_in_one_query(api):
    villages = _villages(30)
    codes = [village.kato_code for village in villages]
    with CaptureQueriesContext(connection) as queries:
        response = api(_body(api.village, settlements=codes, publish=False))
    assert response.status_code == 201, response.content
    lookups = [
        q
        for q in queries.captured_queries
        if 'FROM "projects_place"' in q["sql"] and '"kato_code" IN' in q["sql"]
    ]
    assert len(lookups) == 1
    assert sorted(response.json()["settlements"]) == sorted(codes)


def test_api_names_an_unknown_code(api):
    response = api(_body(api.village, settlements=[api.village.kato_code, "999999999"]))
    assert response.status_code == 400
    assert "999999999" in response.json()["settlements"][0]


def test_deeply_nested_json_is_a_400(api):
    """Python's parser gives up on ~1,000 nested brackets with a RecursionError (was a 500)."""
    body = '{"title_ru": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = api(body=body)
    assert response.status_code == 400
    assert "10" in response.json()["detail"]  # the depth allowed, in the reader's language


def test_moderately_nested_json_is_a_400_too(api):
    body = json.dumps(_body(api.village, title_ru=[[[[[[[[[[[["x"]]]]]]]]]]]]))
    assert api(body=body).status_code == 400


def test_brackets_inside_strings_do_not_count_as_nesting(api):
    response = api(_body(api.village, title_ru="[[[[[[[[[[[[[[[[{{{{{{{{{{{{ школа"))
    assert response.status_code == 201, response.content


def test_an_oversized_json_body_is_a_400(api, settings):
    response = api(_body(api.village, description_ru="ш" * (settings.API_JSON_MAX_BYTES // 2 + 10)))
    assert response.status_code == 400
    assert str(settings.API_JSON_MAX_BYTES // 1024) in response.json()["detail"]
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_api_refuses_dates_outside_the_republics_years(api, date):
    """The API accepted due dates of 0001 and 9999, as the forms and the import do not."""
    response = api(_body(api.village, status="promised", delivered_date=None, due_date=date))
    assert response.status_code == 400
    assert "due_date" in response.json()
    response = api(_body(api.village, delivered_date=date))
    assert response.status_code == 400
    assert "delivered_date" in response.json()
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:00", "0249-10-01T17:02:07-22:42"]
)
@pytest.mark.parametrize("path", ["/api/v1/disclosures/", "/api/v1/projects/"])
def test_updated_since_out_of_range_is_a_400(client, path, value):
    response = client.get(path, {"updated_since": value})
    assert response.status_code == 400
    assert "updated_since" in response.json()


# --- The CSV import ---------------------------------------------------------------------------


def test_import_refuses_a_row_with_too_many_settlements(client):
    codes = " ".join(f"{n:09d}" for n in range(MAX_PLACES_PER_LIST + 1))
    response = _import(client, _csv(settlements=codes))
    assert response.status_code == 400
    messages = " ".join(str(error) for error in response.context["result"].errors)
    assert str(MAX_PLACES_PER_LIST) in messages
    assert not Disclosure.objects.exists()
