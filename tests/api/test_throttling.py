"""API limits: anonymous reads per client address, writes per API key; over the limit a 429
with Retry-After and a JSON message."""

from django.test import TestCase, override_settings

from tests.api.test_write import URL, make_key
from tests.factories import CompanyFactory, PlaceFactory

RATES = {"read": "3/minute", "write": "2/minute"}


@override_settings(API_THROTTLE_RATES=RATES)
class ThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.place = PlaceFactory()
        cls.company = CompanyFactory()
        cls.other = CompanyFactory()

    def setUp(self):
        # The API speaks the language the client asks for (LocaleMiddleware).
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def test_reads_over_the_rate_get_429_with_retry_after_and_a_message(self):
        for _ in range(3):
            self.assertEqual(self.client.get("/api/v1/places/").status_code, 200)
        response = self.client.get(f"/api/v1/places/{self.place.kato_code}/")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Content-Type"], "application/json")
        wait = int(response["Retry-After"])
        self.assertTrue(1 <= wait <= 60, wait)
        detail = response.json()["detail"]
        self.assertIn("Too many requests", detail)
        self.assertIn(str(wait), detail)
        russian = self.client.get("/api/v1/places/", headers={"accept-language": "ru"})
        self.assertIn("Слишком много запросов", russian.json()["detail"])

    def test_reads_are_counted_per_client_address(self):
        for _ in range(3):
            self.client.get("/api/v1/places/", REMOTE_ADDR="10.0.0.1")
        self.assertEqual(
            self.client.get("/api/v1/places/", REMOTE_ADDR="10.0.0.1").status_code, 429
        )
        self.assertEqual(
            self.client.get("/api/v1/places/", REMOTE_ADDR="10.0.0.2").status_code, 200
        )

    def test_a_conditional_read_answered_304_is_not_counted(self):
        etag = self.client.get("/api/v1/places/")["ETag"]
        for _ in range(5):
            response = self.client.get("/api/v1/places/", headers={"if-none-match": etag})
            self.assertEqual(response.status_code, 304)
        self.assertEqual(self.client.get("/api/v1/places/").status_code, 200)

    def test_writes_are_limited_per_api_key(self):
        key, other_key = make_key(self.company), make_key(self.other)
        headers = {"authorization": f"Bearer {key}"}
        for _ in range(2):
            response = self.client.post(URL, {}, content_type="application/json", headers=headers)
            self.assertEqual(response.status_code, 400)  # counted even when refused
        response = self.client.post(URL, {}, content_type="application/json", headers=headers)
        self.assertEqual(response.status_code, 429)
        self.assertTrue(response.has_header("Retry-After"))
        self.assertIn("Too many requests", response.json()["detail"])
        other = self.client.post(
            URL,
            {},
            content_type="application/json",
            headers={"authorization": f"Bearer {other_key}"},
        )
        self.assertEqual(other.status_code, 400)

    @override_settings(API_THROTTLE_RATES={"read": None, "write": None})
    def test_no_rate_means_no_limit(self):
        for _ in range(5):
            self.assertEqual(self.client.get("/api/v1/places/").status_code, 200)
