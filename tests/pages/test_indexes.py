"""The filters and orderings the public pages use can be answered from an index (EXPLAIN).

Test tables are small, so the planner would rightly scan them; `enable_seqscan = off` asks
whether an index *can* serve each query, which is what a missing or mismatched index breaks
(e.g. a LIKE 'prefix%' on a column without varchar_pattern_ops under a non-C collation).
"""

import pytest
from django.db import connection

from disclosures.models import Disclosure
from hearings.models import Hearing
from projects.models import Place
from tests.factories import place_tree

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_jurisdiction_prefix_match_uses_the_path_index():
    district = place_tree()["district"]
    # Without an ordering, so that a primary-key scan (which gives the order for free on tiny
    # tables with stale statistics) is not the planner's better answer: the filter's index is.
    assert "place_path_prefix" in plan(Place.objects.within(district).order_by())


def test_public_disclosure_order_uses_an_index():
    assert "disclosure_published" in plan(Disclosure.objects.published().values("pk")[:25])


def test_overdue_filter_uses_an_index():
    assert "disclosure_status_due" in plan(Disclosure.objects.overdue().order_by().values("pk"))


def test_upcoming_hearings_use_an_index():
    assert "hearing_status_starts" in plan(Hearing.objects.upcoming().values("pk"))


def test_place_search_filters_on_one_column():
    """Search is a substring match on one precomputed column; 15,594 rows scan in milliseconds
    (see scripts/benchmark), so it needs no trigram index."""
    assert "search_key" in str(Place.objects.search("nura").query)
