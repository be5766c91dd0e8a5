"""Limits on anonymous input (resident comments, confirmations, questions, subscriptions).

Villages often reach the internet through one mobile-carrier address, so an address alone is a
poor identity: a whole village would share five submissions an hour. Each accepted submission is
counted twice, per browser (the random CSRF cookie every form already sets) and per address; a
browser may send LIMIT per hour and form, an address RATELIMIT_SHARED_FACTOR times as
many. Only accepted submissions count: a form with an error costs nothing, and the check happens
before any expensive work (decoding a photo).

The address is the client's (core/proxies.py `client_ip`: behind a trusted proxy, the address it
saw); sign-in throttling (django-axes) uses the same address.

Counts live in Django's cache, in fixed windows, so they are shared between processes when the
cache is; with the local-memory cache each worker counts on its own.

When Redis is down (several servers, REDIS_URL), forms fail open, bounded, on purpose: submissions
are accepted and counted in each process's memory (core/redis_cache.py), so the limits still
hold per process (the ceiling is multiplied by the number of processes, not lifted) and the
outage is logged once. Failing closed (a 503 until Redis is back) would turn a cache outage into
an outage of every resident's form, for a resident who may have walked to where the phone has
signal to ask before a hearing's deadline. What the limits guard against costs little meanwhile:
nothing a resident sends is shown before a moderator approves it, and the subscription form, which
sends e-mails, stays limited in each process.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.middleware.csrf import get_token
from django.utils.translation import ngettext

from core.proxies import client_ip

LIMIT = 5
RATE_LIMITED = "rate_limited"  # the code of `refusal_message`'s error
PERIOD = 60 * 60


def _hash(value):
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:32]


def ip_hash(request):
    """A salted hash of the client's IP: enough to count and to block, never shown or reversed."""
    return _hash(client_ip(request))


def browser_hash(request):
    """The browser's CSRF secret (not the masked token, which changes on every call), hashed.

    A browser without the cookie gets one now; a script that drops it each time only escapes to
    the per-address ceiling.
    """
    get_token(request)
    return _hash("browser:" + request.META.get("CSRF_COOKIE", ""))


def _window(period):
    now = time.time()
    return int(now // period), int(period - now % period) + 1


def _keys(request, scope, period):
    window, _left = _window(period)
    return (
        f"ratelimit:{scope}:{window}:ip:{ip_hash(request)}",
        f"ratelimit:{scope}:{window}:browser:{browser_hash(request)}",
    )


def _ceilings(limit):
    return (limit * getattr(settings, "RATELIMIT_SHARED_FACTOR", 10), limit)


def retry_after(request, scope, limit=LIMIT, period=PERIOD):
    """Seconds until this client may submit `scope` again, or None when it may now.

    Counts nothing: call `record` once the submission is accepted.
    """
    counts = cache.get_many(_keys(request, scope, period))
    for key, ceiling in zip(_keys(request, scope, period), _ceilings(limit), strict=True):
        if counts.get(key, 0) >= ceiling:
            return _window(period)[1]
    return None


def record(request, scope, period=PERIOD):
    """Count one accepted submission of `scope` from this address and this browser."""
    for key in _keys(request, scope, period):
        _count(key, period)


def _count(key, period):
    if not cache.add(key, 1, timeout=period + 60):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 60)


def refusal_message(seconds):
    """The form error for a refused submission (code "rate_limited", which the error summary
    heads "not sent yet" instead of "there is a problem"): it keeps the text, says when to
    send again and names the paper way, without blaming the resident's network."""
    minutes = max(1, round(seconds / 60))
    message = ngettext(
        "Too many messages were sent from this phone or computer in the last hour. Your text is "
        "kept: send it again in %(minutes)s minute. If it cannot wait, hand it to the akimat "
        "on paper.",
        "Too many messages were sent from this phone or computer in the last hour. Your text is "
        "kept: send it again in %(minutes)s minutes. If it cannot wait, hand it to the akimat "
        "on paper.",
        minutes,
    ) % {"minutes": minutes}
    return ValidationError(message, code=RATE_LIMITED)


def allow(request, scope, limit=LIMIT, period=PERIOD):
    """Check and count in one step (for callers that have nothing to validate first)."""
    if retry_after(request, scope, limit, period) is not None:
        return False
    record(request, scope, period)
    return True


def allow_identity(scope, identity, limit, period=PERIOD):
    """Check and count one use of `scope` by `identity` (an account, an address): False once it
    has been used `limit` times in this window."""
    window, _left = _window(period)
    key = f"ratelimit:{scope}:{window}:id:{_hash(identity)}"
    if cache.get(key, 0) >= limit:
        return False
    _count(key, period)
    return True
