"""The write API: organisation keys (made, shown once, hashed, revoked, expiring) and
disclosures created and corrected through the same services and rules as the forms."""

import datetime
import hashlib
import json

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from disclosures.models import Disclosure, Revision
from projects import services
from projects.models import ApiToken
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    PlaceFactory,
    member_of,
)

URL = "/api/v1/own/disclosures/"


def make_key(organisation, admin=None, days=30):
    admin = admin or member_of(organisation, role="administrator")
    expires = timezone.now() + datetime.timedelta(days=days)
    _token, raw = services.create_api_token(
        acting_user=admin, organisation=organisation, name="ERP", expires_at=expires
    )
    return raw


class KeyPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.company = CompanyFactory()
        cls.admin = member_of(cls.company, role="administrator")
        cls.editor = member_of(cls.company)

    def test_administrator_makes_a_key_shown_once_and_stored_hashed(self):
        self.client.force_login(self.admin)
        url = reverse("projects:organisation_api_keys", args=[self.company.slug])
        response = self.client.post(url, {"name": "Accounting export", "valid_for": "90"})
        self.assertEqual(response.status_code, 200)
        raw = response.context["new_key"]
        self.assertContains(response, raw)
        token = ApiToken.objects.get()
        self.assertEqual(token.key_hash, hashlib.sha256(raw.encode()).hexdigest())
        stored = [str(value) for value in ApiToken.objects.values_list().get()]
        self.assertFalse([value for value in stored if raw in value])
        self.assertNotContains(self.client.get(url), raw)  # never shown again
        self.assertIn("no-store", response["Cache-Control"])

    def test_revoked_key_stops_working(self):
        raw = make_key(self.company, self.admin)
        token = ApiToken.objects.get()
        self.client.force_login(self.admin)
        self.client.post(reverse("projects:api_key_revoke", args=[self.company.slug, token.pk]))
        self.client.logout()
        response = self.client.get(URL, HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(response.status_code, 401)

    def test_editors_and_other_companies_cannot_manage_keys(self):
        url = reverse("projects:organisation_api_keys", args=[self.company.slug])
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(member_of(CompanyFactory(), role="administrator"))
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_expired_key_and_key_of_a_former_administrator_do_not_work(self):
        expired = make_key(self.company, self.admin, days=-1)
        self.assertEqual(
            self.client.get(URL, HTTP_AUTHORIZATION=f"Bearer {expired}").status_code, 401
        )
        other_admin = member_of(self.company, role="administrator")
        raw = make_key(self.company, other_admin)
        other_admin.memberships.all().delete()
        self.assertEqual(self.client.get(URL, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code, 401)
        self.assertEqual(
            self.client.get(URL, HTTP_AUTHORIZATION="Bearer aa_nonsense").status_code, 401
        )
        self.assertEqual(self.client.get(URL).status_code, 401)


class WriteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.company = CompanyFactory()
        cls.village = PlaceFactory()
        cls.raw = make_key(cls.company)

    def call(self, method, path, data=None, **headers):
        return getattr(self.client, method)(
            path,
            json.dumps(data or {}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.raw}",
            **headers,
        )

    def body(self, **extra):
        return {
            "title_ru": "Ремонт школы",
            "category": "education",
            "status": "delivered",
            "delivered_date": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
            "settlements": [self.village.kato_code],
            "amount": "1500000.00",
            "currency": "KZT",
            **extra,
        }

    def test_create_runs_the_service_and_its_rules(self):
        response = self.call("post", URL, self.body(publish=True))
        self.assertEqual(response.status_code, 201, response.content)
        disclosure = Disclosure.objects.get(pk=response.json()["id"])
        self.assertEqual(disclosure.organisation, self.company)
        self.assertTrue(disclosure.is_in_force())
        actions = list(disclosure.revisions.values_list("action", flat=True))
        self.assertEqual(actions, [Revision.Action.CREATED, Revision.Action.PUBLISHED])
        # A model rule (a promise needs a due date) refuses, as on the form.
        refused = self.call("post", URL, self.body(status="promised", delivered_date=None))
        self.assertEqual(refused.status_code, 400)
        self.assertIn("due_date", refused.json())

    def test_idempotency_key_returns_the_first_creation(self):
        first = self.call("post", URL, self.body(), HTTP_IDEMPOTENCY_KEY="abc-1")
        again = self.call("post", URL, self.body(), HTTP_IDEMPOTENCY_KEY="abc-1")
        self.assertEqual(first.status_code, 201)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(first.json()["id"], again.json()["id"])
        self.assertEqual(Disclosure.objects.count(), 1)
        other = self.call("post", URL, self.body(amount="1.00"), HTTP_IDEMPOTENCY_KEY="abc-1")
        self.assertEqual(other.status_code, 409)

    def test_correction_needs_a_reason_and_the_current_version(self):
        created = self.call("post", URL, self.body(publish=True)).json()
        path = f"{URL}{created['id']}/"
        no_reason = self.call(
            "patch", path, {"amount": "2000000.00", "version": created["version"]}
        )
        self.assertEqual(no_reason.status_code, 400)
        self.assertIn("reason", no_reason.json())
        ok = self.call(
            "patch",
            path,
            {"amount": "2000000.00", "version": created["version"], "reason": "Typo."},
        )
        self.assertEqual(ok.status_code, 200, ok.content)
        self.assertEqual(ok.json()["revisions"][-1]["reason"], "Typo.")
        stale = self.call(
            "patch", path, {"amount": "3.00", "version": created["version"], "reason": "Again."}
        )
        self.assertEqual(stale.status_code, 409)
        self.assertEqual(Disclosure.objects.get(pk=created["id"]).amount, 2000000)

    def test_publish_a_draft(self):
        created = self.call("post", URL, self.body()).json()
        self.assertIsNone(created["published_at"])
        published = self.call(
            "post", f"{URL}{created['id']}/publish/", {"version": created["version"]}
        )
        self.assertEqual(published.status_code, 200)
        self.assertIsNotNone(published.json()["published_at"])


class IsolationMatrixTests(TestCase):
    """A key never reaches another organisation's records, whatever their state or the verb."""

    @classmethod
    def setUpTestData(cls):
        cls.mine = CompanyFactory()
        cls.akimat = AkimatFactory()
        cls.other = CompanyFactory()
        cls.raw = make_key(cls.mine)
        cls.akimat_raw = make_key(cls.akimat)
        cls.own = DisclosureFactory(organisation=cls.mine, published=True)
        cls.foreign = [
            DisclosureFactory(organisation=org, **state)
            for org in (cls.other, cls.akimat)
            for state in ({}, {"published": True}, {"withdrawn": True})
        ]

    def request(self, raw, method, path, data=None):
        if method == "get":
            return self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
        return getattr(self.client, method)(
            path,
            json.dumps(data or {}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )

    def test_every_verb_on_every_foreign_record_is_404(self):
        for raw, owner in ((self.raw, self.mine), (self.akimat_raw, self.akimat)):
            for disclosure in self.foreign:
                if disclosure.organisation == owner:
                    continue
                path = f"{URL}{disclosure.pk}/"
                before = Disclosure.objects.get(pk=disclosure.pk)
                for method, target, data in (
                    ("get", path, None),
                    ("patch", path, {"title_ru": "x", "version": 1, "reason": "x"}),
                    ("post", f"{path}publish/", {"version": 1}),
                ):
                    with self.subTest(owner=owner.slug, pk=disclosure.pk, method=method):
                        response = self.request(raw, method, target, data)
                        self.assertEqual(response.status_code, 404)
                after = Disclosure.objects.get(pk=disclosure.pk)
                self.assertEqual((after.version, after.title_ru), (before.version, before.title_ru))

    def test_lists_only_its_own(self):
        ids = [row["id"] for row in self.request(self.raw, "get", URL).json()["results"]]
        self.assertEqual(ids, [self.own.pk])

    def test_create_is_always_in_the_keys_organisation(self):
        """An `organisation` in the body is ignored: the key decides whose record it is."""
        body = {
            "title_ru": "Школа",
            "category": "education",
            "status": "delivered",
            "delivered_date": timezone.localdate().isoformat(),
            "settlements": [PlaceFactory().kato_code],
            "organisation": self.other.slug,
        }
        response = self.request(self.raw, "post", URL, body)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Disclosure.objects.get(pk=response.json()["id"]).organisation, self.mine)
