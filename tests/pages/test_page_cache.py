"""The page cache (core/caching.py, Django's per-view cache machinery): a resident's warm page is
the page a fresh render gives, with the same headers and body, served without rendering; what
differs per visitor (the recent-places cookie) is set on every response, and people with
something personal always get a fresh render."""

import gzip
import time
from unittest import mock

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.http import HttpResponse
from django.test import RequestFactory, TestCase
from django.urls import reverse

from core import caching
from core.db_router import STICKY_COOKIE
from portal.views import RECENT_PLACES_COOKIE
from tests.factories import DisclosureFactory, HearingFactory, ProjectFactory, place_tree


def body_of(response):
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content).decode()
    return response.content.decode()


def fixed_cookie_clock():
    """Django dates a cookie's `expires` from `time.time()` + its max-age when the response is
    made: with a clock that does not move, two responses made a second apart on a slow machine
    still give the same cookie, so what is compared is the cookie, not the machine's speed."""
    clock = mock.Mock(spec=["time"])
    clock.time.return_value = 1_800_000_000.0
    return mock.patch("django.http.response.time", clock)


class PageCacheCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.village = cls.places["village"]
        cls.disclosure = DisclosureFactory(published=True, settlements=[cls.village])
        cls.hearing = HearingFactory(announced=True, territory=[cls.village])

    def setUp(self):
        for each in caches.all():
            each.clear()

    def fill(self, url, client=None, **headers):
        """A first resident's request: rendered, and kept."""
        response = (client or self.client_class()).get(url, **headers)
        self.assertEqual(response.status_code, 200)
        return response

    def kept(self, url, client=None, **headers):
        """A request that must be answered from the page cache (nothing rendered)."""
        response = (client or self.client_class()).get(url, **headers)
        self.assertEqual(response.templates, [], f"{url} was rendered again")
        return response

    def rendered(self, url, client=None, **headers):
        response = (client or self.client_class()).get(url, **headers)
        self.assertNotEqual(response.templates, [], f"{url} was served from the page cache")
        return response


