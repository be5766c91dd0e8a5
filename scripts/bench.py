"""Drive the site served as in production with wrk, page by page, cold and warm (see scripts/bench).

For each page: "cold" runs right after a content change (the content version is bumped, so
every server-side cache entry and ETag is stale and the first requests rebuild them); "warm" runs
straight after, with the caches filled. Each run is `wrk` for BENCH_DURATION seconds at
BENCH_CONNECTIONS connections against gunicorn with BENCH_WORKERS sync workers on loopback.
Throughput is also given as a ratio to a trivial view (`/healthz`) measured in the same run,
because absolute figures move with whatever else the machine does. `/healthz` passes every
middleware and the URL resolver; a warm resident page is answered by the page cache middleware
before most of them (core/caching.py), so warm pages may be faster than the trivial view.
SQL queries per page are counted in process (Django's test client on the same database), cold
and warm. The full CSV and JSON exports are timed as one download each, with the worker's peak
memory.
"""

import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["ALLOWED_HOSTS"] = os.environ.get("ALLOWED_HOSTS", "127.0.0.1") + ",testserver"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from disclosures.feeds import place_feed_urls  # noqa: E402
from disclosures.models import Disclosure  # noqa: E402
from hearings.models import Hearing  # noqa: E402
from projects import caching  # noqa: E402
from projects.models import Organisation, Place  # noqa: E402

DURATION = int(os.environ.get("BENCH_DURATION", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
ONLY = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]
RESULTS = ROOT / "bench" / "results" / "latest.json"

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write, e.status, e.timeout, latency.max))
end
"""


def pages():
    """(name, path) of every page measured, picked from the data: busiest, average, empty."""
    translation.activate("ru")
    through = Disclosure.settlements.through.objects
    by_village = list(
        through.filter(disclosure__in=Disclosure.objects.in_force().values("pk"))
        .values("place_id")
        .annotate(n=Count("disclosure_id"))
        .order_by("-n", "place_id")
    )
    busiest = Place.objects.get(pk=by_village[0]["place_id"])
    average = Place.objects.get(pk=by_village[len(by_village) // 2]["place_id"])
    empty = (
        Place.objects.settlements()
        .populated()
        .exclude(pk__in=through.values("place_id"))
        .exclude(hearings__isnull=False)
        .order_by("kato_code")
        .first()
    )
    district = Place.objects.get(kato_code=busiest.path_codes[1])
    region = Place.objects.get(kato_code=busiest.path_codes[0])
    company = (
        Organisation.objects.companies()
        .annotate(n=Count("disclosures"))
        .order_by("-n", "pk")
        .first()
    )
    disclosure = Disclosure.objects.in_force().for_place(busiest).order_by("-pk").first()
    hearing = Hearing.objects.published().concerning(busiest).order_by("-starts_at").first()
    feeds = place_feed_urls(busiest)
    category = disclosure.category
    return {
        "info": {
            "busiest village": f"{busiest.name_ru} ({busiest.kato_code}): "
            f"{by_village[0]['n']} contributions",
            "average village": f"{average.name_ru} ({average.kato_code}): "
            f"{by_village[len(by_village) // 2]['n']} contributions",
            "empty village": f"{empty.name_ru} ({empty.kato_code})",
        },
        "pages": [
            ("trivial view (/healthz)", "/healthz"),
            ("home", "/ru/"),
            ("busiest village", busiest.get_absolute_url()),
            ("busiest village, timeline", busiest.get_absolute_url() + "?view=timeline"),
            ("average village", average.get_absolute_url()),
            ("empty village", empty.get_absolute_url()),
            ("district", district.get_absolute_url()),
            ("region", region.get_absolute_url()),
            ("place search", reverse("portal:place_search") + "?q=%D0%BD%D1%83%D1%80%D0%B0"),
            ("disclosures list", reverse("disclosures:list")),
            (
                "disclosures list, 3 filters",
                reverse("disclosures:list")
                + f"?place={district.kato_code}&category={category}&status=delivered",
            ),
            ("disclosure detail", disclosure.get_absolute_url()),
            ("hearings list", reverse("hearings:list")),
            ("hearing detail", hearing.get_absolute_url()),
            ("company page", company.get_absolute_url()),
            ("village contributions RSS", feeds["feed"]),
            ("all contributions RSS", reverse("disclosures:feed")),
            (
                "village hearings Atom",
                reverse("hearings:place_feed", kwargs={"kato_code": busiest.kato_code}),
            ),
            (
                "village hearings iCal",
                reverse("hearings:place_calendar", kwargs={"kato_code": busiest.kato_code}),
            ),
        ],
        "exports": [
            ("CSV export, everything", reverse("disclosures:export_csv")),
            ("JSON export, everything", reverse("disclosures:export_json")),
        ],
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as the README deploys it, on a loopback port."""

    def __init__(self, workers):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "config.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
                # gunicorn 27 opens a control socket in ~/.gunicorn by default; two instances
                # on one host (a test suite running beside the benchmark) would collide.
                "--no-control-socket",
            ],
            cwd=ROOT,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")

    def workers(self):
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def peak_rss_mb(pid):
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fetch(url):
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
        status = response.status
    return time.monotonic() - started, status, body


