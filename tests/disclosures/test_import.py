"""CSV bulk upload: errors listed by row and column; nothing imported unless all rows are valid."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from disclosures import services
from disclosures.models import Disclosure
from tests.factories import CompanyFactory, member_of, place_tree


def csv_file(rows, columns=services.CSV_COLUMNS):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return SimpleUploadedFile("upload.csv", buffer.getvalue().encode(), content_type="text/csv")


class ImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.company = CompanyFactory()
        cls.user = member_of(cls.company)

    def setUp(self):
        self.client.force_login(self.user)

    def row(self, **overrides):
        row = {
            "title_ru": "Ремонт школы",
            "category": "education",
            "settlements": self.places["village"].kato_code,
            "status": "delivered",
            "delivered_date": "2025-05-03",
            "amount": "1800000",
            "is_estimate": "no",
        }
        row.update(overrides)
        return row

    def post(self, rows, **kwargs):
        return self.client.post(
            reverse("disclosures:import"),
            {"organisation": self.company.pk, "file": csv_file(rows, **kwargs)},
        )

    def test_template_downloads(self):
        """The template has the header row and an example."""
        response = self.client.get(reverse("disclosures:import_template"))
        text = response.content.decode("utf-8-sig")
        self.assertEqual(text.splitlines()[0].split(","), services.CSV_COLUMNS)

    def test_valid_file_imports_all_rows_as_drafts(self):
        """Uploading shows a preview and saves nothing; applying imports every row as a draft."""
        response = self.post([self.row(), self.row(title_ru="Скважина", category="water")])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["result"].created), 2)
        self.assertFalse(Disclosure.objects.exists())
        response = self.client.post(
            reverse("disclosures:import"), {"apply": response.context["preview"]}
        )
        self.assertEqual(response.status_code, 302)
        created = Disclosure.objects.filter(organisation=self.company)
        self.assertEqual(created.count(), 2)
        self.assertFalse(created.filter(published_at__isnull=False).exists())
        self.assertEqual(created.first().settlements.get(), self.places["village"])

    def test_errors_by_row_and_column_and_nothing_imported(self):
        """One bad row among good ones: the page lists each error; no row is imported."""
        rows = [
            self.row(),
            self.row(category="space", amount="a lot"),
            self.row(settlements="999999999"),
            self.row(settlements=self.places["district"].kato_code),
            self.row(status="promised", delivered_date="", due_date="03.05.2025"),
            self.row(title_ru="", status="cancelled", delivered_date=""),
        ]
        response = self.post(rows)
        self.assertEqual(response.status_code, 400)
        errors = {(row, column) for row, column, _message in response.context["result"].errors}
        self.assertTrue(
            {
                (3, "category"),
                (3, "amount"),
                (4, "settlements"),
                (5, "settlements"),
                (6, "due_date"),
                (7, "cancel_reason"),
                (7, "title_ru"),
            }
            <= errors,
            errors,
        )
        self.assertNotIn(2, {row for row, _c in errors})
        self.assertContains(response, "999999999", status_code=400)
        self.assertFalse(Disclosure.objects.exists())

    def test_unknown_columns_and_empty_file(self):
        response = self.post([], columns=["title", "category", "settlements", "status"])
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Disclosure.objects.exists())
        response = self.post([])
        self.assertEqual(response.status_code, 400)

    def test_cannot_import_for_another_organisation(self):
        other = CompanyFactory()
        response = self.client.post(
            reverse("disclosures:import"),
            {"organisation": other.pk, "file": csv_file([self.row()])},
        )
        self.assertEqual(response.status_code, 200)  # not a choice for this user
        self.assertFalse(Disclosure.objects.exists())
