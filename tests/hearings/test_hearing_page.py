"""What a hearing's page leads with: how to take part while that is possible, the record (or
that it is late) once held, the cancellation when cancelled, the new and old date when moved;
and the printed notice, which speaks of paper and carries the site's real address."""

import datetime

import pytest
import segno
from django.urls import reverse
from django.utils import timezone, translation

from core import formats
from hearings import clock
from hearings.models import HearingChange, Rule
from tests.factories import HearingCommentFactory, HearingFactory, PlaceFactory, bind_rules

from .conftest import local_at

pytestmark = pytest.mark.django_db


def page(client, hearing):
    with translation.override("en"):
        return client.get(hearing.get_absolute_url()).content.decode()


def before(body, first, second):
    """`first` appears in the page, before `second`."""
    assert first in body, first
    assert second in body, second
    return body.index(first) < body.index(second)


def test_upcoming_hearing_leads_with_how_to_take_part(client):
    """The box comes before the notice and holds when, where, how to comment (the form, on
    paper, at the meeting), until when, the calendar file, e-mails for the place (remembering
    this page) and registration."""
    village = PlaceFactory()
    hearing = HearingFactory(
        announced=True,
        territory=[village],
        starts_at=local_at(30, hour=15),
        comments_until=timezone.localdate() + datetime.timedelta(days=27),
    )
    body = page(client, hearing)
    box = body[body.index('class="take-part') : body.index('id="notice-heading"')]
    assert before(body, 'id="take-part-heading"', 'id="notice-heading"')
    assert "15:00" in box and "Kazakhstan time" in box
    with translation.override("en"):
        assert str(hearing.venue) in box
        assert reverse("hearings:comment", args=[hearing.pk]) in box
        assert reverse("hearings:ics", args=[hearing.pk]) in box
        assert reverse("hearings:register", args=[hearing.pk]) in box
        path = hearing.get_absolute_url()
    assert f"place={village.kato_code}" in box
    assert "next=" + path.replace("/", "%2F") in box
    assert "In writing, on paper, to" in box and "At the meeting" in box
    assert "Written comments until" in box
    # The first button on the page is in the box: the way to comment.
    assert box.index('class="button"') >= 0
    assert body.index('class="button') > body.index('class="take-part')


def test_a_meeting_under_way_still_says_how_to_take_part(client):
    """Half an hour into a two-hour meeting residents can still go: the page says it is taking
    place now and until when, not that it has taken place; once over, the record leads."""
    hearing = HearingFactory(
        announced=True,
        starts_at=timezone.now() - datetime.timedelta(minutes=30),
        duration_minutes=120,
        comments_until=timezone.localdate() - datetime.timedelta(days=3),
    )
    body = page(client, hearing)
    end = formats.clock(hearing.ends_at)
    assert before(body, f"Taking place now, until about {end}.", 'id="notice-heading"')
    assert "take-part-heading" in body
    assert "has taken place" not in body and 'id="record-heading"' not in body

    with translation.override("en"):
        village = client.get(hearing.territory.first().get_absolute_url()).content.decode()
    assert f"Taking place now, until about {end}." in village  # on its card too

    hearing.starts_at = timezone.now() - datetime.timedelta(minutes=150)
    hearing.save()
    body = page(client, hearing)
    assert "Taking place now" not in body
    assert before(body, "The hearing has taken place.", 'id="notice-heading"')


def test_past_hearing_leads_with_its_record(client):
    """Once the record is published the page starts with it: protocol, attendance, summary,
    and how many comments were answered; there is no box to take part any more."""
    hearing = HearingFactory(record_published=True, record_summary_en="Residents asked about dust.")
    HearingCommentFactory(hearing=hearing, answered=True)
    HearingCommentFactory(hearing=hearing, moderation_status="approved")
    body = page(client, hearing)
    assert before(body, 'id="record-heading"', 'id="notice-heading"')
    record = body[body.index('id="record-heading"') : body.index('id="notice-heading"')]
    assert "Signed protocol (PDF)" in record and ">42<" in record.replace("<dd>42</dd>", ">42<")
    assert "Residents asked about dust." in record
    assert "2 questions and comments published, 1 answered" in record
    assert "take-part-heading" not in body


