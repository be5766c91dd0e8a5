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
"""

import contextvars

from django.conf import settings
from django.db import connections

STICKY_COOKIE = "aa_primary"
PERSONAL_COOKIES = ("messages", STICKY_COOKIE)

_replica_allowed = contextvars.ContextVar("replica_allowed", default=False)
_wrote = contextvars.ContextVar("wrote", default=False)


def replica_configured():
    return "replica" in settings.DATABASES


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _replica_allowed.get()
            and not _wrote.get()
            and replica_configured()
            and not connections["default"].in_atomic_block
        ):
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
