"""Benchmark of the public pages on the demo data plus 10 times as many records.

Run with `make benchmark` (a throwaway PostgreSQL, like the tests). Prints, per page: median and
95th-percentile server time over repeated requests through Django's test client (no network),
SQL queries, HTML size raw and gzip-compressed, and the time of a full KATO import and a village
search. Figures depend on the machine: quote them with the machine they came from.
"""

import gzip
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))


def main():
    from django.conf import settings

    settings.MEDIA_ROOT = Path("/tmp/ashyq-benchmark-media")
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor}; repeats per page: {REPEAT}")
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("import_places", stdout=open(os.devnull, "w"))
    print(f"KATO import (15,594 places, first run): {time.monotonic() - started:.1f} s")
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    grow()

    from projects.models import Place

    started = time.monotonic()
    for _ in range(REPEAT):
        list(Place.objects.search("Ильичевка")[:25])
    print(f"village search: {(time.monotonic() - started) / REPEAT * 1000:.1f} ms per query")

    client = Client()
    pages = [
        "/ru/",
        "/ru/places/ilyichevka-596036500/",
        "/ru/places/ilyichevka-596036500/?view=timeline",
        "/kk/places/nura-194069100/",
        "/ru/places/taiynsha-district-596000000/",
        "/ru/places/north-kazakhstan-region-590000000/",
        "/ru/organisations/taiynsha-may/",
        "/ru/projects/taiynsha-may-refinery/",
        "/ru/disclosures/",
        "/ru/hearings/",
        "/ru/places/?q=Нура",
    ]
    print(f"{'page':55} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'KB':>6} {'KB gz':>6}")
    for url in pages:
        times = []
        for _ in range(REPEAT):
            reset_queries()
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        body = response.content
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        print(
            f"{url:55} {statistics.median(times):9.1f} {p95:7.1f} {len(queries):7d} "
            f"{len(body) / 1024:6.1f} {len(gzip.compress(body)) / 1024:6.1f}"
        )
        if "ETag" in response:
            assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def grow():
    """Ten times the demo's records around the three villages."""
    from disclosures.models import Disclosure
    from projects.models import Organisation, Place
    from tests.factories import DisclosureFactory, HearingFactory, PhotoFactory

    if Disclosure.objects.count() > 100:
        return
    villages = list(Place.objects.filter(kato_code__in=["596036500", "194069100", "316020100"]))
    company = Organisation.objects.get(slug="taiynsha-may")
    akimat = Organisation.objects.get(slug="taiynsha-district-akimat")
    for n in range(150):
        disclosure = DisclosureFactory(
            published=True, organisation=company, settlements=[villages[n % 3]]
        )
        if n % 3 == 0:
            PhotoFactory(disclosure=disclosure)
    for n in range(30):
        HearingFactory(announced=True, organiser=akimat, territory=[villages[n % 3]])
    print(f"data: {Disclosure.objects.count()} disclosures, 30 extra hearings")


if __name__ == "__main__":
    main()
