"""HTTP caching and server-side caching of public pages, invalidated by any public change.

Every save or delete of a model residents can see bumps `ContentVersion` (one row). Public pages
get an ETag and Last-Modified from it, so a repeat visit on a slow connection costs a 304 with no
body; expensive parts of pages are cached under a key that includes the version, so an edit is
visible on the very next request.

Pages carry a CSRF token (the resident forms) and may carry a flash message, so the ETag also
depends on the visitor's CSRF cookie, message cookie and signed-in user, and responses are
`private`: a shared proxy never serves one visitor's page to another.

Whole pages are cached server-side too, for visitors without a session, a flash message or a
fresh write of their own (every resident): `public_page` marks the rendered page, and
`PageCacheMiddleware` keeps it with its final headers under the content version, the hour, the
address and the cookies it depends on, cut at each CSRF token and compressed once (`CachedPage`).
The next resident asking for that address is answered by the middleware, near the top of the
stack, before the session, language, CSRF and authentication middleware and the URL resolver
run, as Django's own per-site cache does: it puts back the visitor's own token (and CSRF cookie),
ETag and recent-places cookie, and a browser that accepts gzip (every one) gets the compressed
page, a fifth of the bytes on a slow connection. A warm page costs no render, no compression and
no query, so a village with thousands of contributions costs the same as an empty one; a change
makes every kept page stale at once (the version is in the key).
"""

import datetime
import hashlib
import re
import struct
import threading
import time
import zlib
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import connection, connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from core.db_router import STICKY_COOKIE
from core.models import ContentVersion

SERVER_CACHE_SECONDS = 60
STALE_PAGE_SECONDS = 2
VARYING_COOKIES = ("csrftoken", "messages", "sessionid")
# A visitor with either cookie may see something personal (their account, a flash message).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
# ... and one who just wrote must see their write (read from the primary database).
BYPASS_COOKIES = (*PERSONAL_COOKIES, STICKY_COOKIE)
CSRF_PREFIX = b'name="csrfmiddlewaretoken" value="'
CSRF_VALUE = re.compile(re.escape(CSRF_PREFIX) + rb'[A-Za-z0-9]{32,64}"')


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
    if row[1] is not None and timezone.is_naive(row[1]):
        # SQLite (the quick start's database) hands a raw query's timestamp back naive, in UTC.
        row = (row[0], timezone.make_aware(row[1], datetime.UTC))
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
    such a page is kept in the page cache for a moment only (`stale_figures_used`) — or, when
    there are none, wait for the lock and read what it stored.

    With Redis down, the `shared` cache is each process's own memory (core/redis_cache.py): the
    lock still makes the processes compute one at a time, and each keeps what it computed.
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


class CachedPage:
    """A rendered page as kept in the page cache: its headers, and its body cut at each CSRF
    token into parts, each kept as it is and deflated once, so that serving it costs neither a
    render nor a compression.

    A gzip body is assembled from the deflated parts with the visitor's own token between them
    as *stored* (uncompressed) deflate blocks: concatenating independently compressed parts is
    valid deflate when each ends on a byte boundary (a sync flush). The token is never
    compressed with anything else, so a compression side channel (BREACH) learns nothing
    about it; pages for people with a session are never kept here.
    """

    __slots__ = ("headers", "parts", "deflated", "static_gzip", "language", "cookies", "finish")

    def __init__(self, body, language, cookies, finish):
        self.headers = []  # the final ones, set by the middleware that keeps the page
        self.language, self.cookies, self.finish = language, cookies, finish
        self.parts = CSRF_VALUE.split(body)
        self.deflated = [_deflate(part) for part in self.parts]
        self.static_gzip = _gzip(self.deflated, self.parts, []) if len(self.parts) == 1 else None

    def tokens(self, request):
        if len(self.parts) == 1:
            return []
        # Asked only when the page has a form: asking sets the CSRF cookie.
        token = get_token(request).encode()
        return [token] * (len(self.parts) - 1)

    def body(self, request, compressed):
        tokens = self.tokens(request)
        if compressed:
            return self.static_gzip or _gzip(self.deflated, self.parts, tokens)
        pieces = [self.parts[0]]
        for token, part in zip(tokens, self.parts[1:], strict=True):
            pieces += [_field(token), part]
        return b"".join(pieces)


GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, OS unknown
DEFLATE_END = b"\x03\x00"  # an empty final block


def _deflate(data):
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _field(token):
    return CSRF_PREFIX + token + b'"'