@pytest.mark.usefixtures("binding_rules")
def test_late_protocol_leads_the_page_with_its_due_date_and_the_rule(client):
    """Held three weeks ago, no record: "The protocol was due on … and is not published yet",
    with the rule and its source, before anything else."""
    hearing = HearingFactory(
        past=True,
        starts_at=local_at(-21),
        comments_until=timezone.localdate() - datetime.timedelta(days=24),
    )
    due = clock.protocol_deadline(hearing)
    body = page(client, hearing)
    assert before(body, "The protocol was due on", 'id="notice-heading"')
    due_text = formats.day(due, language="en")
    assert f"The protocol was due on {due_text} and is not published yet." in body
    lead = body[body.index('id="record-heading"') : body.index('id="notice-heading"')]
    rule = clock.rule(hearing, Rule.Measures.PROTOCOL)
    assert "Rule: within 7 calendar days after the end of the hearing." in lead
    with translation.override("en"):
        assert "Source:" in lead and rule.citation() in lead
    assert "Legal source not confirmed" not in lead  # the rule binds here


def test_held_hearing_before_its_protocol_is_due_says_when_it_is(client):
    """By an unverified rule the page says when the site expects the protocol; by a verified
    one, when it is due."""
    hearing = HearingFactory(held=True, starts_at=local_at(-2))
    body = page(client, hearing)
    assert before(body, "The site expects its protocol by", 'id="notice-heading"')
    assert "Its protocol is due by" not in body
    assert "is not published yet" not in body
    bind_rules()
    body = page(client, hearing)
    assert before(body, "Its protocol is due by", 'id="notice-heading"')
    assert "is not published yet" not in body


def test_cancelled_hearing_leads_with_the_cancellation_and_its_reason(client):
    hearing = HearingFactory(cancelled=True)
    body = page(client, hearing)
    assert before(body, "This hearing is cancelled", 'id="notice-heading"')
    assert before(body, "Инициатор отозвал заявление.", 'id="notice-heading"')
    assert "It was to take place on" in body
    assert "take-part-heading" not in body


def test_moved_hearing_shows_the_new_date_and_the_previous_one(client):
    old = local_at(20, hour=11)
    hearing = HearingFactory(
        announced=True, starts_at=local_at(35, hour=15), rescheduled_at=timezone.now()
    )
    HearingChange.objects.create(
        hearing=hearing,
        action=HearingChange.Action.RESCHEDULED,
        reason="The hall is being repaired.",
        old_starts_at=old,
        new_starts_at=hearing.starts_at,
    )
    body = page(client, hearing)
    box = body[body.index('class="take-part') : body.index('id="notice-heading"')]
    old_text = formats.day_time(old, language="en")
    assert f"New date. It was to take place on {old_text}." in box
    assert "15:00" in box


# --- The printed notice ---------------------------------------------------------------------


def test_notice_carries_site_url_never_the_request_host(client, settings):
    """The link and the QR code are built from SITE_URL: the request's host (here another
    name the server answers to) never appears on the sheet."""
    settings.SITE_URL = "https://auyl.example.kz"
    settings.ALLOWED_HOSTS = ["*"]
    hearing = HearingFactory(announced=True)
    url = reverse("hearings:notice", args=[hearing.pk])
    body = client.get(url, HTTP_HOST="internal-host.lan:8000").content.decode()
    assert "internal-host.lan" not in body and "127.0.0.1" not in body
    assert f"auyl.example.kz/kk/hearings/{hearing.pk}/" in body
    assert f"auyl.example.kz/ru/hearings/{hearing.pk}/" in body
    expected_qr = segno.make(f"https://auyl.example.kz/kk/hearings/{hearing.pk}/", error="m")
    assert expected_qr.svg_inline(scale=4, title="QR") in body


def test_notice_says_how_to_comment_on_paper_and_by_the_address(client):
    hearing = HearingFactory(
        announced=True,
        comment_instructions_ru="",
        organiser_contact="Ержан Сапаров, +7 72634 0 00 00",
    )
    with translation.override("ru"):
        body = client.get(reverse("hearings:notice", args=[hearing.pk])).content.decode()
    ru = body[body.index('class="notice-column" lang="ru"') :]
    assert "на этой странице" not in body and "this page" not in body
    assert "письменно" in ru.lower() and hearing.organiser.name_ru in ru
    assert "+7 72634 0 00 00" in ru
    assert "QR" in ru and f"ashyq.example/ru/hearings/{hearing.pk}/" in ru


def test_box_says_written_comments_are_closed_when_they_are(client):
    """Comments closed yesterday, the meeting is next week: no comment button, and the box says
    so instead of offering a date that has passed."""
    hearing = HearingFactory(
        announced=True,
        starts_at=local_at(7),
        comments_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    body = page(client, hearing)
    box = body[body.index('class="take-part') : body.index('id="notice-heading"')]
    assert "Written comments closed on" in box and "speak at the meeting" in box
    with translation.override("en"):
        assert reverse("hearings:comment", args=[hearing.pk]) not in box
    assert reverse("hearings:ics", args=[hearing.pk]).split("/", 2)[2] in box
