"""Published disclosures are never silently changed: corrections keep a visible history."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from disclosures import services
from disclosures.models import Disclosure, Revision, Status
from tests.factories import DisclosureFactory, ProjectFactory, member_of, place_tree


class RevisionLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.disclosure = DisclosureFactory(
            published=True, amount=Decimal("2000000"), settlements=[cls.places["village"]]
        )
        cls.user = member_of(cls.disclosure.organisation)

    def correct(self, reason="", **changes):
        disclosure = Disclosure.objects.get(pk=self.disclosure.pk)
        for name, value in changes.items():
            setattr(disclosure, name, value)
        return services.update_disclosure(
            acting_user=self.user,
            disclosure=disclosure,
            settlements=[self.places["village"]],
            reason=reason,
        )

    def test_published_change_needs_a_reason(self):
        """Without a reason the correction is refused and nothing changes."""
        with self.assertRaises(ValidationError):
            self.correct(amount=Decimal("1800000"))
        self.disclosure.refresh_from_db()
        self.assertEqual(self.disclosure.amount, Decimal("2000000"))
        self.assertFalse(self.disclosure.revisions.filter(action="edited").exists())

    def test_correction_is_logged_field_by_field(self):
        """The revision keeps the old and new value as codes (amount and currency), and the
        reason; the words are chosen when the log is read."""
        self.correct(amount=Decimal("1800000"), reason="The act says 1.8 million.")
        revision = self.disclosure.revisions.get(action=Revision.Action.EDITED)
        self.assertEqual(revision.reason, "The act says 1.8 million.")
        self.assertEqual(
            revision.changes, [{"field": "amount", "old": "2000000 KZT", "new": "1800000 KZT"}]
        )

    def test_change_log_page_shows_the_correction(self):
        """The public change log reads 'value corrected from … to … on <date>: reason'."""
        with translation.override("en"):
            self.correct(amount=Decimal("1800000"), reason="The act says 1.8 million.")
            response = self.client.get(reverse("disclosures:changes", args=[self.disclosure.pk]))
        self.assertContains(
            response, "value corrected from KZT\u00a02,000,000 to KZT\u00a01,800,000 on"
        )
        self.assertContains(response, ": The act says 1.8 million.")
        self.assertNotContains(response, "Reason: The act says")

    def test_change_log_names_linked_records_with_a_constant_number_of_queries(self):
        """Projects and funding sources logged as "#<id>" are named in one query per kind of
        record, however many corrections link them."""

        def log_links(count):
            for _ in range(count):
                old, new = ProjectFactory(), ProjectFactory()
                source = DisclosureFactory(published=True)
                Revision.objects.create(
                    disclosure=self.disclosure,
                    action=Revision.Action.EDITED,
                    after_publication=True,
                    reason="Linked.",
                    changes=[
                        {"field": "project", "old": f"#{old.pk}", "new": f"#{new.pk}"},
                        {"field": "funded_by", "old": "", "new": f"#{source.pk}"},
                    ],
                )
            with translation.override("en"):
                url = reverse("disclosures:changes", args=[self.disclosure.pk])
                with CaptureQueriesContext(connection) as queries:
                    response = self.client.get(url)
                self.assertContains(response, f"to {new.name_en} on")
                self.assertContains(response, f"{source.title} ({source.organisation.name})")
            return len(queries)

        self.assertEqual(log_links(1), log_links(3))

    def test_no_change_writes_no_revision(self):
        """Saving without changes is not a correction."""
        self.correct()
        self.assertFalse(self.disclosure.revisions.filter(action="edited").exists())

    def test_draft_edits_need_no_reason(self):
        draft = DisclosureFactory(organisation=self.disclosure.organisation)
        draft.title_ru = "Другое"
        services.update_disclosure(
            acting_user=self.user, disclosure=draft, settlements=list(draft.settlements.all())
        )
        self.assertEqual(Disclosure.objects.get(pk=draft.pk).title_ru, "Другое")

    def test_drafts_are_private_forever(self):
        """What a company typed and removed before publishing never becomes public: the change
        log and the API start at publication; the company itself still sees its draft steps
        (issue 21)."""
        draft = DisclosureFactory(
            organisation=self.disclosure.organisation,
            title_ru="Ремонт школы",
            amount=Decimal("9999999"),
            settlements=[self.places["village"]],
        )
        draft.title_ru = "Ремонт школы № 2"
        draft.amount = Decimal("1500000")
        services.update_disclosure(
            acting_user=self.user, disclosure=draft, settlements=[self.places["village"]]
        )
        services.publish_disclosure(
            acting_user=self.user, disclosure=Disclosure.objects.get(pk=draft.pk)
        )
        self.assertTrue(draft.revisions.filter(after_publication=False).exists())
        url = reverse("disclosures:changes", args=[draft.pk])
        public = self.client.get(url).content.decode()
        api = self.client.get(f"/api/v1/disclosures/{draft.pk}/").json()
        self.assertNotIn("9\xa0999\xa0999", public)
        self.assertNotIn("9999999", str(api["revisions"]))
        self.assertEqual(
            [revision["action"] for revision in api["revisions"]], [Revision.Action.PUBLISHED]
        )
        self.client.force_login(self.user)
        self.assertIn("9\xa0999\xa0999", self.client.get(url).content.decode())

    def test_withdrawal_keeps_the_record_visible(self):
        """A withdrawn disclosure stays on its page with the reason, and on the list, greyed,
        unless the list is asked to hide withdrawn ones."""
        services.withdraw_disclosure(
            acting_user=self.user, disclosure=self.disclosure, reason="Recorded twice."
        )
        response = self.client.get(self.disclosure.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Recorded twice.")
        listed = self.client.get(reverse("disclosures:list"))
        self.assertContains(listed, self.disclosure.title)
        self.assertContains(listed, "is-withdrawn")
        hidden = self.client.get(reverse("disclosures:list"), {"hide_withdrawn": "on"})
        self.assertNotContains(hidden, self.disclosure.title)
        self.assertTrue(self.disclosure.revisions.filter(action="withdrawn").exists())
        with self.assertRaises(ValidationError):
            self.correct(title_ru="x", reason="y")

    def test_withdrawal_needs_a_reason(self):
        with self.assertRaises(ValidationError):
            services.withdraw_disclosure(
                acting_user=self.user, disclosure=self.disclosure, reason=""
            )

    def test_status_change_goes_to_timeline_and_log(self):
        """Delivering a promise adds a dated step to the timeline and a revision."""
        promise = DisclosureFactory(
            promised=True, published=True, organisation=self.disclosure.organisation
        )
        services.change_status(
            acting_user=self.user,
            disclosure=promise,
            status=Status.DELIVERED,
            date=timezone.localdate(),
            note="Handed over to the school.",
        )
        self.assertEqual(
            list(promise.status_changes.values_list("status", flat=True)),
            ["promised", "delivered"],
        )
        revision = promise.revisions.get(action="status")
        self.assertIn("status", {change["field"] for change in revision.changes})
        response = self.client.get(promise.get_absolute_url())
        self.assertContains(response, "Handed over to the school.")
