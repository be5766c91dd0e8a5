"""A resident opens the village page on a phone: with JavaScript off everything is there; with it
on, the map appears only when asked for."""

import pytest
from playwright.sync_api import expect

from tests.factories import (
    AkimatFactory,
    DisclosureFactory,
    HearingFactory,
    PhotoFactory,
    place_tree,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def village():
    places = place_tree()
    village = places["village"]
    village.latitude, village.longitude = 53.8, 69.9
    village.save()
    akimat = AkimatFactory(place=places["district"])
    disclosure = DisclosureFactory(published=True, settlements=[village], title_en="New well")
    PhotoFactory(disclosure=disclosure)
    HearingFactory(announced=True, organiser=akimat, territory=[village], title_en="Plant hearing")
    return village


def test_village_page_without_javascript(live_server, browser, village):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + village.get_absolute_url().replace("/kk/", "/en/"))
    assert page.get_by_role("link", name="New well").is_visible()
    assert page.get_by_role("link", name="Plant hearing").first.is_visible()
    assert (
        page.get_by_role("button", name="Show on map").count() == 0
        or not page.get_by_role("button", name="Show on map").is_visible()
    )
    assert "53.80000" in page.locator(".map-points").inner_text()
    page.get_by_label("Your e-mail").fill("resident@example.org")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".masked-email")).to_be_visible()
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_answer_is_on_the_first_phone_screen(live_server, browser, village, language):
    """On a 360 x 800 phone, in Kazakh and Russian, the line saying what was done here and the
    next hearing is on the first screen, before any scrolling."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + village.get_absolute_url().replace("/kk/", f"/{language}/"))
    answer = page.locator("#place-answer").bounding_box()
    assert answer["y"] >= 0 and answer["y"] + answer["height"] <= 800, answer
    assert page.locator("#place-answer [data-figure=delivered]").is_visible()
    assert page.locator("#place-answer [data-next-hearing]").is_visible()
    context.close()


def test_map_loads_only_on_request(live_server, page, village):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + village.get_absolute_url().replace("/kk/", "/en/"))
    assert not any("leaflet" in url for url in requested)
    page.get_by_role("button", name="Show on map").click()
    page.locator(".leaflet-container").wait_for()
    assert any("leaflet.js" in url for url in requested)


def test_map_and_page_break_no_content_security_policy_rule(live_server, page, village):
    """The page and the map it loads on request run under the site's CSP without a violation."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + village.get_absolute_url().replace("/kk/", "/en/"))
    page.get_by_role("button", name="Show on map").click()
    page.locator(".leaflet-container").wait_for()
    page.wait_for_timeout(500)
    assert violations == []
