"""The page cache middleware: a resident's warm page is served before the rest of the middleware
and the URL resolver, with the headers and body the whole stack gives, and what differs per
visitor (ETag, CSRF token and cookie, the recent-places cookie) put back."""

import gzip
import re
from unittest import mock

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.base import BaseHandler
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse

from core import caching
from core.db_router import STICKY_COOKIE
from portal.views import RECENT_PLACES_COOKIE
from tests.factories import DisclosureFactory, HearingFactory, place_tree

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
SECRET = "a" * 32


def body_of(response):
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content).decode()
    return response.content.decode()


def without_tokens(text):
    return TOKEN.sub("", text)


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
        caching._page_cookies.clear()

    def fill(self, url, **headers):
        """A first resident's request: rendered by the whole stack, and kept."""
        response = self.client_class().get(url, **headers)
        self.assertEqual(response.status_code, 200)
        return response

    def early(self, url, client=None, **headers):
        """A request that must be answered before the URL resolver runs."""
        client = client or self.client_class()
        with mock.patch.object(
            BaseHandler, "resolve_request", side_effect=AssertionError("went through the stack")
        ):
            return client.get(url, **headers)

    def through_the_stack(self, url, client=None, **headers):
        client = client or self.client_class()
        with mock.patch.object(
            BaseHandler, "resolve_request", autospec=True, side_effect=BaseHandler.resolve_request
        ) as resolved:
            response = client.get(url, **headers)
        self.assertTrue(resolved.called, f"{url} was served from the page cache")
        return response


