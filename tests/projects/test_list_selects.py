"""The lists' region and district selects: their options name each place as its page does, read
as plain rows (about 250 places in the country's lists, docs/performance.md), not as models."""

import re
from html import unescape

import pytest
from django.db.models.signals import post_init
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from disclosures.filters import DisclosureFilter
from hearings.filters import HearingFilter
from projects.filters import ProjectFilter
from projects.models import Place, area_choices
from tests.factories import PlaceFactory, place_tree

pytestmark = pytest.mark.django_db


def options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    return [(value, unescape(label), bool(selected)) for value, selected, label in found]


@pytest.fixture
def places():
    tree = place_tree()
    # A KATO abbreviation the page spells out, and a district with no English name.
    PlaceFactory(
        district=True, parent=tree["region"], name_kk="Семей Қ.Ә.", name_ru="Семей Г.А.", name_en=""
    )
    return tree


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("address", ["disclosures:list", "projects:project_list"])
def test_district_options_name_each_place_as_its_page_does(client, places, language, address):
    chosen = places["district"]
    with translation.override(language):
        html = client.get(reverse(address), {"district": chosen.kato_code}).content.decode()
        expected = [
            (place.kato_code, str(place))
            for place in Place.objects.filter(level=Place.Level.DISTRICT).order_by_name()
        ]
    shown = options(html, "district")
    assert shown[0] == ("", "---------", False)
    assert [(value, label) for value, label, _selected in shown[1:]] == expected
    assert [value for value, _label, selected in shown if selected] == [chosen.kato_code]
    spelled = "Семей қ.ә. (" if language == "kk" else "Семей г.а. ("
    assert any(label.startswith(spelled) for _value, label, _selected in shown)


def test_the_selects_build_no_place_for_their_options(client, places):
    """Only the chosen district is read as a model (to filter by it); its options are rows."""
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=Place)
    try:
        client.get(reverse("disclosures:list"))
        unfiltered = len(built)
        client.get(reverse("disclosures:list"), {"district": places["district"].kato_code})
    finally:
        post_init.disconnect(count, sender=Place)
    assert unfiltered == 0
    assert [place.kato_code for place in built] == [places["district"].kato_code]


@pytest.mark.parametrize("filterset", [DisclosureFilter, HearingFilter, ProjectFilter])
def test_a_list_builds_its_filter_form_class_once_per_language(filterset):
    """django-filter built every filter's field and a new form class on each request; the class
    is kept per language (the place selects order their options by the page's language)."""

    def form_class(language):
        with translation.override(language):
            return type(filterset({"page": "2"}).form)

    assert form_class("ru") is form_class("ru")
    assert form_class("kk") is form_class("kk")
    assert form_class("ru") is not form_class("kk")


def test_the_options_follow_a_renamed_place_at_once(places):
    """The labels are worked out once for the same rows, and the rows are read each time: a
    place renamed since (by another process too) is named anew."""
    district = places["district"]

    def labels():
        with translation.override("ru"):
            return dict(area_choices()[Place.Level.DISTRICT])

    assert labels() == labels()
    Place.objects.filter(pk=district.pk).update(name_ru="Жаңа аудан")
    assert labels()[district.kato_code] == f"Жаңа аудан ({district.kato_code})"


@pytest.mark.parametrize("filterset", [DisclosureFilter, HearingFilter, ProjectFilter])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=2&sort=-value&status=overdue",
        "hide_withdrawn=on&hide_cancelled=on&bri=true&year=2024&q=<b>&organisation=a%22b",
        "year=1e30&when=never&place=12&bri=maybe",  # errors: the template's way
    ],
)
def test_a_filter_form_is_written_as_the_form_template_writes_it(places, filterset, query):
    """`FilterForm` writes its fields in Python; the same markup as includes/_form.html, with
    its region, district and place selects chosen or not, a ticked box and help texts."""
    with translation.override("kk"):
        query = f"{query}&district={places['district'].kato_code}" if "page" in query else query
        form = filterset(QueryDict(query), queryset=filterset._meta.model.objects.none()).form
        assert str(form) == render_to_string("includes/_form.html", {"form": form})
