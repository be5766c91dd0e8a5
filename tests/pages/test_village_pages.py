"""The pages residents open: a village, its district and region, a company, a project."""

import datetime

from django.test import TestCase
from django.utils import timezone, translation

from core import formats
from disclosures.models import Category, Disclosure
from hearings.models import ParticipationForm
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    ConfirmationFactory,
    DisclosureFactory,
    HearingFactory,
    PhotoFactory,
    ProjectFactory,
    ResidentFeedbackFactory,
    place_tree,
)


class VillageStatesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.company = CompanyFactory(name_en="Refinery LLP")
        cls.akimat = AkimatFactory(place=cls.places["district"])

    def page(self, place=None, **params):
        return self.client.get((place or self.places["village"]).get_absolute_url(), params)

    def test_empty_village(self):
        """A village with nothing recorded says so in each section, and offers subscription."""
        response = self.page()
        self.assertContains(response, "No public hearing is announced here.")
        self.assertContains(response, "No organisation has disclosed a contribution here yet.")
        self.assertContains(response, "No investment project affecting this place is recorded.")
        self.assertContains(response, 'name="email"')
        self.assertEqual(response.context["summary"]["total"], 0)

    def test_village_with_only_promises(self):
        village = self.places["village"]
        DisclosureFactory(published=True, promised=True, settlements=[village], title_en="A well")
        DisclosureFactory(published=True, promised=True, settlements=[village], title_en="A road")
        response = self.page()
        summary = response.context["summary"]
        self.assertEqual((summary["promised"], summary["delivered"], summary["overdue"]), (2, 0, 0))
        self.assertContains(response, "A well")
        self.assertContains(response, "status-promised")

    def test_overdue_and_disputed(self):
        village = self.places["village"]
        late = DisclosureFactory(published=True, overdue=True, settlements=[village])
        done = DisclosureFactory(published=True, settlements=[village])
        ResidentFeedbackFactory(disclosure=done, kind="disputed", moderation_status="approved")
        ConfirmationFactory(disclosure=done, akimat=self.akimat)
        response = self.page()
        summary = response.context["summary"]
        self.assertEqual(summary["overdue"], 1)
        self.assertEqual(summary["disputed"], 1)
        self.assertEqual(summary["confirmed"], 1)
        self.assertContains(response, late.title_en)
        self.assertContains(response, "status-overdue")
        self.assertContains(response, "1 resident disputes it")
        self.assertContains(response, "confirmed by the akimat")

    def test_the_answer_comes_before_hearings_and_the_form(self):
        """With no hearing taking comments, the page reads: name, the one-line answer
        (delivered, in progress, overdue, next hearing), the contributions, then the hearings and
        the subscription form."""
        village = self.places["village"]
        DisclosureFactory(published=True, settlements=[village], title_en="A new well")
        DisclosureFactory(published=True, overdue=True, settlements=[village])
        HearingFactory(
            announced=True,
            organiser=self.akimat,
            territory=[village],
            comments_until=timezone.localdate() - datetime.timedelta(days=1),
            title_en="Refinery hearing",
        )
        response = self.page()
        self.assertFalse(response.context["comments_open"])
        content = response.content.decode()
        order = [
            "<h1>",
            'id="place-answer"',
            'id="contributions-heading"',
            "A new well",
            'id="hearings-heading"',
            "Refinery hearing",
            'name="email"',
        ]
        positions = [content.index(marker) for marker in order]
        self.assertEqual(positions, sorted(positions))
        answer = content[content.index('id="place-answer"') : content.index("</p>", positions[1])]
        self.assertIn("delivered: <strong>1</strong>", answer)
        self.assertIn("overdue: <strong>1</strong>", answer)
        self.assertIn("Next hearing", answer)

    def test_a_public_discussion_is_a_window_of_days(self):
        """An online public discussion is no one-off meeting at 09:00: its card and the answer
        line give the first and last day of the window, and comments close on the last."""
        start = timezone.now() + datetime.timedelta(days=30)
        last = timezone.localdate(start) + datetime.timedelta(days=19)
        HearingFactory(
            announced=True,
            organiser=self.akimat,
            territory=[self.places["village"]],
            form=ParticipationForm.PUBLIC_DISCUSSION,
            format="online",
            starts_at=start,
            discussion_ends_on=last,
            comments_until=None,
        )
        content = self.page().content.decode()
        window = formats.day_range(start, last, "en")
        self.assertEqual(content.count(f"online discussion, {window}"), 2)  # answer and card
        self.assertNotIn(f"{formats.day_time(start, 'en')}<", content)
        self.assertIn(f"Comments close on {formats.day_month(last, 'en')}", content)

    def test_a_withdrawn_card_does_not_say_delivered(self):
        """Under the "withdrawn" badge a card gives the withdrawal date and reason, not "delivered
        on ..." as well; a current delivered card keeps its date."""
        village = self.places["village"]
        DisclosureFactory(
            published=True,
            withdrawn=True,
            settlements=[village],
            delivered_date=datetime.date(2020, 3, 1),
        )
        current = DisclosureFactory(
            published=True, settlements=[village], delivered_date=datetime.date(2021, 6, 1)
        )
        content = self.page().content.decode()
        self.assertIn("Withdrawn on", content)
        self.assertNotIn(f"delivered {formats.day(datetime.date(2020, 3, 1), 'en')}", content)
        self.assertIn(f"delivered {formats.day(current.delivered_date, 'en')}", content)

    def test_drafts_and_hidden_stay_off(self):
        village = self.places["village"]
        draft = DisclosureFactory(settlements=[village])
        hidden = DisclosureFactory(published=True, hidden=True, settlements=[village])
        response = self.page()
        self.assertNotContains(response, draft.title_en)
        self.assertNotContains(response, hidden.title_en)

    def test_grouped_by_category_and_timeline(self):
        village = self.places["village"]
        DisclosureFactory(published=True, settlements=[village], category=Category.WATER)
        DisclosureFactory(published=True, settlements=[village], category=Category.HOUSING)
        grouped = self.page()
        self.assertContains(grouped, "<h3>Water supply</h3>", html=False)
        timeline = self.page(view="timeline")
        self.assertContains(timeline, 'class="cards timeline"')

    def test_hearings_at_the_top_with_calendar_and_notice(self):
        hearing = HearingFactory(
            announced=True, organiser=self.akimat, territory=[self.places["district"]]
        )
        response = self.page()
        content = response.content.decode()
        self.assertIn(hearing.title_en, content)
        self.assertLess(
            content.index(hearing.title_en), content.index('id="contributions-heading"')
        )
        self.assertContains(response, f"/hearings/{hearing.pk}/notice/")
        self.assertContains(response, "Add to calendar")
        self.assertContains(response, "Comments close on")
        self.assertContains(response, "in 1\u00a0month")  # time left, from core.formats
        self.assertContains(
            response, f"/hearings/place/{self.places['village'].kato_code}/calendar.ics"
        )

    def test_photos_are_lazy_thumbnails_with_alt_text(self):
        disclosure = DisclosureFactory(published=True, settlements=[self.places["village"]])
        photo = PhotoFactory(disclosure=disclosure)
        response = self.page()
        self.assertContains(response, 'loading="lazy"')
        self.assertContains(response, f'alt="{photo.alt_text}"')

    def test_district_lists_villages_with_figures(self):
        DisclosureFactory(published=True, settlements=[self.places["village"]])
        DisclosureFactory(published=True, overdue=True, settlements=[self.places["neighbour"]])
        response = self.page(self.places["district"])
        villages = {v.pk: v.figures for v in response.context["villages"]}
        self.assertEqual(villages[self.places["village"].pk]["delivered"], 1)
        self.assertEqual(villages[self.places["neighbour"].pk]["overdue"], 1)
        self.assertEqual(response.context["summary"]["total"], 2)

    def test_an_area_names_the_places_directly_under_it_by_name(self):
        """A rural district names all its villages under "Places within", by name, those in its
        table of villages (read in the same query) and the others; a district its rural
        districts, not the villages under them."""
        DisclosureFactory(published=True, settlements=[self.places["village"]])
        with translation.override("en"):
            response = self.page(self.places["rural"])
            children = [(child.name, child.url) for child in response.context["children"]]
            self.assertEqual(
                children,
                [
                    ("Hillside", self.places["neighbour"].get_absolute_url()),
                    ("Lakeside", self.places["village"].get_absolute_url()),
                ],
            )
            self.assertEqual(
                [village.pk for village in response.context["villages"]],
                [self.places["village"].pk],
            )
            response = self.page(self.places["district"])
        self.assertEqual(
            [child.name for child in response.context["children"]], ["Lake Rural District"]
        )
        self.assertContains(response, "Places within")

    def test_company_page_shows_everything_with_overdue_promises(self):
        DisclosureFactory(published=True, organisation=self.company, title_en="Fire truck")
        late = DisclosureFactory(published=True, overdue=True, organisation=self.company)
        response = self.client.get(self.company.get_absolute_url())
        self.assertContains(response, "Fire truck")
        self.assertContains(response, "Overdue promises")
        self.assertIn(late, list(response.context["overdue"]))

    def test_project_page_shows_its_contributions_and_hearings(self):
        project = ProjectFactory(operator=self.company, primary_settlement=self.places["village"])
        DisclosureFactory(
            published=True, organisation=self.company, project=project, title_en="School bus"
        )
        hearing = HearingFactory(announced=True, project=project, organiser=self.akimat)
        response = self.client.get(project.get_absolute_url())
        self.assertContains(response, "School bus")
        self.assertContains(response, hearing.title_en)

    def test_an_edit_shows_at_once(self):
        """A company's correction is on the village page at the next request (no stale cache)."""
        disclosure = DisclosureFactory(published=True, settlements=[self.places["village"]])
        first = self.page()
        Disclosure.objects.filter(pk=disclosure.pk).update(title_en="Corrected title")
        disclosure.refresh_from_db()
        disclosure.save()  # the model signal bumps the content version
        again = self.client.get(
            self.places["village"].get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"]
        )
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "Corrected title")

    def test_every_language(self):
        DisclosureFactory(published=True, settlements=[self.places["village"]])
        for language in ["kk", "ru", "en"]:
            with self.subTest(language=language), translation.override(language):
                response = self.client.get(self.places["village"].get_absolute_url())
                self.assertEqual(response.status_code, 200)
