"""The filters and orderings the public pages use can be answered from an index (EXPLAIN).

Test tables are small, so the planner would rightly scan them; `enable_seqscan = off` asks
whether an index *can* serve each query, which is what a missing or mismatched index breaks
(e.g. a LIKE 'prefix%' on a column without varchar_pattern_ops under a non-C collation).

Each plan is taken after an explicit ANALYZE of the tables: without statistics the planner's
choice on a tiny table depended on whether autovacuum had got to it yet, and these tests failed
in one run of three. `make bench` checks the same pages on country-sized data.
"""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosures.models import Confirmation, Disclosure, PlaceFigures, ResidentFeedback
from hearings.models import Hearing
from projects.models import Place
from tests.factories import DisclosureFactory, HearingFactory, PlaceFactory, place_tree

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


ANALYZED = [
    "projects_place",
    "disclosures_disclosure",
    "disclosures_disclosure_settlements",
    "disclosures_confirmation",
    "disclosures_residentfeedback",
    "hearings_hearing",
    "hearings_hearing_territory",
    "hearings_concernedplace",
    "disclosures_listedplace",
    "disclosures_placefigures",
]


def plan(queryset, *disabled):
    """The plan of `queryset` without sequential scans (and without the `disabled` plan
    types, e.g. "sort")."""
    return plan_of_sql(*queryset.query.sql_with_params(), *disabled)


def plan_of_sql(sql, params, *disabled):
    """The plan of the query `sql` with `params`, as `plan`."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(ANALYZED))
        for kind in ("seqscan", *disabled):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_jurisdiction_prefix_match_uses_the_path_index():
    district = place_tree()["district"]
    # Without an ordering, so that a primary-key scan (which gives the order for free on tiny
    # tables with stale statistics) is not the planner's better answer: the filter's index is.
    assert "place_path_prefix" in plan(Place.objects.within(district).order_by())


def test_public_disclosure_order_uses_an_index():
    assert "disclosure_published" in plan(Disclosure.objects.in_force().values("pk")[:25])


def many_delivered(count=500):
    """Enough delivered contributions that a filter on open promises is selective, as in life."""
    model = DisclosureFactory(published=True)
    copies = []
    for _ in range(count):
        copy_ = copy.copy(model)
        copy_.pk = copy_.id = None
        copies.append(copy_)
    Disclosure.objects.bulk_create(copies)


def test_overdue_filter_uses_an_index():
    many_delivered()
    DisclosureFactory(published=True, overdue=True)
    assert "disclosure_status_due" in plan(Disclosure.objects.overdue().order_by().values("pk"))


def test_upcoming_hearings_use_an_index():
    assert "hearing_status_starts" in plan(Hearing.objects.upcoming().values("pk"))


def test_the_public_hearings_list_can_walk_an_index_in_its_order():
    """A deep page of the hearings list reads its keys from an index in the list's order
    instead of sorting every public hearing (25,000 at country scale). Whether the planner
    walks it is its choice by table size; without a sort, only that index can answer."""
    HearingFactory.create_batch(3, announced=True)
    keys = Hearing.objects.published().order_by("-starts_at", "pk").values("pk")[40:60]
    assert "hearing_public_order" in plan(keys, "sort", "incremental_sort")


def test_a_places_hearings_are_read_from_its_own_rows():
    """The place page's lists read the place's own `ConcernedPlace` rows, not every
    hearing of the country against the place's subtree."""
    places = place_tree()
    HearingFactory(announced=True, territory=[places["village"]])
    HearingFactory(held=True, territory=[places["elsewhere"]])
    district = places["district"]
    # Which of the rows' indexes serves is the planner's choice on a table of a few rows (the
    # date order, or the unique (place, hearing) in a bitmap scan with a sort of the few: both
    # seen): either reads the place's own rows, which is what this asks.
    for listed in (Hearing.objects.past_for(district), Hearing.objects.forthcoming_for(district)):
        chosen = plan(listed[:5])
        assert "on concerned_place_" in chosen or "using concerned_place_" in chosen
        assert "territory" not in chosen


