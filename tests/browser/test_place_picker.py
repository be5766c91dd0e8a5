"""A company editor on a phone chooses a village by typing its name, with the keyboard only."""

import pytest

from disclosures.models import Disclosure
from tests.browser.conftest import sign_in
from tests.factories import CompanyFactory, PlaceFactory, member_of, place_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_types_a_village_name_chooses_it_with_the_keyboard_and_submits(live_server, browser):
    places = place_tree()
    village = places["village"]  # "Lakeside", under Lake Rural District, East District
    PlaceFactory(parent=places["rural"], name_en="Lakeview")
    company = CompanyFactory()
    editor = member_of(company)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, editor)
    page.goto(live_server.url + "/en/disclosures/new/")

    search = page.get_by_role("combobox", name="Find a place by name")
    search.focus()
    page.keyboard.type("lakes", delay=30)
    options = page.locator(".place-picker-list [role=option]")
    options.first.wait_for()
    assert (
        "Lakeside — Lake Rural District, East District, North Region" in options.first.inner_text()
    )
    page.keyboard.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    page.keyboard.press("Enter")
    codes = page.get_by_label("Settlements that benefit (KATO codes)")
    assert codes.input_value() == village.kato_code
    assert "Lakeside" in page.locator(".place-picker-chosen").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/place-picker-phone.png", full_page=True)

    page.get_by_label("Title in Russian").fill("Водопровод")
    page.get_by_label("Title in Kazakh").fill("Су құбыры")
    page.locator("#id_category").select_option("water")
    page.locator("#id_due_date").fill("2027-06-30")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/disclosures/new/" not in url)
    disclosure = Disclosure.objects.get(organisation=company)
    assert list(disclosure.settlements.all()) == [village]
    context.close()
