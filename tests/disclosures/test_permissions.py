"""Who may do what, as a matrix: every role against every write, enforced on the server."""

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from disclosures.models import Confirmation, Disclosure, ResidentFeedback
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    ResidentFeedbackFactory,
    UserFactory,
    member_of,
    place_tree,
)

ROLES = ["anonymous", "editor", "other_editor", "akimat_in", "akimat_out", "staff"]


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.company = CompanyFactory()
        cls.other_company = CompanyFactory()
        cls.akimat_in = AkimatFactory(place=cls.places["rural"])
        cls.akimat_out = AkimatFactory(place=cls.places["elsewhere"].parent)
        cls.users = {
            "anonymous": None,
            "editor": member_of(cls.company),
            "other_editor": member_of(cls.other_company),
            "akimat_in": member_of(cls.akimat_in),
            "akimat_out": member_of(cls.akimat_out),
            "staff": UserFactory(staff=True),
        }

    def login(self, role):
        self.client.logout()
        if self.users[role]:
            self.client.force_login(self.users[role])

    def assert_login_redirect(self, response):
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def draft(self, **kwargs):
        return DisclosureFactory(
            organisation=self.company, settlements=[self.places["village"]], **kwargs
        )

    def create_data(self, organisation):
        return {
            "organisation": organisation.pk,
            "title_ru": "Новая скважина",
            "category": "water",
            "status": "promised",
            "due_date": (
                timezone.localdate().replace(year=timezone.localdate().year + 1)
            ).isoformat(),
            "currency": "KZT",
            "value_form": "cash",
            "basis": "voluntary",
            "settlement_codes": self.places["village"].kato_code,
        }

    def test_create(self):
        """Only members create, and only for their own organisation; staff have no company."""
        expected = {
            "anonymous": "login",
            "editor": True,
            "other_editor": False,
            "akimat_in": False,
            "akimat_out": False,
            "staff": 403,
        }
        for role, outcome in expected.items():
            with self.subTest(role=role):
                self.login(role)
                before = Disclosure.objects.filter(organisation=self.company).count()
                response = self.client.post(
                    reverse("disclosures:create"), self.create_data(self.company)
                )
                after = Disclosure.objects.filter(organisation=self.company).count()
                if outcome == "login":
                    self.assert_login_redirect(response)
                elif outcome == 403:
                    self.assertEqual(response.status_code, 403)
                elif outcome:
                    self.assertEqual(response.status_code, 302)
                    self.assertEqual(after, before + 1)
                    continue
                else:
                    self.assertEqual(response.status_code, 200)  # form error: not your company
                self.assertEqual(after, before)

    def _matrix(self, make_url, do, check, allowed):
        for role in ROLES:
            with self.subTest(role=role):
                disclosure = self.draft(published_at=timezone.now())
                self.login(role)
                response = do(make_url(disclosure))
                disclosure.refresh_from_db()
                if role == "anonymous":
                    self.assert_login_redirect(response)
                    self.assertFalse(check(disclosure))
                elif role in allowed:
                    self.assertEqual(
                        response.status_code,
                        302,
                        getattr(response, "context", None)
                        and response.context.get("form")
                        and response.context["form"].errors,
                    )
                    self.assertTrue(check(disclosure))
                else:
                    self.assertEqual(response.status_code, 404)
                    self.assertFalse(check(disclosure))

    def test_edit(self):
        """Only the disclosing company's editor corrects it; to all others it is a 404."""

        def do(url):
            data = self.create_data(self.company)
            data["title_ru"] = "Исправлено"
            data["status"] = "delivered"
            data["delivered_date"] = timezone.localdate().isoformat()
            data["reason"] = "Typo in the title."
            return self.client.post(url, data)

        self._matrix(
            lambda d: reverse("disclosures:edit", args=[d.pk]),
            do,
            lambda d: d.title_ru == "Исправлено",
            {"editor"},
        )

    def test_publish(self):
        """Only the disclosing company's editor publishes a draft."""
        for role in ROLES:
            with self.subTest(role=role):
                disclosure = self.draft()
                self.login(role)
                response = self.client.post(reverse("disclosures:publish", args=[disclosure.pk]))
                disclosure.refresh_from_db()
                if role == "anonymous":
                    self.assert_login_redirect(response)
                elif role == "editor":
                    self.assertEqual(response.status_code, 302)
                else:
                    self.assertEqual(response.status_code, 404)
                self.assertEqual(disclosure.published_at is not None, role == "editor")

    def test_withdraw(self):
        """Only the disclosing company's editor withdraws, with a reason."""
        self._matrix(
            lambda d: reverse("disclosures:withdraw", args=[d.pk]),
            lambda url: self.client.post(url, {"reason": "Entered twice."}),
            lambda d: d.withdrawn_at is not None,
            {"editor"},
        )

    def test_confirm(self):
        """Only an akimat whose jurisdiction covers a settlement gives its word."""
        self._matrix(
            lambda d: reverse("disclosures:confirm", args=[d.pk]),
            lambda url: self.client.post(
                url,
                {
                    "akimat": self.akimat_in.pk,
                    "verdict": "confirmed",
                    "date": timezone.localdate().isoformat(),
                    "note": "Seen on 2 May.",
                },
            ),
            lambda d: Confirmation.objects.filter(disclosure=d).exists(),
            {"akimat_in"},
        )

    def test_moderate(self):
        """Only staff approve or reject residents' submissions."""
        for role in ROLES:
            with self.subTest(role=role):
                item = ResidentFeedbackFactory(disclosure=self.draft(published_at=timezone.now()))
                self.login(role)
                response = self.client.post(
                    reverse("disclosures:moderate", args=["feedback", item.pk]), {"approve": "1"}
                )
                item.refresh_from_db()
                if role == "anonymous":
                    self.assert_login_redirect(response)
                elif role == "staff":
                    self.assertEqual(response.status_code, 302)
                else:
                    self.assertEqual(response.status_code, 403)
                self.assertEqual(
                    item.moderation_status == ResidentFeedback.Moderation.APPROVED,
                    role == "staff",
                )

    def test_hide_is_staff_only_and_logged(self):
        """Staff hide a disclosure with a reason, which is logged; others get 403."""
        disclosure = self.draft(published_at=timezone.now())
        for role in ["editor", "akimat_in"]:
            self.login(role)
            response = self.client.post(
                reverse("disclosures:hide", args=[disclosure.pk]), {"reason": "x"}
            )
            self.assertEqual(response.status_code, 403)
        self.login("staff")
        response = self.client.post(
            reverse("disclosures:hide", args=[disclosure.pk]), {"reason": "Court order 12/3."}
        )
        self.assertEqual(response.status_code, 302)
        disclosure.refresh_from_db()
        self.assertTrue(disclosure.is_hidden())
        self.assertTrue(disclosure.revisions.filter(action="hidden", reason="Court order 12/3."))
        self.client.logout()
        self.assertEqual(self.client.get(disclosure.get_absolute_url()).status_code, 404)

    def test_drafts_are_404_to_the_public_and_other_companies(self):
        """A draft's page is seen by its organisation only."""
        disclosure = self.draft()
        for role, status in [("anonymous", 404), ("other_editor", 404), ("editor", 200)]:
            with self.subTest(role=role):
                self.login(role)
                self.assertEqual(self.client.get(disclosure.get_absolute_url()).status_code, status)

    def test_akimat_discloses_only_within_its_jurisdiction(self):
        """An akimat official cannot record spending in a village outside its jurisdiction."""
        self.login("akimat_in")
        data = self.create_data(self.akimat_in)
        response = self.client.post(reverse("disclosures:create"), data)
        self.assertEqual(response.status_code, 302)
        data["settlement_codes"] = self.places["elsewhere"].kato_code
        response = self.client.post(reverse("disclosures:create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("settlement_codes", response.context["form"].errors)

    def test_company_cannot_use_another_companys_project(self):
        """A company discloses only on its own projects."""
        from tests.factories import ProjectFactory

        foreign = ProjectFactory(operator=self.other_company)
        self.login("editor")
        data = self.create_data(self.company)
        data["project"] = foreign.pk
        response = self.client.post(reverse("disclosures:create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Disclosure.objects.filter(project=foreign).exists())
