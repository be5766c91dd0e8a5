"""Links the API and the list exports hand out point at the public site (SITE_URL), never at the
host name the request happened to use (a proxy, a mirror, an internal address)."""

import csv
import io
import json

from django.test import TestCase, override_settings

from core.opendata import LICENCE_URL
from disclosures.models import Document
from tests.factories import (
    DisclosureFactory,
    HearingDocumentFactory,
    HearingFactory,
    PhotoFactory,
    ProjectFactory,
    place_tree,
)

SITE = "https://ashyq.example.kz"
MIRROR = "mirror.example.org"


def links(data):
    """Every string in a JSON document that looks like an absolute address."""
    if isinstance(data, dict):
        # `source_url`: a deadline's legal source, the official text of the law (not ours).
        return [link for key, value in data.items() if key != "source_url" for link in links(value)]
    if isinstance(data, list):
        return [link for value in data for link in links(value)]
    if isinstance(data, str) and data.startswith(("http://", "https://")):
        return [data]
    return []


@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=[MIRROR, "testserver"])
class LinksThroughAnotherHostTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        village = cls.places["village"]
        cls.project = ProjectFactory(primary_settlement=village)
        cls.disclosures = [
            DisclosureFactory(published=True, settlements=[village]) for _ in range(2)
        ]
        PhotoFactory(disclosure=cls.disclosures[0])
        Document.objects.create(
            disclosure=cls.disclosures[0], title="Act", file="disclosures/d/a.pdf"
        )
        cls.hearing = HearingFactory(record_published=True)
        HearingDocumentFactory(hearing=cls.hearing)

    def get(self, path):
        response = self.client.get(path, HTTP_HOST=MIRROR)
        self.assertEqual(response.status_code, 200, path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        body = body.decode("utf-8-sig")
        self.assertNotIn(MIRROR, body)
        self.assertNotIn("testserver", body)
        return body

    def assert_public(self, found, at_least):
        self.assertGreaterEqual(len(found), at_least)
        for link in found:
            if link != LICENCE_URL:  # the licence's own address, named by every list
                self.assertTrue(link.startswith(SITE + "/"), link)

    def test_api_lists_and_details(self):
        """`url` fields, photos, documents and protocols, in lists and details, for every
        resource; each list's first row's `url` is its page on the public site."""
        details = {
            "places": self.places["village"].kato_code,
            "organisations": self.project.operator.slug,
            "projects": self.project.slug,
            "disclosures": self.disclosures[0].pk,
            "hearings": self.hearing.pk,
        }
        for resource, key in details.items():
            with self.subTest(resource=resource):
                data = json.loads(self.get(f"/api/v1/{resource}/"))
                self.assert_public(links(data), at_least=1)
                self.assertTrue(data["results"][0]["url"].startswith(SITE + "/"))
                detail = json.loads(self.get(f"/api/v1/{resource}/{key}/"))
                self.assert_public(links(detail), at_least=1)
        disclosure = json.loads(self.get(f"/api/v1/disclosures/{self.disclosures[0].pk}/"))
        self.assertEqual(disclosure["url"], SITE + self.disclosures[0].get_absolute_url())
        self.assertEqual(disclosure["documents"][0]["url"], SITE + "/media/disclosures/d/a.pdf")
        self.assertTrue(disclosure["photos"][0]["url"].startswith(SITE + "/media/"))
        hearing = json.loads(self.get(f"/api/v1/hearings/{self.hearing.pk}/"))
        self.assertTrue(hearing["record"]["protocol"].startswith(SITE + "/media/"))
        self.assertTrue(hearing["documents"][0]["url"].startswith(SITE + "/media/"))

    def test_pagination_links(self):
        """`next` and `previous` keep their names and the query string, on the public site."""
        first = json.loads(self.get("/api/v1/disclosures/?page_size=1"))
        self.assertLessEqual({"next", "previous", "results"}, set(first))
        self.assertIsNone(first["previous"])
        self.assertTrue(first["next"].startswith(SITE + "/api/v1/disclosures/?"))
        self.assertIn("page_size=1", first["next"])
        self.assertIn("cursor=", first["next"])
        second = json.loads(self.get(first["next"].removeprefix(SITE)))
        self.assertTrue(second["previous"].startswith(SITE + "/api/v1/disclosures/?"))
        self.assertEqual(
            {first["results"][0]["id"], second["results"][0]["id"]},
            {d.pk for d in self.disclosures},
        )

    def test_list_exports(self):
        """The `url` column of the CSV and JSON exports, in the reader's language."""
        rows = list(csv.DictReader(io.StringIO(self.get("/ru/disclosures/export.csv"))))
        self.assertEqual(len(rows), 2)
        self.assert_public([row["url"] for row in rows], at_least=2)
        by_id = {int(row["id"]): row["url"] for row in rows}
        for disclosure in self.disclosures:
            self.assertEqual(by_id[disclosure.pk], f"{SITE}/ru/disclosures/{disclosure.pk}/")
        rows = json.loads(self.get("/en/disclosures/export.json"))["data"]
        self.assert_public(links(rows), at_least=2)
        self.assertEqual(
            {row["url"] for row in rows},
            {f"{SITE}/en/disclosures/{disclosure.pk}/" for disclosure in self.disclosures},
        )
