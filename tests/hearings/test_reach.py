"""Reach: .ics per hearing, iCalendar and Atom feeds per place, the printable notice."""

import feedparser
import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from hearings import services
from tests.factories import HearingFactory, PlaceFactory, UserFactory

from .conftest import local_at

pytestmark = pytest.mark.django_db


def test_hearing_ics_parses_back(client):
    """The .ics is a valid calendar with one event at the hearing's time, linking to the page."""
    hearing = HearingFactory(announced=True, starts_at=local_at(40))
    response = client.get(reverse("hearings:ics", args=[hearing.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == hearing.starts_at
    assert str(event["url"]).endswith(hearing.get_absolute_url())
    assert str(event["status"]) == "CONFIRMED"


def test_draft_has_no_ics(client):
    """Drafts are not public in any format."""
    assert client.get(reverse("hearings:ics", args=[HearingFactory().pk])).status_code == 404


def test_rescheduled_event_keeps_uid_and_raises_sequence(client):
    """A moved hearing is the same calendar event with a higher SEQUENCE and the new time."""
    hearing = HearingFactory(announced=True, starts_at=local_at(40))
    url = reverse("hearings:ics", args=[hearing.pk])
    before = list(icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT"))[0]
    services.reschedule_hearing(
        acting_user=UserFactory(staff=True), hearing=hearing, starts_at=local_at(45), reason="x"
    )
    after = list(icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT"))[0]
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) > int(before["sequence"])
    assert after.decoded("dtstart") == local_at(45)


def test_place_calendar_follows_the_hierarchy(client):
    """A district hearing shows in each village's calendar; a village hearing in its
    district's; drafts and other places' hearings in neither."""
    district = PlaceFactory(district=True)
    village = PlaceFactory(parent=district)
    elsewhere = PlaceFactory()
    district_hearing = HearingFactory(
        announced=True, territory=[district], title_en="District-wide"
    )
    village_hearing = HearingFactory(announced=True, territory=[village], title_en="Village only")
    HearingFactory(territory=[village], title_en="Draft")
    HearingFactory(announced=True, territory=[elsewhere], title_en="Elsewhere")

    def summaries(place):
        with translation.override("en"):
            url = reverse("hearings:place_calendar", args=[place.kato_code])
        response = client.get(url)
        calendar = icalendar.Calendar.from_ical(response.content)
        return {str(e["summary"]) for e in calendar.walk("VEVENT")}

    with_village = summaries(village)
    assert any("District-wide" in s for s in with_village)
    assert any("Village only" in s for s in with_village)
    assert not any("Draft" in s or "Elsewhere" in s for s in with_village)
    assert any("Village only" in s for s in summaries(district))
    assert district_hearing and village_hearing


def test_cancelled_hearing_in_calendar_is_marked_cancelled(client):
    """Calendars learn of the cancellation instead of losing the event silently."""
    hearing = HearingFactory(cancelled=True)
    calendar = icalendar.Calendar.from_ical(
        client.get(reverse("hearings:ics", args=[hearing.pk])).content
    )
    assert str(list(calendar.walk("VEVENT"))[0]["status"]) == "CANCELLED"


def test_atom_feed_parses_back(client):
    """The place's Atom feed is well-formed and each entry links to the hearing's page."""
    village = PlaceFactory()
    hearing = HearingFactory(announced=True, territory=[village], title_en="Wind farm hearing")
    HearingFactory(territory=[village], title_en="Secret draft")
    with translation.override("en"):
        response = client.get(reverse("hearings:place_feed", args=[village.kato_code]))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert "Wind farm hearing" in entry.title
    with translation.override("en"):
        assert entry.link.endswith(hearing.get_absolute_url())


def test_unknown_place_feed_is_404(client):
    assert client.get(reverse("hearings:place_feed", args=["999999999"])).status_code == 404


def test_printable_notice_has_kazakh_and_russian_and_qr(client):
    """The A4 notice shows the Kazakh and Russian texts side by side, a QR code and short link."""
    hearing = HearingFactory(
        announced=True,
        title_kk="Жел электр станциясы бойынша тыңдау",
        title_ru="Слушания по ветровой электростанции",
    )
    response = client.get(reverse("hearings:notice", args=[hearing.pk]))
    body = response.content.decode()
    assert "Жел электр станциясы бойынша тыңдау" in body
    assert "Слушания по ветровой электростанции" in body
    assert 'lang="kk"' in body and 'lang="ru"' in body
    assert "<svg" in body
    assert f"ashyq.example/kk/hearings/{hearing.pk}/" in body
    assert f"ashyq.example/ru/hearings/{hearing.pk}/" in body
