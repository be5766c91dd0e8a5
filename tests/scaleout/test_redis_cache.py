"""REDIS_URL moves the rate-limit and figure caches to one Redis shared by every app server; the
quick start (no REDIS_URL) keeps its in-process and file caches."""

import json
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from core import ratelimit

from .servers import ROOT, start_redis, stop


def caches_with(**environment):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({k: v['BACKEND'] for k, v in settings.CACHES.items()}))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin", **environment}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_without_redis_url_the_quick_start_caches_stay():
    assert caches_with() == {
        "default": "django.core.cache.backends.locmem.LocMemCache",
        "pages": "django.core.cache.backends.locmem.LocMemCache",
        "shared": "core.file_cache.PrivateFileBasedCache",
        "versions": "django.core.cache.backends.locmem.LocMemCache",
    }


def test_redis_url_moves_rate_limits_and_figures_to_redis():
    assert caches_with(REDIS_URL="redis://127.0.0.1:1/0") == {
        "default": "core.redis_cache.FallbackRedisCache",
        "pages": "django.core.cache.backends.locmem.LocMemCache",
        "shared": "core.redis_cache.FallbackRedisCache",
        "versions": "django.core.cache.backends.locmem.LocMemCache",
    }


@pytest.fixture
def redis_url(tmp_path):
    process, url = start_redis(tmp_path)
    yield url
    stop(process)


def test_rate_limit_counts_in_redis(settings, redis_url):
    """Counting through a real Redis: the limit holds, and the count is in Redis (where another
    app server reads it), not in this process."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.redis_cache.FallbackRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "aa",
        },
    }
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    request.COOKIES["csrftoken"] = "a" * 32
    for _ in range(ratelimit.LIMIT):
        assert ratelimit.allow(request, "scope")
    assert not ratelimit.allow(request, "scope")

    import redis

    keys = redis.Redis.from_url(redis_url).keys("aa:*ratelimit:scope:*")
    assert len(keys) == 2  # per address and per browser
    caches["default"].clear()
    assert ratelimit.allow(request, "scope")
