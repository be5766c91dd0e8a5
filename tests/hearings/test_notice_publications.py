"""The events the law names, on fixed days: the notice's official publications (mass media, the
ministry's portal) and which one the clock counts from; the portal's registration number; the
draft report sent to the ministry (Art. 73(1)); state bodies as initiators; days off."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from hearings import clock
from hearings.models import Hearing, TransferDecree, portal_number_problem
from projects.models import Organisation
from tests.factories import AkimatFactory, HearingFactory, PlaceFactory, bind_rules, member_of

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day, hour=11):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _row(hearing, key, today):
    return next((d for d in clock.deadlines(hearing, today=today) if d.key == key), None)


def _announced(**fields):
    """An open meeting on 20 Jan 2027, put on this site on 5 Jan 2027 (15 days ahead)."""
    fields.setdefault("announced_at", at(D(2027, 1, 5)))
    return HearingFactory(
        announced=True,
        starts_at=at(D(2027, 1, 20)),
        materials_available_from=D(2026, 12, 1),
        **fields,
    )


# --- Which publication starts the notice ---------------------------------------------------------


def test_without_an_official_publication_the_site_stands_in_and_says_so():
    hearing = _announced()
    with translation.override("en"):
        row = _row(hearing, "announcement", D(2027, 1, 10))
    assert row.done == D(2027, 1, 5)
    assert "no official publication of the notice is recorded" in row.done_from


def test_a_newspaper_notice_in_time_counts_though_entered_here_late():
    """Published in the newspaper on 20 Dec 2026 (31 days ahead), put on this site on 5 Jan:
    the notice is judged from the newspaper, and the row says so."""
    bind_rules()
    hearing = _announced(media_outlet="«Степной маяк»", media_published_on=D(2026, 12, 20))
    with translation.override("en"):
        row = _row(hearing, "announcement", D(2027, 1, 10))
    assert row.done == D(2026, 12, 20)
    assert (row.state, row.met) == ("met", True)
    assert "mass media: «Степной маяк»" in row.done_from


def test_the_earliest_official_publication_counts_and_is_named():
    hearing = _announced(
        media_outlet="«Степной маяк»",
        media_published_on=D(2026, 12, 28),
        portal_number="261224001008",
        portal_published_on=D(2026, 12, 24),
    )
    with translation.override("ru"):
        row = _row(hearing, "announcement", D(2027, 1, 10))
    assert row.done == D(2026, 12, 24)
    assert "261224001008" in row.done_from and "портале" in row.done_from


def test_a_site_announcement_without_the_newspaper_is_judged_from_the_newspaper():
    """Put here on 20 Dec 2026 (in time), but published in the newspaper only on 10 Jan 2027:
    the notice is judged from the newspaper, 10 days before the hearing (an unverified rule:
    later than the site expects, never broken)."""
    hearing = _announced(
        announced_at=at(D(2026, 12, 20)),
        media_outlet="«Степной маяк»",
        media_published_on=D(2027, 1, 10),
    )
    row = _row(hearing, "announcement", D(2027, 1, 12))
    assert row.done == D(2027, 1, 10)
    assert (row.state, row.met, row.verified) == ("off_guidance", None, False)
    bind_rules()
    hearing = Hearing.objects.get(pk=hearing.pk)
    assert _row(hearing, "announcement", D(2027, 1, 12)).state == "broken"


def test_after_a_move_only_a_publication_of_the_new_date_counts():
    hearing = _announced(
        media_outlet="«Степной маяк»",
        media_published_on=D(2026, 12, 20),
        rescheduled_at=at(D(2027, 1, 8)),
    )
    assert clock.notice_publication(hearing).day == D(2027, 1, 8)
    hearing.media_published_on = D(2027, 1, 9)
    assert clock.notice_publication(hearing).day == D(2027, 1, 9)


def test_the_check_counts_from_a_publication_already_made():
    """A draft for 20 Jan 2027 announced here on 10 Jan: refused by a binding 20-day notice rule,
    unless the newspaper published it on 20 Dec; the earliest date quoted agrees."""
    bind_rules(measures="announcement")
    hearing = HearingFactory(starts_at=at(D(2027, 1, 20)), materials_available_from=D(2026, 12, 1))
    today = D(2027, 1, 10)
    assert clock.announcement_problems(hearing, today)
    assert clock.earliest_lawful_start(hearing, today) == D(2027, 1, 30)
    hearing.media_outlet, hearing.media_published_on = "«Степной маяк»", D(2026, 12, 20)
    assert clock.announcement_problems(hearing, today) == []
    assert clock.earliest_lawful_start(hearing, today) == today


# --- The portal's registration number ----------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "fault"),
    [
        ("25121000100", "exactly 12 digits"),
        ("25121000100a", "exactly 12 digits"),
        ("251310001008", "not a date"),
        ("261206001008", "later than its announcement"),
        ("261205001008", ""),
        ("251210001008", ""),
    ],
)
def test_the_registration_number_is_checked(number, fault):
    with translation.override("en"):
        problem = portal_number_problem(number, D(2026, 12, 5))
    assert (fault in problem) if fault else problem == ""


def test_the_form_refuses_a_bad_number_in_russian_and_kazakh(client):
    organiser = AkimatFactory()
    hearing = HearingFactory(organiser=organiser, territory=[PlaceFactory(parent=organiser.place)])
    client.force_login(member_of(organiser))
    url = reverse("hearings:edit", args=[hearing.pk])
    page = client.get(url)
    data = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value is not None and key not in ("territory_codes", "language_codes")
    }
    data.update(
        starts_at=timezone.localtime(hearing.starts_at).strftime("%Y-%m-%dT%H:%M"),
        territory_codes=hearing.territory.get().kato_code,
        language_codes=["kk", "ru"],
        initiator=hearing.initiator_id,
        organiser=organiser.pk,
        portal_number="2512100010",
    )
    data = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}
    for language in ("ru", "kk"):
        with translation.override(language):
            words = escape(portal_number_problem("2512100010", timezone.localdate()))
        assert "12" in words and "digits" not in words
        refused = client.post(f"/{language}{url[3:]}", data)
        assert refused.status_code == 200
        assert words in refused.content.decode()
    assert Hearing.objects.get(pk=hearing.pk).portal_number == hearing.portal_number


def test_a_portal_date_needs_the_number_and_a_media_date_its_outlet():
    hearing = HearingFactory(portal_published_on=timezone.localdate(), media_published_on=None)
    with pytest.raises(ValidationError) as refused:
        hearing.full_clean(exclude=["territory"])
    assert "portal_number" in refused.value.message_dict
    hearing = HearingFactory(media_published_on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        hearing.full_clean(exclude=["territory"])
    assert "media_outlet" in refused.value.message_dict


# --- Art. 73(1): the draft report sent to the ministry ------------------------------------------


def _signed(**fields):
    return HearingFactory(
        record_published=True,
        announced_at=at(D(2026, 1, 5)),
        protocol_signed_on=D(2026, 1, 31),
        **fields,
    )


def test_the_draft_sent_in_time_keeps_the_six_months():
    hearing = _signed(ended_before_assessment=True, draft_sent_on=D(2026, 5, 4))
    row = _row(hearing, "validity", D(2026, 9, 1))
    assert (row.due, row.done, row.state, row.met) == (D(2026, 7, 31), D(2026, 5, 4), "met", True)


def test_without_the_condition_recorded_the_six_months_are_not_judged():
    bind_rules()
    hearing = _signed(ended_before_assessment=None)
    with translation.override("en"):
        row = _row(hearing, "validity", D(2026, 9, 1))
    assert (row.state, row.met) == ("not_judged", None)
    assert "not recorded" in row.done_from


def test_the_six_months_do_not_apply_when_the_assessment_began_first():
    hearing = _signed(ended_before_assessment=False)
    assert _row(hearing, "validity", D(2026, 9, 1)) is None


def test_the_six_months_bind_only_when_verified_and_applicable():
    hearing = _signed(ended_before_assessment=True)
    assert _row(hearing, "validity", D(2026, 9, 1)).state == "off_guidance"
    bind_rules()
    hearing = Hearing.objects.get(pk=hearing.pk)
    assert _row(hearing, "validity", D(2026, 9, 1)).state == "broken"


def test_the_draft_dates_are_only_for_the_draft_report_on_possible_impacts():
    hearing = HearingFactory(legal_basis="land_allocation", draft_sent_on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        hearing.full_clean(exclude=["territory"])
    assert "draft_sent_on" in refused.value.message_dict
    hearing.legal_basis = "eia_report"
    hearing.full_clean(exclude=["territory"])


# --- State bodies as initiators ---------------------------------------------------------------


def test_a_state_body_initiates_a_hearing_and_its_page_lists_it(client):
    body = Organisation.objects.create(
        kind=Organisation.Kind.STATE_BODY,
        name_ru="КГУ «Управление природных ресурсов акимата Жамбылской области»",
        slug="uprn-zhambyl",
        bin="180240012342",
    )
    body.full_clean()
    hearing = HearingFactory(announced=True, initiator=body)
    hearing.full_clean(exclude=["territory"])
    page = client.get(body.get_absolute_url()).content.decode()
    assert hearing.title_kk in page or hearing.title_ru in page


def test_a_state_body_needs_its_bin():
    body = Organisation(kind=Organisation.Kind.STATE_BODY, name_ru="ГУ «Отдел»", slug="otdel")
    with pytest.raises(ValidationError) as refused:
        body.full_clean()
    assert "bin" in refused.value.message_dict


# --- Days off -----------------------------------------------------------------------------------


def test_a_due_day_on_a_day_off_says_the_clock_does_not_move_it():
    """The protocol of a hearing on Monday 4 Jan 2027 is expected by Monday 11 Jan; the
    materials 30 days before 20 Jan 2027, i.e. Monday 21 Dec 2026 — no note; comments 3 days
    before 20 Jan, Sunday 17 Jan 2027: a day off, not moved, not confirmed."""
    hearing = _announced(comments_until=None)
    with translation.override("en"):
        comments = _row(hearing, "comments", D(2027, 1, 10))
        materials = _row(hearing, "materials", D(2027, 1, 10))
    assert comments.due == D(2027, 1, 17)
    assert "day off" in comments.calendar_note and "not confirmed" in comments.calendar_note
    assert materials.calendar_note == ""


def test_a_hearing_on_16_december_is_warned_about_not_refused():
    bind_rules()
    hearing = HearingFactory(starts_at=at(D(2026, 12, 16)), announced_at=at(D(2026, 11, 1)))
    hearing.status = Hearing.Status.ANNOUNCED
    with translation.override("en"):
        row = _row(hearing, "holiday", D(2026, 11, 2))
        advice = " ".join(clock.announcement_guidance(hearing, D(2026, 11, 1)))
    assert (row.state, row.met, row.verified) == ("warning", None, False)
    assert "public holiday" in row.note and "16" in row.note
    assert "public holiday" in advice
    assert _row(HearingFactory(starts_at=at(D(2026, 12, 15))), "holiday", D(2026, 11, 2)) is None


def test_a_discussion_window_over_holidays_is_warned_about():
    hearing = HearingFactory(
        form="public_discussion",
        art87_subparagraph="4",
        format="online",
        starts_at=at(D(2026, 12, 10)),
        discussion_ends_on=D(2027, 1, 12),
        comments_until=None,
    )
    with translation.override("en"):
        row = _row(hearing, "holiday", D(2026, 12, 1))
    assert "window includes public holidays" in row.note
    assert "16" in row.note and "January 2027" in row.note


def test_working_days_of_2027_are_provisional_until_its_decree_is_entered():
    """A 20-working-day discussion opening on 4 Jan 2027: its last day is provisional; once staff
    enter the 2027 decree it is not. A 2026 window is not provisional (its year is entered)."""

    def window(first):
        return HearingFactory(
            form="public_discussion",
            art87_subparagraph="4",
            format="online",
            starts_at=at(first),
            discussion_ends_on=first + datetime.timedelta(days=40),
            comments_until=None,
        )

    hearing = window(D(2027, 1, 4))
    with translation.override("en"):
        row = _row(hearing, "discussion", D(2026, 12, 20))
    assert row.provisional and "Provisional" in row.calendar_note and "2027" in row.calendar_note
    assert not _row(window(D(2026, 10, 5)), "discussion", D(2026, 10, 1)).provisional
    TransferDecree.objects.create(year=2027, source="Government decree (test)")
    hearing = Hearing.objects.get(pk=hearing.pk)
    assert not _row(hearing, "discussion", D(2026, 12, 20)).provisional


def test_staff_enter_a_decree_and_the_legal_page_lists_it(client, admin_client):
    response = admin_client.post(
        reverse("admin:hearings_transferdecree_add"),
        {"year": "2027", "source": "Постановление Правительства РК № 1 (test)", "url": ""},
    )
    assert response.status_code == 302
    refused = admin_client.post(
        reverse("admin:hearings_transferdecree_add"), {"year": "99999", "source": "x"}
    )
    assert refused.status_code == 200 and TransferDecree.objects.count() == 2  # 2026 seeded
    with translation.override("en"):
        page = client.get("/en/legal/").content.decode()
    assert "Постановление Правительства РК № 1 (test)" in page
    assert "not moved to the next working day" in page
