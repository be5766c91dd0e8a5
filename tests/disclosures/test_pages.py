"""Public list, detail, exports, residents' word and the dashboard, with bounded queries."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from disclosures.models import Question, ResidentFeedback
from disclosures.views import PAGE_SIZE
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    ConfirmationFactory,
    DisclosureFactory,
    QuestionFactory,
    ResidentFeedbackFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def many():
    """Thirty published disclosures over two villages, with voices, plus drafts."""
    places = place_tree()
    akimat = AkimatFactory(place=places["rural"])
    # A few companies, not one per row: tests.factories.valid_bin repeats BINs after ~10 companies.
    companies = [CompanyFactory() for _n in range(3)]
    rows = []
    for n in range(30):
        village = places["village"] if n % 2 else places["elsewhere"]
        disclosure = DisclosureFactory(
            published=True,
            organisation=companies[n % 3],
            settlements=[village, places["neighbour"]] if n % 3 == 0 else [village],
            category="water" if n % 5 == 0 else "education",
            amount=1_000_000 + n,
        )
        ConfirmationFactory(disclosure=disclosure, akimat=akimat)
        ResidentFeedbackFactory(disclosure=disclosure, approved=True, dispute=bool(n % 2))
        QuestionFactory(disclosure=disclosure, answered=True)
        rows.append(disclosure)
    DisclosureFactory(settlements=[places["village"]])  # a draft
    return {"places": places, "rows": rows, "akimat": akimat}


def export_ids(client, url):
    response = client.get(url)
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    if url.split("?")[0].endswith(".json"):
        return [row["id"] for row in json.loads(body)["data"]]
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(body))]


def list_ids(client, query):
    ids = []
    page = 1
    while True:
        response = client.get(reverse("disclosures:list") + f"?{query}&page={page}")
        ids += [d.pk for d in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return ids
        page += 1


@pytest.mark.parametrize(
    "query",
    ["", "category=water", "sort=-value", "status=delivered&sort=value", "amount_min=1000010"],
)
def test_exports_match_the_filtered_list(client, many, query):
    """CSV and JSON carry exactly the rows of the filtered list, in its order."""
    shown = list_ids(client, query)
    assert shown
    for name in ("disclosures:export_csv", "disclosures:export_json"):
        assert export_ids(client, reverse(name) + f"?{query}") == shown


def test_place_filter_for_a_village_page(client, many):
    """`?place=<KATO>` gives a place's disclosures, each once, for list and exports."""
    district = many["places"]["district"]
    expected = {
        d.pk
        for d in many["rows"]
        if any(p.path.startswith(district.path) for p in d.settlements.all())
    }
    query = f"place={district.kato_code}"
    assert set(list_ids(client, query)) == expected
    assert sorted(export_ids(client, reverse("disclosures:export_csv") + f"?{query}")) == sorted(
        expected
    )


def test_list_pages_read_their_rows_with_the_cards_figures(client, many):
    """Each page shows the next rows of the order, each with its akimat's and residents' word
    (read for the page's rows only, after the OFFSET has picked them)."""
    pages = [
        list(client.get(reverse("disclosures:list"), {"page": n}).context["page"].object_list)
        for n in (1, 2)
    ]
    assert [len(rows) for rows in pages] == [PAGE_SIZE, len(many["rows"]) - PAGE_SIZE]
    newest_first = sorted(many["rows"], key=lambda d: (d.published_at, d.pk), reverse=True)
    assert [d.pk for d in pages[0] + pages[1]] == [d.pk for d in newest_first]
    disputed = {d.pk for d in many["rows"] if d.feedback.filter(kind="disputed").exists()}
    for row in pages[1]:
        assert row.confirmed_count == 1
        assert row.dispute_count == (row.pk in disputed)
        assert row.seen_count == (row.pk not in disputed)