def _stored(data):
    """`data` as one stored deflate block (starting on a byte boundary, not final)."""
    return b"\x00" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def _gzip(deflated, parts, tokens):
    pieces, crc, size = [GZIP_HEADER, deflated[0]], zlib.crc32(parts[0]), len(parts[0])
    for token, part, packed in zip(tokens, parts[1:], deflated[1:], strict=True):
        between = _field(token)
        pieces += [_stored(between), packed]
        crc = zlib.crc32(part, zlib.crc32(between, crc))
        size += len(between) + len(part)
    pieces += [DEFLATE_END, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    return b"".join(pieces)


def accepts_gzip(request):
    # From META: `request.headers` would build a dict of every header on each warm page.
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")


_hour = (float("-inf"), "")  # (until when, in epoch seconds; the local hour's label)


def local_hour():
    """'2026-11-30 09', the local date and hour, recomputed only when the hour is over."""
    global _hour
    until, label = _hour
    now = time.time()
    if now >= until:
        moment = timezone.localtime()
        label = moment.strftime("%Y-%m-%d %H")
        start = moment.replace(minute=0, second=0, microsecond=0)
        _hour = (start.timestamp() + 3600, label)
    return label


# Set when a kept page is served, per visitor.
PER_RESPONSE_HEADERS = ("content-length", "content-encoding", "etag", "last-modified")


class PageToKeep(NamedTuple):
    key: str
    page: CachedPage
    seconds: int
    cookies: frozenset  # the cookies the view's `finish` set (set again when the page is served)


def bypasses_page_cache(request):
    """A visitor who may see something personal (an account, a flash message), or whose last
    write must show (the replica's sticky cookie): never served a page kept for everyone."""
    return any(name in request.COOKIES for name in BYPASS_COOKIES)


def page_key(version, hour, path, cookies, request):
    """The page cache's key: the content version, the hour, the address (with its query) and the
    values of the cookies the page depends on, named in the key."""
    variant = "|".join(f"{name}={request.COOKIES.get(name, '')}" for name in cookies)
    seed = f"{version}|{hour}|{path}|{variant}"
    return "page-html:" + hashlib.sha256(seed.encode()).hexdigest()


def validators(request, version, changed_at, hour, language, cookies):
    """(ETag, Last-Modified epoch seconds) of a public page for this visitor."""
    user = getattr(request, "user", None)
    seed = "|".join(
        [
            str(version),
            hour,
            language,
            request.get_full_path(),
            str(user.pk or 0) if user is not None else "0",
            "gzip" if accepts_gzip(request) else "identity",
            *(request.COOKIES.get(name, "") for name in (*VARYING_COOKIES, *cookies)),
        ]
    )
    etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
    return etag, (int(changed_at.timestamp()) if changed_at else None)


def date_validators(response, etag, last_modified):
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)


def serve(request, page, compressed):
    response = HttpResponse(page.body(request, compressed))
    for name, value in page.headers:
        response[name] = value
    if compressed:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def page_to_keep(request, response, language, cookies, finish):
    """A freshly rendered resident page as the page cache will keep it (or None), sent
    compressed when the browser accepts gzip. `finish` is the view's finishing call with its
    arguments, made again each time the page is served."""
    if response.streaming or response.cookies or request.method != "GET":
        return None
    page = CachedPage(response.content, language, cookies, finish)
    # The response just rendered (tests read its context) keeps its own tokens; only its body
    # is swapped for the compressed one.
    if accepts_gzip(request):
        tokens = [found[len(CSRF_PREFIX) : -1] for found in CSRF_VALUE.findall(response.content)]
        response.content = _gzip(page.deflated, page.parts, tokens)
        response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ["Accept-Encoding"])
    return page


