"""An export can be uploaded back: unchanged rows are skipped, edited rows become corrections."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from disclosures import services
from disclosures.models import Disclosure, Revision
from tests.factories import CompanyFactory, DisclosureFactory, member_of, place_tree


class RoundTripTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.company = CompanyFactory()
        cls.user = member_of(cls.company)
        cls.mine = [
            DisclosureFactory(
                published=True,
                organisation=cls.company,
                settlements=[cls.places["village"]],
                title_kk="Мектеп",
                description_ru="Первая строка\nвторая строка",
                in_kind_description="=SUM(A1)",  # looks like a formula: disarmed and restored
                reporting_year=2025,
                is_estimate=True,
            ),
            DisclosureFactory(
                published=True,
                promised=True,
                organisation=cls.company,
                settlements=[cls.places["village"], cls.places["neighbour"]],
                basis="memorandum",
            ),
        ]
        cls.theirs = DisclosureFactory(published=True, settlements=[cls.places["village"]])

    def setUp(self):
        self.client.force_login(self.user)

    def export(self):
        """The company's records, as the public list's CSV export gives them."""
        response = self.client.get(
            reverse("disclosures:export_csv"), {"organisation": self.company.slug}
        )
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content).decode("utf-8")

    def upload(self, text, encoding="utf-8"):
        upload = SimpleUploadedFile("export.csv", text.encode(encoding), content_type="text/csv")
        return self.client.post(
            reverse("disclosures:import"), {"organisation": self.company.pk, "file": upload}
        )

    def apply(self, preview):
        return self.client.post(
            reverse("disclosures:import"), {"apply": preview.context["preview"]}
        )

    def rows(self, text):
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        return reader.fieldnames, list(reader)

    def write(self, fieldnames, rows, delimiter=","):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fieldnames, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()

    def state(self):
        return sorted(Disclosure.objects.values_list("pk", "version")), Revision.objects.count()

    def test_export_names_the_filter_and_the_day(self):
        response = self.client.get(
            reverse("disclosures:export_csv"),
            {"organisation": self.company.slug, "status": "delivered"},
        )
        disposition = response["Content-Disposition"]
        self.assertRegex(
            disposition,
            rf'attachment; filename="ashyq-auyl-contributions-{self.company.slug}-delivered-'
            r'\d{4}-\d\d-\d\d\.csv"',
        )

    def test_an_unmodified_export_changes_nothing(self):
        """Every row is reported unchanged; applying writes no correction and no version."""
        before = self.state()
        preview = self.upload(self.export())
        self.assertEqual(preview.status_code, 200, preview.context["result"].errors)
        result = preview.context["result"]
        self.assertEqual(result.unchanged, [2, 3])
        self.assertEqual((result.created, result.corrected), ([], []))
        response = self.apply(preview)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.state(), before)

    def test_one_edited_cell_with_a_reason_is_one_correction(self):
        fieldnames, rows = self.rows(self.export())
        target = next(row for row in rows if row["id"] == str(self.mine[1].pk))
        target["amount"] = "2500000"
        fieldnames.append("reason")
        for row in rows:
            row["reason"] = "Value from the signed act." if row is target else ""
        preview = self.upload(self.write(fieldnames, rows))
        self.assertEqual(preview.status_code, 200, preview.context["result"].errors)
        # What changes, shown before applying (in the page's money format).
        self.assertContains(preview, "2\u00a0500\u00a0000\u00a0₸")
        self.assertEqual(Disclosure.objects.get(pk=self.mine[1].pk).version, self.mine[1].version)
        self.apply(preview)
        corrected = Disclosure.objects.get(pk=self.mine[1].pk)
        self.assertEqual(str(corrected.amount), "2500000.00")
        self.assertEqual(corrected.version, self.mine[1].version + 1)
        revision = corrected.revisions.get(action=Revision.Action.EDITED)
        self.assertEqual(revision.reason, "Value from the signed act.")
        self.assertEqual([change["field"] for change in revision.changes], ["amount"])
        self.assertFalse(Revision.objects.filter(disclosure=self.mine[0]).exists())
        page = self.client.get(reverse("disclosures:changes", kwargs={"pk": corrected.pk}))
        self.assertContains(page, "Value from the signed act.")

    def test_a_change_to_a_published_record_needs_a_reason(self):
        fieldnames, rows = self.rows(self.export())
        rows[0]["recipient_name"] = "Another school"
        response = self.upload(self.write(fieldnames, rows))
        self.assertEqual(response.status_code, 400)
        self.assertIn((2, "reason"), [(r, c) for r, c, _m in response.context["result"].errors])

    def test_another_companys_id_is_refused_per_row(self):
        """The row names the other record; nothing is imported, nothing of theirs changes."""
        fieldnames, rows = self.rows(self.export())
        foreign = dict(rows[0], id=str(self.theirs.pk), title_kk="Басқа")
        before = self.state()
        response = self.upload(self.write(fieldnames, [*rows, foreign]))
        self.assertEqual(response.status_code, 400)
        errors = response.context["result"].errors
        self.assertEqual([(r, c) for r, c, _m in errors], [(4, "id")])
        self.assertIn(str(self.theirs.pk), errors[0][2])
        self.assertEqual(self.state(), before)

    def test_semicolons_and_a_byte_order_mark_as_excel_saves_them(self):
        """A file saved by Excel in a Russian locale: ';' between cells and a BOM; a row
        without an id becomes a new draft."""
        fieldnames, rows = self.rows(self.export())
        first = next(row for row in rows if row["id"] == str(self.mine[0].pk))
        new = dict(first, id="", title_kk="Жаңа құдық", title_ru="Новый колодец")
        text = "\ufeff" + self.write(fieldnames, [*rows, new], delimiter=";")
        preview = self.upload(text)
        self.assertEqual(preview.status_code, 200, preview.context["result"].errors)
        self.assertEqual(len(preview.context["result"].created), 1)
        self.assertEqual(preview.context["result"].unchanged, [2, 3])
        self.apply(preview)
        created = Disclosure.objects.get(title_ru="Новый колодец")
        self.assertTrue(created.is_draft())
        self.assertEqual(created.reporting_year, 2025)
        self.assertEqual(created.in_kind_description, "=SUM(A1)")  # the apostrophe is gone
        self.assertEqual(created.description_ru, "Первая строка\nвторая строка")

    def test_a_windows_1251_file_gets_a_clear_message(self):
        response = self.upload(self.export().lstrip("\ufeff"), encoding="cp1251")
        self.assertEqual(response.status_code, 400)
        message = response.context["result"].errors[0][2]
        self.assertIn("CSV UTF-8", message)

    def test_the_template_columns_are_the_exports_writable_ones(self):
        """One list: every template column is in the export, under the same name."""
        fieldnames, _rows = self.rows(self.export())
        self.assertTrue(set(services.CSV_COLUMNS) <= set(fieldnames))
        for name in ("organisation_bin", "obligation", "in_kind_description", "reporting_year"):
            self.assertIn(name, fieldnames)

    def test_apply_without_a_preview_is_refused(self):
        response = self.client.post(reverse("disclosures:import"), {"apply": "0" * 64})
        self.assertRedirects(response, reverse("disclosures:import"))
