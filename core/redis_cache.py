"""A Redis cache (django-redis), kept working while Redis is down.

With REDIS_URL (README, "Running on several machines") the `default` cache (rate-limit counts of
residents' forms) and the `shared` cache (expensive figures, API throttles) live in Redis. Django's
own RedisCache raises whatever redis-py raises, so a stopped or unreachable Redis turned every page
with figures, every resident's form and the API into a 500. Here, while Redis does not answer,
each operation is served by a small cache in this process's memory, the same LocMemCache the
quick start uses (one server, no REDIS_URL), so

- figures (`core.caching.cached`) are still computed, and kept for this process only: computed
  once per process, not shared;
- rate limits and API throttles keep counting, per process instead of for all servers: a
  deliberate "fail open, bounded" (see core/ratelimit.py for why not a 503).

A failed call costs at most REDIS_CONNECT_TIMEOUT (or REDIS_TIMEOUT); then for RETRY_SECONDS (an
OPTIONS entry, 5 by default) this process does not try Redis at all, so a Redis that hangs slows
one request per process every few seconds, not every cache call. The first call after that tries
Redis again (one call: the process's other threads keep to their memory meanwhile); when it
answers, sharing resumes by itself. Values kept locally meanwhile are never copied to Redis:
figures are keyed by their scopes' versions, so neither copy is wrong, and a count restarts from
Redis's.

The outage is logged once per process (a warning, with the exception) when it starts and once when
Redis answers again (with how long it lasted and how many operations were served locally), never
per request. `/readyz` asks Redis directly (`get_from_redis`) and still reports the cache as not
ready.

Neither Django's RedisCache, django-redis nor redis-py has a setting for this. django-redis's
IGNORE_EXCEPTIONS answers "nothing cached" instead, which counts nothing and so switches every rate
limit off, and logs (DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS) every failed call; this subclass is the
one place that handles it.

The base is django-redis's RedisCache rather than Django's own: Django's builds a new
`redis.Redis` client for every operation (about 0.2-0.3 ms of CPU, as much as the round trip
itself), and every warm page reads its scopes' versions (core/caching.py); django-redis keeps one
client per server for the life of the process, and its operations cost less than half of
Django's (docs/performance.md, "warm"). Keys and values are stored as Django's backend stores them
(the same key function; integers as they are, everything else pickled), so either backend reads
what the other wrote.
"""

import logging
import re
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

# What redis-py raises when the server cannot be used: refused, reset, timed out, still loading
# its data after a restart, out of client slots (all ConnectionError or TimeoutError), or a
# replica that cannot write during a failover. Other errors (a bad command, a wrong type) are bugs
# and still raise.
UNAVAILABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, redis_errors.ReadOnlyError)

RETRY_SECONDS = 5
FALLBACK_MAX_ENTRIES = 5000


def _now():
    return time.monotonic()


def _address(url):
    """host:port/db of a Redis URL (or a socket's path), without the password it may carry: it
    goes to the logs."""
    parts = urlsplit(url)
    if not parts.hostname:
        return parts.path
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}"


class Outage:
    """Whether one Redis server is unreachable for this process. Shared by the cache objects of
    every thread (Django makes one per thread) and every alias on that server, so an outage is
    logged once per process."""

    def __init__(self, address):
        self.address = address
        self.lock = threading.Lock()
        self.since = None  # when the first call failed; None while Redis answers
        self.retry_at = 0.0
        self.served_locally = 0

    def skip_redis(self, retry_seconds):
        """True while down, except for the one call that tries again once it is time."""
        if self.since is None:
            return False
        with self.lock:
            now = _now()
            if self.since is None or now >= self.retry_at:
                self.retry_at = now + retry_seconds  # the others wait for this call's answer
                return False
            return True

    def failed(self, error, retry_seconds):
        with self.lock:
            now = _now()
            starts = self.since is None
            if starts:
                self.since, self.served_locally = now, 0
            self.retry_at = now + retry_seconds
        if starts:
            logger.warning(
                "Redis at %s does not answer; this process caches in its own memory and tries "
                "again every %g s",
                self.address,
                retry_seconds,
                exc_info=error,
            )

    def answered(self):
        if self.since is None:
            return
        with self.lock:
            if self.since is None:
                return
            seconds, served = _now() - self.since, self.served_locally
            self.since = None
        logger.warning(
            "Redis at %s answers again after %.0f s; %d cache operations were served from this "
            "process's memory meanwhile",
            self.address,
            seconds,
            served,
        )


_outages = {}
_outages_lock = threading.Lock()


def outage_of(address):
    with _outages_lock:
        return _outages.setdefault(address, Outage(address))


def _falling_back(name):
    redis_operation = getattr(RedisCache, name)

    def operation(self, *args, **kwargs):
        if not self.outage.skip_redis(self.retry_seconds):
            try:
                result = redis_operation(self, *args, **kwargs)
            except UNAVAILABLE as error:
                self.outage.failed(error, self.retry_seconds)
            else:
                self.outage.answered()
                return result
        self.outage.served_locally += 1
        return getattr(self.local, name)(*args, **kwargs)

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = f"RedisCache.{name}, or this process's cache while Redis is down."
    return operation


class FallbackRedisCache(RedisCache):
    """RedisCache whose operations fall back to this process's memory while Redis is down.

    OPTIONS as for Django's RedisCache: lower-case names are redis-py's connection settings
    (socket_timeout, ...), given to django-redis as its CONNECTION_POOL_KWARGS; upper-case ones are
    django-redis's own; plus RETRY_SECONDS (how long not to try Redis after a failure) and
    FALLBACK_MAX_ENTRIES (the local cache's size).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", RETRY_SECONDS))
        max_entries = int(options.pop("FALLBACK_MAX_ENTRIES", FALLBACK_MAX_ENTRIES))
        redis_py = {name: options.pop(name) for name in list(options) if name.islower()}
        options["CONNECTION_POOL_KWARGS"] = {
            **options.get("CONNECTION_POOL_KWARGS", {}),
            **redis_py,
        }
        super().__init__(server, {**params, "OPTIONS": options})
        servers = server if isinstance(server, (list, tuple)) else re.split("[;,]", server)
        self.outage = outage_of(", ".join(_address(url) for url in servers))
        # Same prefix, version and key function as in Redis; one store per server and prefix,
        # shared by this process's threads (LocMemCache keeps its stores by name).
        self.local = LocMemCache(
            f"redis-fallback:{self.key_prefix}:{server}",
            {**params, "OPTIONS": {"MAX_ENTRIES": max_entries}},
        )

    def get_from_redis(self, key):
        """Read straight from Redis, raising when it does not answer (for /readyz)."""
        try:
            value = RedisCache.get(self, key)
        except UNAVAILABLE as error:
            self.outage.failed(error, self.retry_seconds)
            raise
        self.outage.answered()
        return value

    # Every operation of Django's cache API that django-redis implements; the rest (get_or_set,
    # decr_version, ...) is built on these.
    add = _falling_back("add")
    get = _falling_back("get")
    set = _falling_back("set")
    touch = _falling_back("touch")
    delete = _falling_back("delete")
    get_many = _falling_back("get_many")
    has_key = _falling_back("has_key")
    incr = _falling_back("incr")
    decr = _falling_back("decr")
    incr_version = _falling_back("incr_version")
    set_many = _falling_back("set_many")
    delete_many = _falling_back("delete_many")
    clear = _falling_back("clear")