def test_list_query_count_is_bounded(client, many, django_assert_max_num_queries):
    """The list page does not grow queries with rows (no N+1)."""
    with django_assert_max_num_queries(9):
        response = client.get(reverse("disclosures:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == PAGE_SIZE


def test_detail_query_count_is_bounded(client, many, django_assert_max_num_queries):
    disclosure = many["rows"][3]
    for _n in range(10):
        ResidentFeedbackFactory(disclosure=disclosure, approved=True)
        QuestionFactory(disclosure=disclosure, answered=True)
    with django_assert_max_num_queries(15):
        response = client.get(disclosure.get_absolute_url())
    assert response.status_code == 200


def test_export_query_count_is_bounded(client, many, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        export_ids(client, reverse("disclosures:export_csv"))


def test_detail_shows_three_voices_and_counts_rejected(client):
    """Claim, akimat's word and residents' word side by side; disputes shown, rejected counted."""
    disclosure = DisclosureFactory(published=True)
    ConfirmationFactory(disclosure=disclosure, note="Checked on site.")
    ResidentFeedbackFactory(disclosure=disclosure, dispute=True, approved=True, comment="Only half")
    ResidentFeedbackFactory(disclosure=disclosure, rejected=True, comment="spam spam")
    ResidentFeedbackFactory(
        disclosure=disclosure, comment="pending-comment-xyz", contact="+7 777 000"
    )
    response = client.get(disclosure.get_absolute_url())
    content = response.content.decode()
    assert "Checked on site." in content
    assert "Only half" in content
    assert "spam spam" not in content and "pending-comment-xyz" not in content
    assert "+7 777 000" not in content
    assert response.context["feedback_counts"]["rejected"] == 1


def test_resident_feedback_goes_to_moderation(client):
    """A resident's dispute is stored pending; honeypot and rate limit stop bots."""
    cache.clear()
    disclosure = DisclosureFactory(published=True)
    url = reverse("disclosures:feedback", args=[disclosure.pk])
    data = {"kind": "disputed", "comment": "The well is dry.", "author_name": "", "contact": ""}
    assert client.post(url, data).status_code == 302
    item = ResidentFeedback.objects.get()
    assert item.moderation_status == "pending" and item.ip_hash
    assert client.post(url, {**data, "website_url": "http://spam"}).status_code == 400
    for _n in range(10):
        client.post(url, data)
    assert ResidentFeedback.objects.count() == 5
    cache.clear()


def test_residents_cannot_comment_on_drafts(client):
    draft = DisclosureFactory()
    response = client.post(reverse("disclosures:question", args=[draft.pk]), {"text": "Hello?"})
    assert response.status_code == 404


def test_question_answered_publicly(client):
    """The organisation answers an approved question; the answer is shown on the page."""
    cache.clear()
    disclosure = DisclosureFactory(published=True)
    client.post(reverse("disclosures:question", args=[disclosure.pk]), {"text": "When?"})
    question = Question.objects.get()
    question.moderation_status = "approved"
    question.save()
    client.force_login(member_of(disclosure.organisation))
    dashboard = client.get(reverse("disclosures:dashboard"))
    assert question in dashboard.context["questions"]
    client.post(reverse("disclosures:question_answer", args=[question.pk]), {"answer": "In May."})
    client.logout()
    assert "In May." in client.get(disclosure.get_absolute_url()).content.decode()
    cache.clear()


def test_dashboard_lists_overdue_and_disputes(client):
    overdue = DisclosureFactory(published=True, overdue=True)
    ResidentFeedbackFactory(disclosure=overdue, dispute=True, approved=True, comment="Nothing")
    client.force_login(member_of(overdue.organisation))
    response = client.get(reverse("disclosures:dashboard"))
    assert list(response.context["overdue"]) == [overdue]
    assert "Nothing" in response.content.decode()


def test_list_filters_render_and_status_overdue(client):
    overdue = DisclosureFactory(published=True, overdue=True)
    DisclosureFactory(published=True)
    response = client.get(reverse("disclosures:list") + "?status=overdue")
    assert list(response.context["page"].object_list) == [overdue]
    response = client.get(reverse("disclosures:list") + "?year=abc&amount_min=x")
    assert response.status_code == 400
    assert list(response.context["page"].object_list) == []


def test_feed_and_place_urls(client):
    """The RSS feed follows the list's filters; place_feed_urls gives a place's addresses."""
    from disclosures.feeds import place_feed_urls

    places = place_tree()
    here = DisclosureFactory(published=True, settlements=[places["village"]])
    there = DisclosureFactory(published=True, settlements=[places["elsewhere"]])
    urls = place_feed_urls(places["village"])
    body = client.get(urls["feed"]).content.decode()
    assert here.title in body and there.title not in body
    for key in ("list", "csv", "json"):
        assert client.get(urls[key]).status_code == 200


def test_csv_export_neutralises_formulas(client):
    """A title starting with = is exported as text, not run as a spreadsheet formula."""
    DisclosureFactory(published=True, title_kk="", title_ru="", title_en='=HYPERLINK("x")')
    response = client.get(reverse("disclosures:export_csv") + "?q=HYPERLINK")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_summary_partial_renders(client):
    """The village-page partial shows the headline figures."""
    from django.template.loader import render_to_string

    from disclosures.feeds import place_feed_urls
    from disclosures.models import Disclosure

    places = place_tree()
    DisclosureFactory(published=True, overdue=True, settlements=[places["village"]])
    html = render_to_string(
        "disclosures/includes/_place_summary.html",
        {
            "summary": Disclosure.objects.in_force().for_place(places["village"]).summary(),
            "feed_urls": place_feed_urls(places["village"]),
        },
    )
    assert "status-overdue" in html and "export.csv?place=" in html


def test_dashboard_query_count_is_bounded(client, many, django_assert_max_num_queries):
    """The organisation dashboard does not grow queries with its disclosures."""
    company = many["rows"][0].organisation
    client.force_login(member_of(company))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("disclosures:dashboard"))
    assert response.status_code == 200
    assert len(response.context["disclosures"]) == 10


def test_editing_a_published_disclosure_through_the_page_needs_a_reason(client):
    """The edit form refuses a correction without a reason and shows the field's error."""
    disclosure = DisclosureFactory(published=True)
    client.force_login(member_of(disclosure.organisation))
    url = reverse("disclosures:edit", args=[disclosure.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "settlement_codes"
    }
    data["settlement_codes"] = " ".join(p.kato_code for p in disclosure.settlements.all())
    data["title_en"] = "Corrected title"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client.post(url, {**data, "reason": "Spelling."})
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.title_en == "Corrected title"
    assert disclosure.revisions.get(action="edited").reason == "Spelling."


def test_admin_pages_render(client):
    """The admin lists disclosures and residents' input for superusers."""
    from tests.factories import UserFactory

    disclosure = DisclosureFactory(published=True)
    ResidentFeedbackFactory(disclosure=disclosure)
    admin = UserFactory(staff=True, is_superuser=True)
    client.force_login(admin)
    for url in (
        reverse("admin:disclosures_disclosure_changelist"),
        reverse("admin:disclosures_disclosure_change", args=[disclosure.pk]),
        reverse("admin:disclosures_residentfeedback_changelist"),
    ):
        assert client.get(url).status_code == 200


def test_place_block_renders_with_bounded_queries(django_assert_max_num_queries):
    """The village-page block: summary and cards in a fixed number of queries."""
    from django.template.loader import render_to_string

    from disclosures.feeds import place_feed_urls
    from disclosures.models import Disclosure

    places = place_tree()
    for _n in range(12):
        DisclosureFactory(published=True, settlements=[places["village"]])
    with django_assert_max_num_queries(8):
        published = Disclosure.objects.in_force().for_place(places["village"])
        html = render_to_string(
            "disclosures/includes/_place_disclosures.html",
            {
                "summary": published.summary(),
                "feed_urls": place_feed_urls(places["village"]),
                "place_disclosures": published.with_related().with_voices()[:10],
            },
        )
    assert html.count("disclosure-card") == 10