class SameAsTheWholeStackTests(PageCacheCase):
    def pages(self):
        return {
            "village": self.village.get_absolute_url(),
            "district": self.places["district"].get_absolute_url(),
            "home": reverse("home"),
            "contribution (a form)": self.disclosure.get_absolute_url(),
            "hearing (a form)": self.hearing.get_absolute_url(),
            "contributions": reverse("disclosures:list") + "?category=environment",
            "feed": reverse("disclosures:feed"),
            "calendar": reverse("hearings:place_calendar", args=[self.village.kato_code]),
        }

    def test_a_kept_page_is_served_with_the_headers_cookies_and_body_of_the_whole_stack(self):
        for name, url in self.pages().items():
            for encoding in ("gzip, deflate, br", ""):
                with self.subTest(name, encoding=encoding), fixed_cookie_clock():
                    self.setUp()
                    whole = self.fill(url, HTTP_ACCEPT_ENCODING=encoding)
                    served = self.early(url, HTTP_ACCEPT_ENCODING=encoding)
                    self.assertEqual(served.status_code, 200)
                    self.assertEqual(
                        {k: v for k, v in served.items() if k != "Date"},
                        {k: v for k, v in whole.items() if k != "Date"},
                    )
                    self.assertEqual(
                        without_tokens(body_of(served)), without_tokens(body_of(whole))
                    )
                    self.assertEqual(set(served.cookies), set(whole.cookies))
                    for cookie in whole.cookies:
                        attributes = {k: v for k, v in whole.cookies[cookie].items() if v}
                        self.assertEqual(
                            {k: v for k, v in served.cookies[cookie].items() if v}, attributes
                        )

    def test_the_security_headers_are_there(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        served = self.early(url)
        for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language"):
            self.assertIn(header, served)
        self.assertEqual(served["Cache-Control"], "private, max-age=0, must-revalidate")


class PerVisitorTests(PageCacheCase):
    def test_a_visitor_without_a_csrf_cookie_gets_a_token_and_the_cookie_for_it(self):
        url = self.disclosure.get_absolute_url()
        self.fill(url)
        served = self.early(url)
        secret = served.cookies[settings.CSRF_COOKIE_NAME].value
        for token in TOKEN.findall(body_of(served)):
            self.assertEqual(_unmask_cipher_token(token), secret)

    def test_a_visitor_with_a_csrf_cookie_keeps_it_and_gets_a_token_for_it(self):
        url = self.disclosure.get_absolute_url()
        self.fill(url)
        client = self.client_class(enforce_csrf_checks=True)
        client.cookies[settings.CSRF_COOKIE_NAME] = SECRET
        served = self.early(url, client=client)
        # Django sends the cookie again to renew its expiry; the secret stays the visitor's.
        self.assertEqual(served.cookies[settings.CSRF_COOKIE_NAME].value, SECRET)
        token = TOKEN.search(body_of(served)).group(1)
        self.assertEqual(_unmask_cipher_token(token), SECRET)
        posted = client.post(
            reverse("disclosures:feedback", args=[self.disclosure.pk]),
            {"kind": "seen", "comment": "I saw the new roof.", "csrfmiddlewaretoken": token},
        )
        self.assertNotEqual(posted.status_code, 403)

    def test_a_malformed_csrf_cookie_is_replaced(self):
        url = self.disclosure.get_absolute_url()
        self.fill(url)
        client = self.client_class()
        client.cookies[settings.CSRF_COOKIE_NAME] = "not a token!"
        served = self.early(url, client=client)
        secret = served.cookies[settings.CSRF_COOKIE_NAME].value
        self.assertEqual(_unmask_cipher_token(TOKEN.search(body_of(served)).group(1)), secret)

    def test_a_village_page_served_early_still_remembers_the_village(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        served = self.early(url)
        self.assertEqual(served.cookies[RECENT_PLACES_COOKIE].value, self.village.kato_code)

    def test_the_home_page_is_kept_per_recent_places(self):
        """The home page depends on the recent-places cookie: each set of places is its own page,
        and a visitor never gets the page kept for another set."""
        url = reverse("home")
        other = place_tree()["village"]
        self.fill(url)
        for places in (self.village, other):
            client = self.client_class()
            client.cookies[RECENT_PLACES_COOKIE] = places.kato_code
            first = self.through_the_stack(url, client=client)
            client = self.client_class()
            client.cookies[RECENT_PLACES_COOKIE] = places.kato_code
            served = self.early(url, client=client)
            self.assertEqual(body_of(served), body_of(first))
        nearby = self.client_class()
        nearby.cookies[RECENT_PLACES_COOKIE] = self.village.kato_code
        self.assertContains(self.early(url, client=nearby), self.hearing.title)
        elsewhere = self.client_class()
        elsewhere.cookies[RECENT_PLACES_COOKIE] = other.kato_code
        self.assertNotContains(self.early(url, client=elsewhere), self.hearing.title)

    def test_a_site_served_under_a_sub_path_is_served_early_too(self):
        url = self.village.get_absolute_url()
        whole = self.fill(url, SCRIPT_NAME="/ashyq")
        served = self.early(url, SCRIPT_NAME="/ashyq")
        self.assertEqual(body_of(served), body_of(whole))

    def test_a_repeat_visit_gets_304_without_the_stack(self):
        url = self.village.get_absolute_url()
        etag = self.fill(url)["ETag"]
        served = self.early(url, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(served.status_code, 304)
        self.assertEqual(served["ETag"], etag)
        self.assertEqual(served["Cache-Control"], "private, max-age=0, must-revalidate")


class ThroughTheWholeStackTests(PageCacheCase):
    def test_people_with_something_personal_are_never_served_a_kept_page(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        for cookie in (settings.SESSION_COOKIE_NAME, "messages", STICKY_COOKIE):
            with self.subTest(cookie):
                client = self.client_class()
                client.cookies[cookie] = "x"
                self.through_the_stack(url, client=client)

    def test_an_unknown_host_is_refused_even_when_the_page_is_kept(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        response = self.client_class().get(url, HTTP_HOST="evil.example")
        self.assertEqual(response.status_code, 400)

    def test_a_change_is_served_on_the_next_request(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        DisclosureFactory(published=True, settlements=[self.village], title_en="New school roof")
        self.assertContains(self.through_the_stack(url), "New school roof")
        self.assertContains(self.early(url), "New school roof")

    def test_other_methods_and_unprefixed_addresses_go_through_the_stack(self):
        url = self.village.get_absolute_url()
        self.fill(url)
        with mock.patch.object(
            BaseHandler, "resolve_request", autospec=True, side_effect=BaseHandler.resolve_request
        ) as resolved:
            self.assertEqual(self.client_class().head(url).status_code, 200)
            self.client_class().get("/healthz")
        self.assertEqual(resolved.call_count, 2)

    def test_a_page_given_another_cookie_by_a_middleware_is_not_kept(self):
        url = self.village.get_absolute_url()
        rendered = self.fill(url)
        caches["pages"].clear()
        middleware = caching.PageCacheMiddleware(lambda request: rendered)
        with mock.patch.object(caches["pages"], "set") as kept:
            rendered.set_cookie("tracking", "1")
            middleware.keep(RequestFactory().get(url), rendered)
        kept.assert_not_called()

    @override_settings()
    def test_the_addresses_it_remembers_are_bounded(self):
        with mock.patch.object(caching, "MAX_ADDRESSES", 2):
            for place in self.places.values():
                self.fill(place.get_absolute_url())
                self.assertLessEqual(len(caching._page_cookies), 2)

    def test_only_a_complete_page_is_kept(self):
        middleware = caching.PageCacheMiddleware(lambda request: HttpResponse(status=404))
        with mock.patch.object(caches["pages"], "set") as kept:
            middleware(RequestFactory().get("/kk/nowhere/"))
        kept.assert_not_called()
