"""A phone's first screen belongs to the page, not the header (issue 22: it took 203 of 800 px)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_header_is_compact_on_a_phone(live_server, page, language):
    """At 360 px: brand and languages on one line, the menu in at most two, no sideways
    scrolling; the links stay at least 24 px high (WCAG 2.5.8)."""
    page.goto(live_server.url + f"/{language}/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 120, header
    brand = page.locator(".brand").bounding_box()
    languages = page.locator(".lang-switch").bounding_box()
    assert abs(brand["y"] - languages["y"]) < brand["height"], (brand, languages)
    heights = page.locator(".site-header a").evaluate_all(
        "links => links.map(link => link.getBoundingClientRect().height)"
    )
    assert min(heights) >= 24, heights
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