def test_place_search_filters_on_one_column():
    """Search is a substring match on one precomputed column; 15,594 rows scan in milliseconds
    (see scripts/bench), so it needs no trigram index."""
    assert "search_key" in str(Place.objects.search("nura").query)


def many_places(under, count=400):
    """Villages enough that a prefix match on one district's path is selective, as in life."""
    model = PlaceFactory(parent=under)
    copies = []
    for n in range(count):
        copy_ = copy.copy(model)
        copy_.pk = copy_.id = None
        copy_.kato_code = f"{800000000 + n:09d}"
        copy_.slug = f"copy-{n}"
        copy_.path = f"{under.path}{copy_.kato_code}/"
        copies.append(copy_)
    Place.objects.bulk_create(copies)


def test_a_places_disclosures_are_found_through_the_settlement_index():
    """for_place: the places within a place by path prefix (one query), then their
    disclosures through the settlements table's place index."""
    places = place_tree()
    many_places(places["elsewhere"].parent)
    many_delivered(400)
    through = Disclosure.settlements.through
    elsewhere = Place.objects.filter(kato_code__startswith="8").values_list("pk", flat=True)
    disclosures = Disclosure.objects.values_list("pk", flat=True)
    through.objects.bulk_create(
        through(disclosure_id=d, place_id=p) for d, p in zip(disclosures, elsewhere, strict=False)
    )
    district = places["district"]
    assert "place_path_prefix" in plan(Place.objects.within(district).values("pk"))
    query = plan(Disclosure.objects.in_force().for_place(district).values("pk")[:25])
    assert "settlements_place_id" in query


def test_a_places_newest_contributions_are_read_from_its_own_rows():
    """A place page's newest contributions walk the place's own `ListedPlace` rows in date
    order (the only index that both finds a place's rows and orders them), not every published
    contribution of the country checked against the place's villages."""
    places = place_tree()
    for village in (places["village"], places["neighbour"], places["elsewhere"]):
        DisclosureFactory(published=True, settlements=[village])
    chosen = plan(Disclosure.objects.published().newest_for(places["district"], 20).values("pk"))
    assert "listed_place_date" in chosen
    assert "settlements" not in chosen


def test_voices_are_counted_through_the_disclosure_indexes():
    """A record's confirmations and residents' word are read by index (its page, the kept
    counts' recount)."""
    ids = [DisclosureFactory(published=True).pk for _ in range(3)]
    assert "disclosure_id" in plan(Confirmation.objects.filter(disclosure__in=ids).values("pk"))
    feedback = ResidentFeedback.objects.approved().filter(disclosure__in=ids).values("pk")
    assert "disclosure_id" in plan(feedback)


def test_the_timeline_order_uses_its_index():
    """A busy place's timeline reads its newest rows from the index instead of sorting all."""
    many_delivered(400)
    ordered = Disclosure.objects.in_force().order_by_key_date().values("pk")[:25]
    assert "disclosure_key_date" in plan(ordered)


def test_the_search_counts_contributions_from_the_figures_index_alone():
    """The place search's counts of up to hundreds of places (`in_force_counts`) can be read
    from `place_figures_place` alone, without the table's rows: an index-only scan, where a
    bitmap scan of the rows at country scale ran in parallel workers whose start cost more
    than the query. Without bitmap scans, the only index whose keys hold the place, the
    status and `n` answers it as "Index Only Scan" (one without `n` as "Index Scan")."""
    places = place_tree()
    for village in (places["village"], places["neighbour"], places["elsewhere"]):
        DisclosureFactory(published=True, settlements=[village])
    with CaptureQueriesContext(connection) as queries:
        PlaceFigures.objects.in_force_counts([place.pk for place in places.values()])
    (query,) = queries.captured_queries
    assert "Index Only Scan using place_figures_place" in plan_of_sql(
        query["sql"], None, "bitmapscan"
    )
