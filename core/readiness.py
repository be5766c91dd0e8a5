"""What /readyz checks: each database, each cache and the uploads' storage, one cheap call each.

Every check raises when its part cannot be reached; `portal.views.readyz` names the parts that
failed. Nothing is written: a cache is asked for a key, a database runs `SELECT 1`, object storage
is asked whether the bucket exists, a local media folder whether it can be written.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.db import connections

PROBE_KEY = "readyz-probe"


def _database(alias):
    def check():
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")

    return check


def _cache(alias):
    def check():
        cache = caches[alias]
        # A Redis cache answers from this process's memory while Redis is down
        # (core/redis_cache.py): ask Redis itself.
        getattr(cache, "get_from_redis", cache.get)(PROBE_KEY)

    return check


def _storage():
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:  # S3: one HEAD request on the bucket
        bucket.meta.client.head_bucket(Bucket=bucket.name)
        return
    root = Path(settings.MEDIA_ROOT)
    folder = root if root.exists() else root.parent
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"{folder} is not writable")


def checks():
    for alias in settings.DATABASES:
        yield f"database {alias}", _database(alias)
    for alias in settings.CACHES:
        yield f"cache {alias}", _cache(alias)
    yield "storage", _storage
