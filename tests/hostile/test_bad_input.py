"""Hostile input: over-long text, control characters, NUL bytes, out-of-range numbers and dates,
unknown ids, forged CSRF. Every answer is a clear 4xx (or a form error) and nothing changes.

The test client re-raises any exception a view lets escape, so a 500 fails these tests loudly.
"""

import contextlib
import csv
import datetime
import io
import json

import feedparser
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disclosures import services as disclosure_services
from disclosures import views as disclosure_views
from disclosures.models import Disclosure, Question
from hearings import services as hearing_services
from hearings.models import Hearing, OutboxMessage, Subscription
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingFactory,
    SubscriptionFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.SITE_URL = "https://ashyq.example"
    cache.clear()
    yield
    cache.clear()


LIST_URLS = [
    "disclosures:list",
    "disclosures:export_csv",
    "disclosures:export_json",
    "disclosures:feed",
]
BAD_FILTERS = [
    "year=0",
    "year=99999",
    "year=-5",
    "year=1e30",
    "year=%00",
    "amount_max=-1e131072",
    "amount_min=NaN",
    "amount_min=Infinity",
    "amount_max=1" + "0" * 40,
    "place=%00",
    "region=abc",
    "organisation=%00nobody",
    "status=nonsense",
    "q=%00",
    "sort=password",
]


@pytest.mark.parametrize("name", LIST_URLS)
@pytest.mark.parametrize("query", BAD_FILTERS)
def test_invalid_filters_answer_400_everywhere(client, name, query):
    """HTML list, CSV, JSON and RSS refuse an invalid filter with 400 and say which one."""
    DisclosureFactory(published=True)
    response = client.get(f"{reverse(name)}?{query}")
    assert response.status_code == 400, query
    field = query.split("=")[0]
    body = response.content.decode()
    assert field in body
    if name == "disclosures:export_json":
        assert field in json.loads(body)["errors"]


def test_valid_year_still_filters(client):
    recent = DisclosureFactory(published=True, delivered=True)
    year = recent.delivered_date.year
    response = client.get(reverse("disclosures:export_json") + f"?year={year}")
    rows = json.loads(b"".join(response.streaming_content))["data"]
    assert [row["id"] for row in rows] == [recent.pk]


@pytest.mark.parametrize(
    "path",
    [
        "/kk/hearings/?place=%00",
        "/kk/hearings/?when=%00&status=%00",
        "/kk/hearings/subscribe/?place=%00",
        "/kk/hearings/place/%00/calendar.ics",
        "/kk/hearings/place/%00/feed/",
        "/kk/hearings/subscribe/confirm/%00/",
        "/kk/hearings/unsubscribe/%00/",
        "/kk/hearings/unsubscribe/abc%00def/",
        "/kk/places/%00/",
        "/kk/places/?q=%00",
        "/kk/places/suggest/?q=%00",
        "/kk/places/suggest/?q=ab&level=%00",
        "/kk/places/suggest/?codes=%00",
        "/kk/places/suggest/?q=%D0",
        "/kk/projects/?region=%00&q=%00",
        "/kk/disclosures/999999999999/",
        "/kk/disclosures/999999999999/feedback/",
        "/kk/hearings/999999999999/",
        "/kk/hearings/99999999999999999999999/",
        "/kk/disclosures/?page=%00",
        "/kk/disclosures/?page=-1e30",
    ],
)
def test_nul_and_unknown_ids_in_addresses_are_4xx(client, path):
    response = client.get(path)
    assert 200 <= response.status_code < 500, path
    assert response.status_code != 200 or "page" in path or "?" in path


