"""The settlement page's HTML, CSS and JavaScript together stay under 60 KB compressed.

Photos are excluded (thumbnails are lazy-loaded); Leaflet is excluded because it is loaded only
when a visitor presses "Show on map". Sizes are gzip level 6, as a typical front server sends.
"""

import gzip
import re

from django.contrib.staticfiles import finders
from django.test import TestCase
from django.utils import translation

from tests.factories import ProjectFactory, place_tree

BUDGET = 60 * 1024
ASSET = re.compile(r'(?:<link[^>]+href|<script[^>]+src)="(/static/[^"]+)"')


def compressed_size(data):
    return len(gzip.compress(data, compresslevel=6))


class PageWeightTests(TestCase):
    def test_settlement_page_within_budget(self):
        places = place_tree()
        for _ in range(5):
            ProjectFactory(primary_settlement=places["village"])
        for language in ["kk", "ru", "en"]:
            with self.subTest(language=language), translation.override(language):
                response = self.client.get(places["village"].get_absolute_url())
                html = response.content
                total = compressed_size(html)
                assets = ASSET.findall(html.decode())
                self.assertTrue(assets, "the page links its stylesheet")
                for url in assets:
                    path = finders.find(url.removeprefix("/static/"))
                    self.assertIsNotNone(path, url)
                    with open(path, "rb") as handle:
                        total += compressed_size(handle.read())
                print(f"settlement page ({language}): {total / 1024:.1f} KB compressed")
                self.assertLess(total, BUDGET)
                self.assertNotIn('leaflet.js"', html.decode().split("data-leaflet-js")[0])
