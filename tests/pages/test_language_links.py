"""The language switcher and the hreflang links name the same page in each language: its path
under that language's prefix (core/context_processors.py), which holds because no URL pattern
is translated."""

from django.conf import settings
from django.test import TestCase
from django.test.utils import override_script_prefix
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


def test_the_header_links_follow_the_language_and_the_sub_path(client):
    """The header's, footer's and head's addresses are looked up once per language and script
    prefix (core.context_processors.site_urls): a site served under a sub-path links under it,
    and the same process serving another prefix or language does not mix them up."""
    expected = {
        ("/ashyq", "ru"): 'href="/ashyq/ru/disclosures/"',
        ("", "ru"): 'href="/ru/disclosures/"',
        ("/ashyq", "kk"): 'href="/ashyq/kk/disclosures/"',
        ("", "kk"): 'href="/kk/disclosures/"',
    }
    for (prefix, language), link in expected.items():
        with override_script_prefix(prefix + "/"):
            response = client.get(f"/{language}/no-such-page/")
        assert response.status_code == 404
        page = response.content.decode()
        assert link in page
        assert ('href="/ashyq/' in page) == bool(prefix)