@pytest.mark.parametrize("path", ["/kk/disclosures/", "/ru/hearings/"])
def test_an_id_no_column_holds_is_not_found_without_asking_the_database(client, path):
    """A 30-digit id, compared as a number, would not use the primary key's index: a page that
    reads its record prepared (`core.models.prepared`) does not send it."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{path}{10**30}/").status_code == 404
    assert len(queries) == 0


def test_nul_in_a_subscription_post_changes_nothing(client):
    response = client.post(
        reverse("hearings:subscribe"), {"email": "a\x00@example.kz", "place": "\x00"}
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "text",
    ["\x00", "Where is the \x00 money?", "x" * 2001],
    ids=["nul", "nul-inside", "too-long"],
)
def test_resident_question_with_bad_text_is_refused(client, text):
    disclosure = DisclosureFactory(published=True)
    response = client.post(reverse("disclosures:question", args=[disclosure.pk]), {"text": text})
    assert response.status_code == 400
    assert not Question.objects.exists()


def test_control_characters_are_removed_from_resident_text(client):
    """A vertical tab or a bell never reaches the database; line breaks stay in long text."""
    disclosure = DisclosureFactory(published=True)
    response = client.post(
        reverse("disclosures:question", args=[disclosure.pk]),
        {"text": "Line one\x0b\x07\nLine two", "author_name": "Aigerim\nBek\x1b"},
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.text == "Line one\nLine two"
    assert question.author_name == "Aigerim Bek"


def test_html_and_sql_looking_text_is_stored_as_text_and_escaped(client):
    disclosure = DisclosureFactory(published=True)
    text = "<script>alert(1)</script>'; DROP TABLE disclosures_disclosure; --"
    client.post(reverse("disclosures:question", args=[disclosure.pk]), {"text": text})
    assert Question.objects.get().text == text
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()


def test_forged_cross_site_post_is_refused_and_changes_nothing():
    """The resident question form carries no token (core/crossorigin.py): a post another site
    makes the browser send is refused by the browser's own word, and changes nothing."""
    browser = Client(enforce_csrf_checks=True)
    disclosure = DisclosureFactory(published=True)
    url = reverse("disclosures:question", args=[disclosure.pk])
    for headers in ({"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "https://evil.example"}):
        response = browser.post(url, {"text": "A forged question"}, **headers)
        assert response.status_code == 403
    assert not Question.objects.exists()


def test_a_control_character_in_a_stored_title_does_not_break_the_feeds(client):
    """Rows written before input was cleaned (or by the admin) still give valid XML."""
    places = place_tree()
    DisclosureFactory(
        published=True,
        title_kk="Well\x0b repaired",
        title_en="Well\x0b repaired",
        settlements=[places["village"]],
    )
    response = client.get(reverse("disclosures:feed"))
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    hearing = HearingFactory(announced=True, territory=[places["village"]], title_kk="Wind\x0bfarm")
    response = client.get(
        reverse("hearings:place_feed", kwargs={"kato_code": places["village"].kato_code})
    )
    assert response.status_code == 200
    assert not feedparser.parse(response.content).bozo
    assert hearing.pk


def test_a_newline_in_a_hearing_title_does_not_stop_its_notifications(settings):
    """The subject is one line whatever the title holds; the message goes out."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    places = place_tree()
    organiser = AkimatFactory(place=places["district"])
    SubscriptionFactory(place=places["village"], confirmed=True)
    hearing = HearingFactory(
        organiser=organiser,
        territory=[places["village"]],
        title_kk="Wind farm\nBcc: x@evil.example",
    )
    hearing_services.announce_hearing(acting_user=member_of(organiser), hearing=hearing)
    call_command("send_notifications", stdout=io.StringIO())
    assert OutboxMessage.objects.filter(status="sent").exists()
    assert all("\n" not in m.subject for m in mail.outbox)
    assert all("x@evil.example" not in m.recipients() for m in mail.outbox)


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_hearing_dates_far_out_are_a_form_error(client, year):
    hearing = HearingFactory(announced=True)
    client.force_login(member_of(hearing.organiser))
    before = hearing.starts_at
    response = client.post(
        reverse("hearings:reschedule", args=[hearing.pk]),
        {"starts_at": f"{year}-12-31T23:00", "reason": "Testing the edge."},
    )
    assert response.status_code in (200, 400)
    assert "1991" in response.content.decode()
    hearing.refresh_from_db()
    assert hearing.starts_at == before


def test_learned_of_in_year_one_is_a_form_error(client):
    hearing = HearingFactory(announced=True)
    response = client.post(
        reverse("hearings:learned_of", args=[hearing.pk]),
        {"learned_on": "0001-01-01", "channel": "notice_board"},
    )
    assert response.status_code == 400
    assert not hearing.learned_of.exists()


def test_member_email_over_150_characters_is_a_form_error(client):
    company = CompanyFactory()
    admin = member_of(company, role="administrator")
    client.force_login(admin)
    users = get_user_model().objects.count()
    email = "a" * 140 + "@example.kz"
    response = client.post(
        reverse("projects:organisation_members", kwargs={"slug": company.slug}),
        {"email": email, "role": "editor"},
    )
    assert response.status_code < 500
    assert get_user_model().objects.count() == users
    assert "150" in response.content.decode()


def csv_upload(text):
    return SimpleUploadedFile("upload.csv", text.encode(), content_type="text/csv")


def _import(client, text):
    company = CompanyFactory()
    client.force_login(member_of(company))
    return client.post(
        reverse("disclosures:import"), {"organisation": company.pk, "file": csv_upload(text)}
    )


def _csv(**cells):
    places = place_tree()
    row = {
        "title_ru": "Ремонт школы",
        "category": "education",
        "settlements": places["village"].kato_code,
        "status": "delivered",
        "delivered_date": "2025-05-03",
        **cells,
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=disclosure_services.CSV_COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "cells",
    [
        {"title_ru": "Школа\x00"},
        {"description_ru": "x" * 140_000},
        {"settlements": "\x00"},
        {"delivered_date": "9999-01-01"},
        {"delivered_date": "0001-01-01"},
        {"amount": "-1e131072"},
        {"amount": "NaN"},
        {"beneficiaries_count": "1" + "0" * 30},
    ],
    ids=["nul", "cell-over-128k", "nul-code", "year-9999", "year-1", "huge", "nan", "huge-int"],
)
def test_bad_csv_cells_are_listed_and_nothing_is_imported(client, cells):
    response = _import(client, _csv(**cells))
    assert response.status_code == 400
    assert response.context["result"].errors
    assert not Disclosure.objects.exists()


def test_a_stream_that_fails_ends_with_an_error_marker(client, monkeypatch):
    """An export that breaks half-way says so at its end: never a file that looks complete."""
    DisclosureFactory.create_batch(2, published=True)
    original = disclosure_views._export_rows

    def failing(request, filterset):
        # The real rows are closed before the failure, as a failure inside them would: their
        # server-side cursor's transaction ends now, not whenever the garbage is collected.
        with contextlib.closing(original(request, filterset)) as rows:
            yield next(rows)
        raise RuntimeError("database went away")

    monkeypatch.setattr(disclosure_views, "_export_rows", failing)
    body = b"".join(client.get(reverse("disclosures:export_csv")).streaming_content).decode()
    assert body.rstrip().endswith(disclosure_views.EXPORT_FAILED)
    body = b"".join(client.get(reverse("disclosures:export_json")).streaming_content).decode()
    assert disclosure_views.EXPORT_FAILED in body
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_another_organisations_record_is_a_404(client):
    mine, theirs = CompanyFactory(), CompanyFactory()
    client.force_login(member_of(mine))
    draft = DisclosureFactory(organisation=theirs)
    for name in ("disclosures:edit", "disclosures:photo_create", "disclosures:document_create"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404
    response = client.post(reverse("disclosures:publish", args=[draft.pk]))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.published_at is None


def test_hearing_dates_are_bounded_in_the_model_form_too():
    """The announcement form refuses year 9999 before any deadline arithmetic runs."""
    from hearings.forms import RescheduleForm

    form = RescheduleForm({"starts_at": "9999-12-31T23:59", "reason": "x"})
    assert not form.is_valid()
    assert "starts_at" in form.errors
    assert Hearing.objects.count() == 0
    assert datetime.date(2100, 1, 1) > timezone.localdate()


@pytest.mark.parametrize(
    "path",
    ["//evil.example/x", "//evil.example", "/\\evil.example/x", "/%2F%2Fevil.example/"],
)
def test_404_language_links_stay_on_this_site(client, path):
    """A made-up address is never echoed into the language switcher as another site's link."""
    response = client.get(path)
    if response.status_code == 302:  # the locale middleware's redirect stays here too
        assert response["Location"].startswith("/") and "evil" not in response["Location"]
        return
    assert response.status_code == 404
    for _code, _name, url in response.context["language_links"]:
        assert url.startswith("/") and not url.startswith(("//", "/\\")), url
    assert "evil.example" not in response.content.decode().split("<main", 1)[0]


def test_the_shared_feed_instance_keeps_no_request(client):
    """One Feed object serves every request (and thread): nothing of a request stays on it."""
    from django.urls import resolve

    feed = resolve(reverse("disclosures:feed")).func
    DisclosureFactory(published=True)
    client.get(reverse("disclosures:feed") + "?status=delivered")
    assert not hasattr(feed, "request")
    assert "request" not in vars(feed)


def test_a_cell_over_128k_is_refused_whatever_the_csv_modules_limit(client):
    """frictionless (the data package tests) raises the process-wide csv limit when imported; the
    import keeps its own, so a test order or a library never lets a 140 KB cell through."""
    old = csv.field_size_limit(10**9)
    try:
        response = _import(client, _csv(description_ru="x" * 140_000))
    finally:
        csv.field_size_limit(old)
    assert response.status_code == 400
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_a_query_with_too_many_fields_gets_the_400_page(client):
    """Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters; the 400 page itself
    must not read them again (its canonical link is the path alone)."""
    query = "&".join(f"f{n}=1" for n in range(1200))
    response = client.get(f"/kk/disclosures/?{query}")
    assert response.status_code == 400
    assert '<link rel="canonical" href="https://' in response.content.decode()
