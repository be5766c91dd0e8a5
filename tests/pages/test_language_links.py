"""The language switcher and the hreflang links name the same page in each language: its path
under that language's prefix (core/context_processors.py), which holds because no URL pattern
is translated."""

from django.conf import settings
from django.test import TestCase
from django.urls import URLResolver, get_resolver
from django.utils import translation

from tests.factories import place_tree


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def test_no_url_pattern_is_translated():
    """Every route is the same in each language once its language prefix is taken off: a
    translated route (`path(_("places/"), …)`) would need `translate_url` back."""
    routes = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found = list(_routes(get_resolver().url_patterns))
        prefixed = [route for route in found if route.startswith(f"{code}/")]
        assert prefixed, code
        routes[code] = sorted(route.removeprefix(f"{code}/") for route in found)
    assert routes["kk"] == routes["ru"] == routes["en"]


class LanguageLinksTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.village = place_tree()["village"]

    def test_a_page_in_each_language_keeps_its_path_and_query(self):
        path = f"places/{self.village.slug}/?view=timeline"
        response = self.client.get(f"/ru/{path}")
        links = [(code, url) for code, _name, url in response.context["language_links"]]
        self.assertEqual(links, [(code, f"/{code}/{path}") for code in ("kk", "ru", "en")])

    def test_a_made_up_address_gives_the_other_languages_home_pages(self):
        response = self.client.get("/ru/no-such-page/")
        self.assertEqual(response.status_code, 404)
        links = [url for _code, _name, url in response.context["language_links"]]
        self.assertEqual(links, ["/kk/", "/ru/no-such-page/", "/en/"])
