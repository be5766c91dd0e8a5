"""The steps of a hearing the law names beyond its notice, on fixed days: the basis as the portal
names it (the group "3)–8)", the 2023 Rules No. 165), the akimat's answer to the initiator's
request (5 working days, unverified), a hearing that did not take place and its repeat, and the
decision taken after it with its reasons (Aarhus Art. 6(9)); the clock in the bulk CSV; the
/legal/ page's dates in Kazakh and Russian."""

import datetime

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from hearings import clock, services
from hearings import export as hearing_export
from hearings.models import (
    DecisionNotice,
    Hearing,
    HearingFailure,
    OutboxMessage,
    ParticipationForm,
    Regime,
)
from tests.factories import (
    AkimatFactory,
    HearingDocumentFactory,
    HearingFactory,
    PlaceFactory,
    SubscriptionFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day, hour=11):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _row(hearing, key, today):
    return next((d for d in clock.deadlines(hearing, today=today) if d.key == key), None)


def _official(hearing):
    user = UserFactory()
    member_of(hearing.organiser, user=user)
    return user


# --- The basis as the portal names it ------------------------------------------------------------


def _discussion(basis, **fields):
    return HearingFactory(
        form=ParticipationForm.PUBLIC_DISCUSSION,
        art87_subparagraph=basis,
        starts_at=at(D(2027, 2, 1)),
        discussion_ends_on=D(2027, 3, 1),
        **fields,
    )


def test_the_group_3_to_8_takes_the_20_working_day_rule_set():
    hearing = _discussion("3-8")
    assert clock.regime_of(hearing) == Regime.ECO_DISCUSSION_87_3_8
    rule_set = clock.rule_set_for(hearing, D(2026, 12, 20))
    assert rule_set.code == "eco-discussion-87-3-8-2024"


def test_the_2023_basis_has_no_rule_set_and_is_never_refused():
    """Rules No. 165 (2023): no rule set is entered for them (their text was not read), so the
    hearing shows no deadlines; announcing it is not refused, and the official is told why."""
    hearing = _discussion("r165")
    today = D(2026, 12, 20)
    assert clock.regime_of(hearing) is None
    assert clock.deadlines(hearing, today=today) == []
    assert clock.announcement_problems(hearing, today=today) == []
    with translation.override("en"):
        guidance = " ".join(clock.announcement_guidance(hearing, today=today))
    assert "No rule set of the legal clock is entered for Rules No. 165 (2023)" in guidance


