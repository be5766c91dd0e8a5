"""What pages say about themselves: titles that tell same-named villages apart, Open Graph, and
schema.org JSON-LD read back from the rendered pages."""

import datetime
import html
import json
import re

from django.conf import settings
from django.test import TestCase
from django.utils import timezone

from core.metadata import ld_json
from hearings.models import HearingChange
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingFactory,
    PhotoFactory,
    PlaceFactory,
    place_tree,
)

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def head(response):
    return response.content.decode().split("</head>")[0]


def meta(response, name):
    """The content of `<meta property|name="name">` elements, unescaped."""
    pattern = rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">'
    return [html.unescape(value) for value in re.findall(pattern, head(response))]


def structured(response):
    return [json.loads(text) for text in LD.findall(head(response))]


def title(response):
    return html.unescape(re.search(r"<title>(.*?)</title>", head(response), re.S).group(1))


class PageMetadataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        village = cls.places["village"]
        village.latitude, village.longitude = 53.1, 69.2
        village.save()
        # The same name in another district: titles must tell the two apart.
        cls.namesake = PlaceFactory(
            parent=cls.places["elsewhere"].parent, name_en="Lakeside", name_kk="Көлжаға"
        )
        cls.company = CompanyFactory()
        cls.akimat = AkimatFactory(place=cls.places["district"], email="akimat@example.org")
        cls.disclosure = DisclosureFactory(
            published=True, organisation=cls.company, settlements=[village]
        )
        cls.photo = PhotoFactory(disclosure=cls.disclosure)
        kwargs = {"organiser": cls.akimat, "initiator": cls.company, "territory": [village]}
        cls.upcoming = HearingFactory(announced=True, **kwargs)
        cls.cancelled = HearingFactory(cancelled=True, **kwargs)
        cls.moved = HearingFactory(announced=True, **kwargs)
        cls.old_start = timezone.now() + datetime.timedelta(days=20)
        HearingChange.objects.create(
            hearing=cls.moved,
            action=HearingChange.Action.RESCHEDULED,
            reason="The hall is being repaired.",
            old_starts_at=cls.old_start,
            new_starts_at=cls.moved.starts_at,
        )

    def test_a_village_is_named_with_its_district_and_region(self):
        response = self.client.get(self.places["village"].get_absolute_url())
        self.assertEqual(title(response), "Lakeside, East District, North Region · Ashyq Auyl")
        other = self.client.get(self.namesake.get_absolute_url())
        self.assertNotEqual(title(other), title(response))
        self.assertIn("KATO " + self.places["village"].kato_code, meta(response, "description")[0])

    def test_open_graph_on_every_page(self):
        response = self.client.get("/ru/hearings/")
        self.assertEqual(meta(response, "og:title"), [title(response).split(" · ")[0]])
        self.assertEqual(meta(response, "og:url"), [settings.SITE_URL + "/ru/hearings/"])
        self.assertEqual(meta(response, "og:type"), ["website"])
        self.assertEqual(meta(response, "og:locale"), ["ru_RU"])
        self.assertEqual(meta(response, "og:locale:alternate"), ["kk_KZ", "en_US"])
        self.assertTrue(meta(response, "og:description")[0])

    def test_a_contribution_names_its_place_and_shows_its_photo(self):
        response = self.client.get(self.disclosure.get_absolute_url())
        self.assertIn("— Lakeside, East District, North Region", title(response))
        self.assertEqual(meta(response, "og:type"), ["article"])
        self.assertEqual(meta(response, "og:image"), [settings.SITE_URL + self.photo.image.url])
        self.assertEqual(meta(response, "og:image:width"), ["800"])
        self.assertEqual(meta(response, "og:image:height"), ["600"])

    def test_place_json_ld_has_the_kato_code_and_its_parents(self):
        response = self.client.get(self.places["village"].get_absolute_url())
        (data,) = structured(response)
        self.assertEqual(data["@context"], "https://schema.org")
        self.assertEqual(data["@type"], "Place")
        self.assertEqual(
            data["identifier"],
            {
                "@type": "PropertyValue",
                "propertyID": "KATO",
                "value": self.places["village"].kato_code,
            },
        )
        self.assertEqual(data["geo"]["latitude"], 53.1)
        rural = data["containedInPlace"]
        self.assertEqual(rural["@type"], "AdministrativeArea")
        district = rural["containedInPlace"]
        self.assertEqual(district["identifier"]["value"], self.places["district"].kato_code)
        self.assertEqual(district["containedInPlace"]["name"], "North Region")
        self.assertEqual(district["containedInPlace"]["containedInPlace"]["@type"], "Country")
        (region,) = structured(self.client.get(self.places["region"].get_absolute_url()))
        self.assertEqual(region["@type"], "AdministrativeArea")

    def hearing_event(self, hearing):
        (data,) = structured(self.client.get(hearing.get_absolute_url()))
        self.assertEqual(data["@type"], "Event")
        for name in ("name", "startDate", "endDate", "location", "organizer", "eventStatus"):
            self.assertIn(name, data)
        self.assertEqual(
            data["eventAttendanceMode"], "https://schema.org/OfflineEventAttendanceMode"
        )
        return data

    def test_hearing_event_scheduled_with_offset_place_and_organiser(self):
        data = self.hearing_event(self.upcoming)
        self.assertEqual(data["eventStatus"], "https://schema.org/EventScheduled")
        start = datetime.datetime.fromisoformat(data["startDate"])
        self.assertEqual(start, self.upcoming.starts_at)
        self.assertTrue(data["startDate"].endswith("+05:00"), data["startDate"])
        self.assertEqual(data["organizer"]["name"], self.akimat.name_en)
        self.assertEqual(data["organizer"]["email"], "akimat@example.org")
        location = data["location"]
        self.assertEqual(location["@type"], "Place")
        self.assertTrue(location["address"])
        self.assertNotIn("geo", location)  # the venue's own coordinates are not known
        area = location["containedInPlace"]
        self.assertEqual(area["address"]["addressCountry"], "KZ")
        self.assertEqual(area["identifier"]["value"], self.places["village"].kato_code)
        self.assertEqual(area["geo"]["latitude"], 53.1)  # the village's own

    def test_a_venue_in_a_district_gets_no_geo_and_the_district_only_its_own(self):
        """A place without coordinates of its own is given none, not its district's."""
        district = self.places["district"]
        district.latitude, district.longitude = 52.5, 70.5
        district.save()
        self.upcoming.territory.set([self.places["neighbour"]])
        location = self.hearing_event(self.upcoming)["location"]
        self.assertNotIn("geo", location)
        self.assertNotIn("geo", location["containedInPlace"])

    def test_hearing_event_cancelled_and_rescheduled(self):
        cancelled = self.hearing_event(self.cancelled)
        self.assertEqual(cancelled["eventStatus"], "https://schema.org/EventCancelled")
        moved = self.hearing_event(self.moved)
        self.assertEqual(moved["eventStatus"], "https://schema.org/EventRescheduled")
        (previous,) = moved["previousStartDate"]
        self.assertEqual(datetime.datetime.fromisoformat(previous), self.old_start)

    def test_open_data_page_describes_the_dataset(self):
        (data,) = structured(self.client.get("/en/open-data/"))
        self.assertEqual(data["@type"], "Dataset")
        self.assertEqual(data["license"], "https://creativecommons.org/licenses/by/4.0/")
        self.assertTrue(data["name"] and data["description"] and data["creator"]["name"])
        self.assertEqual(data["spatialCoverage"]["address"]["addressCountry"], "KZ")
        formats = {d["encodingFormat"] for d in data["distribution"]}
        self.assertTrue({"text/csv", "application/json", "text/calendar"} <= formats)
        for distribution in data["distribution"]:
            self.assertTrue(distribution["contentUrl"].startswith(settings.SITE_URL + "/"))
        urls = {d["contentUrl"] for d in data["distribution"]}
        for name in ("datapackage.json", "disclosures.csv", "hearings.json", "places.csv"):
            self.assertIn(f"{settings.SITE_URL}/data/{name}", urls)  # the bulk downloads

    def test_json_ld_text_cannot_close_its_element(self):
        hostile = 'Hall </script><script>alert(1)</script> & "quotes"'
        element = ld_json({"name": hostile})
        self.assertEqual(element.count("</script>"), 1)
        self.assertNotIn("<script>", element)
        text = LD.search(element).group(1)
        self.assertEqual(json.loads(text), {"name": hostile})
        self.hearing = HearingFactory(announced=True, title_en=hostile, organiser=self.akimat)
        (data,) = structured(self.client.get(f"/en/hearings/{self.hearing.pk}/"))
        self.assertEqual(data["name"], hostile)
