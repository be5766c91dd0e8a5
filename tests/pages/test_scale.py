"""Page cost does not grow with the data: the same SQL queries on a small and a 10× larger
dataset, bounded lists, and a whole-page cache that serves residents without rendering."""

import gzip
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import caching
from disclosures.models import Disclosure
from portal.views import CONTRIBUTIONS_SHOWN, PROJECTS_SHOWN
from projects.models import Project
from projects.services import save_project
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    ConfirmationFactory,
    DisclosureFactory,
    HearingCommentFactory,
    HearingFactory,
    MembershipFactory,
    PhotoFactory,
    PlaceFactory,
    ProjectFactory,
    QuestionFactory,
    ResidentFeedbackFactory,
    administered_by,
    place_tree,
)


class QueriesIndependentOfDataSizeTests(TestCase):
    """Each public page runs the same number of queries with 1× and 10× the data."""

    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.company = CompanyFactory()
        cls.akimat = AkimatFactory(place=cls.places["district"])
        cls.project = ProjectFactory(operator=cls.company, primary_settlement=cls.places["village"])
        cls.editor = MembershipFactory(organisation=cls.company).user

    def grow(self, times):
        """`times` more of everything a page shows, on the same village, company and project."""
        village, neighbour = self.places["village"], self.places["neighbour"]
        for n in range(times):
            extra = PlaceFactory(parent=self.places["rural"])
            disclosure = DisclosureFactory(
                published=True,
                organisation=self.company,
                project=self.project,
                settlements=[village, extra],
                category=["education", "water", "roads"][n % 3],
            )
            DisclosureFactory(
                published=True, overdue=True, organisation=self.company, settlements=[neighbour]
            )
            # Withdrawn ones stay listed, and a payment spent by the akimat is counted once.
            DisclosureFactory(
                withdrawn=True,
                organisation=self.company,
                project=self.project,
                settlements=[village],
            )
            DisclosureFactory(
                published=True,
                organisation=self.akimat,
                funded_by=disclosure,
                settlements=[village],
            )
            ConfirmationFactory(disclosure=disclosure, akimat=self.akimat)
            ResidentFeedbackFactory(disclosure=disclosure, moderation_status="approved")
            QuestionFactory(disclosure=disclosure, moderation_status="approved")
            PhotoFactory(disclosure=disclosure)
            hearing = HearingFactory(
                announced=True,
                organiser=self.akimat,
                initiator=self.company,
                project=self.project,
                territory=[village],
            )
            HearingFactory(past=True, organiser=self.akimat, territory=[extra])
            HearingCommentFactory(hearing=hearing, moderation_status="approved")
            ProjectFactory(operator=self.company, primary_settlement=extra)
            # The project's history names more companies and villages at each step.
            save_project(
                acting_user=self.editor,
                project=Project.objects.get(pk=self.project.pk),
                settlements=[*self.project.settlements.all(), extra],
                investors=[*self.project.investors.all(), administered_by(self.editor)],
                reason=f"Step {n}.",
            )

    def urls(self):
        village = self.places["village"]
        disclosure = Disclosure.objects.in_force().for_place(village).order_by("pk").first()
        hearing = self.project.hearings.order_by("pk").first()
        return [
            "/en/",
            village.get_absolute_url(),
            village.get_absolute_url() + "?view=timeline",
            self.places["district"].get_absolute_url(),
            self.places["region"].get_absolute_url(),
            self.company.get_absolute_url(),
            self.akimat.get_absolute_url(),
            self.project.get_absolute_url(),
            reverse("projects:project_changes", args=[self.project.slug]),
            reverse("disclosures:list"),
            reverse("disclosures:list") + f"?place={village.kato_code}&category=education",
            disclosure.get_absolute_url(),
            reverse("disclosures:changes", args=[disclosure.pk]),
            reverse("disclosures:feed") + f"?place={village.kato_code}",
            reverse("hearings:list"),
            hearing.get_absolute_url(),
            reverse("hearings:place_feed", args=[village.kato_code]),
            reverse("hearings:place_calendar", args=[village.kato_code]),
            reverse("portal:place_search") + "?q=" + village.name_en[:4],
        ]

    def count(self, url):
        for each in caches.all():  # the cold path: nothing rendered or computed yet
            each.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client_class().get(url)  # a new visitor: no cookies
        self.assertEqual(response.status_code, 200, url)
        return len(queries)

    # What an uncached page of each kind the benchmark measures costs in queries (see
    # docs/performance.md): cards, figures and lists read in a fixed number, none per row.
    QUERIES = {
        # A place page reads its place and its ancestors with its scopes, in one query
        # (`Place.objects.line`); an area its newest contributions from its own rows
        # (ListedPlace), its villages' figures (one range of the figures' paths), then the
        # names of the page's villages only (grouping by the joined names cost twice the SQL),
        # with the places directly under it in the same query, and its first projects by name
        # with their count in one pass, then their cards (portal.views._place_projects).
        "village": 7,
        "district": 10,
        "region": 10,  # none above a region: its ancestors asked no query before either
        "contribution": 12,
        # A hearing's comments in one query, in any state (hearings.views); its territory's
        # places with their ancestors in one, from the paths on its row, which carries its
        # change log (Hearing.change_log) and what its legal clock reads too (the rule sets,
        # rules and calendar: hearings.clock.prepare_read; one query of its own on the API).
        "hearing": 3,
        # A list filtered by place reads the place's own rows (ListedPlace), as the API does.
        "filtered list": 4,
        "list page": 3,  # its region and district options in one query (projects.filters)
        "hearings list page": 2,
        # Each match ranked by its own hearings as it is found, the page's places read with
        # their ancestors (portal.views).
        "search": 4,
        # A filtered API page reads its keys, then its rows by key: one query more, and none of
        # the joins in the filter's plan (core/api.py, PublicReadViewSet.paginate_queryset);
        # the rows' nested lists come with them (core.api.NestedRows); a place's records are
        # its own rows (ListedPlace), not those of its subtree's ids, read first.
        "API list": 3,
        "API hearings list": 4,
    }

    def test_each_page_kind_runs_a_known_number_of_queries(self):
        self.grow(3)
        village = self.places["village"]
        disclosure = Disclosure.objects.in_force().for_place(village).order_by("pk").first()
        pages = {
            "village": village.get_absolute_url(),
            "district": self.places["district"].get_absolute_url(),
            "region": self.places["region"].get_absolute_url(),
            "contribution": disclosure.get_absolute_url(),
            "hearing": self.project.hearings.order_by("pk").first().get_absolute_url(),
            "filtered list": reverse("disclosures:list")
            + f"?place={village.kato_code}&category=education",
            "list page": reverse("disclosures:list") + "?page=2",
            "hearings list page": reverse("hearings:list") + "?page=2",
            "search": reverse("portal:place_search") + "?q=" + village.name_en[:4],
            "API list": f"/api/v1/disclosures/?place={village.kato_code}",
            "API hearings list": f"/api/v1/hearings/?place={village.kato_code}",
        }
        counted = {kind: self.count(url) for kind, url in pages.items()}
        self.maxDiff = None
        self.assertEqual(counted, self.QUERIES)

    def test_a_record_nobody_wrote_about_yet_asks_for_no_empty_list(self):
        """Most contributions and hearings have no photos, documents, akimat's word, residents'
        word, questions or money trail: the record's own row says so, and no list is asked for
        (the page of one with all of them, above, runs 12 and 3)."""
        village = self.places["village"]
        disclosure = DisclosureFactory(
            published=True, organisation=self.company, settlements=[village]
        )
        hearing = HearingFactory(
            announced=True, organiser=self.akimat, initiator=self.company, territory=[village]
        )
        counted = {
            "contribution": self.count(disclosure.get_absolute_url()),
            "hearing": self.count(hearing.get_absolute_url()),
        }
        self.assertEqual(counted, {"contribution": 4, "hearing": 2})

    def test_same_queries_on_ten_times_the_data(self):
        self.grow(2)
        small = {url: self.count(url) for url in self.urls()}
        self.grow(18)
        large = {url: self.count(url) for url in self.urls()}
        self.maxDiff = None
        self.assertEqual(small, large)


