"""The replica router: residents' GET pages may read from the replica; writes, the rest of a
request that wrote, transactions, signed-in people and a browser that just wrote use the
primary. No database is touched: each request records where its reads would go (the replica
being configured is stubbed, and a test's own transaction would send everything to the primary).
"""

import pytest
from django.db import OperationalError, connections, router
from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django.urls import ResolverMatch

from core import db_router
from core.db_router import STICKY_COOKIE, ReplicaRoutingMiddleware
from projects.models import Place


@pytest.fixture
def replica(settings, monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    monkeypatch.setattr(db_router.replica_health, "usable", lambda: True)
    settings.REPLICA_STICKY_SECONDS = 10


def run(request, view):
    seen = []

    def get_response(request):
        view(seen)
        return HttpResponse()

    response = ReplicaRoutingMiddleware(get_response)(request)
    return seen, response


def read(seen):
    seen.append(router.db_for_read(Place))


def test_anonymous_get_reads_the_replica(replica):
    seen, response = run(RequestFactory().get("/kk/"), read)
    assert seen == ["replica"]
    assert STICKY_COOKIE not in response.cookies


def test_post_reads_the_primary(replica):
    seen, _ = run(RequestFactory().post("/kk/"), read)
    assert seen == ["default"]


@pytest.mark.parametrize("cookie", ["sessionid", "messages", STICKY_COOKIE])
def test_personal_or_recent_writer_reads_the_primary(replica, cookie):
    request = RequestFactory().get("/kk/")
    request.COOKIES[cookie] = "x"
    seen, _ = run(request, read)
    assert seen == ["default"]


def test_after_a_write_the_request_reads_the_primary_and_stays_there(replica):
    """A write sends the rest of the request to the primary and sets the short sticky cookie."""

    def view(seen):
        read(seen)
        seen.append(router.db_for_write(Place))
        read(seen)

    seen, response = run(RequestFactory().get("/kk/"), view)
    assert seen == ["replica", "default", "default"]
    assert response.cookies[STICKY_COOKIE]["max-age"] == 10


def test_inside_a_transaction_reads_the_primary(replica, monkeypatch):
    def view(seen):
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        read(seen)

    seen, _ = run(RequestFactory().get("/kk/"), view)
    assert seen == ["default"]


def test_an_unusable_replica_is_left_for_the_primary(replica, monkeypatch):
    """Unreachable or lagging (tests/scaleout/test_runbook_layout.py has the real one)."""
    monkeypatch.setattr(db_router.replica_health, "usable", lambda: False)
    seen, _ = run(RequestFactory().get("/kk/"), read)
    assert seen == ["default"]


def test_the_replicas_state_is_logged_when_it_changes(settings, caplog):
    health = db_router.ReplicaHealth()
    settings.REPLICA_CHECK_SECONDS = 60
    health.record(None)
    health.record("unreachable (connection refused)")
    health.record("unreachable (connection refused)")
    assert not health.usable()  # checked a moment ago: the last answer, no new check
    health.record(None)
    health.record(None)
    assert health.usable()
    assert [record.getMessage() for record in caplog.records] == [
        "The database replica is unreachable (connection refused): residents' reads go to the "
        "primary",
        "The database replica answers again: residents' reads go back to it",
    ]


def test_outside_a_request_everything_is_primary(replica):
    assert router.db_for_read(Place) == "default"


def test_without_a_replica_everything_is_primary():
    seen, response = run(RequestFactory().get("/kk/"), read)
    assert seen == ["default"]
    assert not response.cookies


def test_migrations_only_on_the_primary():
    assert router.allow_migrate("default", "projects")
    assert not router.allow_migrate("replica", "projects")


def failing_on_the_replica(seen, write_first=False):
    """A view that fails as a stopped replica makes it fail, and answers from the primary."""

    def view(request):
        where = router.db_for_read(Place)
        seen.append(where)
        if write_first:
            router.db_for_write(Place)
        if where == "replica":
            raise OperationalError("server closed the connection unexpectedly")
        return TemplateResponse(request, engines["django"].from_string("{{ where }}"), locals())

    return view


def as_djangos_handler(view):
    """The middleware around `view`, whose exception goes to its process_exception as Django's
    handler sends it (django.core.handlers.base: process_exception_by_middleware)."""
    request = RequestFactory().get("/kk/")
    request.resolver_match = ResolverMatch(view, (), {})

    def handle(request):
        try:
            return view(request)
        except OperationalError as error:
            response = middleware.process_exception(request, error)
            if response is None:
                raise
            return response

    middleware = ReplicaRoutingMiddleware(handle)
    return middleware(request)


@pytest.fixture
def replica_breaks(replica, monkeypatch):
    checks = []
    monkeypatch.setattr(db_router, "close_replica_connection", lambda: checks.append("closed"))
    monkeypatch.setattr(db_router.replica_health, "check", lambda: checks.append("checked"))
    return checks


def test_a_view_the_replica_fails_runs_again_on_the_primary(replica_breaks):
    """The replica stopped between two checks: the view runs again, reading the primary, and
    its answer (a template response, rendered) is the visitor's; the replica is checked again."""
    seen = []
    response = as_djangos_handler(failing_on_the_replica(seen))
    assert seen == ["replica", "default"]
    assert response.content == b"default"
    assert replica_breaks == ["closed", "checked"]


def test_a_view_that_wrote_is_not_run_again(replica_breaks):
    """Once the request wrote, running it again could write twice: the error stands."""
    seen = []
    with pytest.raises(OperationalError):
        as_djangos_handler(failing_on_the_replica(seen, write_first=True))
    assert seen == ["replica"]
