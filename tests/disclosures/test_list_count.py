"""The contributions list counts its rows only as far as a reader can use (core.filters)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import DisclosureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(monkeypatch):
    """Five public contributions, one a page, counted up to three."""
    monkeypatch.setattr("disclosures.views.PAGE_SIZE", 1)
    monkeypatch.setattr("disclosures.views.COUNTED_UP_TO", 3)
    DisclosureFactory.create_batch(5, published=True)
    DisclosureFactory()  # a draft: never counted
    translation.activate("en")
    yield
    translation.deactivate()


def page(client, number):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("disclosures:list"), {"page": number})
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_a_page_within_the_limit_counts_no_further(client, five):
    """Beyond the limit the list says "more than", the page has no last number, and the next
    page is still linked: PostgreSQL stops counting after limit + 1 rows."""
    content, sql = page(client, 2)
    assert "More than 3 disclosures" in content
    assert "Page 2</span>" in content
    assert "page=3" in content and "page=1" in content  # next and previous
    assert "5 disclosures" not in content
    assert any("COUNT(*)" in each and "LIMIT 4" in each for each in sql)


def test_a_page_beyond_the_limit_counts_every_row(client, five):
    """A page past the limit is found by the whole count, and tells it."""
    content, _sql = page(client, 4)
    assert "5 disclosures" in content
    assert "Page 4 of 5" in content
    assert "More than" not in content
    for past in (99, 0, -1):  # past the end, or before the first: the last page, as before
        content, _sql = page(client, past)
        assert "Page 5 of 5" in content


def test_fewer_rows_than_the_limit_are_counted_exactly(client, monkeypatch):
    monkeypatch.setattr("disclosures.views.PAGE_SIZE", 1)
    monkeypatch.setattr("disclosures.views.COUNTED_UP_TO", 3)
    DisclosureFactory.create_batch(2, published=True)
    with translation.override("en"):
        content, _sql = page(client, 1)
    assert "2 disclosures" in content
    assert "Page 1 of 2" in content
