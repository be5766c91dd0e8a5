"""Who may create and edit projects, and manage an organisation's members (server-side)."""

from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from core import signin
from projects.models import Membership, Project
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    administered_by,
    member_of,
    place_tree,
)


class ProjectPermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        places = place_tree()
        cls.village = places["village"]
        cls.company_a = CompanyFactory()
        cls.company_b = CompanyFactory()
        cls.project = ProjectFactory(operator=cls.company_a, primary_settlement=cls.village)
        cls.users = {
            "editor of company A": member_of(cls.company_a),
            "editor of company B": member_of(cls.company_b),
            "akimat in jurisdiction": member_of(AkimatFactory(place=places["district"])),
            "akimat out of jurisdiction": member_of(AkimatFactory(place=places["elsewhere"])),
            "staff": UserFactory(staff=True),
        }

    def edit_url(self):
        return reverse("projects:project_edit", kwargs={"slug": self.project.slug})

    def form_data(self, operator, **overrides):
        data = {
            "name_ru": "Новый проект",
            "name_en": "New project",
            "operator": operator.pk,
            "sector": Project.Sector.WIND,
            "status": Project.Status.PLANNED,
            "investment_currency": "KZT",
            "primary_settlement_code": self.village.kato_code,
        }
        data.update(overrides)
        return data

    def test_anonymous_is_sent_to_sign_in(self):
        for url in [reverse("projects:project_create"), self.edit_url()]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("login"), response["Location"])

    def test_edit_matrix(self):
        """Only the operator's members and staff can open the edit form; others get a 404."""
        expected = {
            "editor of company A": 200,
            "editor of company B": 404,
            "akimat in jurisdiction": 404,
            "akimat out of jurisdiction": 404,
            "staff": 200,
        }
        for who, status in expected.items():
            with self.subTest(who=who):
                self.client.force_login(self.users[who])
                self.assertEqual(self.client.get(self.edit_url()).status_code, status)

    def test_post_to_another_companys_project_changes_nothing(self):
        self.client.force_login(self.users["editor of company B"])
        response = self.client.post(self.edit_url(), self.form_data(self.company_b))
        self.assertEqual(response.status_code, 404)
        self.project.refresh_from_db()
        self.assertNotEqual(self.project.name_en, "New project")

    def test_create_matrix(self):
        """Company members may create projects; akimat officials may not."""
        expected = {
            "editor of company A": 200,
            "editor of company B": 200,
            "akimat in jurisdiction": 403,
            "akimat out of jurisdiction": 403,
            "staff": 200,
        }
        for who, status in expected.items():
            with self.subTest(who=who):
                self.client.force_login(self.users[who])
                response = self.client.get(reverse("projects:project_create"))
                self.assertEqual(response.status_code, status)

    def test_company_cannot_create_a_project_for_another_company(self):
        """The operator choice is limited to the user's own companies."""
        self.client.force_login(self.users["editor of company A"])
        response = self.client.post(
            reverse("projects:project_create"), self.form_data(self.company_b)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(Project.objects.filter(name_en="New project").exists())

    def test_owner_creates_and_edits(self):
        self.client.force_login(self.users["editor of company A"])
        neighbour = place_tree()["village"]
        response = self.client.post(
            reverse("projects:project_create"),
            self.form_data(self.company_a, other_settlement_codes=neighbour.kato_code),
        )
        project = Project.objects.get(name_en="New project")
        self.assertRedirects(response, project.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(set(project.settlements.all()), {self.village, neighbour})
        self.assertTrue(project.slug)

    def test_bad_settlement_codes_get_clear_messages(self):
        self.client.force_login(self.users["editor of company A"])
        url = reverse("projects:project_create")
        cases = {
            "12345": "is not a KATO code",
            "999999999": "No settlement has the KATO code 999999999",
            self.village.parent.kato_code: "is a region or district, not a settlement",
        }
        for code, message in cases.items():
            with self.subTest(code=code):
                data = self.form_data(self.company_a, primary_settlement_code=code)
                self.assertContains(self.client.post(url, data), message)

    def test_local_jobs_cannot_exceed_created(self):
        self.client.force_login(self.users["editor of company A"])
        data = self.form_data(self.company_a, jobs_created=10, jobs_local=11)
        response = self.client.post(reverse("projects:project_create"), data)
        self.assertContains(response, "Local hires cannot outnumber the jobs created")

    def test_queryset_matches_the_matrix(self):
        for who, can in {
            "editor of company A": True,
            "editor of company B": False,
            "akimat in jurisdiction": False,
            "staff": True,
        }.items():
            with self.subTest(who=who):
                visible = Project.objects.editable_by(self.users[who]).filter(pk=self.project.pk)
                self.assertEqual(visible.exists(), can)


class MembershipTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.company = CompanyFactory()
        cls.admin = MembershipFactory(organisation=cls.company, admin=True).user
        cls.editor = member_of(cls.company)
        cls.outsider = member_of(CompanyFactory())

    def url(self):
        return reverse("projects:organisation_members", kwargs={"slug": self.company.slug})

    def test_only_administrators_manage_members(self):
        """Not staff: a moderator who could add members could add themselves or a stand-in."""
        for user, status in [
            (self.admin, 200),
            (self.editor, 404),
            (self.outsider, 404),
            (UserFactory(staff=True), 404),
        ]:
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url()).status_code, status)

    def test_adding_a_new_person_sends_a_set_password_email(self):
        self.client.force_login(self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.url(), {"email": "New.Person@Example.org", "role": "editor"}
            )
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        membership = Membership.objects.get(user__email="new.person@example.org")
        self.assertEqual(membership.role, Membership.Role.EDITOR)
        self.assertIn(
            Group.objects.get(name="Company representatives"), membership.user.groups.all()
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("/accounts/reset/", mail.outbox[0].body)

    def test_cannot_add_twice(self):
        self.client.force_login(self.admin)
        response = self.client.post(self.url(), {"email": self.editor.email, "role": "editor"})
        self.assertContains(response, "already a member")

    def test_last_administrator_cannot_be_removed(self):
        self.client.force_login(self.admin)
        membership = Membership.objects.get(user=self.admin)
        url = reverse(
            "projects:membership_remove", kwargs={"slug": self.company.slug, "pk": membership.pk}
        )
        response = self.client.post(url, follow=True)
        self.assertContains(response, "at least one administrator")
        self.assertTrue(Membership.objects.filter(pk=membership.pk).exists())

    def test_removing_an_editor(self):
        self.client.force_login(self.admin)
        membership = Membership.objects.get(user=self.editor)
        url = reverse(
            "projects:membership_remove", kwargs={"slug": self.company.slug, "pk": membership.pk}
        )
        self.client.post(url)
        self.assertFalse(Membership.objects.filter(pk=membership.pk).exists())


class AuthPagesTests(TestCase):
    def test_sign_in_and_dashboard(self):
        user = member_of(CompanyFactory())
        response = self.client.post(
            "/en/accounts/login/", {"username": user.username, "password": "correct-horse-battery"}
        )
        self.assertRedirects(response, "/en/dashboard/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/en/dashboard/"), "My organisations")

    def test_wrong_password_is_a_clear_message(self):
        response = self.client.post(
            "/en/accounts/login/", {"username": "nobody@example.org", "password": "x"}
        )
        self.assertContains(response, "Wrong e-mail or password")

    def test_password_reset_sends_mail(self):
        user = UserFactory()
        self.client.post("/en/accounts/password_reset/", {"email": user.email})
        signin.MAIL_SENDER.submit(lambda: None).result(timeout=30)  # sent off the request thread
        self.assertEqual(len(mail.outbox), 1)


class ProjectInvestorsTests(TestCase):
    def test_investors_are_saved_with_the_project(self):
        """The investors chosen in the form are stored in the same save as the project."""
        company = CompanyFactory()
        user = member_of(company)
        investor = administered_by(user)  # else the investor is asked first (test_link_consent)
        village = place_tree()["village"]
        self.client.force_login(user)
        self.client.post(
            reverse("projects:project_create"),
            {
                "name_en": "Invested project",
                "operator": company.pk,
                "investors": [investor.pk],
                "sector": Project.Sector.WIND,
                "status": Project.Status.PLANNED,
                "investment_currency": "KZT",
                "primary_settlement_code": village.kato_code,
            },
        )
        project = Project.objects.get(name_en="Invested project")
        self.assertEqual(list(project.investors.all()), [investor])