class SameAsAFreshRenderTests(PageCacheCase):
    def pages(self):
        return {
            "village": self.village.get_absolute_url(),
            "district": self.places["district"].get_absolute_url(),
            "home": reverse("home"),
            "contribution (resident forms)": self.disclosure.get_absolute_url(),
            "hearing": self.hearing.get_absolute_url(),
            "contributions": reverse("disclosures:list") + "?category=environment",
        }

    def test_a_kept_page_is_served_with_the_headers_cookies_and_body_of_a_fresh_render(self):
        for name, url in self.pages().items():
            for encoding in ("gzip, deflate, br", ""):
                with self.subTest(name, encoding=encoding), fixed_cookie_clock():
                    self.setUp()
                    whole = self.fill(url, HTTP_ACCEPT_ENCODING=encoding)
                    served = self.kept(url, HTTP_ACCEPT_ENCODING=encoding)
                    self.assertEqual(served.status_code, 200)
                    self.assertEqual(
                        {k: v for k, v in served.items() if k != "Date"},
                        {k: v for k, v in whole.items() if k != "Date"},
                    )
                    self.assertEqual(body_of(served), body_of(whole))
                    self.assertEqual(set(served.cookies), set(whole.cookies))
                    for cookie in whole.cookies:
                        attributes = {k: v for k, v in whole.cookies[cookie].items() if v}
                        self.assertEqual(
                            {k: v for k, v in served.cookies[cookie].items() if v}, attributes
                        )

    def test_feeds_and_calendars_are_kept_too(self):
        for url in (
            reverse("disclosures:feed"),
            reverse("hearings:place_calendar", args=[self.village.kato_code]),
        ):
            with self.subTest(url):
                whole = self.fill(url)
                with mock.patch("core.caching.learn_cache_key") as learnt:
                    served = self.client_class().get(url)
                learnt.assert_not_called()  # found, not kept again
                self.assertEqual(served.content, whole.content)

    def test_the_security_headers_are_there(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        served = self.kept(url)
        for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language"):
            self.assertIn(header, served)
        self.assertEqual(served["Cache-Control"], "private, max-age=0, must-revalidate")


class PerVisitorTests(PageCacheCase):
    def test_a_kept_page_sets_no_csrf_cookie(self):
        url = self.disclosure.get_absolute_url()
        self.fill(url)
        served = self.kept(url)
        self.assertNotIn(settings.CSRF_COOKIE_NAME, served.cookies)
        self.assertNotIn("csrfmiddlewaretoken", body_of(served))

    def test_a_village_page_served_from_the_cache_still_remembers_the_village(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        served = self.kept(url)
        self.assertEqual(served.cookies[RECENT_PLACES_COOKIE].value, self.village.kato_code)

    def test_a_returning_villager_is_served_the_kept_page(self):
        """The recent-places cookie a village page sets is sent back on every later request:
        only the pages that depend on it (home) are kept per cookie, every other page is the
        one kept for everyone."""
        client = self.client_class()
        client.cookies[RECENT_PLACES_COOKIE] = self.village.kato_code
        client.cookies[settings.CSRF_COOKIE_NAME] = "x" * 32
        for url in (self.village.get_absolute_url(), self.disclosure.get_absolute_url()):
            with self.subTest(url):
                self.fill(url)
                self.kept(url, client=client)

    def test_the_home_page_is_kept_per_recent_places(self):
        """The home page depends on the recent-places cookie: each set of places is its own page,
        and a visitor never gets the page kept for another set."""
        url = reverse("home")
        other = place_tree()["village"]
        self.fill(url)
        for places in (self.village, other):
            client = self.client_class()
            client.cookies[RECENT_PLACES_COOKIE] = places.kato_code
            first = self.rendered(url, client=client)
            client = self.client_class()
            client.cookies[RECENT_PLACES_COOKIE] = places.kato_code
            served = self.kept(url, client=client)
            self.assertEqual(body_of(served), body_of(first))
        nearby = self.client_class()
        nearby.cookies[RECENT_PLACES_COOKIE] = self.village.kato_code
        self.assertContains(self.kept(url, client=nearby), self.hearing.title)
        elsewhere = self.client_class()
        elsewhere.cookies[RECENT_PLACES_COOKIE] = other.kato_code
        self.assertNotContains(self.kept(url, client=elsewhere), self.hearing.title)

    def test_a_site_served_under_a_sub_path_is_kept_too(self):
        url = self.village.get_absolute_url()
        whole = self.fill(url, SCRIPT_NAME="/ashyq")
        served = self.kept(url, SCRIPT_NAME="/ashyq")
        self.assertEqual(body_of(served), body_of(whole))

    def test_a_repeat_visit_gets_304_from_the_cache(self):
        url = self.village.get_absolute_url()
        etag = self.fill(url)["ETag"]
        served = self.kept(url, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(served.status_code, 304)
        self.assertEqual(served["ETag"], etag)
        self.assertEqual(served["Cache-Control"], "private, max-age=0, must-revalidate")


class FreshRenderTests(PageCacheCase):
    def test_people_with_something_personal_are_never_served_a_kept_page(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        for cookie in (settings.SESSION_COOKIE_NAME, "messages", STICKY_COOKIE):
            with self.subTest(cookie):
                client = self.client_class()
                client.cookies[cookie] = "x"
                self.rendered(url, client=client)

    def test_an_unknown_host_is_refused_even_when_the_page_is_kept(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        response = self.client_class().get(url, HTTP_HOST="evil.example")
        self.assertEqual(response.status_code, 400)

    def test_a_change_is_served_on_the_next_request(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        DisclosureFactory(published=True, settlements=[self.village], title_en="New school roof")
        self.assertContains(self.rendered(url), "New school roof")
        self.assertContains(self.kept(url), "New school roof")

    def test_a_kept_page_asks_the_database_nothing_and_keeps_nothing_more(self):
        """The scopes of a place, project or organisation page (found from its address) are kept
        beside it: a hit reads them and their versions from the caches, not the database, and
        writes nothing to the cache."""
        project = ProjectFactory(operator=self.disclosure.organisation)
        for url in (
            self.village.get_absolute_url(),
            reverse("hearings:place_calendar", args=[self.village.kato_code]),
            project.get_absolute_url(),
            self.disclosure.organisation.get_absolute_url(),
        ):
            with self.subTest(url):
                self.fill(url)
                with (
                    self.assertNumQueries(0),
                    mock.patch.object(caches["pages"], "set") as kept_again,
                ):
                    self.kept(url)
                kept_again.assert_not_called()

    def bump_elsewhere(self, scope):
        """What another server process's bump is to this one: a newer version in the `shared`
        cache, which this process's copy does not know yet."""
        caches["shared"].set(caching._key(scope), time.time_ns(), None)

    def test_a_page_gone_stale_reads_its_versions_once(self):
        """A kept page whose scope moved in another process is rendered again, once this
        process's copy of the versions has expired, under the versions read to find it stale
        (read before the render: never newer than what it shows), not read a second time, and
        kept under them."""
        url = self.village.get_absolute_url()
        self.fill(url)
        self.bump_elsewhere(f"place:{self.village.kato_code}")
        caches["versions"].clear()  # the copy has expired
        shared = caches["shared"]
        with mock.patch.object(shared, "get_many", wraps=shared.get_many) as reads:
            self.rendered(url)
        self.assertEqual(reads.call_count, 1)
        self.kept(url)

    def test_a_hit_asks_the_shared_cache_nothing_while_the_copy_is_fresh(self):
        """Within VERSIONS_SECONDS of reading them, a process serves kept pages on its copy of
        the versions, with no round trip to the `shared` cache (Redis with several servers):
        another process's bump is served here up to that long late, and no longer."""
        url = self.village.get_absolute_url()
        self.fill(url)
        shared = caches["shared"]
        with mock.patch.object(shared, "get_many") as reads:
            self.kept(url)
        reads.assert_not_called()
        self.bump_elsewhere(f"place:{self.village.kato_code}")
        self.kept(url)
        later = time.time() + caching.VERSIONS_SECONDS + 0.01
        with mock.patch.object(locmem.time, "time", return_value=later):
            self.rendered(url)

    def test_a_bump_in_this_process_is_served_at_once(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        caching.bump([f"place:{self.village.kato_code}"])
        self.rendered(url)
        self.kept(url)

    def test_an_address_given_to_another_project_shows_that_project(self):
        """A project page's scopes are kept for its address until one of them moves: renaming
        the project (its address goes to another) bumps its scope, so the address is asked
        again and the page is kept under the new project's scope."""
        first = ProjectFactory(slug="mine", name_en="Old mine")
        url = first.get_absolute_url()
        self.assertContains(self.fill(url), "Old mine")
        with self.captureOnCommitCallbacks(execute=True):
            first.slug = "old-mine"
            first.save()
            second = ProjectFactory(slug="mine", name_en="New mine")
        self.assertContains(self.rendered(url), "New mine")
        self.kept(url)
        caching.bump([f"project:{second.pk}"])
        self.rendered(url)

    def test_a_moved_place_s_page_follows_the_areas_it_lies_in_now(self):
        """A place's scopes change only when it moves, which makes everything stale: its page is
        then kept under the scopes of where it lies now, so that news about its new district
        (a district's hearing) reaches it."""
        url = self.village.get_absolute_url()
        self.fill(url)
        other_district = place_tree()["district"]
        with self.captureOnCommitCallbacks(execute=True):
            self.village.parent = other_district
            self.village.save()
        self.rendered(url)
        self.kept(url)
        caching.bump([f"area:{other_district.kato_code}"])
        self.rendered(url)

    def test_an_unknown_place_is_not_found_each_time(self):
        url = reverse("portal:place_detail", kwargs={"slug": "nowhere-999999999"})
        for _ in range(2):
            self.assertEqual(self.client_class().get(url).status_code, 404)

    def test_a_kept_page_is_served_before_the_rest_of_the_middleware(self):
        """A hit runs neither the view nor the middleware below PageCacheMiddleware (CSRF,
        authentication, messages, X-Frame-Options, CSP, django-axes): their headers were kept
        with the page."""
        url = self.village.get_absolute_url()
        self.fill(url)
        with (
            mock.patch("csp.middleware.CSPMiddleware.process_response") as csp,
            mock.patch("django.middleware.csrf.CsrfViewMiddleware.process_view") as csrf,
        ):
            served = self.kept(url)
        csp.assert_not_called()
        csrf.assert_not_called()
        self.assertIn("Content-Security-Policy", served)

    def test_a_get_with_a_body_passes_the_whole_middleware(self):
        """The body-size limit is checked below the page cache: a GET that sends a body too
        large is refused, kept page or not."""
        url = self.village.get_absolute_url()
        self.fill(url)
        too_large = b"x" * (settings.REQUEST_BODY_MAX_BYTES + 1)
        response = self.client_class().generic("GET", url, too_large)
        self.assertEqual(response.status_code, 413)

    def test_head_is_answered_from_the_kept_page(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        head = self.client_class().head(url)
        self.assertEqual(head.status_code, 200)
        self.assertEqual(head.templates, [])


def tiny_view(body, status=200, cookie=None):
    calls = []

    @caching.public_page
    def view(request):
        calls.append(1)
        response = HttpResponse(body, status=status)
        if cookie:
            response.set_cookie(cookie, "1")
        return response

    return view, calls


class WhatIsKeptTests(TestCase):
    def setUp(self):
        caches["pages"].clear()

    def twice(self, view, **headers):
        served = caching.PageCacheMiddleware(view)
        for _ in range(2):
            served(RequestFactory().get("/kk/tiny/", **headers))

    def test_a_complete_page_is_kept(self):
        view, calls = tiny_view(b"<p>same for everyone</p>")
        self.twice(view)
        self.assertEqual(len(calls), 1)

    def test_a_page_with_a_csrf_token_is_not_kept(self):
        """A token is one visitor's: such a page is rendered for each."""
        view, calls = tiny_view(b'<input name="csrfmiddlewaretoken" value="abc">')
        self.twice(view)
        self.assertEqual(len(calls), 2)

    def test_a_compressed_page_with_a_csrf_token_is_not_kept(self):
        """... looked for in the page, not in its gzip stream."""
        page = b'<p>%s</p><input name="csrfmiddlewaretoken" value="abc">' % (b"text " * 100)
        view, calls = tiny_view(page)
        self.twice(view, HTTP_ACCEPT_ENCODING="gzip")
        self.assertEqual(len(calls), 2)

    def test_a_page_that_sets_a_cookie_is_not_kept(self):
        view, calls = tiny_view(b"<p>x</p>", cookie="tracking")
        self.twice(view)
        self.assertEqual(len(calls), 2)

    def test_only_a_complete_page_is_kept(self):
        view, calls = tiny_view(b"gone", status=404)
        self.twice(view)
        self.assertEqual(len(calls), 2)
