"""Limits on anonymous input (resident comments, confirmations, questions), per IP address.

Counts live in Django's cache, so they are shared between processes when the cache is; with the
default local-memory cache each worker counts on its own, which still stops a script hammering one
form. The IP is taken from REMOTE_ADDR, or from the first X-Forwarded-For hop when
RATELIMIT_TRUST_FORWARDED is on (only behind a proxy that sets it).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request):
    if getattr(settings, "RATELIMIT_TRUST_FORWARDED", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def ip_hash(request):
    """A salted hash of the client's IP: enough to count and to block, never shown or reversed."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()[:32]


def allow(request, scope, limit, period):
    """Count one attempt of `scope` from this client; False once `limit` per `period` s is hit."""
    key = f"ratelimit:{scope}:{ip_hash(request)}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        count = 1
    return count <= limit
