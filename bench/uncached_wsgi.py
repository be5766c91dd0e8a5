"""The site's WSGI application for the "uncached" run of scripts/bench.py, with one addition:
`POST /bench/clear-caches` empties every configured Django cache of this process (pages,
figures, counters; the shared file cache included), so that the next request is measured
with nothing cached. Served by one gunicorn worker, so the clearing and the measured request
reach the same process. Never deployed: gunicorn finds it through `--pythonpath bench`.
"""

from django.core.cache import caches

from config.wsgi import application as site


def application(environ, start_response):
    if environ["PATH_INFO"] == "/bench/clear-caches" and environ["REQUEST_METHOD"] == "POST":
        for cache in caches.all():
            cache.clear()
        start_response("204 No Content", [])
        return [b""]
    return site(environ, start_response)
