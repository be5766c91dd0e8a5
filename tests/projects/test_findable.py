"""Search engines find every public page: robots.txt, the sitemap in each language, and
canonical and hreflang links on every page."""

from django.conf import settings
from django.test import TestCase

from tests.factories import DisclosureFactory, HearingFactory, place_tree

# Sitemaps and robots.txt name the site's own address, not the request's host.
SITE = settings.SITE_URL


class FindableTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.shown = DisclosureFactory(published=True, settlements=[cls.places["village"]])
        cls.draft = DisclosureFactory(settlements=[cls.places["elsewhere"]])
        cls.hidden = DisclosureFactory(published=True, hidden=True)
        cls.hearing = HearingFactory(announced=True)
        cls.draft_hearing = HearingFactory()

    def test_robots_txt_points_at_the_sitemap(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn(f"Sitemap: {SITE}/sitemap.xml", response.content.decode())
        self.assertIn("Disallow: /admin/", response.content.decode())

    def test_sitemap_lists_public_records_in_each_language(self):
        index = self.client.get("/sitemap.xml").content.decode()
        for section in ("places", "disclosures", "hearings"):
            self.assertIn(f"{SITE}/sitemap-{section}.xml", index)
        disclosures = self.client.get("/sitemap-disclosures.xml").content.decode()
        for code in ("kk", "ru", "en"):
            self.assertIn(f"{SITE}/{code}/disclosures/{self.shown.pk}/", disclosures)
        self.assertIn('hreflang="x-default"', disclosures)
        self.assertNotIn(f"/disclosures/{self.draft.pk}/", disclosures)
        self.assertNotIn(f"/disclosures/{self.hidden.pk}/", disclosures)
        hearings = self.client.get("/sitemap-hearings.xml").content.decode()
        self.assertIn(f"/hearings/{self.hearing.pk}/", hearings)
        self.assertNotIn(f"/hearings/{self.draft_hearing.pk}/", hearings)
        places = self.client.get("/sitemap-places.xml").content.decode()
        self.assertIn(self.places["village"].slug, places)
        self.assertNotIn(self.places["elsewhere"].slug, places)  # only a draft there

    def test_pages_have_canonical_and_hreflang_links(self):
        """Absolute links use SITE_URL, not the request's host: cached pages serve everyone."""
        site = settings.SITE_URL
        html = self.client.get(f"/ru/disclosures/{self.shown.pk}/?utm=x").content.decode()
        self.assertIn(
            f'<link rel="canonical" href="{site}/ru/disclosures/{self.shown.pk}/">',
            html,
        )
        for code in ("kk", "ru", "en"):
            self.assertIn(f'hreflang="{code}" href="{site}/{code}/disclosures/', html)
        self.assertIn(f'hreflang="x-default" href="{site}/kk/disclosures/', html)

    def test_one_rule_for_canonical_hreflang_and_x_default(self):
        """Filters and sorting are views of the list, the page number a page of its own: the
        canonical link, the page's own hreflang and x-default all drop the first and keep
        the second, while the language switcher keeps the visitor's filters."""
        html = self.client.get("/ru/disclosures/?status=delivered&sort=-amount&page=2").content
        html = html.decode()
        self.assertIn(f'<link rel="canonical" href="{SITE}/ru/disclosures/?page=2">', html)
        self.assertIn(f'hreflang="ru" href="{SITE}/ru/disclosures/?page=2">', html)
        self.assertIn(f'hreflang="x-default" href="{SITE}/kk/disclosures/?page=2">', html)
        self.assertNotIn('hreflang="ru" href="' + SITE + "/ru/disclosures/?status", html)
        self.assertIn('href="/en/disclosures/?status=delivered&amp;sort=-amount&amp;page=2"', html)
        first = self.client.get("/en/disclosures/?status=delivered&page=1").content.decode()
        self.assertIn(f'<link rel="canonical" href="{SITE}/en/disclosures/">', first)

    def test_sitemap_x_default_is_the_pages_own(self):
        """The sitemap's x-default for a record is the address its page names as x-default."""
        page = self.client.get(f"/en/disclosures/{self.shown.pk}/").content.decode()
        x_default = f"{SITE}/kk/disclosures/{self.shown.pk}/"
        self.assertIn(f'hreflang="x-default" href="{x_default}"', page)
        sitemap = self.client.get("/sitemap-disclosures.xml").content.decode()
        self.assertIn(f'hreflang="x-default" href="{x_default}"', sitemap)
        self.assertNotIn(f'href="{SITE}/disclosures/{self.shown.pk}/"', sitemap)
