"""What /readyz checks: the primary database, each cache and the uploads' storage, one cheap call
each, all at once and for at most READYZ_TIMEOUT seconds together; and the replica, whose trouble
is only a warning (its readers go to the primary, core/db_router.py).

The checks run in threads of their own, so a part that accepts connections but never answers (a
hung Redis, a database behind a dead network) costs /readyz READYZ_TIMEOUT, not that part's own
socket time-outs: it is then reported as not answering.
Nothing is written: a cache is asked for a key, a database runs `SELECT 1`, object storage is
asked whether the bucket exists, a local media folder whether it can be written.
"""

import os
import time
from concurrent import futures
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.db import connections

from core.db_router import replica_health

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
    """(name, check) of each part the site cannot serve without."""
    for alias in settings.DATABASES:
        if alias != "replica":
            yield f"database {alias}", _database(alias)
    for alias in settings.CACHES:
        yield f"cache {alias}", _cache(alias)
    yield "storage", _storage


# The checks' own threads, kept between probes (each keeps its storage client, which takes a while
# to build). A check that hangs holds its thread until its own time-out. Database connections are
# opened by each check and closed after it: connecting is part of being ready.
_pool = futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")


def _in_pool(check):
    def run():
        try:
            check()
        finally:
            connections.close_all()

    return _pool.submit(run)


def _replica_warning():
    problem = replica_health.check()
    if problem:
        raise ConnectionError(problem)


def shutting_down():
    """The app server is stopping (deploy/gunicorn.conf.py made the flag file): take it out of
    rotation while it still serves."""
    return bool(settings.SHUTDOWN_FLAG_FILE) and os.path.exists(settings.SHUTDOWN_FLAG_FILE)


def _outcome(future, deadline):
    """None when the check passed, else its exception, or TimeoutError when it did not answer
    by the deadline."""
    try:
        future.result(timeout=max(0, deadline - time.monotonic()))
    except futures.TimeoutError:
        return TimeoutError(f"no answer within {settings.READYZ_TIMEOUT:g} s")
    except Exception as error:  # noqa: BLE001 — whatever the failure, the part is not ready
        return error
    return None


def report():
    """(failed, warnings): the parts that failed, each with its exception; and what is wrong with
    the replica, if anything."""
    running = {name: _in_pool(check) for name, check in checks()}
    if "replica" in settings.DATABASES:
        running["replica"] = _in_pool(_replica_warning)
    deadline = time.monotonic() + settings.READYZ_TIMEOUT
    outcomes = {name: _outcome(future, deadline) for name, future in running.items()}
    replica = outcomes.pop("replica", None)
    failed = {name: error for name, error in outcomes.items() if error is not None}
    warnings = []
    if replica is not None:
        warnings.append(f"database replica {replica}: residents' reads go to the primary")
    return failed, warnings
