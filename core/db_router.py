"""Reads of residents' pages from a PostgreSQL replica; everything else from the primary.

A replica lags the primary by a fraction of a second, so it may only serve reads for which a
slightly older state is fine and that cannot be mixed with this visitor's own writes:

- only GET and HEAD requests from visitors with nothing personal (no session, no flash message),
  which is every resident reading a page or the API;
- not once the request has written anything (the rest of the request reads the primary), nor
  inside a transaction on the primary (`select_for_update`, services);
- not for a browser that wrote within REPLICA_STICKY_SECONDS: the request that wrote sets a short
  cookie, so the page it redirects to shows the write.

Outside a request (management commands, the outbox worker) everything uses the primary. Without
a "replica" database (DATABASE_REPLICA_URL unset) the router always answers "default".

The replica is a convenience, never a dependency: while it does not answer, or its replay lags
more than REPLICA_MAX_LAG_SECONDS behind, residents' reads go to the primary, and back once it
recovers. Each process asks the replica at most once every REPLICA_CHECK_SECONDS (one query on
the thread's own replica connection, which REPLICA_CONNECT_TIMEOUT bounds) and logs a warning when
the replica's state changes, never per request. A request whose replica connection fails half
way (the replica stopped between two checks) is answered again from the primary: no resident sees
an error page because of the replica. `/readyz` reports the replica's state as a warning and stays
ready while the primary serves.
"""

import contextlib
import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import Error, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

STICKY_COOKIE = "aa_primary"
PERSONAL_COOKIES = ("messages", STICKY_COOKIE)

_replica_allowed = contextvars.ContextVar("replica_allowed", default=False)
_wrote = contextvars.ContextVar("wrote", default=False)
_read_replica = contextvars.ContextVar("read_replica", default=False)

# The standby's replay delay in seconds: 0 while it has replayed all it received (an idle primary
# writes nothing to replay), else the age of the last transaction it replayed (an upper bound).
# A standby not streaming yet (just started) is judged by that age too; a server that is not in
# recovery (a primary, or a promoted replica) has nothing to lag behind.
LAG_QUERY = """
    SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0
                WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
           END
"""


def replica_configured():
    return "replica" in settings.DATABASES


class ReplicaHealth:
    """Whether this process may read from the replica: its last check's answer, kept for
    REPLICA_CHECK_SECONDS. `problem` is None while the replica is usable, else why not."""

    def __init__(self):
        self.lock = threading.Lock()
        self.problem = None
        self.checked_at = None  # monotonic time of the last check; None: never checked

    def usable(self):
        """The last answer; asks the replica again (in this thread, once for all threads) when
        that answer is older than REPLICA_CHECK_SECONDS."""
        with self.lock:
            now = time.monotonic()
            due = self.checked_at is None or now - self.checked_at >= settings.REPLICA_CHECK_SECONDS
            if due:
                self.checked_at = now  # the other threads keep the last answer meanwhile
        if due:
            self.check()
        return self.problem is None

    def check(self):
        """Asks the replica now; returns the problem (None when usable) and remembers it."""
        try:
            with connections["replica"].cursor() as cursor:
                cursor.execute(LAG_QUERY)
                lag = float(cursor.fetchone()[0])
        except Error as error:
            close_replica_connection()
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            self.record(f"unreachable ({first_line[:150]})")
        else:
            limit = settings.REPLICA_MAX_LAG_SECONDS
            self.record(f"lagging {lag:.0f} s behind (over {limit} s)" if lag > limit else None)
        return self.problem

    def record(self, problem):
        with self.lock:
            self.checked_at = time.monotonic()
            changed, self.problem = (self.problem is None) != (problem is None), problem
        if changed and problem:
            logger.warning(
                "The database replica is %s: residents' reads go to the primary", problem
            )
        elif changed:
            logger.warning("The database replica answers again: residents' reads go back to it")


def close_replica_connection():
    """This thread's replica connection, which failed: the next use opens a new one."""
    with contextlib.suppress(Error):
        connections["replica"].close()


replica_health = ReplicaHealth()


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _replica_allowed.get()
            and not _wrote.get()
            and replica_configured()
            and not connections["default"].in_atomic_block
            and replica_health.usable()
        ):
            _read_replica.set(True)
            return "replica"
        return "default"

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, replicated

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class ReplicaRoutingMiddleware:
    """Decides, per request, whether reads may go to the replica (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        personal = (settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES)
        allowed = request.method in ("GET", "HEAD") and not any(
            name in request.COOKIES for name in personal
        )
        allowed_token = _replica_allowed.set(allowed)
        wrote_token = _wrote.set(False)
        read_token = _read_replica.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() and replica_configured():
                response.set_cookie(
                    STICKY_COOKIE,
                    "1",
                    max_age=settings.REPLICA_STICKY_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
            return response
        finally:
            _replica_allowed.reset(allowed_token)
            _wrote.reset(wrote_token)
            _read_replica.reset(read_token)

    def process_exception(self, request, exception):
        """The replica failed under this request (it stopped, or cancelled a query that conflicted
        with its replay): the view runs again, reading the primary. Nothing was written yet (a
        write sends every later read to the primary), so running it again is safe.

        Django's own hook for turning a view's exception into a response: its handler calls it
        for an exception of the view and of a template response's rendering (the template's
        lazy queries), and renders nothing returned from the second, hence `render()` here. A
        streamed response (the exports) reads after the middleware has returned: it is not
        covered, nor needs to be (its download fails; the next is read from the primary)."""
        if not (
            isinstance(exception, OperationalError | InterfaceError)
            and _read_replica.get()
            and not _wrote.get()
        ):
            return None
        close_replica_connection()
        replica_health.check()
        _replica_allowed.set(False)
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        return response.render() if hasattr(response, "render") else response