def wrk(url, script):
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "--timeout",
            "10s",
            "-H",
            "Accept-Encoding: gzip",
            "-s",
            script,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    requests, duration, p50, p95, p99, socket_errors, status_errors, timeouts, worst = map(
        int, line.split()[1:]
    )
    return {
        "rps": round(requests / (duration / 1e6), 1),
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "max_ms": round(worst / 1000, 1),
        "errors": socket_errors + status_errors + timeouts,
    }


def count_queries(path):
    """SQL queries of one request in process: cold (just after a change), then warm."""
    client = Client()
    counts = []
    caching.bump()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(queries))
    return counts


def main():
    selection = pages()
    print(f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}")
    print(
        f"gunicorn {WORKERS} sync workers, DEBUG=false; wrk {CONNECTIONS} connections, "
        f"{DURATION} s per run; PostgreSQL {connection.pg_version // 10000}"
    )
    print(
        f"Data: {Disclosure.objects.count():,} contributions, {Hearing.objects.count():,} "
        f"hearings, {Place.objects.count():,} places"
    )
    for label, text in selection["info"].items():
        print(f"  {label}: {text}")
    server = Server(WORKERS)
    results = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        for name, path in selection["pages"]:
            if ONLY and path != "/healthz" and not any(word in name for word in ONLY):
                continue
            url = server.base + path
            caching.bump()
            first, status, body = fetch(url)
            cold = wrk(url, script.name)
            warm = wrk(url, script.name)
            queries = [0, 0] if path == "/healthz" else count_queries(path)
            results.append(
                {
                    "page": name,
                    "path": path,
                    "status": status,
                    "first_request_ms": round(first * 1000, 1),
                    "html_kb": round(len(body) / 1024, 1),
                    "cold": cold,
                    "warm": warm,
                    "queries_cold": queries[0],
                    "queries_warm": queries[1],
                }
            )
            print(f"  measured {name}: {cold['rps']} / {warm['rps']} req/s", flush=True)
    finally:
        server.stop()
    trivial = results[0]["warm"]["rps"] or 1
    for row in results:
        row["cold"]["ratio"] = round(row["cold"]["rps"] / trivial, 2)
        row["warm"]["ratio"] = round(row["warm"]["rps"] / trivial, 2)

    exports = []
    if ONLY and not any("export" in word for word in ONLY):
        selection["exports"] = []
    server = Server(1)
    try:
        for name, path in selection["exports"]:
            (worker,) = server.workers()
            seconds, status, body = fetch(server.base + path)
            rows = body.count(b"\n") - 1 if path.endswith(".csv") else len(json.loads(body))
            exports.append(
                {
                    "export": name,
                    "rows": rows,
                    "seconds": round(seconds, 2),
                    "rows_per_s": round(rows / seconds),
                    "mb": round(len(body) / 1e6, 1),
                    "worker_peak_mb": round(peak_rss_mb(worker)),
                }
            )
    finally:
        server.stop()

    print_table(results, exports)
    if ONLY:
        return  # a partial run does not replace the full results
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.platform()}",
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "settings": {
                    "workers": WORKERS,
                    "connections": CONNECTIONS,
                    "duration_s": DURATION,
                },
                "data": selection["info"]
                | {
                    "contributions": Disclosure.objects.count(),
                    "hearings": Hearing.objects.count(),
                },
                "pages": results,
                "exports": exports,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"Written to {RESULTS.relative_to(ROOT)}")


def print_table(results, exports):
    header = (
        f"| {'page':<30} | {'first ms':>8} | {'cold req/s':>10} | {'ratio':>5} | "
        f"{'p50/p95/p99 ms':>18} | {'warm req/s':>10} | {'ratio':>5} | {'p50/p95/p99 ms':>18} | "
        f"{'err':>3} | {'SQL':>5} | {'KB':>6} |"
    )
    print()
    print(header)
    print("|" + "|".join("-" * (len(cell) + 0) for cell in header.split("|")[1:-1]) + "|")
    for row in results:
        cold, warm = row["cold"], row["warm"]
        cold_times = "{p50_ms}/{p95_ms}/{p99_ms}".format(**cold)
        warm_times = "{p50_ms}/{p95_ms}/{p99_ms}".format(**warm)
        queries = "{queries_cold}/{queries_warm}".format(**row)
        print(
            f"| {row['page']:<30} | {row['first_request_ms']:>8} | {cold['rps']:>10} | "
            f"{cold['ratio']:>5} | {cold_times:>18} | {warm['rps']:>10} | {warm['ratio']:>5} | "
            f"{warm_times:>18} | {cold['errors'] + warm['errors']:>3} | {queries:>5} | "
            f"{row['html_kb']:>6} |"
        )
    print()
    for row in exports:
        print(
            f"{row['export']}: {row['rows']:,} rows in {row['seconds']} s = "
            f"{row['rows_per_s']:,} rows/s, {row['mb']} MB, worker peak {row['worker_peak_mb']} MB"
        )
    medians = statistics.median(r["warm"]["p95_ms"] for r in results[1:])
    print(f"median warm p95 over pages: {medians} ms")


if __name__ == "__main__":
    main()
