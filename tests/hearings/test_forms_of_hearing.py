"""Both forms of hearing, each shown as it is (page, printed notice, .ics, e-mail), and the
official record fields."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hearings import clock, services
from hearings.models import Hearing, OutboxMessage, Rule
from tests.factories import HearingFactory, SubscriptionFactory, UserFactory

from .conftest import local_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(staff=True)


def discussion(**fields):
    """A public discussion under Art. 87 sub-para. 4): 40 days ahead, a 30-day window."""
    start = local_at(40, hour=9)
    return HearingFactory(
        form="public_discussion",
        format="online",
        art87_subparagraph="4",
        object_category="II",
        portal_number="261120001008",
        portal_url="https://hearings.ndbecology.gov.kz/Public/PubHearings/PublicHearingDetail?hearingId=1",
        starts_at=start,
        discussion_ends_on=timezone.localdate(start) + datetime.timedelta(days=30),
        comments_until=None,
        venue_ru="",
        venue_kk="",
        **fields,
    )


def en(url):
    return "/en" + url[3:]


def test_public_discussion_is_announced_and_shown_as_a_window(client, staff):
    hearing = services.announce_hearing(acting_user=staff, hearing=discussion())
    assert hearing.rule_set.code == "eco-discussion-87-3-8-2024"
    body = client.get(en(hearing.get_absolute_url())).content.decode()
    start = timezone.localdate(hearing.starts_at)
    assert "Public discussion" in body
    assert (
        f"from {start.day}\u00a0" in body and f"to {hearing.discussion_ends_on.day}\u00a0" in body
    )
    assert "send comments at any time during this window" in body
    assert "Register to attend" not in body
    assert "open for 20 working days or longer" in body
    assert "№ 261120001008" in body
    assert "page on the official portal" in body
    assert "category II" in body and "sub-paragraph 4)" in body


def test_comments_are_taken_during_the_window_only(staff):
    hearing = services.announce_hearing(acting_user=staff, hearing=discussion())
    start = timezone.localdate(hearing.starts_at)
    assert not hearing.comments_open(today=start - datetime.timedelta(days=1))
    assert hearing.comments_open(today=start)
    assert hearing.comments_open(today=hearing.discussion_ends_on)
    assert not hearing.comments_open(today=hearing.discussion_ends_on + datetime.timedelta(days=1))


@pytest.mark.usefixtures("binding_rules")
def test_a_window_too_short_is_refused(staff):
    hearing = discussion()
    hearing.discussion_ends_on = timezone.localdate(hearing.starts_at) + datetime.timedelta(days=5)
    hearing.save()
    with pytest.raises(ValidationError):
        services.announce_hearing(acting_user=staff, hearing=hearing)


def test_printed_notice_shows_the_window_and_the_basis(client):
    hearing = discussion(status="announced", announced_at=timezone.now())
    body = client.get(en(reverse("hearings:notice", args=[hearing.pk]))).content.decode()
    # The notice board's sheet is in Kazakh and Russian, whatever the page's language.
    assert "онлайн, министрліктің порталында" in body
    assert "онлайн, на портале министерства" in body
    assert "№ 261120001008" in body
    assert "статья 87 Экологического кодекса, подпункт 4)" in body


def test_ics_of_a_discussion_is_an_all_day_window(client):
    hearing = discussion(status="announced", announced_at=timezone.now())
    body = client.get(en(reverse("hearings:ics", args=[hearing.pk]))).content.decode()
    start = timezone.localdate(hearing.starts_at)
    end = hearing.discussion_ends_on + datetime.timedelta(days=1)
    assert f"DTSTART;VALUE=DATE:{start:%Y%m%d}" in body
    assert f"DTEND;VALUE=DATE:{end:%Y%m%d}" in body
    assert "hearings.ndbecology.gov.kz" in body


def test_ics_of_an_open_meeting_keeps_its_hour(client):
    hearing = HearingFactory(announced=True)
    body = client.get(en(reverse("hearings:ics", args=[hearing.pk]))).content.decode()
    assert "DTSTART;TZID=" in body or "DTSTART:" in body
    assert "VALUE=DATE" not in body


def test_announcement_e_mail_of_a_discussion_gives_the_window(staff):
    hearing = discussion()
    SubscriptionFactory(place=hearing.territory.get(), confirmed=True, language="en")
    services.announce_hearing(acting_user=staff, hearing=hearing)
    body = OutboxMessage.objects.get(kind="announced").body
    assert "Public discussion: from" in body
    assert "Comments are accepted on the portal during the whole window." in body
    assert "Portal registration: № 261120001008" in body
    assert "Written comments are accepted until" not in body


def test_open_meeting_e_mail_keeps_date_and_place(staff):
    hearing = HearingFactory()
    SubscriptionFactory(place=hearing.territory.get(), confirmed=True, language="en")
    services.announce_hearing(acting_user=staff, hearing=hearing)
    body = OutboxMessage.objects.get(kind="announced").body
    assert "When:" in body and "Where:" in body
    assert "Public discussion" not in body


def test_the_form_of_an_announced_hearing_cannot_change(staff):
    hearing = services.announce_hearing(acting_user=staff, hearing=HearingFactory())
    hearing.form = "public_discussion"
    hearing.discussion_ends_on = timezone.localdate(hearing.starts_at)
    with pytest.raises(ValidationError):
        services.update_hearing(
            acting_user=staff,
            hearing=hearing,
            territory=list(hearing.territory.all()),
            reason="Moved online.",
        )


def test_moving_a_discussion_moves_its_window(staff):
    hearing = services.announce_hearing(acting_user=staff, hearing=discussion())
    old_end = hearing.discussion_ends_on
    hearing = services.reschedule_hearing(
        acting_user=staff, hearing=hearing, starts_at=local_at(47, hour=9), reason="Portal down."
    )
    assert hearing.discussion_ends_on == old_end + datetime.timedelta(days=7)


def test_protocol_signing_date_starts_the_second_clock(client, staff):
    hearing = HearingFactory(held=True)
    signed = timezone.localdate(hearing.starts_at) + datetime.timedelta(days=1)
    services.publish_record(
        acting_user=staff,
        hearing=hearing,
        protocol=SimpleUploadedFile("p.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        attendance=10,
        protocol_signed_on=signed,
    )
    hearing.refresh_from_db()
    assert hearing.protocol_signed_on == signed
    validity = next(d for d in clock.deadlines(hearing) if d.key == Rule.Measures.VALIDITY)
    assert validity.due.month == (signed.month + 5) % 12 + 1
    assert validity.state == "running"
    body = client.get(en(hearing.get_absolute_url())).content.decode()
    assert "Protocol signed on" in body and "valid until" in body


def test_protocol_cannot_be_signed_before_the_hearing(staff):
    hearing = HearingFactory(held=True)
    with pytest.raises(ValidationError):
        services.publish_record(
            acting_user=staff,
            hearing=hearing,
            protocol=SimpleUploadedFile(
                "p.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
            ),
            protocol_signed_on=timezone.localdate(hearing.starts_at) - datetime.timedelta(days=1),
        )


def test_akimat_drafts_a_public_discussion_through_the_form(client):
    """The notice form takes the form, the window and the official record; a discussion needs
    its last day, and needs no venue or meeting link."""
    from tests.factories import AkimatFactory, CompanyFactory, PlaceFactory, member_of

    organiser = AkimatFactory()
    village = PlaceFactory(parent=organiser.place)
    client.force_login(member_of(organiser))
    start = timezone.localtime(local_at(10, hour=9))
    data = {
        "title_ru": "Обсуждение раздела ООС",
        "legal_basis": "environmental_permit",
        "form": "public_discussion",
        "art87_subparagraph": "2",
        "object_category": "III",
        "portal_number": "261201000123",
        "portal_url": "https://hearings.ndbecology.gov.kz/Public/PubHearings",
        "initiator_representative": "Айдос Сериков",
        "document_developer": "ТОО «Эко»",
        "authorised_body": "РГП «ИАЦ ООС»",
        "initiator": CompanyFactory().pk,
        "organiser": organiser.pk,
        "format": "in_person",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "territory_codes": village.kato_code,
        "language_codes": ["kk", "ru"],
    }
    refused = client.post(reverse("hearings:create"), data)
    assert refused.status_code == 200 and not Hearing.objects.exists()
    data["discussion_ends_on"] = (start.date() + datetime.timedelta(days=9)).isoformat()
    assert client.post(reverse("hearings:create"), data).status_code == 302
    hearing = Hearing.objects.get()
    assert hearing.is_public_discussion() and hearing.format == "online"
    assert hearing.portal_number == "261201000123" and hearing.object_category == "III"
