"""Public pages answer a repeat visit with 304, and any public edit makes them fresh again."""

from django.test import TestCase
from django.utils import translation

from core import caching
from tests.factories import MembershipFactory, ProjectFactory, place_tree


class HttpCachingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.project = ProjectFactory(primary_settlement=cls.places["village"])

    def setUp(self):
        translation.activate("en")

    def urls(self):
        return [
            "/en/",
            self.places["village"].get_absolute_url(),
            self.places["district"].get_absolute_url(),
            self.project.get_absolute_url(),
            self.project.operator.get_absolute_url(),
            "/en/projects/",
        ]

    def test_repeat_visit_costs_a_304(self):
        """The second request with the ETag gets 304 and no body."""
        for url in self.urls():
            with self.subTest(url=url):
                self.client.get(url)  # the first visit may set the CSRF cookie (forms)
                first = self.client.get(url)
                self.assertEqual(first.status_code, 200)
                self.assertIn("ETag", first)
                self.assertIn("Last-Modified", first)
                self.assertIn("must-revalidate", first["Cache-Control"])
                self.assertIn("private", first["Cache-Control"])
                again = self.client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
                self.assertEqual(again.status_code, 304)
                self.assertEqual(again.content, b"")

    def test_an_edit_makes_the_page_fresh(self):
        """After a project is renamed, the old ETag no longer matches and the new name shows."""
        url = self.places["village"].get_absolute_url()
        first = self.client.get(url)
        self.project.name_en = "Renamed wind farm"
        self.project.save()
        again = self.client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "Renamed wind farm")

    def test_save_and_delete_bump_the_scopes_they_touch(self):
        """A project's save bumps its own scope and the site-wide one; a deletion too."""
        scopes = [caching.SITE, f"project:{self.project.pk}"]
        before = caching.versions(scopes)
        self.project.save()
        middle = caching.versions(scopes)
        self.assertTrue(all(middle[scope] > before[scope] for scope in scopes))
        ProjectFactory().delete()
        self.assertGreater(caching.versions(scopes)[caching.SITE], middle[caching.SITE])

    def test_etag_differs_per_language_and_per_signed_in_visitor(self):
        """Residents without a session get the same page, so the same tag; another language or
        a signed-in person's page (with their name, their sign-out form) gets another."""
        url_en = self.places["village"].get_absolute_url()
        with translation.override("ru"):
            url_ru = self.places["village"].get_absolute_url()
        self.assertNotEqual(self.client.get(url_en)["ETag"], self.client.get(url_ru)["ETag"])
        anonymous = self.client.get(url_en)["ETag"]
        another = self.client_class()
        another.cookies["csrftoken"] = "another-visitor"
        self.assertEqual(another.get(url_en)["ETag"], anonymous)
        self.client.force_login(MembershipFactory().user)
        self.assertNotEqual(self.client.get(url_en)["ETag"], anonymous)


class RecentPlacesTests(TestCase):
    def test_home_page_remembers_places_looked_at(self):
        """Without an account, the home page lists the places this browser opened last."""
        places = place_tree()
        self.client.get(places["village"].get_absolute_url())
        self.client.get(places["neighbour"].get_absolute_url())
        response = self.client.get("/en/")
        self.assertContains(response, "Places you looked at")
        self.assertContains(response, places["village"].name_en)
        self.assertContains(response, places["neighbour"].name_en)

    def test_the_same_village_again_sets_no_cookie(self):
        village = place_tree()["village"]
        first = self.client.get(village.get_absolute_url())
        self.assertIn("recent_places", first.cookies)
        again = self.client.get(village.get_absolute_url())
        self.assertNotIn("recent_places", again.cookies)
        self.assertEqual(self.client.cookies["recent_places"].value, village.kato_code)

    def test_forged_cookie_is_ignored(self):
        self.client.cookies["recent_places"] = "'; drop table--.123"
        response = self.client.get("/en/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Places you looked at")
