"""Calendars and feeds as their standards want them: ORGANIZER as a cal-address, the cancellation
reason, refresh hints, RFC 4287 Atom, and 304 answers to conditional requests."""

import xml.etree.ElementTree as ET

import icalendar
from django.test import TestCase, override_settings

from tests.factories import AkimatFactory, DisclosureFactory, HearingFactory, place_tree

ATOM = "{http://www.w3.org/2005/Atom}"


@override_settings(CALENDAR_ORGANIZER_EMAIL="noreply@ashyq.example")
class CalendarFieldTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        village = cls.places["village"]
        with_email = AkimatFactory(place=cls.places["district"], email="akimat@nura.example")
        without = AkimatFactory(place=cls.places["district"], email="")
        cls.hearing = HearingFactory(announced=True, organiser=with_email, territory=[village])
        cls.other = HearingFactory(announced=True, organiser=without, territory=[village])
        cls.cancelled = HearingFactory(cancelled=True, organiser=without, territory=[village])
        DisclosureFactory(published=True, settlements=[village])

    def events(self, url):
        calendar = icalendar.Calendar.from_ical(self.client.get(url).content)
        return calendar, {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}

    def test_organizer_is_the_akimat_with_its_email_or_the_no_reply_address(self):
        _calendar, events = self.events("/en/hearings/calendar.ics")
        organizer = events[f"hearing-{self.hearing.pk}"]["organizer"]
        self.assertEqual(str(organizer), "mailto:akimat@nura.example")
        self.assertEqual(organizer.params["CN"], self.hearing.organiser.name_en)
        fallback = events[f"hearing-{self.other.pk}"]["organizer"]
        self.assertEqual(str(fallback), "mailto:noreply@ashyq.example")
        self.assertEqual(fallback.params["CN"], self.other.organiser.name_en)

    def test_without_an_address_there_is_no_organizer(self):
        """An akimat without a public e-mail and no CALENDAR_ORGANIZER_EMAIL: no made-up
        no-reply address (noreply@localhost in the demo), no ORGANIZER at all."""
        with self.settings(CALENDAR_ORGANIZER_EMAIL=""):
            _calendar, events = self.events(f"/en/hearings/{self.other.pk}/calendar.ics")
        self.assertNotIn("organizer", events[f"hearing-{self.other.pk}"])
        _calendar, events = self.events(f"/en/hearings/{self.hearing.pk}/calendar.ics")
        self.assertEqual(
            str(events[f"hearing-{self.hearing.pk}"]["organizer"]), "mailto:akimat@nura.example"
        )

    def test_a_cancelled_hearing_says_why(self):
        _calendar, events = self.events(f"/en/hearings/{self.cancelled.pk}/calendar.ics")
        event = events[f"hearing-{self.cancelled.pk}"]
        self.assertEqual(event["status"], "CANCELLED")
        self.assertTrue(
            str(event["description"]).startswith("Cancelled: Инициатор отозвал заявление.")
        )

    def test_calendars_tell_subscribers_how_often_to_refresh(self):
        code = self.places["village"].kato_code
        for url in ("/en/hearings/calendar.ics", f"/en/hearings/place/{code}/calendar.ics"):
            body = self.client.get(url).content.decode()
            self.assertIn("REFRESH-INTERVAL;VALUE=DURATION:PT1H", body)
            self.assertIn("X-PUBLISHED-TTL:PT1H", body)
            calendar = icalendar.Calendar.from_ical(body)
            self.assertEqual(calendar["version"], "2.0")
            for event in calendar.walk("VEVENT"):
                for name in ("uid", "dtstamp", "dtstart", "organizer", "status"):
                    self.assertIn(name, event, f"{url}: {name}")

    def test_atom_feeds_meet_rfc_4287(self):
        """Feed: id (an IRI), title, updated, author, a self link with the query; each entry an
        id, title, updated and an author (its own or the feed's)."""
        code = self.places["village"].kato_code
        for url in ("/en/hearings/feed/?x=1", f"/en/hearings/place/{code}/feed/?x=1"):
            feed = ET.fromstring(self.client.get(url).content)
            self.assertRegex(feed.findtext(f"{ATOM}id"), r"^[a-z][a-z0-9+.-]*:")
            self.assertTrue(feed.findtext(f"{ATOM}title"))
            self.assertTrue(feed.findtext(f"{ATOM}updated"))
            self.assertTrue(feed.find(f"{ATOM}author/{ATOM}name").text)
            selves = [link.get("href") for link in feed.findall(f"{ATOM}link[@rel='self']")]
            self.assertEqual(len(selves), 1)
            self.assertTrue(selves[0].endswith(url), selves)
            entries = feed.findall(f"{ATOM}entry")
            self.assertEqual(len(entries), 3)
            for entry in entries:
                self.assertRegex(entry.findtext(f"{ATOM}id"), r"^tag:[^,]+,\d{4}:hearing/\d+$")
                self.assertTrue(entry.findtext(f"{ATOM}title"))
                self.assertTrue(entry.findtext(f"{ATOM}updated"))
                self.assertTrue(entry.find(f"{ATOM}author/{ATOM}name").text)

    def test_feeds_and_calendars_answer_conditional_requests_with_304(self):
        code = self.places["village"].kato_code
        urls = [
            "/en/hearings/feed/",
            f"/en/hearings/place/{code}/feed/",
            "/en/disclosures/feed/",
            f"/en/disclosures/feed/?place={code}",
            "/en/hearings/calendar.ics",
            f"/en/hearings/place/{code}/calendar.ics",
            f"/en/hearings/{self.hearing.pk}/calendar.ics",
        ]
        for url in urls:
            first = self.client.get(url)
            self.assertEqual(first.status_code, 200, url)
            self.assertTrue(first.has_header("ETag"), url)
            self.assertTrue(first.has_header("Last-Modified"), url)
            again = self.client.get(url, headers={"if-none-match": first["ETag"]})
            self.assertEqual(again.status_code, 304, url)
            self.assertEqual(again.content, b"", url)
            since = self.client.get(url, headers={"if-modified-since": first["Last-Modified"]})
            self.assertEqual(since.status_code, 304, url)

    def test_a_change_gives_a_full_answer_again(self):
        url = "/en/hearings/calendar.ics"
        etag = self.client.get(url)["ETag"]
        HearingFactory(announced=True, territory=[self.places["village"]])
        response = self.client.get(url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 200)
