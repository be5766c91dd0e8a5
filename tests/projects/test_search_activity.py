"""The place search says which places have something, and ranks those first."""

from datetime import timedelta

from django.core.cache import caches
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from hearings.models import ConcernedPlace, Hearing
from tests.factories import CompanyFactory, DisclosureFactory, HearingFactory, PlaceFactory


class SearchActivityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = PlaceFactory(region=True, name_en="Steppe Region", name_ru="Степная")
        cls.district = PlaceFactory(district=True, parent=cls.region, name_en="Dala District")
        # Four places called Nura: the busy ones must lead whatever their code order.
        cls.quiet = PlaceFactory(parent=cls.district, name_en="Nura", name_kk="Нұра")
        cls.busy = PlaceFactory(parent=cls.district, name_en="Nura", name_kk="Нұра")
        cls.heard = PlaceFactory(parent=cls.district, name_en="Nura", name_kk="Нұра")
        cls.withdrawn = PlaceFactory(parent=cls.district, name_en="Nura", name_kk="Нұра")
        company = CompanyFactory()
        for _ in range(3):
            DisclosureFactory(published=True, organisation=company, settlements=[cls.busy])
        DisclosureFactory(organisation=company, settlements=[cls.quiet])  # a draft
        DisclosureFactory(
            published=True, withdrawn=True, organisation=company, settlements=[cls.withdrawn]
        )
        HearingFactory(announced=True, territory=[cls.heard])
        HearingFactory(past=True, territory=[cls.heard])
        HearingFactory(territory=[cls.quiet])  # a draft hearing is nobody's business yet

    def setUp(self):
        self.enterContext(translation.override("en"))
        for each in caches.all():
            each.clear()

    def search(self, query):
        return self.client.get(reverse("portal:place_search"), {"q": query})

    def test_places_with_contributions_or_hearings_come_first_with_their_counts(self):
        """Busy and heard-of Nuras lead; each result says what it has, or nothing yet."""
        response = self.search("Нұра")
        places = list(response.context["page"].object_list)
        self.assertEqual(places[:2], [self.busy, self.heard])
        self.assertEqual({places[2], places[3]}, {self.quiet, self.withdrawn})
        self.assertEqual(places[0].contribution_count, 3)
        self.assertEqual((places[1].upcoming_hearings, places[1].past_hearings), (1, 1))
        self.assertEqual(places[2].contribution_count, 0)
        self.assertContains(response, "3 contributions")
        self.assertContains(response, "1 upcoming hearing")
        self.assertContains(response, "1 past hearing")
        self.assertContains(response, "Nothing recorded yet", count=2)
        self.assertContains(response, "Dala District")

    def test_a_district_counts_what_is_under_it(self):
        """An administrative unit counts the contributions of its villages, each once."""
        DisclosureFactory(published=True, settlements=[self.busy, self.heard])
        place = self.search("Dala District").context["page"].object_list[0]
        self.assertEqual(place, self.district)
        self.assertEqual(place.contribution_count, 4)
        self.assertEqual((place.upcoming_hearings, place.past_hearings), (1, 1))

    def test_a_village_shows_its_districts_hearing(self):
        """A hearing for the whole district concerns each of its villages."""
        HearingFactory(announced=True, territory=[self.district])
        response = self.search("Нұра")
        places = response.context["page"].object_list
        quiet = next(place for place in places if place == self.quiet)
        self.assertEqual(quiet.upcoming_hearings, 1)
        self.assertNotContains(response, "Nothing recorded yet")

    def test_same_queries_whatever_the_number_of_matches(self):
        """Counts are fetched for the page's results in a constant number of queries, and every
        match is ranked by its own hearings in the query that finds it: neither reads the
        territories of every hearing."""

        def count():
            for each in caches.all():
                each.clear()
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.search("Nura").status_code, 200)
            self.assertNotIn("hearings_hearing_territory", str(queries.captured_queries))
            return len(queries)

        few = count()

        def add(first, last):
            for n in range(first, last):
                village = PlaceFactory(parent=self.district, name_en=f"Nura {n}")
                DisclosureFactory(published=True, settlements=[village])
                HearingFactory(announced=True, territory=[village])

        add(0, 30)
        self.assertEqual(count(), few)
        add(30, 60)
        self.assertEqual(count(), few)

    def test_a_long_query_that_matches_asks_nothing_more(self):
        """A query of five letters or more may forgive a typo when nothing matches; when
        something does, it costs what a shorter one does (no question before the matches)."""

        def count(query):
            for each in caches.all():
                each.clear()
            with CaptureQueriesContext(connection) as queries:
                self.assertContains(self.search(query), "Steppe Region")
            return len(queries)

        self.assertEqual(count("Steppe"), count("Step"))

    def test_more_than_a_page_of_matches_ranks_the_heard_of_first(self):
        """With more matches than a page, a place a published hearing concerns (its own, or
        its district's) still leads, and one with only a draft hearing does not."""
        quiet = [PlaceFactory(parent=self.district, name_en=f"Nura {n}") for n in range(30)]
        other = PlaceFactory(district=True, parent=self.region, name_en="Other District")
        late = PlaceFactory(parent=other, name_en="Nura last", kato_code="999999999")
        HearingFactory(held=True, territory=[other])
        HearingFactory(territory=[quiet[-1]])  # a draft
        page = self.search("Nura").context["page"]
        self.assertEqual(page.paginator.count, 35)
        self.assertEqual(set(page.object_list[:3]), {self.busy, self.heard, late})
        self.assertNotIn(quiet[-1], page.object_list)

    def test_a_cancelled_hearing_still_to_come_ranks_its_place_first(self):
        """A place whose only hearing was cancelled before it took place still has something
        to show (its page lists the cancelled hearing), as when ranked from every territory."""
        cancelled = PlaceFactory(parent=self.district, name_en="Nura", name_kk="Нұра")
        HearingFactory(cancelled=True, territory=[cancelled])
        places = list(self.search("Нұра").context["page"].object_list)
        self.assertEqual(set(places[:3]), {self.busy, self.heard, cancelled})

    def test_hearing_counts_read_a_hearings_status_only_for_one_still_to_come(self):
        """A hearing whose date has passed is past whatever its status (the rows' copy of the
        date says so); one still to come is upcoming when announced, past when already held,
        neither when cancelled; the counts join no hearing row to every place's rows (at
        country scale that read the whole hearings table into a hash)."""
        place = PlaceFactory(parent=self.district, name_en="Nura", name_kk="Нұра")
        HearingFactory(announced=True, territory=[place])
        HearingFactory(held=True, territory=[place])
        HearingFactory(cancelled=True, territory=[place])
        early = HearingFactory(held=True, territory=[place])
        Hearing.objects.filter(pk=early.pk).update(starts_at=timezone.now() + timedelta(days=3))
        ConcernedPlace.objects.filter(hearing=early).update(starts_at=early.starts_at)
        with CaptureQueriesContext(connection) as queries:
            counts = Hearing.objects.counts_concerning([place.pk, self.quiet.pk])
        self.assertEqual(counts, {place.pk: (1, 2)})
        self.assertNotIn('JOIN "hearings_hearing"', queries.captured_queries[0]["sql"])

    def test_nothing_found_gives_hints(self):
        response = self.search("Zzyzxq")
        self.assertContains(response, "No place matches")
        self.assertContains(response, "KATO code")
