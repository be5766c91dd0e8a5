"""A resident on a phone, in English, sees a contribution and disputes it without JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.factories import ConfirmationFactory, DisclosureFactory, place_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_disputes_a_contribution_without_javascript(live_server, browser):
    places = place_tree()
    disclosure = DisclosureFactory(
        published=True, settlements=[places["village"]], title_en="Drinking water well"
    )
    ConfirmationFactory(disclosure=disclosure, note="Checked on site.")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + f"/en/disclosures/{disclosure.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Drinking water well"
    assert "Checked on site." in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/disclosure-phone.png", full_page=True)
    give_word(page, "this is not what was done", "The water is salty.")
    context.close()


def give_word(page, kind, comment):
    page.get_by_text("Did you see it? Tell us").click()
    page.get_by_label(kind).check()
    page.get_by_label("Comment").fill(comment)
    page.locator("form[action$='/feedback/'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("A moderator will check it")


def test_a_resident_sent_the_cached_compressed_page_can_use_its_form(live_server, browser):
    """A second resident gets the page from the server's page cache, gzip-compressed, the same
    bytes as the first (the resident forms carry no per-visitor token: they are
    `core.crossorigin.same_origin_form`s): Chromium decodes it and the form is accepted."""
    places = place_tree()
    disclosure = DisclosureFactory(
        published=True, settlements=[places["village"]], title_en="Drinking water well"
    )
    url = live_server.url + f"/en/disclosures/{disclosure.pk}/"
    for visitor in ("first", "second"):
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        response = page.goto(url)
        assert response.headers.get("content-encoding") == "gzip", visitor
        assert page.get_by_role("heading", level=1).inner_text() == "Drinking water well"
        if visitor == "second":
            give_word(page, "I saw this", "New pump works.")
        context.close()
