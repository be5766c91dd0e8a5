"""Withdrawn and cancelled records stay listed, greyed with their reason, outside the sums.

Withdrawn is not hidden: a record moderators hid stays hidden everywhere, and drafts never
appear. A "hide withdrawn and cancelled" filter, the same for the list, exports and the API,
leaves them out on request; by default they are shown.
"""

import csv
import io
import json

from django.core.cache import caches
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingFactory,
    ProjectFactory,
    place_tree,
)

REASON = "Внесено дважды по ошибке."
CANCEL_REASON = "The land was not allotted."


class WithdrawnListedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        village = cls.places["village"]
        cls.company = CompanyFactory()
        cls.project = ProjectFactory(operator=cls.company, primary_settlement=village)
        common = {"organisation": cls.company, "project": cls.project, "settlements": [village]}
        cls.shown = DisclosureFactory(published=True, title_en="Shown school", **common)
        cls.withdrawn = DisclosureFactory(withdrawn=True, title_en="Withdrawn well", **common)
        cls.cancelled = DisclosureFactory(
            published=True, cancelled=True, title_en="Cancelled road", **common
        )
        cls.hidden = DisclosureFactory(
            published=True, hidden=True, title_en="Hidden by court order", **common
        )
        cls.hidden_withdrawn = DisclosureFactory(
            withdrawn=True, hidden=True, title_en="Withdrawn then hidden", **common
        )
        cls.draft = DisclosureFactory(title_en="Draft bridge", **common)

    def setUp(self):
        for cache in caches.all():
            cache.clear()
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def assert_listed_greyed(self, response):
        """Withdrawn and cancelled are listed, greyed, with the word and the reason; hidden
        ones and drafts are not."""
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for title in ("Shown school", "Withdrawn well", "Cancelled road"):
            self.assertIn(title, page)
        for title in ("Hidden by court order", "Withdrawn then hidden", "Draft bridge"):
            self.assertNotIn(title, page)
        self.assertEqual(page.count("card disclosure-card is-withdrawn"), 2)
        self.assertIn("Withdrawn on", page)
        self.assertIn(REASON, page)
        self.assertIn(CANCEL_REASON, page)
        self.assertIn("not counted in the figures", page)

    def test_every_page_lists_them_greyed(self):
        """Village, rural district, district, region, company, project, home and the list."""
        urls = [
            self.places[name].get_absolute_url()
            for name in ("village", "rural", "district", "region")
        ]
        urls += [
            self.places["village"].get_absolute_url() + "?view=timeline",
            self.company.get_absolute_url(),
            self.project.get_absolute_url(),
            "/en/",
            reverse("disclosures:list"),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assert_listed_greyed(self.client.get(url))

    def test_summary_says_how_many_are_not_counted(self):
        response = self.client.get(self.places["village"].get_absolute_url())
        summary = response.context["summary"]
        self.assertEqual((summary["withdrawn"], summary["cancelled"]), (1, 1))
        self.assertEqual(summary["counted"], 1)
        self.assertEqual(summary["totals"][0]["amount"], self.shown.amount)
        self.assertContains(response, "1 withdrawn, not counted")
        self.assertContains(response, "1 cancelled, not counted")

    def test_marked_in_kazakh_and_russian(self):
        """The word is in the page's language, not only a colour."""
        for language, word in (("kk", "қайтарып алынды"), ("ru", "отозвано")):
            with translation.override(language):
                response = self.client.get(reverse("disclosures:list"))
            self.assertContains(response, word)

    def test_hide_filter_on_the_list(self):
        """Ticked, the filter leaves withdrawn and cancelled out; unticked is the default."""
        response = self.client.get(reverse("disclosures:list"), {"hide_withdrawn": "on"})
        page = response.content.decode()
        self.assertIn("Shown school", page)
        self.assertNotIn("Withdrawn well", page)
        self.assertNotIn("Cancelled road", page)
        self.assertContains(self.client.get(reverse("disclosures:list")), 'name="hide_withdrawn"')
        self.assertContains(self.client.get(reverse("disclosures:list")), "Hide withdrawn and")

    def test_feed_marks_them_with_the_reason(self):
        response = self.client.get(reverse("disclosures:feed"))
        feed = response.content.decode()
        self.assertIn("Withdrawn well (withdrawn)", feed)
        self.assertIn(f"Withdrawn: {REASON}", feed)
        self.assertIn(f"Cancelled: {CANCEL_REASON}", feed)
        self.assertNotIn("Hidden by court order", feed)
        self.assertNotIn("Draft bridge", feed)
        hidden = self.client.get(reverse("disclosures:feed"), {"hide_withdrawn": "on"})
        self.assertNotIn("Withdrawn well", hidden.content.decode())

    def test_csv_has_them_with_withdrawal_columns(self):
        response = self.client.get(reverse("disclosures:export_csv"))
        text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
        rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(text))}
        self.assertEqual(set(rows), {self.shown.pk, self.withdrawn.pk, self.cancelled.pk})
        self.assertEqual(rows[self.withdrawn.pk]["withdrawal_reason"], REASON)
        self.assertTrue(rows[self.withdrawn.pk]["withdrawn_at"].startswith("20"))
        self.assertEqual(rows[self.shown.pk]["withdrawn_at"], "")
        self.assertEqual(rows[self.cancelled.pk]["cancel_reason"], CANCEL_REASON)
        hidden = self.client.get(reverse("disclosures:export_csv"), {"hide_withdrawn": "on"})
        text = b"".join(hidden.streaming_content).decode().lstrip("\ufeff")
        self.assertEqual(
            {int(row["id"]) for row in csv.DictReader(io.StringIO(text))}, {self.shown.pk}
        )

    def test_json_has_them_with_withdrawal_columns(self):
        response = self.client.get(reverse("disclosures:export_json"))
        rows = json.loads(b"".join(response.streaming_content))["data"]
        rows = {row["id"]: row for row in rows}
        self.assertEqual(set(rows), {self.shown.pk, self.withdrawn.pk, self.cancelled.pk})
        self.assertEqual(rows[self.withdrawn.pk]["withdrawal_reason"], REASON)
        self.assertIsNone(rows[self.shown.pk]["withdrawn_at"])

    def test_api_hide_filter(self):
        """The read API lists withdrawn ones marked; the same filter leaves them out."""
        ids = {row["id"] for row in self.client.get("/api/v1/disclosures/").json()["results"]}
        self.assertEqual(ids, {self.shown.pk, self.withdrawn.pk, self.cancelled.pk})
        data = self.client.get("/api/v1/disclosures/", {"hide_withdrawn": "true"}).json()
        self.assertEqual({row["id"] for row in data["results"]}, {self.shown.pk})


