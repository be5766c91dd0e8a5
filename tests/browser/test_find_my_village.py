"""A resident on a phone finds their village and opens its page, in Russian, without JavaScript
being required."""

import re

import pytest
from playwright.sync_api import expect

from projects.kato import import_places
from tests.projects.test_places import SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_finds_ilyichevka_by_a_latin_spelling(live_server, page):
    import_places(SAMPLE)
    page.goto(live_server.url + "/")
    assert page.url.endswith("/ru/")  # the browser's language (ru-RU) decides the first visit
    page.get_by_label("Село, город или код КАТО").fill("Ilyichevka")
    page.get_by_role("button", name="Найти").click()
    page.get_by_role("link", name="Ильичевка").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ильичевка")
    breadcrumbs = page.get_by_role("navigation", name="Навигационная цепочка")
    expect(breadcrumbs).to_contain_text("Тайыншинский район")
    # Nothing overflows sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_search_works_with_javascript_off(live_server, browser):
    import_places(SAMPLE)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/kk/places/?q=Нұра")
    assert page.get_by_role("link", name="Нұра").count() >= 2
    context.close()


def test_language_switcher(live_server, page):
    page.goto(live_server.url + "/ru/projects/")
    page.get_by_role("link", name="Қазақша").click()
    expect(page).to_have_url(re.compile("/kk/projects/"))
    assert page.locator("html").get_attribute("lang") == "kk"
