"""A project's public history: every change through `save_project` is logged (who, what from
what to what, when, why), a no-op save writes nothing, an edit needs a reason, and the project
page shows the log in the reader's language with a bounded number of queries."""

from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import caching
from projects.models import Project, ProjectChange
from projects.services import save_project
from projects.views import CHANGES_SHOWN
from tests.factories import (
    CompanyFactory,
    ProjectFactory,
    UserFactory,
    administered_by,
    member_of,
    place_tree,
)


def edited(project, **values):
    """A fresh copy of `project` with `values` set, as the edit form hands it to the service."""
    copy = Project.objects.get(pk=project.pk)
    for name, value in values.items():
        setattr(copy, name, value)
    return copy


class ProjectHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.company = CompanyFactory(name_en="Steppe Mining", name_ru="Степь Майнинг")
        cls.editor = member_of(cls.company)
        cls.investor = administered_by(cls.editor, name_en="Silk Fund", name_ru="Шёлковый фонд")

    def setUp(self):
        self.project = ProjectFactory(
            operator=self.company,
            primary_settlement=self.places["village"],
            affected=[self.places["neighbour"]],
            name_en="Copper mine",
        )

    def save(self, project, settlements=None, investors=None, reason="", user=None):
        if settlements is None:
            settlements = list(self.project.settlements.all())
        return save_project(
            acting_user=user or self.editor,
            project=project,
            settlements=settlements,
            investors=investors,
            reason=reason,
        )

    def only_change(self):
        change = self.project.history.get()
        self.assertEqual(change.action, ProjectChange.Action.EDITED)
        return change

    def test_creating_a_project_logs_it_as_the_companys(self):
        project = Project(
            name_en="Wind farm",
            operator=self.company,
            sector=Project.Sector.WIND,
            status=Project.Status.PLANNED,
            primary_settlement=self.places["village"],
        )
        save_project(
            acting_user=self.editor,
            project=project,
            settlements=[self.places["neighbour"]],
            investors=[self.investor],
        )
        change = project.history.get()
        self.assertEqual(change.action, ProjectChange.Action.CREATED)
        self.assertEqual(change.acting_organisation, self.company)
        self.assertEqual(change.acting_user, self.editor)
        self.assertFalse(change.by_staff)
        logged = {c["field"]: c["new"] for c in change.changes}
        self.assertEqual(logged["name_en"], "Wind farm")
        self.assertEqual(logged["investors"], [f"#{self.investor.pk}"])
        self.assertEqual(
            logged["settlements"],
            sorted([self.places["village"].kato_code, self.places["neighbour"].kato_code]),
        )
        self.assertNotIn("name_kk", logged)  # empty at creation: nothing to say

    def test_a_rename_is_logged_with_old_new_and_reason(self):
        self.save(edited(self.project, name_en="Copper and gold mine"), reason="New licence.")
        change = self.only_change()
        self.assertEqual(
            change.changes,
            [{"field": "name_en", "old": "Copper mine", "new": "Copper and gold mine"}],
        )
        self.assertEqual(change.reason, "New licence.")
        self.assertEqual(change.acting_organisation, self.company)
        self.project.refresh_from_db()
        self.assertEqual(self.project.name_en, "Copper and gold mine")

    def test_a_status_change_is_logged_as_codes(self):
        self.save(edited(self.project, status=Project.Status.SUSPENDED), reason="Court order.")
        self.assertEqual(
            self.only_change().changes,
            [{"field": "status", "old": "operating", "new": "suspended"}],
        )

    def test_investors_are_logged_as_a_list_of_ids(self):
        self.save(edited(self.project), investors=[self.investor], reason="Fund joined.")
        self.assertEqual(
            self.only_change().changes,
            [{"field": "investors", "old": [], "new": [f"#{self.investor.pk}"]}],
        )
        self.assertEqual(list(self.project.investors.all()), [self.investor])

    def test_dropping_a_village_is_logged_as_kato_codes(self):
        village, neighbour = self.places["village"], self.places["neighbour"]
        self.save(edited(self.project), settlements=[village], reason="Not affected after all.")
        self.assertEqual(
            self.only_change().changes,
            [
                {
                    "field": "settlements",
                    "old": sorted([village.kato_code, neighbour.kato_code]),
                    "new": [village.kato_code],
                }
            ],
        )
        self.assertEqual(list(self.project.settlements.all()), [village])

    def test_money_and_dates_are_logged_as_codes(self):
        self.save(
            edited(self.project, investment_amount=1500000, start_date="2025-03-01"),
            reason="Figures from the contract.",
        )
        rows = {c["field"]: c["new"] for c in self.only_change().changes}
        self.assertEqual(rows, {"start_date": "2025-03-01", "investment_amount": "1500000 KZT"})

    def test_a_save_that_changes_nothing_writes_nothing(self):
        """Not even a cache scope moves: residents' cached pages stay warm."""
        scopes = [caching.SITE, f"project:{self.project.pk}"]
        version = caching.versions(scopes)
        updated_at = self.project.updated_at
        with CaptureQueriesContext(connection) as queries:
            self.save(edited(self.project), investors=[])
        writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
        self.assertEqual(writes, [])
        self.assertFalse(self.project.history.exists())
        self.assertEqual(caching.versions(scopes), version)
        self.project.refresh_from_db()
        self.assertEqual(self.project.updated_at, updated_at)

    def test_an_edit_needs_a_reason(self):
        with self.assertRaises(ValidationError) as refused:
            self.save(edited(self.project, name_en="Renamed quietly"), reason="  ")
        self.assertIn("reason", refused.exception.message_dict)
        self.project.refresh_from_db()
        self.assertEqual(self.project.name_en, "Copper mine")
        self.assertFalse(self.project.history.exists())

    def test_an_akimat_cannot_be_an_investor_whatever_the_caller(self):
        """The form offers companies only; the service holds the rule for every caller."""
        from tests.factories import AkimatFactory

        with self.assertRaises(ValidationError) as refused:
            self.save(edited(self.project), investors=[AkimatFactory()], reason="Funding.")
        self.assertIn("investors", refused.exception.message_dict)
        self.assertFalse(self.project.history.exists())

    def test_another_company_cannot_save_and_nothing_is_logged(self):
        other = member_of(CompanyFactory())
        with self.assertRaises(PermissionDenied):
            self.save(edited(self.project, name_en="Hijacked"), reason="Mine now.", user=other)
        self.assertFalse(self.project.history.exists())

    def test_a_moderators_edit_is_the_moderators(self):
        staff = UserFactory(staff=True)
        self.save(edited(self.project, status=Project.Status.CLOSED), reason="Dup.", user=staff)
        change = self.only_change()
        self.assertTrue(change.by_staff)
        self.assertIsNone(change.acting_organisation)


class ProjectEditFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.village = place_tree()["village"]
        cls.company = CompanyFactory()
        cls.editor = member_of(cls.company)

    def setUp(self):
        self.project = ProjectFactory(
            operator=self.company, primary_settlement=self.village, name_en="Copper mine"
        )
        self.client.force_login(self.editor)

    def data(self, **overrides):
        return {
            "name_ru": self.project.name_ru,
            "name_en": self.project.name_en,
            "operator": self.company.pk,
            "sector": self.project.sector,
            "status": self.project.status,
            "investment_currency": "KZT",
            "primary_settlement_code": self.village.kato_code,
            **overrides,
        }

    def url(self):
        return reverse("projects:project_edit", kwargs={"slug": self.project.slug})

    def test_the_form_asks_for_the_reason_and_refuses_an_edit_without_it(self):
        self.assertContains(self.client.get(self.url()), 'name="reason"')
        response = self.client.post(self.url(), self.data(status="suspended"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Say why you change the project")
        self.project.refresh_from_db()
        self.assertEqual(self.project.status, "operating")

    def test_an_edit_with_a_reason_is_saved_and_shown(self):
        response = self.client.post(
            self.url(), self.data(status="suspended", reason="Flooded pit.")
        )
        self.assertRedirects(response, self.project.get_absolute_url())
        page = self.client.get(self.project.get_absolute_url())
        self.assertContains(page, "Flooded pit.")
        self.assertContains(page, "operating → suspended")

    def test_saving_the_form_unchanged_needs_no_reason_and_logs_nothing(self):
        response = self.client.post(self.url(), self.data())
        self.assertRedirects(response, self.project.get_absolute_url())
        self.assertFalse(self.project.history.exists())

    def test_a_stale_form_is_refused_and_says_what_changed_meanwhile(self):
        """Two editors open the form; the second to save does not put back the first's change."""
        opened = self.client.get(self.url())
        self.assertContains(opened, 'name="seen_change" value="0"')
        self.client.post(self.url(), self.data(status="suspended", reason="Flooded pit."))
        # The first form, still showing "operating", renames the project.
        response = self.client.post(
            self.url(), self.data(name_en="Copper pit", reason="New name.", seen_change=0)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else changed this project")
        self.assertContains(response, "Changed meanwhile: status.")
        self.project.refresh_from_db()
        self.assertEqual((self.project.status, self.project.name_en), ("suspended", "Copper mine"))
        self.assertEqual(self.project.history.count(), 1)

    def test_a_form_opened_after_the_last_change_saves(self):
        self.client.post(self.url(), self.data(status="suspended", reason="Flooded pit."))
        seen = self.project.history.get().pk
        self.assertContains(self.client.get(self.url()), f'name="seen_change" value="{seen}"')
        response = self.client.post(
            self.url(),
            self.data(
                status="suspended", name_en="Copper pit", reason="New name.", seen_change=seen
            ),
        )
        self.assertRedirects(response, self.project.get_absolute_url())
        self.assertEqual(self.project.history.count(), 2)

    def test_the_create_form_asks_no_reason(self):
        response = self.client.get(reverse("projects:project_create"))
        self.assertNotContains(response, 'name="reason"')


class ProjectHistoryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        places = place_tree()
        cls.village, cls.neighbour = places["village"], places["neighbour"]
        cls.places_elsewhere = places["elsewhere"]
        cls.company = CompanyFactory(name_en="Steppe Mining", name_kk="Дала Майнинг")
        cls.editor = member_of(cls.company)
        cls.investor = administered_by(cls.editor, name_en="Silk Fund", name_ru="Шёлковый фонд")
        cls.project = ProjectFactory(
            operator=cls.company, primary_settlement=cls.village, name_en="Copper mine"
        )
        save_project(
            acting_user=cls.editor,
            project=edited(cls.project, status=Project.Status.SUSPENDED),
            settlements=[cls.village, cls.neighbour],
            investors=[cls.investor],
            reason="Flooded pit.",
        )

    def test_the_page_shows_the_change_in_the_readers_language(self):
        """Status names, field names, companies and settlements read in kk, ru and en."""
        expected = {
            "en": [
                "Status: operating → suspended",
                "Investors: added Silk Fund",
                "Settlements affected: added Hillside",
                "Steppe Mining",
            ],
            "ru": ["Статус: работает → приостановлен", "Инвесторы: добавлено — Шёлковый фонд"],
            "kk": ["Мәртебе: жұмыс істеп тұр → уақытша тоқтатылған", "Дала Майнинг"],
        }
        for language, texts in expected.items():
            with self.subTest(language=language):
                page = self.client.get(f"/{language}/projects/{self.project.slug}/")
                self.assertContains(page, "Flooded pit.")
                self.assertContains(page, 'id="changes"')
                for text in texts:
                    self.assertContains(page, text)

    def test_a_list_change_names_only_what_was_removed_and_added(self):
        """Swapping one village of a list names those two, not the whole list twice."""
        save_project(
            acting_user=self.editor,
            project=edited(self.project),
            settlements=[self.village, self.places_elsewhere],
            reason="Moved the pipeline.",
        )
        page = self.client.get(f"/en/projects/{self.project.slug}/")
        self.assertContains(page, "Settlements affected: removed Hillside; added Faraway")

    def test_a_page_without_history_has_no_changes_section(self):
        quiet = ProjectFactory(operator=self.company, primary_settlement=self.village)
        self.assertNotContains(self.client.get(quiet.get_absolute_url()), 'id="changes"')

    def test_the_page_shows_the_latest_changes_and_links_to_all(self):
        for number in range(CHANGES_SHOWN + 2):
            save_project(
                acting_user=self.editor,
                project=edited(self.project, jobs_created=number),
                settlements=[self.village],
                reason=f"Count {number}.",
            )
        page = self.client.get(self.project.get_absolute_url())
        self.assertEqual(len(page.context["history"]), CHANGES_SHOWN)
        self.assertTrue(page.context["history_cut"])
        self.assertContains(page, f"Count {CHANGES_SHOWN + 1}.")
        self.assertNotContains(page, "Flooded pit.")
        everything = reverse("projects:project_changes", args=[self.project.slug])
        self.assertContains(page, everything)
        full = self.client.get(everything)
        self.assertContains(full, "Flooded pit.")
        self.assertContains(full, "Count 0.")

    def test_the_log_costs_the_same_queries_however_many_records_it_names(self):
        """One query for the log, one for its companies, one for its settlements."""
        url = reverse("projects:project_changes", args=[self.project.slug])

        def count():
            for each in caches.all():
                each.clear()
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(queries)

        before = count()
        for _number in range(5):
            others = [administered_by(self.editor) for _ in range(3)]
            save_project(
                acting_user=self.editor,
                project=edited(self.project),
                settlements=[self.village, self.neighbour][: 1 + _number % 2],
                investors=others,
                reason="Shuffle.",
            )
        self.assertEqual(count(), before)
