"""The read API (/api/v1/): what each audience sees, filters, paging, caching headers, CORS."""

import datetime

from django.conf import settings
from django.test import TestCase
from django.utils import timezone
from rest_framework import serializers

from core.api import asking_for
from disclosures.api import DisclosureAPIFilter
from disclosures.models import Document, Revision
from hearings import clock
from hearings.models import HearingChange
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    HearingCommentFactory,
    HearingDocumentFactory,
    HearingFactory,
    HearingPromiseFactory,
    PhotoFactory,
    ProjectFactory,
    place_tree,
)


class DisclosureAPITests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.shown = DisclosureFactory(published=True, settlements=[cls.places["village"]])
        cls.draft = DisclosureFactory(settlements=[cls.places["village"]])
        cls.withdrawn = DisclosureFactory(withdrawn=True, settlements=[cls.places["village"]])
        cls.hidden = DisclosureFactory(
            published=True, hidden=True, settlements=[cls.places["village"]], title_en="Secret"
        )
        cls.elsewhere = DisclosureFactory(published=True, settlements=[cls.places["elsewhere"]])

    def get(self, path, **headers):
        return self.client.get(path, **headers)

    def test_lists_published_and_withdrawn_never_drafts_or_hidden(self):
        """The list has published and withdrawn (marked) records; drafts and hidden ones never."""
        data = self.get("/api/v1/disclosures/").json()
        ids = {row["id"] for row in data["results"]}
        self.assertEqual(ids, {self.shown.pk, self.withdrawn.pk, self.elsewhere.pk})
        by_id = {row["id"]: row for row in data["results"]}
        self.assertIsNone(by_id[self.shown.pk]["withdrawn"])
        self.assertEqual(
            by_id[self.withdrawn.pk]["withdrawn"]["reason"], "Внесено дважды по ошибке."
        )
        self.assertEqual(by_id[self.withdrawn.pk]["display_status"], "withdrawn")

    def test_hidden_disclosure_is_gone_without_content(self):
        """A hidden disclosure answers 410 with the marker and not a word of its content."""
        response = self.get(f"/api/v1/disclosures/{self.hidden.pk}/")
        self.assertEqual(response.status_code, 410)
        self.assertEqual(response.json()["hidden"], True)
        self.assertNotIn("Secret", response.content.decode())
        self.assertNotIn("Court order", response.content.decode())

    def test_draft_is_not_found(self):
        self.assertEqual(self.get(f"/api/v1/disclosures/{self.draft.pk}/").status_code, 404)
        self.assertEqual(self.get("/api/v1/disclosures/99999999/").status_code, 404)

    def test_detail_has_history_evidence_and_absolute_urls(self):
        """Status history, change log, the akimat's word, photos and documents as absolute URLs."""
        disclosure = DisclosureFactory(published=True, settlements=[self.places["village"]])
        PhotoFactory(disclosure=disclosure)
        Document.objects.create(disclosure=disclosure, title="Act", file="disclosures/d/a.pdf")
        revision = Revision.objects.create(
            disclosure=disclosure,
            action=Revision.Action.EDITED,
            changes=[{"field": "amount", "old": "1 KZT", "new": "2 KZT"}],
            reason="Typo in the amount.",
            after_publication=True,
        )
        akimat = AkimatFactory(place=self.places["district"])
        ConfirmationFactory(disclosure=disclosure, akimat=akimat, document="disclosures/c/v.pdf")
        data = self.get(f"/api/v1/disclosures/{disclosure.pk}/").json()
        self.assertEqual(data["organisation"]["bin"], disclosure.organisation.bin)
        self.assertEqual(data["settlements"], [self.places["village"].kato_code])
        self.assertEqual(data["status_history"][0]["status"], "delivered")
        self.assertEqual(data["revisions"][0]["reason"], "Typo in the amount.")
        self.assertEqual(
            data["revisions"][0]["created_at"],
            serializers.DateTimeField().to_representation(revision.created_at),
        )
        self.assertEqual(data["confirmations"][0]["akimat"], akimat.slug)
        self.assertEqual(
            data["confirmations"][0]["document"], settings.SITE_URL + "/media/disclosures/c/v.pdf"
        )
        self.assertTrue(data["photos"][0]["url"].startswith(settings.SITE_URL + "/media/"))
        self.assertEqual(
            data["documents"][0]["url"], settings.SITE_URL + "/media/disclosures/d/a.pdf"
        )
        self.assertTrue(data["url"].startswith(settings.SITE_URL + "/"))
        self.assertEqual(data["title"]["en"], disclosure.title_en)

    def test_linked_hearing_and_source_are_ids_the_hearing_only_once_public(self):
        """`hearing` is the linked hearing's id while it is public, null while it is a draft;
        `funded_by` is the source contribution's id."""
        village = self.places["village"]
        public, draft = HearingFactory(announced=True), HearingFactory()
        linked = {
            hearing: DisclosureFactory(
                published=True, settlements=[village], hearing=hearing, funded_by=self.shown
            )
            for hearing in (public, draft)
        }
        rows = {row["id"]: row for row in self.get("/api/v1/disclosures/").json()["results"]}
        for hearing, expected in ((public, public.pk), (draft, None)):
            self.assertEqual(rows[linked[hearing].pk]["hearing"], expected)
            one = self.get(f"/api/v1/disclosures/{linked[hearing].pk}/").json()
            self.assertEqual(one["hearing"], expected)
            self.assertEqual(one["funded_by"], self.shown.pk)

    def test_filters_are_the_html_lists_filters(self):
        """?place= narrows to records within the place, as on the HTML list."""
        data = self.get(f"/api/v1/disclosures/?place={self.places['district'].kato_code}").json()
        ids = {row["id"] for row in data["results"]}
        self.assertEqual(ids, {self.shown.pk, self.withdrawn.pk})

    def test_invalid_filter_is_400_with_the_errors(self):
        """An unknown status or place is refused, not ignored."""
        response = self.get("/api/v1/disclosures/?status=nonsense&place=123")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()), {"status", "place"})
        response = self.get("/api/v1/disclosures/?updated_since=yesterday")
        self.assertEqual(response.status_code, 400)
        self.assertIn("updated_since", response.json())

    def test_values_the_schema_refuses_are_400_naming_the_parameter(self):
        """Empty values, non-boolean flags, out-of-range numbers and ill-formed codes are
        refused, not read as no filter (or as true)."""
        for query, name in [
            ("updated_since=", "updated_since"),
            ("hide_withdrawn=maybe", "hide_withdrawn"),
            ("page_size=0", "page_size"),
            ("page_size=501", "page_size"),
            ("page_size=ten", "page_size"),
            ("cursor=", "cursor"),
            ("year=0", "year"),
            ("amount_min=1e5", "amount_min"),
            ("organisation=not%20a%20slug", "organisation"),
        ]:
            with self.subTest(query=query):
                response = self.get(f"/api/v1/disclosures/?{query}")
                self.assertEqual(response.status_code, 400)
                self.assertIn(name, response.json())

    def test_a_request_filters_with_the_filters_it_asks_for_only(self):
        """One or two filters asked: a FilterSet of those only (the others would filter
        nothing), the same rows and refusals; more: the whole FilterSet."""
        self.assertEqual(set(asking_for(DisclosureAPIFilter, {"place"}).base_filters), {"place"})
        two = asking_for(DisclosureAPIFilter, {"place", "status", "cursor"})
        self.assertEqual(set(two.base_filters), {"place", "status"})
        self.assertIs(two, asking_for(DisclosureAPIFilter, {"status", "place"}))
        three = {"place", "status", "category"}
        self.assertIs(asking_for(DisclosureAPIFilter, three), DisclosureAPIFilter)
        district = self.places["district"].kato_code
        for query in (
            f"place={district}&hide_withdrawn=true",  # two: a FilterSet of those
            f"place={district}&hide_withdrawn=true&category={self.shown.category}",  # all
        ):
            with self.subTest(query=query):
                response = self.get(f"/api/v1/disclosures/?{query}")
                self.assertEqual([row["id"] for row in response.json()["results"]], [self.shown.pk])

    def test_a_well_formed_code_or_slug_nobody_has_is_an_empty_list(self):
        for query in ("place=799999999", "organisation=nobody", "project=nothing"):
            with self.subTest(query=query):
                response = self.get(f"/api/v1/disclosures/?{query}")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["results"], [])

    def test_lists_name_the_licence(self):
        """Beside next/previous/results, as the bulk files do; and in a Link header."""
        response = self.get("/api/v1/disclosures/")
        data = response.json()
        self.assertEqual(data["license"]["name"], "CC-BY-4.0")
        self.assertIn("GeoNames", data["attribution"])
        self.assertEqual(
            response["Link"], '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
        )

    def test_index_and_unknown_addresses_answer_json(self):
        index = self.get("/api/v1/")
        self.assertEqual(index.status_code, 200)
        resources = index.json()["resources"]
        self.assertEqual(resources["disclosures"], settings.SITE_URL + "/api/v1/disclosures/")
        self.assertIn("own/disclosures", resources)
        for path in ("/api/v1/nothing/", "/api/v2/", "/api/v1/places/12/"):
            with self.subTest(path=path):
                response = self.get(path)
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response["Content-Type"], "application/json")
                self.assertIn("detail", response.json())

    def test_updated_since_harvests_changes(self):
        later = timezone.now() + datetime.timedelta(minutes=5)
        type(self.shown).objects.filter(pk=self.shown.pk).update(updated_at=later)
        since = (later - datetime.timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
        data = self.get("/api/v1/disclosures/", QUERY_STRING=f"updated_since={since}").json()
        self.assertEqual([row["id"] for row in data["results"]], [self.shown.pk])

    def test_updated_since_sees_a_new_confirmation(self):
        """The akimat's word does not touch the record's updated_at; a harvest still sees it."""
        since = timezone.now()
        ConfirmationFactory(disclosure=self.elsewhere, akimat=AkimatFactory())
        query = {"updated_since": since.isoformat()}
        data = self.client.get("/api/v1/disclosures/", query).json()
        self.assertEqual([row["id"] for row in data["results"]], [self.elsewhere.pk])

    def test_cursor_pagination_walks_every_row_once(self):
        seen = []
        url = "/api/v1/disclosures/?page_size=1"
        while url:
            data = self.get(url).json()
            seen += [row["id"] for row in data["results"]]
            url = data["next"]
        expected = {self.shown.pk, self.withdrawn.pk, self.elsewhere.pk}
        self.assertEqual(sorted(seen), sorted(expected))

    def test_query_count_does_not_grow_with_rows(self):
        """A page of 20 disclosures with evidence costs the same queries as a page of 2."""
        for _ in range(20):
            disclosure = DisclosureFactory(published=True, settlements=[self.places["village"]])
            PhotoFactory(disclosure=disclosure)
            ConfirmationFactory(disclosure=disclosure, akimat=AkimatFactory())
        # the page with its settlements, status, revisions, confirmations, photos and documents
        # (read with the rows, core.api.NestedRows; the ETag's version is read from the shared
        # cache, not the database)
        with self.assertNumQueries(1):
            response = self.get("/api/v1/disclosures/?page_size=50")
        self.assertEqual(len(response.json()["results"]), 23)


class CachingAndCORSTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DisclosureFactory(published=True)

    def test_etag_and_last_modified_give_304_until_something_changes(self):
        first = self.client.get("/api/v1/disclosures/")
        self.assertEqual(first.status_code, 200)
        etag = first["ETag"]
        self.assertTrue(first["Last-Modified"])
        with self.assertNumQueries(0):  # the version is in the shared cache
            again = self.client.get("/api/v1/disclosures/", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again["ETag"], etag)
        DisclosureFactory(published=True)  # a public change bumps the site-wide scope
        changed = self.client.get("/api/v1/disclosures/", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(changed.status_code, 200)
        self.assertNotEqual(changed["ETag"], etag)

    def test_reads_allow_any_origin(self):
        response = self.client.get("/api/v1/places/", HTTP_ORIGIN="https://news.example")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertIn("ETag", response["Access-Control-Expose-Headers"])
        preflight = self.client.options(
            "/api/v1/places/",
            HTTP_ORIGIN="https://news.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
        )
        self.assertEqual(preflight.status_code, 200)
        self.assertIn("If-None-Match", preflight["Access-Control-Allow-Headers"])

    def test_writes_are_not_allowed_on_read_endpoints(self):
        self.assertEqual(self.client.post("/api/v1/disclosures/", {}).status_code, 405)


class PlacesOrganisationsProjectsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.places["village"].latitude = "53.12345"
        cls.places["village"].longitude = "69.5"
        cls.places["village"].save()
        cls.project = ProjectFactory(primary_settlement=cls.places["village"])

    def test_place_by_kato_code_with_names_parent_level_and_coordinates(self):
        village = self.places["village"]
        data = self.client.get(f"/api/v1/places/{village.kato_code}/").json()
        self.assertEqual(data["id"], village.kato_code)
        self.assertEqual(data["parent"], self.places["rural"].kato_code)
        self.assertEqual(data["level"], "settlement")
        self.assertEqual(data["name"]["en"], "Lakeside")
        self.assertEqual(data["latitude"], 53.12345)

    def test_places_within_a_district(self):
        data = self.client.get(f"/api/v1/places/?within={self.places['district'].kato_code}")
        codes = {row["id"] for row in data.json()["results"]}
        self.assertEqual(
            codes,
            {self.places[k].kato_code for k in ("district", "rural", "village", "neighbour")},
        )

    def test_places_query_count_is_bounded(self):
        with self.assertNumQueries(1):
            self.client.get("/api/v1/places/")

    def test_organisation_has_its_bin(self):
        operator = self.project.operator
        data = self.client.get(f"/api/v1/organisations/{operator.slug}/").json()
        self.assertEqual(data["bin"], operator.bin)
        self.assertEqual(data["owner_countries"], ["CN"])

    def test_project_lists_operator_and_settlements(self):
        with self.assertNumQueries(3):
            data = self.client.get("/api/v1/projects/").json()
        row = data["results"][0]
        self.assertEqual(row["operator"], self.project.operator.slug)
        self.assertEqual(row["settlements"], [self.places["village"].kato_code])
        bad = self.client.get("/api/v1/projects/?sector=nope")
        self.assertEqual(bad.status_code, 400)


class HearingAPITests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.announced = HearingFactory(announced=True)
        cls.draft = HearingFactory()
        cls.recorded = HearingFactory(record_published=True)
        HearingPromiseFactory(hearing=cls.recorded)
        HearingDocumentFactory(hearing=cls.announced)

    def test_published_hearings_only(self):
        ids = {row["id"] for row in self.client.get("/api/v1/hearings/").json()["results"]}
        self.assertEqual(ids, {self.announced.pk, self.recorded.pk})
        self.assertEqual(self.client.get(f"/api/v1/hearings/{self.draft.pk}/").status_code, 404)

    def test_notice_deadlines_and_record(self):
        data = self.client.get(f"/api/v1/hearings/{self.recorded.pk}/").json()
        keys = [d["key"] for d in data["deadlines"]]
        self.assertEqual(keys, [d.key for d in clock.deadlines(self.recorded)])
        self.assertEqual(data["record"]["attendance"], 42)
        self.assertTrue(data["record"]["protocol"].startswith(settings.SITE_URL + "/media/"))
        self.assertEqual(len(data["record"]["promises"]), 1)
        self.assertEqual(data["venue"]["ru"], self.recorded.venue_ru)
        notice = self.client.get(f"/api/v1/hearings/{self.announced.pk}/").json()
        self.assertTrue(notice["documents"][0]["url"].startswith(settings.SITE_URL + "/media/"))

    def test_lists_read_with_the_row_hold_the_records_values(self):
        """The nested lists come with the page's rows as JSON (core.api.NestedRows): instants in
        the reader's time zone as DRF writes a model's, stored files as addresses, a linked
        document by id, a promise's organisation by slug, only published repeats, only
        approved comments, and each list in its order."""
        hearing = self.recorded
        document = HearingDocumentFactory(hearing=hearing)
        step = HearingChange.objects.create(
            hearing=hearing,
            action=HearingChange.Action.DOCUMENT_ADDED,
            at=hearing.announced_at + datetime.timedelta(days=1, microseconds=120),
            document=document,
            by_staff=True,
        )
        answered = HearingCommentFactory(hearing=hearing, answered=True)
        HearingCommentFactory(hearing=hearing)  # pending: not public
        repeat = HearingFactory(announced=True, repeat_of=hearing)
        HearingFactory(repeat_of=hearing)  # a draft repeat: not public
        for path in ("/api/v1/hearings/", f"/api/v1/hearings/{hearing.pk}/"):
            data = self.client.get(path).json()
            if "results" in data:
                data = next(row for row in data["results"] if row["id"] == hearing.pk)
            added = next(row for row in data["changes"] if row["action"] == "document_added")
            self.assertEqual(added["document"], document.pk)
            self.assertIs(added["by_staff"], True)
            self.assertEqual(added["at"], serializers.DateTimeField().to_representation(step.at))
            self.assertEqual(data["repeats"], [repeat.pk])
            [comment] = data["record"]["comments"]
            self.assertEqual(
                comment["answered_at"],
                serializers.DateTimeField().to_representation(answered.answered_at),
            )
            self.assertEqual(comment["answer"], answered.answer)
            [promise] = data["record"]["promises"]
            self.assertEqual(promise["organisation"], hearing.initiator.slug)
            self.assertEqual(
                [row["url"] for row in data["documents"]],
                [settings.SITE_URL + d.file.url for d in hearing.documents.order_by("pk")],
            )

    def test_a_planned_step_is_exposed_as_planned_and_due_never_met(self):
        """The notice says the materials go up in 20 days, well before they are due (30 days
        before the hearing): the API says planned and due, as the page does, and met stays
        null; every deadline's state and planned flag are the page's."""
        today = timezone.localdate()
        hearing = HearingFactory(
            announced=True,
            starts_at=timezone.now() + datetime.timedelta(days=90),
            materials_available_from=today + datetime.timedelta(days=20),
        )
        data = self.client.get(f"/api/v1/hearings/{hearing.pk}/").json()
        materials = next(d for d in data["deadlines"] if d["key"] == "materials")
        self.assertEqual(materials["done"], (today + datetime.timedelta(days=20)).isoformat())
        self.assertEqual(
            (materials["planned"], materials["state"], materials["met"]), (True, "due", None)
        )
        self.assertEqual(
            [(d["key"], d["planned"], d["state"], d["met"]) for d in data["deadlines"]],
            [(d.key, d.planned, d.state, d.met) for d in clock.deadlines(hearing)],
        )
        # A step already taken is not planned.
        recorded = self.client.get(f"/api/v1/hearings/{self.recorded.pk}/").json()
        self.assertFalse(any(d["planned"] for d in recorded["deadlines"]))

    def test_query_count_does_not_grow_with_rows(self):
        for _ in range(10):
            HearingDocumentFactory(hearing=HearingFactory(announced=True))
        # the page with its territory, documents, repeats, changes, promises and comments (read
        # with the rows, core.api.NestedRows), and for the legal clock once per page the rule
        # sets with their rules, the day transfers and the years whose transfer decree is
        # entered (one query, hearings.clock.rule_sets_and_calendar)
        with self.assertNumQueries(2):
            response = self.client.get("/api/v1/hearings/")
        self.assertEqual(len(response.json()["results"]), 12)

    def test_invalid_filter_is_400(self):
        response = self.client.get("/api/v1/hearings/?when=someday")
        self.assertEqual(response.status_code, 400)
        self.assertIn("when", response.json())


class UpdatedSinceBoundsTests(TestCase):
    def test_odd_offsets_and_years_are_a_clear_400_or_work(self):
        """`updated_since` takes any ISO 8601 offset (read in UTC); a year outside 1991-2100 is
        a 400 with the reason, never a 500 (schemathesis found `-22:42` made one)."""
        ok = self.client.get("/api/v1/projects/", {"updated_since": "2026-10-01T17:02:07-22:42"})
        self.assertEqual(ok.status_code, 200)
        bad = self.client.get("/api/v1/projects/", {"updated_since": "0249-10-01T17:02:07-22:42"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("updated_since", str(bad.json()))