class CancelledHearingsListedTests(TestCase):
    def setUp(self):
        for cache in caches.all():
            cache.clear()
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def test_cancelled_hearing_greyed_with_reason_and_hide_filter(self):
        village = place_tree()["village"]
        akimat = AkimatFactory()
        HearingFactory(announced=True, organiser=akimat, territory=[village], title_en="Open one")
        HearingFactory(cancelled=True, organiser=akimat, territory=[village], title_en="Called off")
        response = self.client.get(reverse("hearings:list"))
        self.assertContains(response, "Called off")
        self.assertContains(response, "hearing-card is-cancelled")
        self.assertContains(response, "Cancelled on")
        self.assertContains(response, "Инициатор отозвал заявление.")
        hidden = self.client.get(reverse("hearings:list"), {"hide_cancelled": "on"})
        self.assertContains(hidden, "Open one")
        self.assertNotContains(hidden, "Called off")


class MoneyTrailTests(TestCase):
    def test_withdrawn_spending_is_listed_and_accounts_for_nothing(self):
        """A payment's money trail lists a withdrawn spending, marked, outside the share."""
        from decimal import Decimal

        payment = DisclosureFactory(published=True, amount=Decimal("1000"))
        akimat = AkimatFactory()
        kept = DisclosureFactory(
            published=True, organisation=akimat, funded_by=payment, amount=Decimal("400")
        )
        taken_back = DisclosureFactory(
            withdrawn=True, organisation=akimat, funded_by=payment, amount=Decimal("500")
        )
        children, accounted, _unaccounted, share = payment.money_trail()
        self.assertEqual(set(children), {kept, taken_back})
        self.assertEqual((accounted, share), (Decimal("400"), 40))
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        response = self.client.get(payment.get_absolute_url())
        self.assertContains(response, "(withdrawn, not counted in the figures)")
