"""Feeds and calendars others can build on: permanent entry ids, authors, self links with the
query, the licence, site-wide hearings feeds, and valid calendars even when empty."""

import re

import icalendar
from django.conf import settings
from django.test import TestCase

from core.opendata import tag_uri
from tests.factories import (
    DisclosureFactory,
    HearingFactory,
    PhotoFactory,
    PlaceFactory,
    place_tree,
)


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.hearing = HearingFactory(announced=True, territory=[cls.places["village"]])
        cls.draft = HearingFactory()
        cls.disclosure = DisclosureFactory(published=True, settlements=[cls.places["village"]])

    def test_site_wide_hearings_atom_has_tag_ids_authors_rights_and_self_link(self):
        self.assertRegex(tag_uri("hearing", 1), r"^tag:[a-z0-9.-]+,2026:hearing/1$")
        xml = self.client.get("/en/hearings/feed/").content.decode()
        self.assertIn(f"<id>{tag_uri('hearing', self.hearing.pk)}</id>", xml)
        self.assertNotIn(f"hearing/{self.draft.pk}<", xml)
        self.assertIn(f"<name>{self.hearing.organiser.name_en}</name>", xml)
        self.assertIn("<rights>", xml)
        self.assertIn("creativecommons.org/licenses/by/4.0", xml)
        self.assertIn(f'<link href="{settings.SITE_URL}/en/hearings/feed/" rel="self"/>', xml)

    def test_place_atom_self_link_keeps_the_query(self):
        code = self.places["village"].kato_code
        xml = self.client.get(f"/en/hearings/place/{code}/feed/?x=1").content.decode()
        self.assertIn(f'href="{settings.SITE_URL}/en/hearings/place/{code}/feed/?x=1"', xml)
        self.assertIn(tag_uri("hearing", self.hearing.pk), xml)

    def test_disclosure_rss_self_link_guid_author_and_copyright(self):
        code = self.places["district"].kato_code
        xml = self.client.get(f"/en/disclosures/feed/?place={code}").content.decode()
        self.assertIn(f"/en/disclosures/feed/?place={code}", xml.split("<item>")[0])
        self.assertIn(f"{tag_uri('disclosure', self.disclosure.pk)}</guid>", xml)
        self.assertIn("<copyright>", xml)

    def test_disclosure_rss_encloses_the_first_photo(self):
        photo = PhotoFactory(disclosure=self.disclosure)
        xml = self.client.get("/en/disclosures/feed/").content.decode()
        self.assertIn(f'<enclosure length="{photo.image.size}" type="image/jpeg"', xml)
        self.assertIn(f'url="{settings.SITE_URL}{photo.image.url}"', xml)

    def test_feeds_fetched_through_another_host_name_point_at_the_public_site(self):
        """A feed fetched through a proxy or a mirror links to SITE_URL, never to the host it
        was fetched from: its self link, its link and every entry's link; and the cached copy
        does not carry the mirror's name to the next reader."""
        code = self.places["village"].kato_code
        site = settings.SITE_URL
        self.assertNotIn("mirror.example.org", site)
        village = self.places["village"]
        feeds = [
            ("/en/hearings/feed/", "/en/hearings/"),
            (f"/en/hearings/place/{code}/feed/", f"/en/places/{village.slug}/"),
            ("/en/disclosures/feed/", "/en/disclosures/"),
        ]
        for path, page in feeds:
            for host in ("mirror.example.org", "testserver"):
                with (
                    self.subTest(path=path, host=host),
                    self.settings(ALLOWED_HOSTS=["mirror.example.org", "testserver"]),
                ):
                    xml = self.client.get(path, HTTP_HOST=host).content.decode()
                    self.assertNotIn("mirror.example.org", xml)
                    self.assertNotIn("testserver", xml)
                    self.assertIn(f"{site}{path}", xml)
                    self.assertIn(f"{site}{page}", xml)
                    links = re.findall(r'(?:href="|<link>)([^"<]+)', xml)
                    self.assertGreaterEqual(len(links), 3)  # alternate, self and an entry
                    for link in links:
                        self.assertTrue(link.startswith(f"{site}/en/"), link)

    def test_calendars_are_valid_even_without_events(self):
        empty = PlaceFactory()
        body = self.client.get(f"/en/hearings/place/{empty.kato_code}/calendar.ics").content
        calendar = icalendar.Calendar.from_ical(body)
        self.assertEqual(calendar.walk("VEVENT"), [])
        self.assertEqual(len(calendar.walk("VTIMEZONE")), 1)
        self.assertIn(b"REFRESH-INTERVAL;VALUE=DURATION:PT1H", body)
        everything = icalendar.Calendar.from_ical(
            self.client.get("/en/hearings/calendar.ics").content
        )
        uids = [str(event["UID"]) for event in everything.walk("VEVENT")]
        self.assertEqual(len(uids), 1)
        self.assertTrue(uids[0].startswith(f"hearing-{self.hearing.pk}@"))

    def test_open_data_page_states_the_licence_and_every_page_links_it(self):
        html = self.client.get("/en/open-data/").content.decode()
        self.assertIn("https://creativecommons.org/licenses/by/4.0/", html)
        self.assertIn("GeoNames", html)
        home = self.client.get("/en/").content.decode()
        self.assertIn('href="/en/open-data/"', home)
        self.assertIn('type="application/atom+xml" href="/en/hearings/feed/"', home)

    def test_geonames_is_credited_where_coordinates_are_shown(self):
        village = self.places["village"]
        village.latitude, village.longitude = "53.1", "69.2"
        village.save()
        html = self.client.get(village.get_absolute_url()).content.decode()
        self.assertIn("https://www.geonames.org/", html)
