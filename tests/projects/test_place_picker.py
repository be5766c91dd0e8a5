"""Officials choose places by name: the picker's JSON endpoint and the code fields' server side
(a code, or a name that matches exactly one place; otherwise the candidates are listed)."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from hearings.forms import TerritoryCodesField
from projects.forms import SettlementCodesField
from tests.factories import PlaceFactory, place_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Labels and messages in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def places():
    tree = place_tree()
    tree["twin"] = PlaceFactory(parent=tree["rural"], name_en="Twin", name_ru="Двойня")
    tree["twin2"] = PlaceFactory(parent=tree["elsewhere"].parent, name_en="Twin", name_ru="Двойня")
    return tree


def suggest(client, **params):
    return client.get(reverse("portal:place_suggest"), params)


def test_suggestions_are_labelled_with_district_region_and_code(client, places):
    response = suggest(client, q="lakes", level="settlement")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    village = places["village"]
    assert response.json()["results"] == [
        {
            "code": village.kato_code,
            "name": "Lakeside",
            "label": f"Lakeside — Lake Rural District, East District, North Region "
            f"(KATO {village.kato_code})",
            "level": "settlement",
        }
    ]


def test_settlement_level_leaves_out_districts(client, places):
    codes = [r["code"] for r in suggest(client, q="Lake").json()["results"]]
    assert places["rural"].kato_code in codes
    codes = [r["code"] for r in suggest(client, q="Lake", level="settlement").json()["results"]]
    assert places["rural"].kato_code not in codes


def test_codes_are_labelled_for_a_field_that_holds_them(client, places):
    codes = f"{places['village'].kato_code} {places['neighbour'].kato_code}"
    results = suggest(client, codes=codes).json()["results"]
    assert [r["name"] for r in results] == ["Lakeside", "Hillside"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "x" * 101},
        {"q": "ab", "level": "region"},
        {"codes": "12 abc"},
        {"codes": "1" * 9 + " " * 2 + "0"},
    ],
)
def test_bad_input_is_a_400_with_a_message(client, places, params):
    response = suggest(client, **params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_endpoint_is_rate_limited(client, places, monkeypatch):
    monkeypatch.setattr("portal.views.SUGGEST_PER_MINUTE", 3)
    cache.clear()
    statuses = [suggest(client, q="lake").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_a_code_field_still_takes_codes(places):
    field = SettlementCodesField()
    assert field.clean(f"{places['village'].kato_code}, {places['neighbour'].kato_code}") == [
        places["village"],
        places["neighbour"],
    ]


def test_a_name_matching_one_place_is_accepted(places):
    field = SettlementCodesField()
    assert field.clean("Lakeside") == [places["village"]]
    assert field.clean("lakeside; Hillside") == [places["village"], places["neighbour"]]


def test_a_name_of_several_places_lists_them_with_codes(places):
    with pytest.raises(Exception) as error:
        SettlementCodesField().clean("Twin")
    message = " ".join(error.value.messages)
    assert "is the name of several places" in message
    assert places["twin"].kato_code in message and places["twin2"].kato_code in message
    assert "Lake Rural District" in message


def test_unknown_names_and_districts_are_refused_clearly(places):
    with pytest.raises(Exception) as error:
        SettlementCodesField().clean("Atlantis")
    assert "No place is called “Atlantis”" in error.value.messages[0]
    with pytest.raises(Exception) as error:
        SettlementCodesField().clean("East District")
    assert "not a settlement" in error.value.messages[0]
    # A hearing's territory may be a district, by name too.
    assert TerritoryCodesField().clean("East District") == [places["district"]]


def test_a_malformed_code_is_still_called_malformed(places):
    with pytest.raises(Exception) as error:
        SettlementCodesField().clean("59603650a")
    assert "exactly 9 digits" in error.value.messages[0]