def public_page(view=None, *, cookies=(), finish=None):
    """ETag/Last-Modified from the content version; `private, max-age=0, must-revalidate`; the
    whole page kept for residents by `PageCacheMiddleware` (see the module's doc).

    `cookies` names further cookies the page depends on (the home page's recent places).
    `finish(request, response, *args, **kwargs)` runs on every 200 response, cached or not (the
    village page remembers the place in a cookie).
    """
    if view is None:
        return lambda view: public_page(view, cookies=cookies, finish=finish)
    cookies = tuple(cookies)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        _state.stale = False
        personal = bypasses_page_cache(request)
        # The version the page cache looked up a moment ago, if it did (not for personal pages).
        known = None if personal else getattr(request, "content_state", None)
        version, changed_at = known or current(fresh=personal)
        request.content_version = version
        # The hour is part of the tag: "days left", "overdue" and upcoming/past depend on the
        # clock as well as on edits, so no page is reused across an hour boundary.
        hour = local_hour()
        language = get_language() or ""
        etag, last_modified = validators(request, version, changed_at, hour, language, cookies)
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                page = None
                if not personal:
                    call = finish and (finish, args, kwargs)
                    page = page_to_keep(request, response, language, cookies, call)
                date_validators(response, etag, last_modified)
                if finish:
                    finish(request, response, *args, **kwargs)
                if page is not None:
                    key = page_key(version, hour, request.get_full_path(), cookies, request)
                    # A page built with the previous version's figures (another process is
                    # computing the new ones) is kept a moment only: enough to spare
                    # re-rendering it for every resident meanwhile, short enough that the new
                    # figures show seconds later.
                    stale = stale_figures_used()
                    seconds = STALE_PAGE_SECONDS if stale else SERVER_CACHE_SECONDS
                    response.page_to_keep = PageToKeep(
                        key, page, seconds, frozenset(response.cookies)
                    )
        patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
        return response

    return wrapper


# Which cookies the page at each address depends on, learnt when one is kept (a fact of the
# code, not of the content), so that a lookup is one cache read. Bounded: cleared when full.
_page_cookies = {}
MAX_ADDRESSES = 20_000


class PageCacheMiddleware:
    """Serves a resident's page from the page cache before the rest of the middleware and the
    URL resolver run, the way Django's own per-site cache does, and keeps each page that
    `public_page` marked once every inner middleware has added its headers.

    A kept page holds the final headers (security, CSP, language, caching) and the body cut at
    its CSRF tokens; serving it puts back what differs per visitor: the ETag, the CSRF token and
    cookie (through Django's own CSRF middleware), and the view's `finish` (the recent-places
    cookie). Only GET requests under a language prefix, from visitors with nothing personal, on
    an allowed host, are served here; everything else goes through the whole stack unchanged.
    Place it after the security and replica-routing middleware, before the session's.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        self.prefixes = tuple(f"/{code}/" for code, _ in settings.LANGUAGES)

    def __call__(self, request):
        if (
            request.method == "GET"
            and request.path_info.startswith(self.prefixes)
            and not bypasses_page_cache(request)
        ):
            response = self.from_cache(request)
            if response is not None:
                return response
        response = self.get_response(request)
        self.keep(request, response)
        return response

    def from_cache(self, request):
        cookies = _page_cookies.get(request.path_info)
        if cookies is None:
            return None
        version, changed_at = request.content_state = current(fresh=False)
        hour = local_hour()
        key = page_key(version, hour, request.get_full_path(), cookies, request)
        page = caches["pages"].get(key)
        if page is None:
            return None
        try:
            request.get_host()
        except DisallowedHost:
            return None  # the whole stack answers it (400)
        etag, last_modified = validators(
            request, version, changed_at, hour, page.language, page.cookies
        )
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is not None:
            for name, value in page.headers:
                if name.lower() in ("cache-control", "vary"):
                    response[name] = value
            date_validators(response, etag, last_modified)
            return response
        has_tokens = len(page.parts) > 1
        if has_tokens:
            self.csrf.process_request(request)  # the visitor's CSRF secret, from their cookie
        response = serve(request, page, accepts_gzip(request))
        date_validators(response, etag, last_modified)
        if page.finish:
            finish, args, kwargs = page.finish
            finish(request, response, *args, **kwargs)
        if has_tokens:
            self.csrf.process_response(request, response)  # a new visitor's CSRF cookie
        return response

    def keep(self, request, response):
        kept = getattr(response, "page_to_keep", None)
        if (
            kept is None
            or response.status_code != 200
            or not request.path_info.startswith(self.prefixes)
        ):
            return  # (a page outside the language prefixes would never be served from here)
        # Cookies are set per visitor when the page is served (CSRF, `finish`); a page that
        # another middleware gave a cookie of its own is not kept.
        if set(response.cookies) - kept.cookies - {settings.CSRF_COOKIE_NAME}:
            return
        kept.page.headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in PER_RESPONSE_HEADERS
        ]
        caches["pages"].set(kept.key, kept.page, kept.seconds)
        if len(_page_cookies) >= MAX_ADDRESSES:
            _page_cookies.clear()
        _page_cookies[request.path_info] = kept.page.cookies
