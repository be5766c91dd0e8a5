"""The public list and its exports over thirty published disclosures with voices: the same
rows, filters, pages and bounded queries. The rows are made once for the module (`many`)."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from disclosures.models import Disclosure
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


@pytest.fixture(scope="module")
def many(module_media, module_transaction):
    """Thirty published disclosures over two villages, with voices, plus drafts: made once for
    the module's tests, each of which runs in a savepoint inside the module's transaction."""
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


def test_dashboard_query_count_is_bounded(client, many, django_assert_max_num_queries):
    """The organisation dashboard does not grow queries with its disclosures."""
    company = many["rows"][0].organisation
    client.force_login(member_of(company))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("disclosures:dashboard"))
    assert response.status_code == 200
    assert len(response.context["disclosures"]) == 10


def test_exports_write_dates_and_times_as_isoformat(client, many):
    """PostgreSQL writes the dates and times of the exports (disclosures/export.py): the text of
    Python's isoformat() in UTC, with a fraction of a second only when there is one; an empty
    text is null in JSON and an empty cell in CSV."""
    whole, fraction = many["rows"][:2]
    Disclosure.objects.filter(pk=whole.pk).update(
        published_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), recipient_name=""
    )
    Disclosure.objects.filter(pk=fraction.pk).update(
        published_at=datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=UTC),
        withdrawn_at=datetime(2026, 2, 3, 4, 5, 6, 120000, tzinfo=UTC),
        withdrawal_reason="Ошибка в записи",
    )
    body = b"".join(client.get(reverse("disclosures:export_json")).streaming_content)
    rows = {row["id"]: row for row in json.loads(body)["data"]}
    for disclosure in Disclosure.objects.filter(pk__in=[d.pk for d in many["rows"]]):
        for name in ("published_at", "updated_at", "withdrawn_at", "due_date", "delivered_date"):
            value = getattr(disclosure, name)
            assert rows[disclosure.pk][name] == (value and value.isoformat())
    assert rows[whole.pk]["published_at"] == "2026-01-02T03:04:05+00:00"
    assert rows[fraction.pk]["published_at"] == "2026-01-02T03:04:05.000007+00:00"
    assert rows[fraction.pk]["withdrawn_at"] == "2026-02-03T04:05:06.120000+00:00"
    assert rows[whole.pk]["recipient_name"] is None
    body = b"".join(client.get(reverse("disclosures:export_csv")).streaming_content)
    cells = {int(row["id"]): row for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))}
    assert cells[whole.pk]["published_at"] == "2026-01-02T03:04:05+00:00"
    assert cells[whole.pk]["recipient_name"] == ""
