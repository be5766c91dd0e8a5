"""Caching of public pages and figures, invalidated by scope: what changed decides what goes stale.

A *scope* names what a page depends on: `place:<KATO>` (a place and everything in or under it),
`area:<KATO>` (things that concern a whole area, seen on every place under it: a district's
hearing, its akimat), `disclosure:<pk>`, `hearing:<pk>`, `organisation:<pk>`, `project:<pk>`,
and `site` (home, lists, search, feeds, the API's lists, /data/). Each model residents can see
says which scopes a change of one of its rows touches (`cache_scopes()`, next to the model); a
receiver here bumps them after the writer's transaction commits, and only when the row is public
or just stopped being public — a draft, a pending question or an unpublished hearing touches
nothing. `everything` is bumped by bulk changes (a KATO import, the legal rules) and is part of
every key.

A scope's version is the instant of its last change (nanoseconds), kept in the `shared` cache
(Redis with several servers) so that every process sees it without a database row, let alone a
lock — within VERSIONS_SECONDS: each process trusts its copy that long (`versions`). A
version that was evicted comes back as a newer instant, so eviction can only make pages
fresher. Pages are kept by Django's own per-view cache machinery (`get_cache_key`,
`learn_cache_key`) under a prefix made of the versions of the page's scopes and the hour, in
`PageCacheMiddleware`, which serves a kept page before most of the middleware (the one
home-made part: Django's cache middleware takes one fixed key prefix, these pages one per
request from their versions); compression is Django's `gzip_page`, applied before the page is
kept, and 304s are `ConditionalGetMiddleware`'s, from the ETag and Last-Modified set here.
Indirect dependencies (an organisation renamed, shown on one of its contributions' pages) are
bounded by the page timeout, SERVER_CACHE_SECONDS.

A page is kept only for visitors with nothing personal (no session, flash message or fresh write
of their own) and only when it carries no CSRF token (resident forms on public pages use
`core.crossorigin.same_origin_form` instead), so everyone is served the same bytes.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import (
    get_cache_key,
    learn_cache_key,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date
from django.views.decorators.gzip import gzip_page

from core.db_router import STICKY_COOKIE

SERVER_CACHE_SECONDS = 60
# How long a process trusts its copy of the scopes' versions (`versions`).
VERSIONS_SECONDS = 1
SITE = "site"
EVERYTHING = "everything"
# A visitor with either cookie may see something personal (their account, a flash message).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
# ... and one who just wrote must see their write (read from the primary database).
BYPASS_COOKIES = (*PERSONAL_COOKIES, STICKY_COOKIE)
CSRF_FIELD = b'name="csrfmiddlewaretoken"'


# --- Scopes and their versions -----------------------------------------------------------------


def place_scopes(*paths):
    """`place:` scopes of places (by their KATO paths) and of every place above them."""
    return {f"place:{code}" for path in paths for code in path.split("/") if code}


def record_scope(instance):
    return f"{instance._meta.model_name}:{instance.pk}"


def _key(scope):
    return f"scope:{scope}"


def versions(scopes):
    """{scope: version} for `scopes` and `everything`, from this process's copy while it is
    under VERSIONS_SECONDS old, else from one read of the `shared` cache (which renews the
    copy), and one write when some were never bumped (or were evicted): those get the present
    instant, stored for every process.

    The copy is what lets a kept page be served without a round trip (a hit cost a third more
    than `/healthz` with it, and as much without); its price is that another process's bump is
    seen here up to VERSIONS_SECONDS late, which only anonymous readers can notice: whoever
    wrote, and anyone signed in, bypasses kept pages.
    Two processes that both find a scope missing both store their own instant, the later one
    winning: the earlier one's page is rendered once more, never served stale, since a version
    is only ever replaced by a value nobody rendered under before (an instant, as `bump`'s). One
    write for all (a pipeline with Redis) instead of an `add` per scope: an uncached village
    page found seven of them missing."""
    names = sorted({EVERYTHING, *scopes})
    keys = [_key(name) for name in names]
    found = caches["versions"].get_many(keys)
    if len(found) < len(keys):
        found = caches["shared"].get_many(keys)
        missing = [key for key in keys if key not in found]
        if missing:
            now = time.time_ns()
            found.update(dict.fromkeys(missing, now))
            caches["shared"].set_many(dict.fromkeys(missing, now), None)
        caches["versions"].set_many(found, VERSIONS_SECONDS)
    return {name: found[key] for name, key in zip(names, keys, strict=True)}


def stamp(versions_by_scope):
    seed = "|".join(f"{name}={value}" for name, value in sorted(versions_by_scope.items()))
    return hashlib.sha256(seed.encode()).hexdigest()[:24]


def bump(scopes):
    """Mark `scopes` changed now, for every process."""
    bumped = {_key(scope): time.time_ns() for scope in scopes}
    caches["shared"].set_many(bumped, None)
    caches["versions"].set_many(bumped, VERSIONS_SECONDS)


def invalidate(*scopes):
    """Bump `scopes` once the current transaction commits (at once outside one): a page read
    meanwhile sees the old content under the old version, never the old content under the new."""
    scopes = frozenset(scopes)
    if scopes:
        transaction.on_commit(lambda: bump(scopes))


def invalidate_everything():
    invalidate(EVERYTHING)


def _changed(sender, instance, **kwargs):
    """Receiver: a row was saved or deleted; its model decides what that touches."""
    scopes_of = getattr(instance, "cache_scopes", None)
    if scopes_of is not None:
        invalidate(*scopes_of())


def _m2m_changed(sender, instance, action, pk_set, model, **kwargs):
    """A public row's places changed: its scopes (read before a clear, after an add or a
    removal), and those of the places it left."""
    scopes_of = getattr(instance, "cache_scopes", None)
    if scopes_of is None or action not in ("post_add", "post_remove", "pre_clear"):
        return
    scopes = set(scopes_of())
    if scopes and action == "post_remove" and pk_set and hasattr(model, "path"):
        left = model._base_manager.filter(pk__in=pk_set).values_list("path", flat=True)
        scopes |= place_scopes(*left)
    invalidate(*scopes)


def connect():
    """Called once (core/apps.py): every model with `cache_scopes()` invalidates through it."""
    post_save.connect(_changed, dispatch_uid="cache-scopes-save")
    post_delete.connect(_changed, dispatch_uid="cache-scopes-delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="cache-scopes-m2m")


class VisibilityTracked:
    """Mixin: remembers whether a row was public when it was loaded, so that a change that
    makes it not public (hidden, rejected, back to draft) still invalidates what showed it.

    A model lists the fields its `visible_to_residents()` reads in `visibility_fields`; rows
    loaded without them (`.only()`) count as visible, which can only invalidate more."""

    visibility_fields = ()
    # Rows in the bulk downloads at /data/: leaving the public withholds them (core/opendata.py).
    in_open_data = False

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        loaded = all(name in field_names for name in cls.visibility_fields)
        instance._was_visible = instance.visible_to_residents() if loaded else True
        return instance

    def was_or_is_visible(self):
        return getattr(self, "_was_visible", False) or self.visible_to_residents()

    def left_the_public(self):
        """Public when it was loaded, not any more (hidden, rejected, back to a draft)."""
        return getattr(self, "_was_visible", False) and not self.visible_to_residents()


# --- Figures -----------------------------------------------------------------------------------


def cached(key, compute, scopes):
    """`compute()` cached under `key` for the versions of `scopes` and today (a minute at most).

    Cached values may depend on today's date (overdue promises), so the local date is in the key.
    They live in the `shared` cache, so that after a change a figure is computed once per
    change rather than once per process and language. `compute()` runs where the page reads
    (the replica for residents), outside any transaction: a page's figures and lists come from
    one database, so no page contradicts itself while the replica lags. The expensive figures
    (a place's totals, a district's villages) are kept up to date by their writes instead
    (disclosures/figures.py); what is left here is cheap, so several processes that miss at
    once each compute it rather than wait on a lock.
    With Redis down, the `shared` cache is each process's own memory (core/redis_cache.py).
    """
    day = timezone.localdate().isoformat()
    full_key = f"figures:{key}:{stamp(versions(scopes))}:{day}"
    shared = caches["shared"]
    value = shared.get(full_key, MISSING)
    if value is MISSING:
        value = compute()
        shared.set(full_key, value, SERVER_CACHE_SECONDS)
    return value


MISSING = object()


# PostgreSQL transaction-level advisory locks, so that one process builds the open data while the
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


# --- Pages -------------------------------------------------------------------------------------


def local_hour():
    """'2026-11-30 09': "days left", "overdue" and upcoming/past change with the clock."""
    return timezone.localtime().strftime("%Y-%m-%d %H")


def bypasses_page_cache(request):
    """A visitor who may see something personal (an account, a flash message), or whose last
    write must show (the replica's sticky cookie): never served a page kept for everyone."""
    return any(name in request.COOKIES for name in BYPASS_COOKIES)


def _site_scopes(request, *args, **kwargs):
    return [SITE]


def _keepable(response):
    return response.status_code == 200 and not response.streaming and not response.cookies


class TokenCheck:
    """A page that carries a CSRF token is one visitor's: not to be kept. Looked for in the
    page as rendered, before `gzip_page` compresses it (applied to the view with Django's
    `decorator_from_middleware`, which runs it once a template response is rendered)."""

    def __init__(self, get_response=None):
        self.get_response = get_response

    def process_response(self, request, response):
        if not response.streaming and CSRF_FIELD in response.content:
            request.public_page.found = None
        return response


class PublicPage:
    """What `PageCacheMiddleware` needs to keep a public page and to serve it again without
    the view: the versions of the scopes it was rendered under (None: not to be kept, a
    personal visitor's page or one with a CSRF token), the cookies it depends on, and its
    `finish` hook with the view's arguments. Kept for the page's address beside the page."""

    def __init__(self, found, cookies, finish, args, kwargs):
        self.found, self.cookies = found, cookies
        self.finish, self.args, self.kwargs = finish, args, kwargs

    def key_prefix(self, request):
        """The versions, the hour and the cookies the page depends on name it (Django's key
        adds the address, the encoding and the language)."""
        variant = "|".join(f"{name}={request.COOKIES.get(name, '')}" for name in self.cookies)
        seed = f"{stamp(self.found)}|{local_hour()}|{variant}"
        return hashlib.sha256(seed.encode()).hexdigest()

    def finished(self, request, response):
        """What every answer gets, kept or not: `Vary: Cookie` (added after the page is kept,
        so that only the cookies it depends on are in its key, not every visitor's), and the
        `finish` hook."""
        # Signed-in people get another page at the same address.
        patch_vary_headers(response, ["Cookie"])
        if self.finish and response.status_code == 200:
            self.finish(request, response, *self.args, **self.kwargs)
        return response


def public_page(view=None, *, scopes=_site_scopes, cookies=(), finish=None):
    """A public page, kept for residents under the versions of its `scopes` (see the module's
    doc) by `PageCacheMiddleware`, with an ETag and Last-Modified from them;
    `private, max-age=0, must-revalidate`.

    `scopes(request, *args, **kwargs)` names the scopes the page depends on (the site-wide one
    by default), and is asked only when the page is rendered: what it answers for an address
    must change only when one of the scopes it answered is bumped (a place's path changes when
    it moves, which bumps the place; a project's or organisation's slug when it is saved, which
    bumps its scope), since a kept page is served until one of them is.
    `cookies` names cookies the page depends on (the home page's recent places); no other
    cookie is in its key, so a visitor who carries one (a village remembered) is served the
    same kept page.
    `finish(request, response, *args, **kwargs)` runs on every 200 response, kept or not (the
    village page remembers the place in a cookie).
    """
    if view is None:
        return lambda view: public_page(view, scopes=scopes, cookies=cookies, finish=finish)
    compressed = gzip_page(decorator_from_middleware(TokenCheck)(view))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if bypasses_page_cache(request):
            # Personal: rendered each time; ConditionalGetMiddleware tags it from its content.
            request.public_page = PublicPage(None, cookies, finish, args, kwargs)
            response = view(request, *args, **kwargs)
        else:
            found = versions(scopes(request, *args, **kwargs))
            request.public_page = PublicPage(found, cookies, finish, args, kwargs)
            response = compressed(request, *args, **kwargs)
        patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
        return response

    return wrapper


class PageCacheMiddleware:
    """Serves a kept public page before the middleware below it (CSRF, authentication,
    messages, X-Frame-Options, CSP, django-axes) and the view, and keeps a page once they have
    all added their headers, so that a kept page is served with exactly the headers of its
    first render.

    It comes after LocaleMiddleware (the key carries the page's language as Django's does) and
    before CommonMiddleware. A page is kept under `get_cache_key`/`learn_cache_key` (Django's
    per-view cache keys; its `FetchFromCacheMiddleware` takes one fixed prefix, these pages a
    prefix per request from their scopes' versions), beside its `PublicPage` kept for the
    address: a hit reads that, the scopes' versions (the process's copy, or one round trip to
    the `shared` cache when it is over a second old) and the page, and asks the database
    nothing. When a version moved, the view renders the page again and asks its scopes again;
    while they are the same, it is kept under the versions just read (renewed in the copy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kept = self.kept_page(request)
        if kept is not None:
            return kept
        response = self.get_response(request)
        page = getattr(request, "public_page", None)
        if page is None:
            return response
        if page.found is not None and _keepable(response):
            self.keep(request, response, page)
        return page.finished(request, response)

    @staticmethod
    def address_key(request):
        return "page:" + hashlib.sha256(request.path.encode()).hexdigest()

    def kept_page(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or bypasses_page_cache(request)
            or request.META.get("CONTENT_LENGTH", "0") not in ("", "0")
        ):
            return None
        cache = caches["pages"]
        page = cache.get(self.address_key(request))
        if page is None:
            return None
        if versions(page.found) != page.found:
            return None  # rendered again below
        key = get_cache_key(request, page.key_prefix(request), "GET", cache=cache)
        response = cache.get(key) if key else None
        return page.finished(request, response) if response is not None else None

    def keep(self, request, response, page):
        cache = caches["pages"]
        prefix = page.key_prefix(request)
        key = learn_cache_key(request, response, SERVER_CACHE_SECONDS, prefix, cache=cache)
        # The key names the address, the versions, the hour and the encoding: so does the tag.
        response["ETag"] = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        # ... and so does the date: If-Modified-Since alone must not keep last hour's page.
        hour = timezone.localtime().replace(minute=0, second=0, microsecond=0).timestamp()
        response["Last-Modified"] = http_date(max(max(page.found.values()) / 1e9, hour))
        cache.set(key, response, SERVER_CACHE_SECONDS)
        cache.set(self.address_key(request), page, SERVER_CACHE_SECONDS)
