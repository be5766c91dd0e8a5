"""Limits on the API: reads per client address, writes per API key (rates in API_THROTTLE_RATES).

Counts live in the "shared" cache, which every server process of a machine reads (and every
machine, with Redis), so four workers do not allow four times the rate. A client over its limit
gets a 429 with `Retry-After` (seconds) and a JSON `detail` saying when to come back. A 304 answer
to a conditional read is not counted: it is served before the API view runs (projects/api.py).
While Redis is down each process counts on its own (core/redis_cache.py): the API keeps
answering, its limits per process, as the resident forms' do (core/ratelimit.py says why).
"""

import math

from django.conf import settings
from django.core.cache import caches
from django.utils.functional import cached_property
from django.utils.translation import ngettext
from rest_framework import views
from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from core import ratelimit
from projects.models import ApiToken


class _SettingsRateThrottle(SimpleRateThrottle):
    """DRF's sliding-window throttle, its rate read from settings at each request (so that a
    changed setting, or a test's override, applies without a restart)."""

    @cached_property
    def cache(self):
        return caches["shared"]

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class ApiReadThrottle(_SettingsRateThrottle):
    """GET and HEAD, per client address (core.proxies.client_ip, as the resident forms count it:
    proxies trusted only from the TRUSTED_PROXIES networks)."""

    scope = "read"

    def get_cache_key(self, request, view):
        if request.method not in SAFE_METHODS:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ratelimit.ip_hash(request)}


class ApiWriteThrottle(_SettingsRateThrottle):
    """POST, PUT, PATCH and DELETE, per API key, wherever the requests come from."""

    scope = "write"

    def get_cache_key(self, request, view):
        if request.method in SAFE_METHODS or not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ApiThrottled(Throttled):
    def __init__(self, wait):
        seconds = max(1, math.ceil(wait or 1))
        detail = ngettext(
            "Too many requests. Try again in %(seconds)d second.",
            "Too many requests. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
        super().__init__(detail=detail)
        self.wait = seconds


def exception_handler(exc, context):
    """DRF's handler, with a 429's message in the reader's words (DRF adds Retry-After)."""
    if isinstance(exc, Throttled) and not isinstance(exc, ApiThrottled):
        exc = ApiThrottled(exc.wait)
    return views.exception_handler(exc, context)
