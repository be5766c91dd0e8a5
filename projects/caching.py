"""HTTP caching and server-side caching of public pages, invalidated by any public change.

Every save or delete of a model residents can see bumps `ContentVersion` (one row). Public pages
get an ETag and Last-Modified from it, so a repeat visit on a slow connection costs a 304 with no
body; expensive parts of pages are cached under a key that includes the version, so an edit is
visible on the very next request.

Pages carry a CSRF token (the resident forms) and may carry a flash message, so the ETag also
depends on the visitor's CSRF cookie, message cookie and signed-in user, and responses are
`private`: a shared proxy never serves one visitor's page to another.

Whole pages are cached server-side too, for visitors without a session or a flash message (every
resident): the rendered page is kept under the content version, the hour, the address and the
cookies it depends on, with each CSRF token replaced by a marker; serving it puts the visitor's
own token back. A warm page costs one query (the version) and a string replacement, so a village
with thousands of contributions costs the same as an empty one; a change makes every cached page
stale at once (the version is in the key).
"""

import hashlib
import re
import threading
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from .models import ContentVersion

SERVER_CACHE_SECONDS = 60
VARYING_COOKIES = ("csrftoken", "messages", "sessionid")
# A visitor with either cookie may see something personal (their account, a flash message).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
CSRF_MARKER = b"@@csrf-token@@"


# The last version this process read, and when (monotonic seconds).
_last_read = (float("-inf"), (0, None))


def current(fresh=True):
    """(version, changed_at) of the public content.

    Every public page asks this first, so it is one plain statement (building it through the ORM
    cost more than running it). With `fresh=False` — a resident with nothing personal — a value
    this process read less than CONTENT_VERSION_TTL seconds ago is reused: a warm page then costs
    no query at all, and an edit made through another server process reaches residents within
    that second. People signed in or shown a message always read it fresh, and a change made by
    this process is seen by it at once (`bump` forgets the value).
    """
    global _last_read
    ttl = settings.CONTENT_VERSION_TTL
    read_at, row = _last_read
    if not fresh and ttl and time.monotonic() - read_at < ttl:
        return row
    # From the database this request reads its content from (the replica for residents, when
    # there is one), so that a page is never cached under a version newer than its content.
    database = connections[router.db_for_read(ContentVersion)]
    table = database.ops.quote_name(ContentVersion._meta.db_table)
    with database.cursor() as cursor:
        cursor.execute(f"SELECT version, changed_at FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone() or (0, None)
    _last_read = (time.monotonic(), row)
    return row


def forget():
    global _last_read
    _last_read = (float("-inf"), (0, None))


def bump(**kwargs):
    """Signal receiver: something public changed."""
    updated = ContentVersion.objects.filter(pk=1).update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    if not updated:
        ContentVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    forget()


def watch(*models):
    """Bump the version whenever one of `models` is saved, deleted or has its m2m changed."""
    for model in models:
        uid = f"content-version-{model._meta.label_lower}"
        post_save.connect(bump, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                bump, sender=through, dispatch_uid=f"{uid}-{field.name}", weak=False
            )


MISSING = object()


def cached(key, compute, version=None):
    """`compute()` cached under `key` for the current content version and day (a minute at most).

    Cached values may depend on today's date (overdue promises), so the local date is in the key.
    They live in the `shared` cache, which every server process of a machine reads (files), so
    that after a change a district's figures are computed once, not once per process: the first
    process to miss takes a PostgreSQL advisory lock on the key and computes. While it does, the
    others show the figures computed for an earlier version (seconds older) rather than wait —
    such a page is not kept in the page cache (`stale_figures_used`) — or, when there are none,
    wait for the lock and read what it stored.
    """
    version = current()[0] if version is None else version
    day = timezone.localdate().isoformat()
    full_key = f"page:{key}:v{version}:{day}"
    latest_key = f"page:{key}:latest:{day}"
    shared = caches["shared"]
    value = shared.get(full_key, MISSING)
    if value is not MISSING:
        return value
    lock = advisory_lock_id(full_key)
    # A transaction-level lock, released when this transaction ends: behind PgBouncer in
    # transaction mode a session lock could be taken on one server connection and "released" on
    # another, and then stay held for good. No savepoint inside a caller's transaction: the lock
    # then lasts until that one ends, and nothing here needs rolling back on its own.
    with transaction.atomic(savepoint=False):
        if not try_advisory_xact_lock(lock):
            stale = shared.get(latest_key, MISSING)
            if stale is not MISSING:
                _state.stale = True
                return stale
            advisory_xact_lock(lock)  # nothing to show meanwhile: wait for the one computing it
        value = shared.get(full_key, MISSING)  # another process may have finished it
        if value is MISSING:
            value = compute()
            shared.set(full_key, value, SERVER_CACHE_SECONDS)
            shared.set(latest_key, value, SERVER_CACHE_SECONDS * 10)
        return value


_state = threading.local()


def stale_figures_used():
    """True when this request showed figures of the previous content version (see `cached`)."""
    return getattr(_state, "stale", False)


# PostgreSQL transaction-level advisory locks, so that one process computes a figure while the
# others do not; elsewhere (SQLite in development: one process) they are no-ops.


def advisory_lock_id(key):
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def _lock_call(function, lock):
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [lock])
        return cursor.fetchone()[0]