class BoundedListsTests(TestCase):
    def test_village_page_shows_a_bounded_number_of_contributions(self):
        """A village with more contributions than a page shows links to all of them."""
        village = place_tree()["village"]
        company = CompanyFactory()
        for _ in range(CONTRIBUTIONS_SHOWN + 3):
            DisclosureFactory(published=True, organisation=company, settlements=[village])
        response = self.client.get(village.get_absolute_url())
        self.assertEqual(len(response.context["contributions"]), CONTRIBUTIONS_SHOWN)
        self.assertContains(response, f"All {CONTRIBUTIONS_SHOWN + 3} contributions")

    def test_district_page_shows_the_first_projects_by_name_and_how_many_there_are(self):
        places = place_tree()
        company = CompanyFactory()
        for n in reversed(range(PROJECTS_SHOWN + 3)):
            village = places["village"] if n % 2 else places["neighbour"]
            ProjectFactory(operator=company, primary_settlement=village, name_en=f"Mine {n:02}")
        ProjectFactory(operator=company, primary_settlement=places["elsewhere"])
        response = self.client.get(places["district"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
        names = [project.name for project in response.context["projects"]]
        self.assertEqual(names, [f"Mine {n:02}" for n in range(PROJECTS_SHOWN)])
        self.assertContains(response, f"Showing {PROJECTS_SHOWN} of {PROJECTS_SHOWN + 3}.")

    def test_village_page_shows_the_first_projects_by_name_and_how_many_there_are(self):
        """A village's projects are read at once, one more than shown, and counted only when
        there are more (portal.views._place_projects)."""
        places = place_tree()
        company = CompanyFactory()
        for n in reversed(range(PROJECTS_SHOWN + 3)):
            ProjectFactory(
                operator=company, primary_settlement=places["village"], name_en=f"Mine {n:02}"
            )
        ProjectFactory(operator=company, primary_settlement=places["neighbour"])
        response = self.client.get(places["village"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
        names = [project.name for project in response.context["projects"]]
        self.assertEqual(names, [f"Mine {n:02}" for n in range(PROJECTS_SHOWN)])
        self.assertContains(response, f"Showing {PROJECTS_SHOWN} of {PROJECTS_SHOWN + 3}.")
        response = self.client.get(
            places["neighbour"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertEqual(len(response.context["projects"]), 1)
        self.assertEqual(response.context["projects_total"], 1)
        self.assertNotContains(response, "Showing ")

    def test_district_villages_table_is_paginated_busiest_first(self):
        places = place_tree()
        company = CompanyFactory()
        villages = [PlaceFactory(parent=places["rural"]) for _ in range(52)]
        for village in villages:
            DisclosureFactory(published=True, organisation=company, settlements=[village])
        busiest = villages[7]
        DisclosureFactory(published=True, organisation=company, settlements=[busiest])
        first = self.client.get(places["district"].get_absolute_url())
        self.assertEqual(len(first.context["villages"]), 50)
        self.assertEqual(first.context["villages"][0].pk, busiest.pk)
        second = self.client.get(places["district"].get_absolute_url(), {"page": 2})
        self.assertEqual(len(second.context["villages"]), 2)


class WholePageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.disclosure = DisclosureFactory(published=True, settlements=[cls.places["village"]])

    def setUp(self):
        for each in caches.all():
            each.clear()

    def test_a_second_resident_is_served_without_rendering(self):
        """After one render, another resident's request costs no query: the scopes the page
        depends on (the village and the areas it lies in) are kept beside it."""
        url = self.places["village"].get_absolute_url()
        self.client.get(url)
        other = self.client_class()
        with CaptureQueriesContext(connection) as queries:
            response = other.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(queries), 0)
        self.assertContains(response, self.disclosure.title)

    def test_a_warm_contribution_page_costs_no_query(self):
        url = self.disclosure.get_absolute_url()
        self.client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = self.client_class().get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(queries), 0)

    def test_the_contribution_page_carries_no_token_and_its_forms_are_accepted(self):
        """The cached page is the same bytes for everyone: its resident forms are same-origin
        forms (core/crossorigin.py), accepted without a CSRF token from the same site and
        refused from another."""
        url = self.disclosure.get_absolute_url()
        self.client_class().get(url)  # someone else filled the cache
        resident = self.client_class(enforce_csrf_checks=True)
        page = resident.get(url).content.decode()
        self.assertNotIn("csrfmiddlewaretoken", page)
        self.assertIn(reverse("disclosures:feedback", args=[self.disclosure.pk]), page)
        for name, data in (
            ("disclosures:feedback", {"kind": "seen", "comment": "I saw the new roof."}),
            ("disclosures:question", {"text": "When will the roof be done?"}),
        ):
            address = reverse(name, args=[self.disclosure.pk])
            same = resident.post(address, data, HTTP_SEC_FETCH_SITE="same-origin")
            self.assertEqual(same.status_code, 302, name)
            other = resident.post(address, data, HTTP_SEC_FETCH_SITE="cross-site")
            self.assertEqual(other.status_code, 403, name)

    def test_browsers_get_the_cached_page_compressed(self):
        """A browser sending Accept-Encoding gets a gzip body (compressed once, when the page is
        kept) that decodes to the same page, a distinct ETag, and `Vary: Accept-Encoding`."""
        url = self.disclosure.get_absolute_url()
        plain = self.client_class().get(url)
        first = self.client_class().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        with mock.patch("django.middleware.gzip.compress_string") as compress:
            second = self.client_class().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        compress.assert_not_called()
        for response in (first, second):
            self.assertEqual(response["Content-Encoding"], "gzip")
            self.assertIn("Accept-Encoding", response["Vary"])
            self.assertEqual(int(response["Content-Length"]), len(response.content))
            self.assertNotEqual(response["ETag"], plain["ETag"])
        page = gzip.decompress(second.content).decode()
        self.assertLess(len(second.content), len(page) / 2)
        self.assertEqual(page, plain.content.decode(), "the same page")
        self.assertNotIn("csrftoken", second.cookies)

    def test_an_edit_shows_on_the_next_request(self):
        url = self.places["village"].get_absolute_url()
        self.client.get(url)
        DisclosureFactory(published=True, settlements=[self.places["village"]], title_en="New well")
        self.assertContains(self.client.get(url), "New well")

    def test_a_change_through_another_process_shows_at_once(self):
        """Versions live in the shared cache: a bump made by another server is read by the next
        request, without any time to live."""
        url = self.disclosure.get_absolute_url()
        self.client.get(url)
        type(self.disclosure).objects.filter(pk=self.disclosure.pk).update(title_en="Retitled")
        self.assertNotContains(self.client_class().get(url), "Retitled")  # no signal: cached
        caching.bump([f"disclosure:{self.disclosure.pk}"])  # as another server would
        self.assertContains(self.client_class().get(url), "Retitled")

    def test_signed_in_people_get_a_fresh_page(self):
        """A company member sees their own state, never a page rendered for someone else."""
        url = self.disclosure.get_absolute_url()
        self.client_class().get(url)
        member = MembershipFactory(organisation=self.disclosure.organisation).user
        self.client.force_login(member)
        response = self.client.get(url)
        self.assertTrue(response.context["can_edit"])
        self.assertIn("private", response["Cache-Control"])


class ComputedOnceTests(TestCase):
    def test_a_figure_is_computed_where_the_page_reads(self):
        """No transaction (which would send the page's reads to the primary while its lists
        come from the replica) and no lock around a figure: it is read like the lists."""
        seen, outside = [], len(connection.atomic_blocks)  # the test's own transaction

        def compute():
            seen.append(len(connection.atomic_blocks))
            return {"total": 3}

        with CaptureQueriesContext(connection) as queries:
            caching.cached("test-figure", compute, ["place:778"])
        self.assertEqual(seen, [outside])
        self.assertFalse([q for q in queries.captured_queries if "advisory" in q["sql"]])

    def test_a_figure_is_computed_again_only_when_its_scope_moves(self):
        caching.cached("fig", lambda: {"total": 1}, ["place:1"])
        self.assertEqual(caching.cached("fig", lambda: {"total": 2}, ["place:1"]), {"total": 1})
        caching.bump(["place:2"])
        self.assertEqual(caching.cached("fig", lambda: {"total": 2}, ["place:1"]), {"total": 1})
        caching.bump(["place:1"])
        self.assertEqual(caching.cached("fig", lambda: {"total": 2}, ["place:1"]), {"total": 2})


@pytest.mark.real_clock
def test_the_page_key_hour_follows_the_clock():
    """The hour in page keys is the local hour: "days left" and "overdue" follow the clock."""

    def now():
        return timezone.localtime().strftime("%Y-%m-%d %H")

    before, label, after = now(), caching.local_hour(), now()
    assert label in {before, after}
