"""`core.models.prepared`: a queryset compiled once, run with the values of its slots, gives
what the queryset gives; and no prepared query's SQL depends on anything but the code."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone, translation

from core.models import PREPARED, Compiled, Slot, prepared
from projects.models import Place, Project, ProjectSettlement
from tests.factories import ProjectFactory, place_tree

pytestmark = pytest.mark.django_db


def _fields(instance):
    return {name: value for name, value in vars(instance).items() if name != "_state"}


@prepared
def _cards_of_projects():
    settled = Compiled(Project, Exists(ProjectSettlement.objects.filter(project=OuterRef("pk"))))
    return (
        Project.objects.for_cards()
        .affecting(Slot("path"))
        .annotate(settled=settled)
        .order_by("slug")
    )


def test_instances_are_the_querysets_with_their_related_rows_and_annotations():
    places = place_tree()
    near = ProjectFactory(primary_settlement=places["village"], slug="b-near")
    ProjectFactory(primary_settlement=places["neighbour"], slug="a-next-door")
    ProjectFactory(primary_settlement=places["elsewhere"], slug="c-far")
    for where, expected in [("rural", ["a-next-door", "b-near"]), ("village", ["b-near"])]:
        place = places[where]
        with CaptureQueriesContext(connection) as queries:
            rows = _cards_of_projects(path=place.path)
        assert len(queries) == 1
        settled = Exists(ProjectSettlement.objects.filter(project=OuterRef("pk")))
        plain = list(
            Project.objects.for_cards()
            .affecting(place.path)
            .annotate(settled=settled)
            .order_by("slug")
        )
        assert [row.slug for row in rows] == expected == [row.slug for row in plain]
        for row, same in zip(rows, plain, strict=True):
            assert _fields(row) == _fields(same)
            # select_related: the operator and the settlement come with the row, no query.
            with CaptureQueriesContext(connection) as queries:
                assert _fields(row.operator) == _fields(same.operator)
                assert _fields(row.primary_settlement) == _fields(same.primary_settlement)
            assert len(queries) == 0
    assert near.slug == "b-near"


@prepared
def _counts_by_level():
    """An annotation named before a column in `values()`: each keeps its name."""
    rows = Place.objects.filter(path__startswith=Slot("path")).annotate(tier=F("depth"))
    return rows.values("tier", "level").annotate(n=Count("pk")).order_by("tier")


def test_values_rows_are_dicts_named_as_the_querysets():
    places = place_tree()
    levels = [Place.Level.DISTRICT, Place.Level.RURAL_DISTRICT, Place.Level.SETTLEMENT]
    rows = _counts_by_level(path=places["district"].path)
    assert rows == [
        {"tier": tier, "level": level, "n": n}
        for tier, level, n in zip([1, 2, 3], levels, [1, 1, 2], strict=True)
    ]
    plain = Place.objects.filter(path__startswith=places["district"].path)
    plain = plain.annotate(tier=F("depth")).values("tier", "level")
    assert rows == list(plain.annotate(n=Count("pk")).order_by("tier"))
    assert _counts_by_level(path="/nowhere/") == []


def test_named_values_rows_are_the_querysets():
    places = place_tree()
    by_name = prepared(
        lambda: (
            Place.objects.filter(path__startswith=Slot("path"))
            .order_by_name()
            .values_list("kato_code", "level", named=True)
        )
    )
    path = places["district"].path
    rows = by_name(path=path)
    plain = Place.objects.filter(path__startswith=path).order_by_name()
    assert rows == list(plain.values_list("kato_code", "level", named=True))
    assert [row.kato_code for row in rows] == [place.kato_code for place in plain]


def test_an_empty_query_or_an_id_out_of_range_asks_nothing_and_a_prefetch_is_refused():
    nothing = prepared(lambda: Place.objects.filter(pk__in=[]))
    by_id = prepared(lambda: Place.objects.filter(pk=Slot("pk")))
    place = place_tree()["village"]
    with CaptureQueriesContext(connection) as queries:
        assert nothing() == []
        assert by_id(pk=10**30) == by_id(pk=-(2**63) - 1) == []
    assert len(queries) == 0
    assert by_id(pk=place.pk) == [place]
    with pytest.raises(ValueError, match="prefetch"):
        prepared(lambda: Project.objects.prefetch_related("investors"))()


def _compiled(query):
    try:
        sql, params = query.build().query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, [getattr(param, "name", param) for param in params]


def test_every_prepared_query_depends_on_the_code_only(monkeypatch):
    """Built at two instants a day and some hours apart, in each language, every prepared query
    of the site compiles to the same SQL and constants: what changes between requests (the
    place, the time, today's date) is in its slots, never compiled in for good."""
    get_resolver().url_patterns  # noqa: B018 - imports every view, and what they prepare
    assert len(PREPARED) > 3
    first = timezone.now().replace(hour=23, minute=30)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for query in PREPARED:
                monkeypatch.setattr(timezone, "now", lambda: first)
                before = _compiled(query)
                later = first + datetime.timedelta(days=1, hours=1)
                monkeypatch.setattr(timezone, "now", lambda later=later: later)
                assert _compiled(query) == before, query.__qualname__
