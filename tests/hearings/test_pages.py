"""Pages: the public list and detail (bounded queries), and the akimat's forms end to end."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hearings.feeds import place_hearing_urls
from hearings.models import Hearing, HearingChange, HearingComment, HearingPromise
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingCommentFactory,
    HearingDocumentFactory,
    HearingFactory,
    HearingPromiseFactory,
    LearnedOfFactory,
    PlaceFactory,
    member_of,
)

from .conftest import local_at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_list_shows_published_never_drafts(client):
    """Announced, held and cancelled hearings are listed; drafts are not."""
    shown = HearingFactory(announced=True, title_kk="Көрінетін")
    cancelled = HearingFactory(cancelled=True, title_kk="Тоқтатылған")
    HearingFactory(title_kk="Жоба-черновик")
    body = client.get(reverse("hearings:list")).content.decode()
    assert shown.title_kk in body and cancelled.title_kk in body
    assert "Жоба-черновик" not in body


def test_list_filters_by_place_and_time(client):
    """?place= narrows to hearings concerning the place; ?when=past to past ones."""
    village = PlaceFactory()
    here = HearingFactory(announced=True, territory=[village], title_kk="Осында")
    HearingFactory(announced=True, title_kk="Басқа жерде")
    past = HearingFactory(record_published=True, territory=[village], title_kk="Өткен")
    body = client.get(reverse("hearings:list"), {"place": village.kato_code}).content.decode()
    assert "Осында" in body and "Өткен" in body and "Басқа жерде" not in body
    body = client.get(
        reverse("hearings:list"), {"place": village.kato_code, "when": "past"}
    ).content.decode()
    assert "Өткен" in body and "Осында" not in body
    assert here and past


def test_list_query_count_is_bounded(client, django_assert_max_num_queries):
    """A page of hearings costs a fixed number of queries."""
    organiser = AkimatFactory()
    for _ in range(30):
        HearingFactory(announced=True, organiser=organiser, initiator=CompanyFactory())
    with django_assert_max_num_queries(6):
        response = client.get(reverse("hearings:list"))
    assert response.status_code == 200


def test_list_pages_hold_each_hearing_once_latest_first(client):
    """The pages, read by key after the COUNT (core.filters.keyed_page), list every public
    hearing once, latest first, a tie broken by the oldest record first."""
    organiser = AkimatFactory()
    start = timezone.now() + datetime.timedelta(days=3)
    hearings = [
        HearingFactory(
            announced=True, organiser=organiser, starts_at=start + datetime.timedelta(days=n % 11)
        )
        for n in range(25)
    ]
    HearingFactory(organiser=organiser)  # a draft
    expected = sorted(hearings, key=lambda h: (-h.starts_at.timestamp(), h.pk))
    pages = [
        list(client.get(reverse("hearings:list"), {"page": n}).context["page"].object_list)
        for n in (1, 2)
    ]
    assert [len(page) for page in pages] == [20, 5]
    assert [h.pk for h in pages[0] + pages[1]] == [h.pk for h in expected]


def test_detail_query_count_is_bounded(client, django_assert_max_num_queries):
    """A hearing with many places, documents, comments, promises and reports: bounded queries."""
    organiser = AkimatFactory()
    villages = [PlaceFactory(parent=organiser.place) for _ in range(8)]
    hearing = HearingFactory(record_published=True, organiser=organiser, territory=villages)
    for n in range(10):
        HearingDocumentFactory(hearing=hearing)
        HearingCommentFactory(hearing=hearing, answered=True, text=f"Question {n}")
        promise = HearingPromiseFactory(hearing=hearing, organisation=CompanyFactory())
        DisclosureFactory(
            published=True,
            organisation=promise.organisation,
            hearing=hearing,
            hearing_promise=promise,
        )
        LearnedOfFactory(hearing=hearing, approved=True)
    # + the content version (whole-page cache); + the rule set, its rules, the moved days;
    # + the territory's districts and regions (the title names them)
    with django_assert_max_num_queries(15):
        response = client.get(hearing.get_absolute_url())
    assert response.status_code == 200
    client.force_login(member_of(organiser))
    with django_assert_max_num_queries(19):  # + session, user, permission, registrations
        response = client.get(hearing.get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(5):  # version, hearing, territory, session, user
        assert client.get(reverse("hearings:notice", args=[hearing.pk])).status_code == 200


def test_promise_links_to_its_disclosures(client):
    """A promise followed up as a published disclosure links to it, by its title in the page's
    language or the first fallback (marked as such); a withdrawn one stays, marked; a draft one
    does not show."""
    promise = HearingPromiseFactory()
    follow_up = {"organisation": promise.organisation, "hearing": promise.hearing}
    shown = DisclosureFactory(
        published=True, hearing_promise=promise, title_kk="Мектепке жол", title_en="", **follow_up
    )
    withdrawn = DisclosureFactory(
        published=True, withdrawn=True, hearing_promise=promise, title_en="Road repair", **follow_up
    )
    DisclosureFactory(hearing_promise=promise, title_kk="Жоба-жазба", **follow_up)
    body = client.get(f"/en/hearings/{promise.hearing.pk}/").content.decode()
    assert promise.text in body
    assert f'<a href="{shown.get_absolute_url()}" lang="ru">{shown.title_ru}</a>' in body
    assert f'<a href="{withdrawn.get_absolute_url()}">Road repair</a> (withdrawn)' in body
    assert "Жоба-жазба" not in body


@pytest.mark.usefixtures("binding_rules")
def test_late_protocol_is_flagged_on_page_and_dashboard(client):
    """A held hearing with no record after a verified period is flagged to residents and
    organiser (an unverified period flags nobody, see test_honest_clock)."""
    hearing = HearingFactory(held=True, starts_at=local_at(-10))
    page = client.get(hearing.get_absolute_url()).content.decode()
    assert 'class="message error" role="note"' in page
    client.force_login(member_of(hearing.organiser))
    dashboard = client.get(reverse("hearings:dashboard")).content.decode()
    assert 'role="alert"' in dashboard and hearing.title in dashboard


def test_akimat_journey_through_the_forms(client):
    """Draft → document → announce → questions, answers and a promise → record, via the pages."""
    organiser = AkimatFactory()
    village = PlaceFactory(parent=organiser.place)
    company = CompanyFactory()
    official = member_of(organiser)
    client.force_login(official)
    assert client.get(reverse("hearings:create")).status_code == 200
    start = timezone.localtime(local_at(40))
    response = client.post(
        reverse("hearings:create"),
        {
            "title_kk": "Карьер бойынша тыңдау",
            "title_ru": "Слушания по карьеру",
            "legal_basis": "eia_report",
            "initiator": company.pk,
            "organiser": organiser.pk,
            "format": "hybrid",
            "venue_ru": "Акимат, актовый зал",
            "online_link": "https://meet.example/abc",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "90",
            "territory_codes": village.kato_code,
            "language_codes": ["kk", "ru"],
            "materials_available_from": timezone.localdate().isoformat(),
            "comments_until": (start.date() - datetime.timedelta(days=3)).isoformat(),
        },
    )
    hearing = Hearing.objects.get()
    assert response.status_code == 302
    assert hearing.registration_number.startswith("PH-")
    assert hearing.languages == "kk,ru"
    assert hearing.starts_at == local_at(40)

    response = client.post(
        reverse("hearings:document_create", args=[hearing.pk]),
        {"file": SimpleUploadedFile("r.pdf", PDF), "title_ru": "Отчёт о воздействии"},
    )
    assert response.status_code == 302
    not_pdf = client.post(
        reverse("hearings:document_create", args=[hearing.pk]),
        {"file": SimpleUploadedFile("r.pdf", b"hello"), "title_ru": "x"},
    )
    assert not_pdf.status_code == 200 and hearing.documents.count() == 1

    client.post(reverse("hearings:announce", args=[hearing.pk]))
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.ANNOUNCED

    # Editing an announced notice needs a reason.
    edit = client.get(reverse("hearings:edit", args=[hearing.pk]))
    assert edit.status_code == 200

    comment = HearingCommentFactory(hearing=hearing, approved=True)
    response = client.post(
        reverse("hearings:comment_answer", args=[comment.pk]),
        {"answer": "Dust will be suppressed.", "outcome": "accepted"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.outcome == HearingComment.Outcome.ACCEPTED

    Hearing.objects.filter(pk=hearing.pk).update(starts_at=local_at(-1))
    response = client.post(
        reverse("hearings:question_create", args=[hearing.pk]),
        {
            "kind": "question",
            "text": "Who pays for the road?",
            "answer": "The company.",
            "outcome": "explained",
            "author_name": "A resident of the village",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("hearings:promise_create", args=[hearing.pk]),
        {"organisation": company.pk, "text": "Pave the school road.", "due_text": "by 2027"},
    )
    assert response.status_code == 302
    assert HearingPromise.objects.get().organisation == company

    no_protocol = client.post(reverse("hearings:record", args=[hearing.pk]), {"attendance": "9"})
    assert no_protocol.status_code == 200
    response = client.post(
        reverse("hearings:record", args=[hearing.pk]),
        {
            "protocol": SimpleUploadedFile("p.pdf", PDF),
            "attendance": "60",
            "video_url": "https://video.example/1",
        },
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.RECORD_PUBLISHED
    # A correction after publication needs a reason and is logged.
    refused = client.post(reverse("hearings:record", args=[hearing.pk]), {"attendance": "61"})
    assert refused.status_code == 200
    client.post(
        reverse("hearings:record", args=[hearing.pk]),
        {"attendance": "61", "reason": "Miscounted the late arrivals."},
    )
    hearing.refresh_from_db()
    assert hearing.attendance == 61
    assert hearing.changes.filter(action=HearingChange.Action.RECORD_CORRECTED).exists()
    page = client.get(hearing.get_absolute_url()).content.decode()
    assert "Who pays for the road?" in page and "Pave the school road." in page


@pytest.mark.usefixtures("binding_rules")
def test_announce_refusal_shows_the_rule(client):
    """Announcing too late by a verified rule puts the rule and the earliest date in a message,
    not a 500."""
    hearing = HearingFactory(starts_at=local_at(10))
    client.force_login(member_of(hearing.organiser))
    response = client.post(reverse("hearings:announce", args=[hearing.pk]), follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("30" in m for m in messages)
    assert Hearing.objects.get(pk=hearing.pk).status == Hearing.Status.DRAFT


def _edit_data(hearing, **extra):
    return {
        "title_kk": hearing.title_kk,
        "title_ru": "Исправленное название",
        "legal_basis": hearing.legal_basis,
        "initiator": hearing.initiator_id,
        "organiser": hearing.organiser_id,
        "format": "in_person",
        "venue_ru": hearing.venue_ru,
        "starts_at": timezone.localtime(hearing.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "120",
        "territory_codes": " ".join(p.kato_code for p in hearing.territory.all()),
        "language_codes": ["kk", "ru"],
        "materials_available_from": hearing.materials_available_from.isoformat(),
        "comments_until": hearing.comments_until.isoformat(),
        **extra,
    }


def test_editing_an_announced_notice_needs_a_reason_and_is_logged(client):
    """After announcement an edit without a reason is refused; with one it shows in the log."""
    hearing = HearingFactory(announced=True)
    client.force_login(member_of(hearing.organiser))
    url = reverse("hearings:edit", args=[hearing.pk])
    response = client.post(url, _edit_data(hearing))
    assert response.status_code == 200
    hearing.refresh_from_db()
    assert hearing.title_ru != "Исправленное название"
    response = client.post(url, _edit_data(hearing, reason="Typo in the title."))
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.title_ru == "Исправленное название"
    assert "Typo in the title." in client.get(hearing.get_absolute_url()).content.decode()


def test_editing_cannot_move_an_announced_date(client):
    """The date field is locked once announced: moving goes through rescheduling."""
    hearing = HearingFactory(announced=True)
    original = hearing.starts_at
    client.force_login(member_of(hearing.organiser))
    data = _edit_data(hearing, reason="Trying to move it quietly.")
    data["starts_at"] = timezone.localtime(local_at(80)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("hearings:edit", args=[hearing.pk]), data)
    hearing.refresh_from_db()
    assert hearing.starts_at == original


@pytest.mark.parametrize(
    "path",
    [
        "/kk/hearings/?place=abc",
        "/kk/hearings/?place=999999999&when=sometime",
        "/kk/hearings/?page=999",
        "/kk/hearings/?organiser=nobody",
        "/kk/hearings/place/abc/calendar.ics",
        "/kk/hearings/place/abc/feed/",
        "/kk/hearings/subscribe/confirm/not-a-token/",
        "/kk/hearings/unsubscribe/not-a-token/",
        "/kk/hearings/moderation/nothing/1/",
    ],
)
def test_bad_input_is_never_a_server_error(client, path):
    """Garbage in the address gives a page, a 400 naming the bad filter or a 404, never a 500."""
    assert client.get(path).status_code in (200, 302, 400, 404, 405)


def test_place_partial_for_the_village_page(rf, django_assert_max_num_queries):
    """The partial the village page includes: forthcoming (with cancellations), past, links to
    the calendar and feed, and the subscribe box — in a bounded number of queries."""
    from django.template.loader import render_to_string

    from hearings.models import Hearing

    district = PlaceFactory(district=True)
    village = PlaceFactory(parent=district)
    for _ in range(5):
        HearingFactory(announced=True, territory=[district], initiator=CompanyFactory())
    HearingFactory(cancelled=True, territory=[village], title_kk="Тоқтатылды")
    HearingFactory(record_published=True, territory=[village], title_kk="Өтті")
    request = rf.get("/")
    with django_assert_max_num_queries(2):
        html = render_to_string(
            "hearings/includes/_place_hearings.html",
            {
                "place": village,
                "upcoming_hearings": Hearing.objects.published()
                .concerning(village)
                .forthcoming()
                .for_cards()[:10],
                "past_hearings": Hearing.objects.concerning(village).past().for_cards()[:5],
                "hearing_urls": place_hearing_urls(village),
            },
            request=request,
        )
    assert "Тоқтатылды" in html and "Өтті" in html
    assert reverse("hearings:place_calendar", args=[village.kato_code]) in html
    assert reverse("hearings:place_feed", args=[village.kato_code]) in html
    assert f'{reverse("hearings:list")}?place={village.kato_code}"' in html
    assert 'name="email"' in html and "csrfmiddlewaretoken" not in html  # crossorigin.py


@pytest.mark.parametrize(
    "model",
    [
        "hearing",
        "hearingcomment",
        "learnedof",
        "answercorrection",
        "subscription",
        "outboxmessage",
    ],
)
def test_admin_pages_render(client, model):
    """Staff can open each hearings model's list and, for a hearing, its (read-only) page.
    Registrations to attend (names, phones) are not in the admin: the organiser's only."""
    from tests.factories import UserFactory

    hearing = HearingPromiseFactory().hearing
    client.force_login(UserFactory(staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:hearings_{model}_changelist")).status_code == 200
    if model == "hearing":
        url = reverse("admin:hearings_hearing_change", args=[hearing.pk])
        assert client.get(url).status_code == 200


def test_organiser_filter_takes_an_akimat_address(client):
    """The organiser filter is a text box taking the akimat's address name (a select listed
    every akimat of the country); an unknown name is a form error, never a 500."""
    public = HearingFactory(announced=True)
    other = HearingFactory(announced=True)
    response = client.get(reverse("hearings:list"), {"organiser": public.organiser.slug})
    assert response.status_code == 200
    shown = [hearing.pk for hearing in response.context["page"].object_list]
    assert shown == [public.pk]
    assert other.pk not in shown
    response = client.get(reverse("hearings:list"), {"organiser": "no-such-akimat"})
    assert response.status_code == 400
    assert response.context["filterset"].errors["organiser"]
    assert 'name="organiser" value="no-such-akimat"' in response.content.decode()


def test_mark_held_after_the_date(client):
    """Once the date has passed the organiser can mark the hearing as held; not before."""
    future = HearingFactory(announced=True)
    started = HearingFactory(past=True)
    client.force_login(member_of(started.organiser))
    client.post(reverse("hearings:held", args=[started.pk]))
    started.refresh_from_db()
    assert started.status == Hearing.Status.HELD
    client.force_login(member_of(future.organiser))
    client.post(reverse("hearings:held", args=[future.pk]))
    future.refresh_from_db()
    assert future.status == Hearing.Status.ANNOUNCED