def try_advisory_xact_lock(lock):
    return _lock_call("pg_try_advisory_xact_lock", lock)


def advisory_xact_lock(lock):
    _lock_call("pg_advisory_xact_lock", lock)


def shared_page(request, view, args, kwargs, key):
    """The view's response, from the server-side page cache when the visitor has nothing personal.

    Only complete 200 responses that set no cookie of their own are kept.
    """
    if any(name in request.COOKIES for name in PERSONAL_COOKIES):
        return view(request, *args, **kwargs)
    key = "page-html:" + hashlib.sha256(key.encode()).hexdigest()
    pages = caches["pages"]
    hit = pages.get(key)
    if hit is not None:
        headers, body = hit
        if CSRF_MARKER in body:  # only then: asking for a token sets the CSRF cookie
            body = body.replace(CSRF_MARKER, get_token(request).encode())
        response = HttpResponse(body)
        for name, value in headers:
            response[name] = value
        return response
    response = view(request, *args, **kwargs)
    fresh = not stale_figures_used()
    if fresh and response.status_code == 200 and not response.streaming and not response.cookies:
        body = CSRF_VALUE.sub(rb"\1" + CSRF_MARKER + rb"\2", response.content)
        headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
        pages.set(key, (headers, body), SERVER_CACHE_SECONDS)
    return response


def public_page(view=None, *, cookies=(), finish=None):
    """ETag/Last-Modified from the content version; `private, max-age=0, must-revalidate`; the
    whole page cached server-side for visitors with nothing personal (see the module's doc).

    `cookies` names further cookies the page depends on (the home page's recent places).
    `finish(request, response, *args, **kwargs)` runs on every 200 response, cached or not (the
    village page remembers the place in a cookie).
    """
    if view is None:
        return lambda view: public_page(view, cookies=cookies, finish=finish)
    varying = (*VARYING_COOKIES, *cookies)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        _state.stale = False
        personal = any(name in request.COOKIES for name in PERSONAL_COOKIES)
        version, changed_at = current(fresh=personal)
        request.content_version = version
        # The hour is part of the tag: "days left", "overdue" and upcoming/past depend on the
        # clock as well as on edits, so no page is reused across an hour boundary.
        hour = timezone.localtime().strftime("%Y-%m-%d %H")
        path = request.get_full_path()
        language = get_language() or ""
        seed = "|".join(
            [
                str(version),
                hour,
                language,
                path,
                str(request.user.pk or 0) if hasattr(request, "user") else "0",
                *(request.COOKIES.get(name, "") for name in varying),
            ]
        )
        etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
        last_modified = int(changed_at.timestamp()) if changed_at else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            key = "|".join(
                [str(version), hour, language, path, *(request.COOKIES.get(c, "") for c in cookies)]
            )
            response = shared_page(request, view, args, kwargs, key)
            if response.status_code == 200:
                response["ETag"] = etag
                if last_modified:
                    response["Last-Modified"] = http_date(last_modified)
                if finish:
                    finish(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
        return response

    return wrapper