def test_the_basis_shows_with_its_source_status_on_the_page_and_in_the_api(client):
    hearing = _discussion("3-8", announced=True)
    html = client.get(f"/ru/hearings/{hearing.pk}/").content.decode()
    assert "Экологического кодекса" in html and "3)–8)" in html
    assert "не проверено" in html  # the source's status, in Russian
    data = client.get(f"/api/v1/hearings/{hearing.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["art87_subparagraph"] == "3-8"
    assert data["basis"]["code"] == "3-8" and data["basis"]["verified"] is False
    assert "has not been read" in data["basis"]["source"]


# --- The akimat's answer to the initiator's request ----------------------------------------------


def _requested(**fields):
    """An open meeting announced under the 2024 Rules; the request came on Tue 1 Dec 2026."""
    return HearingFactory(
        announced=True,
        announced_at=at(D(2026, 12, 20)),
        starts_at=at(D(2027, 2, 10)),
        request_received_on=D(2026, 12, 1),
        **fields,
    )


def test_the_answer_is_due_five_working_days_after_the_request_as_guidance():
    hearing = _requested()
    with translation.override("en"):
        row = _row(hearing, "request_answer", D(2026, 12, 15))
    assert row.due == D(2026, 12, 8)  # Wed 2, Thu 3, Fri 4, Mon 7, Tue 8
    # No answer recorded a week after: the site's expectation, never "broken" (unverified).
    assert (row.state, row.met, row.verified) == (clock.OFF_GUIDANCE, None, False)
    assert "centralasia24" in row.note


def test_an_answer_in_time_is_met_and_a_late_one_is_off_guidance():
    on_time = _requested(request_answered_on=D(2026, 12, 4))
    late = _requested(request_answered_on=D(2026, 12, 10))
    assert _row(on_time, "request_answer", D(2026, 12, 15)).state == clock.MET
    row = _row(late, "request_answer", D(2026, 12, 15))
    assert (row.state, row.days) == (clock.OFF_GUIDANCE, 2)


def test_without_a_request_there_is_no_row_and_an_answer_needs_a_request():
    assert _row(HearingFactory(announced=True), "request_answer", D(2026, 12, 15)) is None
    hearing = HearingFactory(request_answered_on=D(2026, 12, 4))
    with pytest.raises(ValidationError) as error:
        hearing.full_clean(exclude=["territory"])
    assert "request_received_on" in error.value.message_dict


# --- A hearing that did not take place, and its repeat -------------------------------------------


@pytest.fixture
def failed():
    akimat = AkimatFactory()
    village = PlaceFactory(parent=akimat.place)
    hearing = HearingFactory(past=True, organiser=akimat, territory=[village])
    SubscriptionFactory(place=village, confirmed=True, language="ru")
    with translation.override("ru"):  # typed on the Russian site
        services.record_failure(
            acting_user=_official(hearing),
            hearing=hearing,
            kind=HearingFailure.Kind.NO_QUORUM,
            reason="Пришли 3 человека из 40 зарегистрированных.",
        )
    hearing.refresh_from_db()
    return hearing


def test_a_failed_hearing_keeps_its_reason_and_nothing_of_its_clock_is_pending(failed):
    assert failed.status == Hearing.Status.FAILED
    assert failed.failure.language == "ru"
    today = timezone.localdate()
    assert all(d.state not in clock.PENDING for d in clock.deadlines(failed, today=today))
    assert OutboxMessage.objects.filter(hearing=failed, kind=OutboxMessage.Kind.FAILED).exists()
    assert failed.changes.filter(action="failed").exists()


def test_a_hearing_not_started_cannot_fail_and_a_reason_is_needed():
    hearing = HearingFactory(announced=True)
    with pytest.raises(ValidationError):
        services.record_failure(
            acting_user=_official(hearing), hearing=hearing, kind="no_quorum", reason="x"
        )
    past = HearingFactory(past=True)
    with pytest.raises(ValidationError):
        services.record_failure(
            acting_user=_official(past), hearing=past, kind="no_quorum", reason=" "
        )


def test_the_repeat_has_its_own_clock_and_the_pages_link_each_other(failed, client):
    official = _official(failed)
    repeat = services.prepare_repeat(acting_user=official, hearing=failed)
    assert (repeat.repeat_of, repeat.status) == (failed, Hearing.Status.DRAFT)
    assert repeat.title_ru == failed.title_ru and repeat.announced_at is None
    assert set(repeat.territory.all()) == set(failed.territory.all())
    # The draft repeat is private: the failed hearing's public page does not link it yet.
    page = client.get(f"/en/hearings/{failed.pk}/").content.decode()
    assert "did not take place" in page and f"/hearings/{repeat.pk}/" not in page
    Hearing.objects.filter(pk=repeat.pk).update(
        starts_at=at(timezone.localdate() + datetime.timedelta(days=40)),
        materials_available_from=timezone.localdate(),
        comments_until=None,
    )
    repeat.refresh_from_db()
    repeat = services.announce_hearing(acting_user=official, hearing=repeat)
    # Its notice counts from its own announcement, not the first hearing's.
    assert clock.notice_publication(repeat).day == timezone.localdate()
    assert clock.notice_publication(failed).day != clock.notice_publication(repeat).day
    assert f"/hearings/{repeat.pk}/" in client.get(f"/en/hearings/{failed.pk}/").content.decode()
    repeat_page = client.get(f"/en/hearings/{repeat.pk}/").content.decode()
    assert "This hearing repeats the one of" in repeat_page
    assert f"/hearings/{failed.pk}/" in repeat_page
    news = OutboxMessage.objects.get(hearing=repeat, kind=OutboxMessage.Kind.ANNOUNCED)
    assert "не состоялись" in news.body
    data = client.get(f"/api/v1/hearings/{failed.pk}/").json()
    assert data["status"] == "failed" and data["failure"]["kind"] == "no_quorum"
    assert data["repeats"] == [repeat.pk]
    assert client.get(f"/api/v1/hearings/{repeat.pk}/").json()["repeat_of"] == failed.pk


def test_feeds_and_calendars_say_a_hearing_did_not_take_place(failed, client):
    feed = client.get("/en/hearings/feed/").content.decode()
    assert "Did not take place" in feed and "3 человека" in feed
    ics = client.get(f"/en/hearings/{failed.pk}/calendar.ics").content.decode()
    assert "STATUS:CANCELLED" in ics and "Did not take place" in ics


# --- The decision taken after the hearing --------------------------------------------------------


def test_the_decision_with_its_reasons_is_published_everywhere_and_subscribers_hear(client):
    village = PlaceFactory()
    hearing = HearingFactory(held=True, territory=[village])
    SubscriptionFactory(place=village, confirmed=True, language="kk")
    scan = HearingDocumentFactory(hearing=hearing)
    official = _official(hearing)
    services.publish_decision(
        acting_user=official,
        hearing=hearing,
        authority="Экология департаменті",
        decided_on=timezone.localdate(),
        outcome=DecisionNotice.Outcome.CONDITIONS,
        reasons="Шаңды басу үшін жолды суару шартымен келісілді.",
        url="https://example.kz/decision/1",
        document=scan,
    )
    page = client.get(f"/kk/hearings/{hearing.pk}/").content.decode()
    assert "Шаңды басу үшін" in page and "https://example.kz/decision/1" in page
    data = client.get(f"/api/v1/hearings/{hearing.pk}/").json()
    assert data["decision_notice"]["outcome"] == "conditions"
    assert data["decision_notice"]["document"].endswith(".pdf")
    assert "Шаңды басу" in client.get("/en/hearings/feed/").content.decode()
    message = OutboxMessage.objects.get(hearing=hearing, kind=OutboxMessage.Kind.DECISION)
    assert "Шаңды басу" in message.body
    with pytest.raises(ValidationError):  # published once, never changed silently
        services.publish_decision(
            acting_user=official,
            hearing=hearing,
            authority="x",
            decided_on=timezone.localdate(),
            outcome="approved",
            reasons="y",
        )


def test_a_decision_needs_reasons_and_a_hearing_that_took_place():
    announced = HearingFactory(announced=True)
    with pytest.raises(Exception):  # noqa: B017 (the lifecycle refuses: not held yet)
        services.publish_decision(
            acting_user=_official(announced),
            hearing=announced,
            authority="Akimat",
            decided_on=timezone.localdate(),
            outcome="approved",
            reasons="Because.",
        )
    held = HearingFactory(held=True)
    with pytest.raises(ValidationError):
        services.publish_decision(
            acting_user=_official(held),
            hearing=held,
            authority="Akimat",
            decided_on=timezone.localdate(),
            outcome="approved",
            reasons="  ",
        )
    assert not DecisionNotice.objects.exists()


# --- The clock in the bulk CSV -------------------------------------------------------------------


def test_the_bulk_rows_carry_each_deadline_with_its_state_source_and_verified_flag():
    hearing = _requested(request_answered_on=D(2026, 12, 10))
    row = next(r for r in hearing_export.rows("https://x/{}/") if r["id"] == hearing.pk)
    assert row["clock_request_answer_due"] == "2026-12-08"
    assert row["clock_request_answer_state"] == clock.OFF_GUIDANCE
    assert row["clock_request_answer_verified"] is False
    assert "Order No. 286" in row["clock_request_answer_source"]
    assert row["clock_announcement_source"] == "No source found"
    assert row["clock_discussion_due"] is None  # an open meeting has no window
    assert row["request_received_on"] == "2026-12-01"


# --- /legal/: dates in each language's forms -----------------------------------------------------


def test_legal_page_says_from_with_the_kazakh_ablative_and_one_russian_stop(client):
    kk = client.get("/kk/legal/").content.decode()
    ru = client.get("/ru/legal/").content.decode()
    assert "2024\xa0жылғы 23\xa0наурыздан бастап" in kk
    assert "2024\xa0жылғы 22\xa0наурызға дейін" in kk
    assert "г.." not in ru and "с 23\xa0марта 2024\xa0г." in ru


def test_hiding_cancelled_hearings_hides_those_that_did_not_take_place(failed, client):
    """ "Hide cancelled and failed hearings" on the list: a hearing that did not take place is
    no more coming than a cancelled one; unticked, it is listed."""
    for cache in caches.all():
        cache.clear()
    with translation.override("ru"):
        url = reverse("hearings:list")
    assert failed.title_ru in client.get(url).content.decode()
    assert failed.title_ru not in client.get(url, {"hide_cancelled": "on"}).content.decode()
