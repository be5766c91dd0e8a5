"""Drive the site served as in production with wrk (see scripts/bench): hot pages, the long tail,
busy pages while publications arrive, and one uncached request at a time.

Hot pages. For each page: "cold" runs right after a content change (the content version is
bumped, so every server-side cache entry and ETag is stale and the first requests rebuild them);
"warm" runs straight after, with the caches filled. Each run is `wrk` for BENCH_DURATION seconds
at BENCH_CONNECTIONS connections against gunicorn with BENCH_WORKERS sync workers on loopback.
Throughput is also given as a ratio to a trivial view (`/healthz`) measured in the same run,
because absolute figures move with whatever else the machine does. `/healthz` passes every
middleware and the URL resolver; a warm resident page is answered by the page cache middleware
before most of them, so warm pages may be faster than the trivial view. SQL queries per page are
counted in process (Django's test client on the same database), cold and warm. The full CSV and
JSON exports are timed as one download each, with the worker's peak memory.

Two app servers behind nginx ("twoservers"). The same hot pages, cold and warm, on the layout of
docs/operations.md: two gunicorn servers with the shipped deploy/gunicorn.conf.py (BENCH_WORKERS
workers each) behind Debian's nginx with the shipped site deploy/nginx/ashyq.conf, asked over
https, printed beside the one-server figures. Every run shares one redis-server (REDIS_URL), as
production does with more than one app process; this process makes the pages cold through it.

The long tail (issue 19). Asking the same 18 addresses over and over measures the page cache,
not the site: a country's readers each open their own village, in their own language. So:

- "long tail": thousands of distinct addresses — every village with data, every district and
  region above them, in kk/ru/en; contribution and hearing pages; filtered lists; place search;
  list pages; the API — shuffled and walked by wrk (bench/addresses.lua) so that each is asked
  about once, for BENCH_LONGTAIL_DURATION seconds, while a new contribution is published in a
  random village every BENCH_PUBLISH_EVERY seconds through the app's own services
  (`disclosures.services`, a thread of this process on its own database connection), so caches
  are invalidated as in real life;
- "busy": the 50 busiest villages and the home page (Russian), asked over and over, first for
  BENCH_LONGTAIL_DURATION seconds without publications (they get warm in every worker; the
  figure is given for comparison), then as long again while a contribution is published in
  some other village every BENCH_PUBLISH_EVERY seconds;
- "uncached": one request at a time on a one-worker server whose caches are all emptied before
  each request (bench/uncached_wsgi.py), BENCH_UNCACHED_SAMPLES distinct addresses per page
  kind; median and p90, as a multiple of `/healthz`'s cost per request, which is the machine's
  cores ÷ `/healthz` requests per second measured with wrk in the same run (as issue 19 states
  its targets); the sequential `/healthz` time is given beside it.

Wall-clock figures on a shared machine carry the waits for a core that other work causes, and
`/healthz` suffers them differently from a page. So every long-tail, busy and uncached figure
also comes in CPU time — the gunicorn workers' and PostgreSQL's processes', read from the
kernel — against `/healthz`'s CPU time measured the same way: the ratio a machine with nothing
else to do would approach. The load average at the start and end is recorded and a busy machine
is called out.

The long-tail and busy runs each get a fresh server, stopped at once afterwards, and `/healthz`
is measured with wrk on a fresh server before and after them; their ratios are to the mean of
the two. Between runs on one server the benchmark waits until the server has finished the
requests wrk left behind (`drain`). Each long-tail request carries its own X-Forwarded-For
address (the server trusts one proxy hop for these runs), so the API's per-address read limit
counts thousands of readers, as in real life, rather than refusing one loopback client.
Publications made by the benchmark are deleted at the end (and at the start, after an
interrupted run), so the dataset stays the seeded one.

BENCH_ONLY selects: words matching page names ("village,export"), and "longtail", "busy",
"uncached" for the three runs above. A partial run prints its table and leaves
bench/results/latest.json alone.
"""

import atexit
import datetime
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["ALLOWED_HOSTS"] = os.environ.get("ALLOWED_HOSTS", "127.0.0.1") + ",testserver"

import django  # noqa: E402

from tests.scaleout import servers as layout  # noqa: E402  (the scale-out tests' helpers)

# Redis as in production with more than one app process (docs/operations.md): every server of
# every run, and this process (which makes the pages cold), share rate limits, the scopes'
# versions and the figures through it.
_REDIS_FOLDER = tempfile.mkdtemp(prefix="ashyq-bench-redis-")
REDIS, os.environ["REDIS_URL"] = layout.start_redis(_REDIS_FOLDER)
atexit.register(shutil.rmtree, _REDIS_FOLDER, True)
atexit.register(layout.stop, REDIS)

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from core import caching  # noqa: E402
from disclosures import services as disclosure_services  # noqa: E402
from disclosures.models import Category, Disclosure, Status  # noqa: E402
from hearings.models import Hearing  # noqa: E402
from projects.models import Membership, Organisation, Place  # noqa: E402

DURATION = int(os.environ.get("BENCH_DURATION", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
LONGTAIL_DURATION = int(os.environ.get("BENCH_LONGTAIL_DURATION", "30"))
PUBLISH_EVERY = float(os.environ.get("BENCH_PUBLISH_EVERY", "5"))
UNCACHED_SAMPLES = int(os.environ.get("BENCH_UNCACHED_SAMPLES", "20"))
SEED = int(os.environ.get("BENCH_SEED", "2026"))
ONLY = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]
RESULTS = ROOT / "bench" / "results" / "latest.json"
ADDRESSES_LUA = ROOT / "bench" / "addresses.lua"
LANGUAGES = ("kk", "ru", "en")
CORES = os.cpu_count() or 1
PUBLISHER = "bench-publisher"
# wrk's timeout in the long-tail and busy runs: what a reader might still wait for, so that
# slow answers stay in the percentiles instead of being dropped as timeouts.
SLOW_TIMEOUT = 60
SERVER_LOG = Path(tempfile.gettempdir()) / "ashyq-bench-gunicorn.log"

# Issue 19's targets, printed next to the figures.
LONGTAIL_TARGET = {"ratio": 0.05, "p95_ms": 1000}
BUSY_TARGET = {"ratio": 0.5}
UNCACHED_TARGETS = {"village": 20, "district": 40, "region": 40}  # × /healthz's cost
UNCACHED_DEFAULT_TARGET = 20
UNCACHED_KINDS = (
    "village",
    "district",
    "region",
    "contribution",
    "hearing",
    "filtered list",
    "list page",
    "search",
    "API list",
)

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write, e.status, e.timeout, latency.max))
end
"""


STARTED = time.monotonic()


def progress(text):
    print(f"  [{time.monotonic() - STARTED:6.0f} s] {text}", flush=True)


def selected(run):
    return not ONLY or run in ONLY


def place_path(slug, language="ru"):
    return f"/{language}/places/{slug}/"


def pages():
    """(name, path) of every page measured, picked from the data: busiest, average, empty."""
    translation.activate("ru")
    through = Disclosure.settlements.through.objects
    by_village = list(
        through.filter(disclosure__in=Disclosure.objects.published().values("pk"))
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
    disclosure = Disclosure.objects.published().for_place(busiest).order_by("-pk").first()
    hearing = Hearing.objects.published().concerning(busiest).order_by("-starts_at").first()
    category = disclosure.category
    village = place_path(busiest.slug)
    return {
        "info": {
            "busiest village": f"{busiest.name_ru} ({busiest.kato_code}): "
            f"{by_village[0]['n']} contributions",
            "average village": f"{average.name_ru} ({average.kato_code}): "
            f"{by_village[len(by_village) // 2]['n']} contributions",
            "empty village": f"{empty.name_ru} ({empty.kato_code})",
        },
        "busy villages": [row["place_id"] for row in by_village[:50]],
        # Literal addresses, not reverse(): they are the site's public contract, and the URL
        # names move between apps while the addresses stay.
        "pages": [
            ("trivial view (/healthz)", "/healthz"),
            ("home", "/ru/"),
            ("busiest village", village),
            ("busiest village, timeline", village + "?view=timeline"),
            ("average village", place_path(average.slug)),
            ("empty village", place_path(empty.slug)),
            ("district", place_path(district.slug)),
            ("region", place_path(region.slug)),
            ("place search", "/ru/places/?q=%D0%BD%D1%83%D1%80%D0%B0"),
            ("disclosures list", "/ru/disclosures/"),
            (
                "disclosures list, 3 filters",
                f"/ru/disclosures/?place={district.kato_code}&category={category}&status=delivered",
            ),
            ("disclosure detail", f"/ru/disclosures/{disclosure.pk}/"),
            ("hearings list", "/ru/hearings/"),
            ("hearing detail", f"/ru/hearings/{hearing.pk}/"),
            ("company page", f"/ru/organisations/{company.slug}/"),
            ("village contributions RSS", f"/ru/disclosures/feed/?place={busiest.kato_code}"),
            ("all contributions RSS", "/ru/disclosures/feed/"),
            ("village hearings Atom", f"/ru/hearings/place/{busiest.kato_code}/feed/"),
            ("village hearings iCal", f"/ru/hearings/place/{busiest.kato_code}/calendar.ics"),
        ],
        "exports": [
            ("CSV export, everything", "/ru/disclosures/export.csv"),
            ("JSON export, everything", "/ru/disclosures/export.json"),
        ],
    }


# --- The long tail: addresses ----------------------------------------------------------------


def villages_with_data():
    """Settlements with a published contribution or a published hearing, as value dicts."""
    through = Disclosure.settlements.through.objects
    contributions = through.filter(
        disclosure__in=Disclosure.objects.published().values("pk")
    ).values("place_id")
    hearings = Hearing.territory.through.objects.filter(
        hearing__in=Hearing.objects.published().values("pk")
    ).values("place_id")
    return list(
        Place.objects.settlements()
        .filter(Q(pk__in=contributions) | Q(pk__in=hearings))
        .order_by("kato_code")
        .values("pk", "slug", "kato_code", "path", "name_kk", "name_ru", "name_en")
    )


def long_tail_addresses(rng):
    """{kind: [path, ...]}: every village with data and every district and region above one, in
    each language; samples of every other kind of page a reader may open."""
    villages = villages_with_data()
    codes = {code for v in villages for code in v["path"].strip("/").split("/")[:2]}
    above = list(
        Place.objects.filter(
            kato_code__in=codes, level__in=[Place.Level.REGION, Place.Level.DISTRICT]
        )
        .order_by("kato_code")
        .values("slug", "kato_code", "level")
    )
    districts = [p for p in above if p["level"] == Place.Level.DISTRICT]
    regions = [p for p in above if p["level"] == Place.Level.REGION]
    contributions = list(Disclosure.objects.published().values_list("pk", flat=True))
    hearings = list(Hearing.objects.published().values_list("pk", flat=True))
    disclosure_pages = max(2, Disclosure.objects.published().count() // 25)
    hearing_pages = max(2, len(hearings) // 25)
    others = max(100, len(villages) // 10)  # how many of each other kind

    def language():
        return rng.choice(LANGUAGES)

    def name(village, lang):
        return village[f"name_{lang}"] or village["name_ru"]

    def filtered_list():
        where = rng.choice(villages + districts)["kato_code"]
        if rng.random() < 0.3:
            query = {"place": where, "when": rng.choice(["upcoming", "past"])}
            return f"/{language()}/hearings/?{urlencode(query)}"
        query = {"place": where, "category": rng.choice(Category.values)}
        if rng.random() < 0.5:
            query["status"] = rng.choice(Status.values)
        if rng.random() < 0.3:
            query["sort"] = rng.choice(["-published", "-value", "due"])
        return f"/{language()}/disclosures/?{urlencode(query)}"

    def search():
        lang = language()
        words = name(rng.choice(villages), lang)
        return f"/{lang}/places/?q={quote(words[: rng.randint(3, 6)])}"

    def list_page():
        if rng.random() < 0.7:
            return f"/{language()}/disclosures/?page={rng.randint(2, min(disclosure_pages, 400))}"
        return f"/{language()}/hearings/?page={rng.randint(2, min(hearing_pages, 100))}"

    def api():
        roll = rng.random()
        where = rng.choice(villages + districts)["kato_code"]
        if roll < 0.5:
            return f"/api/v1/disclosures/?place={where}"
        if roll < 0.7:
            return f"/api/v1/hearings/?place={where}"
        return f"/api/v1/disclosures/{rng.choice(contributions)}/"

    def distinct(make, count):
        made = set()
        for _ in range(count * 3):
            made.add(make())
            if len(made) >= count:
                break
        return sorted(made)

    return {
        "village": [place_path(v["slug"], lang) for v in villages for lang in LANGUAGES],
        "district": [place_path(d["slug"], lang) for d in districts for lang in LANGUAGES],
        "region": [place_path(r["slug"], lang) for r in regions for lang in LANGUAGES],
        "contribution": [
            f"/{language()}/disclosures/{pk}/"
            for pk in rng.sample(contributions, min(len(contributions), others * 3))
        ],
        "hearing": [
            f"/{language()}/hearings/{pk}/"
            for pk in rng.sample(hearings, min(len(hearings), others))
        ],
        "filtered list": distinct(filtered_list, others),
        "search": distinct(search, others // 2),
        "list page": distinct(list_page, others // 2),
        "API": distinct(api, others),
    }


def uncached_addresses(rng, addresses):
    """{kind: [path, ...]}: UNCACHED_SAMPLES distinct addresses of each page kind."""
    api_lists = [path for path in addresses["API"] if "?" in path]
    pools = {kind: addresses.get(kind, []) for kind in UNCACHED_KINDS} | {"API list": api_lists}
    return {
        kind: rng.sample(pool, min(len(pool), UNCACHED_SAMPLES)) for kind, pool in pools.items()
    }


# --- Publications arriving meanwhile ---------------------------------------------------------


class Publisher(threading.Thread):
    """Publishes a new contribution in a random village of `places` every `every` seconds,
    through the app's own write path (`disclosures.services`: create, then publish, each one
    transaction with its signals and change-log rows), as a company's editor would."""

    def __init__(self, places, every, rng):
        super().__init__(daemon=True)
        self.places, self.every, self.rng = places, every, rng
        self.stopping = threading.Event()
        self.seconds, self.errors = [], []
        self.user, self.company = publisher()  # before the run: these writes are not measured

    def run(self):
        started = time.monotonic()
        try:
            while not self.stopping.wait(self.wait(started)):
                began = time.perf_counter()
                try:
                    self.publish(self.user, self.company, len(self.seconds))
                except Exception as error:  # a failed write is a finding, not a crash
                    self.errors.append(repr(error))
                self.seconds.append(time.perf_counter() - began)
        finally:
            connection.close()

    def wait(self, started):
        """Seconds until the next publication: one every `every` seconds from the start."""
        return max(0, started + self.every * (len(self.seconds) + 1) - time.monotonic())

    def publish(self, user, company, n):
        place = Place.objects.get(pk=self.rng.choice(self.places))
        disclosure = Disclosure(
            organisation=company,
            title_kk=f"Өлшеу жарияланымы {n}",
            title_ru=f"Публикация замера {n}",
            title_en=f"Benchmark publication {n}",
            category=Category.values[n % len(Category.values)],
            status=Status.DELIVERED,
            delivered_date=timezone.localdate() - datetime.timedelta(days=1),
            amount=Decimal(1_000_000 + n),
            currency="KZT",
        )
        disclosure_services.create_disclosure(
            acting_user=user, disclosure=disclosure, settlements=[place]
        )
        disclosure_services.publish_disclosure(acting_user=user, disclosure=disclosure)

    def stop(self):
        self.stopping.set()
        self.join(timeout=120)
        times = sorted(self.seconds)
        return {
            "every_s": self.every,
            "published": len(times) - len(self.errors),
            "errors": len(self.errors),
            "first_errors": self.errors[:3],
            "write_ms_median": round(statistics.median(times) * 1000, 1) if times else None,
            "write_ms_max": round(times[-1] * 1000, 1) if times else None,
        }


def publisher():
    """The benchmark's company editor: a user with a membership in the first company."""
    company = Organisation.objects.companies().order_by("pk").first()
    user, _ = get_user_model().objects.get_or_create(username=PUBLISHER)
    Membership.objects.get_or_create(user=user, organisation=company)
    return user, company


def delete_publications():
    """Remove what the benchmark published, so the saved dataset stays the seeded one."""
    return Disclosure.objects.filter(created_by__username=PUBLISHER).delete()[0]


# --- Servers and clients ---------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as the README deploys it, on a loopback port."""

    context = None  # plain http

    def __init__(self, workers, app="config.wsgi", env=None):
        self.port = free_port()
        self.ports = [self.port]
        self.base = f"http://127.0.0.1:{self.port}"
        # Errors (and the tracebacks of requests cut short by a quick stop) go to a file.
        self.log = SERVER_LOG.open("a")
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                app,
                "--pythonpath",
                str(ROOT / "bench"),  # bench/uncached_wsgi.py
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
            env=os.environ | (env or {}),
            stderr=self.log,
        )
        wait_until_serving(self.base)

    def workers(self):
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self, quick=False):
        """Graceful (requests in hand finish), or quick: the workers are killed at once."""
        self.process.send_signal(signal.SIGQUIT if quick else signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def wait_until_serving(base):
    """Until the server at `base` answers /healthz (a worker has loaded the site)."""
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn at {base} did not start")


class Front:
    """Two app servers behind nginx, as docs/operations.md deploys them: gunicorn with the shipped
    deploy/gunicorn.conf.py (`workers` processes each), sharing Redis, behind Debian's nginx with
    the shipped site (deploy/nginx/ashyq.conf: TLS, compression, keep-alive to the app servers),
    reached over https. Built with the scale-out tests' helpers (tests/scaleout/servers.py)."""

    def __init__(self, workers):
        self.folder = Path(tempfile.mkdtemp(prefix="ashyq-bench-front-"))
        self.log = SERVER_LOG.open("a")
        env = os.environ | {"BEHIND_TLS_PROXY": "true", "TRUSTED_PROXIES": "127.0.0.1/32"}
        app_ports = [free_port(), free_port()]
        self.apps = [
            layout.start_app_server(port, env, workers=workers, threads=1, stderr=self.log)
            for port in app_ports
        ]
        self.nginx = None
        try:
            for port in app_ports:
                wait_until_serving(f"http://127.0.0.1:{port}")
            self.nginx, _, self.base, certificate = layout.start_front(
                self.folder, [f"127.0.0.1:{port}" for port in app_ports], os.environ["STATIC_ROOT"]
            )
        except BaseException:
            self.stop()
            raise
        self.context = ssl.create_default_context(cafile=certificate)
        self.ports = [int(self.base.rsplit(":", 1)[1]), *app_ports]  # the clients' port first

    def stop(self):
        for process in [self.nginx, *self.apps]:
            layout.stop(process)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def peak_rss_mb(pid):
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fetch(url, context=None):
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=120, context=context) as response:
        body = response.read()
        status = response.status
    return time.monotonic() - started, status, body


def timed_get(port, path, method="GET"):
    """(seconds, status) of one request, as a browser asks (gzip), body read to the end."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        client.request(method, path, headers={"Accept-Encoding": "gzip"})
        response = client.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    finally:
        client.close()


def wrk(url, script, duration=None, args=(), timeout=10):
    """wrk's figures. A response slower than `timeout` seconds counts as a timeout and is left
    out of the percentiles (that is how wrk records it), so runs of slow pages use a long one."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{duration or DURATION}s",
            "--timeout",
            f"{timeout}s",
            "-H",
            "Accept-Encoding: gzip",
            "-s",
            str(script),
            url,
            *(["--", *args] if args else []),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = out.splitlines()
    line = next(line for line in lines if line.startswith("RESULT"))
    requests, duration, p50, p95, p99, socket_errors, status_errors, timeouts, worst = map(
        int, line.split()[1:]
    )
    result = {
        "requests": requests,
        "rps": round(requests / (duration / 1e6), 1),
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "max_ms": round(worst / 1000, 1),
        "errors": socket_errors + status_errors + timeouts,
        "timeouts": timeouts,
    }
    addresses = next((line for line in lines if line.startswith("ADDRESSES")), None)
    if addresses:
        _, total, repeats, asked, *codes = addresses.split()
        pairs = [pair.split(":") for pair in ",".join(codes).split(",") if pair]
        result["addresses"] = int(total)
        result["repeats"] = int(repeats)
        result["asked_by_thread"] = [int(n) for n in asked.split(",")]
        result["statuses"] = {code: int(n) for code, n in sorted(pairs)}
    return result


def wrk_addresses(server, paths, duration, kind_of=None, writer=None):
    """wrk walking `paths` (each asked about once while they last), one reader per request;
    with `kind_of` ({path: kind}), how many addresses of each kind were asked; a `writer`
    (Publisher) running meanwhile is stopped when wrk stops."""
    meter = CpuMeter(server.workers())
    before = meter.read()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        result = wrk(
            server.base, ADDRESSES_LUA, duration, [listing.name, "2", "distinct"], SLOW_TIMEOUT
        )
    finally:
        os.unlink(listing.name)
        publications = writer.stop() if writer is not None else None
    if publications is not None:
        result["publications"] = publications
    # The CPU time of every request sent, those wrk gave up on included (hence the wait).
    result["drained_s"] = drain(server)
    sent = sum(result["asked_by_thread"])
    result["cpu_ms_per_request"] = round(meter.spent_ms(before) / max(1, sent), 2)
    if kind_of:
        # Thread k of 2 walks paths k, k + 2, ... (bench/addresses.lua), in order.
        asked = {}
        for thread, count in enumerate(result["asked_by_thread"]):
            for path in paths[thread::2][:count]:
                asked[kind_of[path]] = asked.get(kind_of[path], 0) + 1
        result["asked_by_kind"] = dict(sorted(asked.items(), key=lambda item: -item[1]))
    return result


def count_queries(path):
    """SQL queries of one request in process: cold (just after a change), then warm."""
    client = Client()
    counts = []
    invalidate_everything()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(queries))
    return counts


def invalidate_everything():
    """Make every cached page stale in every server process (every scope's version moves on), and
    empty this process's caches (the in-process test client's)."""
    caching.invalidate_everything()
    for cache in caches.all():
        cache.clear()


# --- The runs --------------------------------------------------------------------------------


def wanted_pages(selection):
    """The hot pages asked for (BENCH_ONLY), /healthz always first; none when only it is left."""
    wanted = [
        (name, path)
        for name, path in selection["pages"]
        if not ONLY or path == "/healthz" or any(word in name for word in ONLY)
    ]
    return wanted if len(wanted) > 1 else []


def measure_pages(wanted, server, queries=True):
    """Each page cold then warm with wrk on `server` (a Server or a Front), with its SQL queries
    counted in process when `queries`; ratios to /healthz's warm throughput on the same server."""
    results = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        for name, path in wanted:
            url = server.base + path
            drain(server)
            invalidate_everything()
            first, status, body = fetch(url, server.context)
            cold = wrk(url, script.name)
            drain(server)
            warm = wrk(url, script.name)
            counted = count_queries(path) if queries and path != "/healthz" else [0, 0]
            results.append(
                {
                    "page": name,
                    "path": path,
                    "status": status,
                    "first_request_ms": round(first * 1000, 1),
                    "html_kb": round(len(body) / 1024, 1),
                    "cold": cold,
                    "warm": warm,
                    "queries_cold": counted[0],
                    "queries_warm": counted[1],
                }
            )
            progress(f"measured {name}: {cold['rps']} / {warm['rps']} req/s")
    finally:
        os.unlink(script.name)
    trivial = results[0]["warm"]["rps"] or 1
    for row in results:
        row["cold"]["ratio"] = round(row["cold"]["rps"] / trivial, 2)
        row["warm"]["ratio"] = round(row["warm"]["rps"] / trivial, 2)
    return results


def measure_one_server(wanted):
    """The hot pages on one app server (gunicorn, WORKERS sync workers), asked directly."""
    if not wanted:
        return []
    server = Server(WORKERS)
    try:
        return measure_pages(wanted, server)
    finally:
        server.stop()


def measure_two_servers(wanted):
    """The same pages on two app servers behind nginx over https (Front), for the table beside
    the one-server run."""
    if not wanted or not selected("twoservers"):
        return {}
    front = Front(WORKERS)
    try:
        pages = measure_pages(wanted, front, queries=False)
    finally:
        front.stop()
    return {
        "layout": f"2 app servers (deploy/gunicorn.conf.py, {WORKERS} workers × 1 thread each) "
        "sharing Redis, behind nginx (deploy/nginx/ashyq.conf, 1 worker process) over https",
        "pages": pages,
    }


def measure_exports(selection):
    exports = []
    if ONLY and not any("export" in word for word in ONLY):
        return exports
    server = Server(1)
    try:
        for name, path in selection["exports"]:
            (worker,) = server.workers()
            seconds, status, body = fetch(server.base + path)
            # the JSON export is {"licence": …, "attribution": …, "data": [rows]}
            rows = body.count(b"\n") - 1 if path.endswith(".csv") else len(json.loads(body)["data"])
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
    return exports


def healthz(server):
    meter = CpuMeter(server.workers())
    before = meter.read()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        result = wrk(server.base + "/healthz", script.name)
    finally:
        os.unlink(script.name)
    result["cpu_ms_per_request"] = round(meter.spent_ms(before) / max(1, result["requests"]), 3)
    return result


def drain(server, limit=300):
    """Wait until the server has no request in hand (seconds waited).

    When wrk stops, the requests it had sent are still queued or being answered; the next run
    would pay for them. Read from the kernel's socket table: nothing waiting in the listening
    socket's accept queue, no connection on the server's port still open (a worker answering a
    request that wrk has given up on holds it in CLOSE-WAIT). Behind nginx, the app servers'
    idle keep-alive connections from nginx stay established: there only the accept queue and
    CLOSE-WAIT count.
    """
    started = time.monotonic()
    clients = {f"{port:04X}" for port in server.ports[:1]}
    ports = {f"{port:04X}" for port in server.ports}
    while time.monotonic() - started < limit:
        busy = False
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            port, state, queues = fields[1].split(":")[1], fields[3], fields[4]
            if port not in ports:
                continue
            if state == "0A":  # listening: the receive queue is the accept backlog
                busy = busy or int(queues.split(":")[1], 16) > 0
            elif state == "08" or (state == "01" and port in clients):  # close-wait, established
                busy = True
        if not busy:
            break
        time.sleep(0.2)
    return round(time.monotonic() - started, 1)


def warm_up(server, paths):
    """Ask each path from WORKERS clients at once, so that every worker has loaded the code and
    templates of each page kind before a measurement (as a server running for hours has)."""
    threads = [
        threading.Thread(target=lambda: [timed_get(server.port, path) for path in paths])
        for _ in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure_on_fresh_server(measure, env=None):
    """`measure(server)` on a server of its own, stopped at once afterwards: a run of slow pages
    leaves up to BENCH_CONNECTIONS requests queued, which would otherwise eat into the next run."""
    server = Server(WORKERS, env=env)
    try:
        return measure(server)
    finally:
        server.stop(quick=True)


def measure_long_tail(addresses, busy_ids, rng):
    """The long tail and the busy pages, with publications arriving, each on a fresh server;
    `/healthz` measured before and after them."""
    runs = {}
    village_ids = [v["pk"] for v in villages_with_data()]
    distinct_readers = {"RATELIMIT_TRUST_FORWARDED": "1"}  # see bench/addresses.lua
    before = measure_on_fresh_server(healthz)
    progress(f"/healthz: {before['rps']} req/s")
    if selected("longtail"):
        paths = [path for kind in addresses.values() for path in kind]
        rng.shuffle(paths)
        # One address of each kind, to warm the workers up; not asked again.
        firsts = {kind: listed[0] for kind, listed in addresses.items() if listed}
        paths = [path for path in paths if path not in firsts.values()]

        def long_tail(server):
            warm_up(server, list(firsts.values()))
            writer = Publisher(village_ids, PUBLISH_EVERY, random.Random(SEED + 1))
            writer.start()
            return wrk_addresses(server, paths, LONGTAIL_DURATION, kind_of, writer)

        kind_of = {path: kind for kind, listed in addresses.items() for path in listed}
        result = measure_on_fresh_server(long_tail, distinct_readers)
        result["addresses_by_kind"] = {kind: len(listed) for kind, listed in addresses.items()}
        runs["long_tail"] = result
        progress(f"long tail: {result['rps']} req/s")
    if selected("busy"):
        busy = Place.objects.filter(pk__in=busy_ids).values_list("slug", flat=True)
        paths = ["/ru/", *(place_path(slug) for slug in busy)]
        elsewhere = sorted(set(village_ids) - set(busy_ids))

        def busy_pages(server):
            # First without publications: the pages get warm in every worker (as they are on a
            # server that has run for a while), and the figure shows what publications cost.
            quiet = wrk_addresses(server, paths, LONGTAIL_DURATION)
            writer = Publisher(elsewhere, PUBLISH_EVERY, random.Random(SEED + 2))
            writer.start()
            return quiet, wrk_addresses(server, paths, LONGTAIL_DURATION, writer=writer)

        quiet, busy = measure_on_fresh_server(busy_pages, distinct_readers)
        runs["busy_without_publications"] = quiet
        runs["busy_with_publications"] = busy
        progress(f"busy pages: {quiet['rps']} req/s, {busy['rps']} with publications")
    after = measure_on_fresh_server(healthz)
    progress(f"/healthz: {after['rps']} req/s")
    trivial = (before["rps"] + after["rps"]) / 2
    trivial_cpu = (before["cpu_ms_per_request"] + after["cpu_ms_per_request"]) / 2
    for result in runs.values():
        result["ratio"] = round(result["rps"] / trivial, 4)
        result["cpu_ratio"] = round(trivial_cpu / result["cpu_ms_per_request"], 4)
    return {
        "healthz_before": before,
        "healthz_after": after,
        "healthz_rps": trivial,
        "healthz_cpu_ms_per_request": round(trivial_cpu, 3),
    } | runs


class CpuMeter:
    """CPU time spent by the server's workers and the PostgreSQL server's processes, read from the
    kernel (/proc/<pid>/schedstat, nanoseconds). Wall-clock time on a shared machine includes
    the waits for a core that other work causes; the CPU time of one request does not, so it is
    given beside it. PostgreSQL's processes are counted when it runs on this machine (the
    benchmark's own cluster); otherwise only the worker's time is."""

    def __init__(self, workers):
        self.workers = workers
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
            row = cursor.fetchone()
        self.postmaster = None
        if row and Path(f"/proc/{row[0]}/stat").exists():
            self.postmaster = int(
                Path(f"/proc/{row[0]}/stat").read_text().rsplit(")", 1)[1].split()[1]
            )

    def read(self):
        pids = list(self.workers)
        if self.postmaster:
            pids += [
                int(pid)
                for pid in subprocess.run(
                    ["ps", "-o", "pid=", "--ppid", str(self.postmaster)],
                    capture_output=True,
                    text=True,
                ).stdout.split()
            ]
        spent = {}
        for pid in pids:
            try:
                spent[pid] = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass  # a backend that ended meanwhile
        return spent

    def spent_ms(self, before):
        time.sleep(0.02)  # let the worker finish after its answer (closing, signals) and block
        after = self.read()
        return sum(ns - before.get(pid, 0) for pid, ns in after.items()) / 1e6


def measure_uncached(samples, healthz_rps):
    """One request at a time, every cache emptied before each (bench/uncached_wsgi.py): its
    wall-clock time and its CPU time (worker and PostgreSQL), against /healthz's.

    The requests of a kind follow each other with no pause, as on a server that is never idle
    (the condition of /healthz's cost under wrk, the yardstick): a 20 ms pause before each, as
    an earlier version made to read the CPU per request, left the cores idle and every request
    paid their wake-up — measured on this 2-core VM, a village 18.1 -> 22.5 ms, a contribution
    9.3 -> 13.3 ms, /healthz 0.64 -> 1.47 ms. So the CPU is read around each kind's batch and
    given as a mean per request, less the mean CPU of the cache clearings, measured alone."""
    server = Server(1, app="uncached_wsgi:application")
    kinds = {}
    try:
        meter = CpuMeter(server.workers())

        def clear():
            _, status = timed_get(server.port, "/bench/clear-caches", method="POST")
            assert status == 204, status

        def batch(paths, clear_first):
            """([wall ms, ...], {status: n}, mean CPU ms) of asking each of `paths` in turn."""
            walls, statuses = [], {}
            before = meter.read()
            for path in paths:
                if clear_first:
                    clear()
                seconds, status = timed_get(server.port, path)
                walls.append(seconds * 1000)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            return walls, statuses, meter.spent_ms(before) / len(paths)

        # Load the templates and code of each kind once in each language, as a server that has
        # run a while has: what a process builds once per language (compiled subqueries, kept
        # querysets, translated labels) is not a page's cost, and asked first by a sample it
        # landed on whichever samples came first in their language.
        for paths in samples.values():
            for path in {path.split("/")[1]: path for path in reversed(paths)}.values():
                timed_get(server.port, path)
        # /healthz and the clearings alone, asked the same way, on the same machine.
        healthz_walls, _, healthz_cpu_ms = batch(["/healthz"] * 40, clear_first=False)
        before = meter.read()
        for _ in range(40):
            clear()
        clear_cpu_ms = meter.spent_ms(before) / 40
        cost_ms = CORES / healthz_rps * 1000
        for kind, paths in samples.items():
            times, statuses, cpu_ms = batch(paths, clear_first=True)
            times.sort()
            median = statistics.median(times)
            p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
            kinds[kind] = {
                "n": len(times),
                "median_ms": round(median, 1),
                "p90_ms": round(p90, 1),
                "x_healthz_cost": round(median / cost_ms, 1),
                "p90_x_healthz_cost": round(p90 / cost_ms, 1),
                "target_x": UNCACHED_TARGETS.get(kind, UNCACHED_DEFAULT_TARGET),
                "cpu_ms_mean": round(cpu_ms - clear_cpu_ms, 1),
                "statuses": statuses,
                "example": paths[0],
            }
            progress(f"uncached {kind}: median {median:.0f} ms")
    finally:
        server.stop()
    healthz_ms = statistics.median(healthz_walls)
    for row in kinds.values():
        row["x_sequential_healthz"] = round(row["median_ms"] / healthz_ms, 1)
        row["x_healthz_cpu"] = round(row["cpu_ms_mean"] / healthz_cpu_ms, 1)
    return {
        "healthz_cost_ms": round(cost_ms, 2),
        "healthz_cost_is": f"{CORES} cores ÷ {healthz_rps:.0f} /healthz req/s (wrk, same run)",
        "sequential_healthz_ms": round(healthz_ms, 2),
        "healthz_cpu_ms": round(healthz_cpu_ms, 2),
        "clear_caches_cpu_ms": round(clear_cpu_ms, 2),
        "cpu_counts_postgresql": meter.postmaster is not None,
        "kinds": kinds,
    }


def main():
    selection = pages()
    print(f"Machine: {platform.node()}, {CORES} cores, {platform.platform()}")
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
    load = {"start": os.getloadavg()[0]}
    print(f"  load average (1 min) at the start: {load['start']:.1f} on {CORES} cores")
    SERVER_LOG.write_text("")
    print(f"  server errors are logged in {SERVER_LOG}")
    leftover = delete_publications()
    if leftover:
        print(f"  removed {leftover} rows published by an interrupted run")
    wanted = wanted_pages(selection)
    results = measure_one_server(wanted)
    two_servers = measure_two_servers(wanted)
    exports = measure_exports(selection)

    rng = random.Random(SEED)
    addresses = long_tail_addresses(rng)
    progress(f"{sum(map(len, addresses.values())):,} long-tail addresses")
    tail = {}
    try:
        if selected("longtail") or selected("busy"):
            tail = measure_long_tail(addresses, selection["busy villages"], rng)
    finally:
        delete_publications()
    uncached = {}
    if selected("uncached"):
        healthz_rps = measure_on_fresh_server(healthz)["rps"]  # just before, on the same machine
        progress(f"/healthz: {healthz_rps} req/s")
        uncached = measure_uncached(uncached_addresses(rng, addresses), healthz_rps)

    load["end"] = os.getloadavg()[0]
    print_table(results, exports)
    print_two_servers(results, two_servers)
    print_long_tail(tail)
    print_uncached(uncached)
    print(f"\nLoad average (1 min): {load['start']:.1f} at the start, {load['end']:.1f} at the end")
    if max(load.values()) > CORES:
        print(
            f"!!! Other work kept more than {CORES} processes runnable: /healthz and the pages "
            "competed with it for the cores, so the figures, ratios included, are noisier than "
            "on a quiet machine."
        )
    if ONLY:
        return  # a partial run does not replace the full results
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{platform.node()}, {CORES} cores, {platform.platform()}",
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "settings": {
                    "workers": WORKERS,
                    "connections": CONNECTIONS,
                    "duration_s": DURATION,
                    "longtail_duration_s": LONGTAIL_DURATION,
                    "publish_every_s": PUBLISH_EVERY,
                    "uncached_samples": UNCACHED_SAMPLES,
                    "scale": float(os.environ.get("BENCH_SCALE", "1")),
                },
                "data": selection["info"]
                | {
                    "contributions": Disclosure.objects.count(),
                    "hearings": Hearing.objects.count(),
                },
                "load_average_1min": {key: round(value, 2) for key, value in load.items()},
                "pages": results,
                "two_servers_behind_nginx": two_servers,
                "exports": exports,
                "long_tail": tail,
                "uncached": uncached,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"Written to {RESULTS.relative_to(ROOT)}")


def print_header(header):
    """A Markdown table's header line and the line under it."""
    print(header)
    print("|" + "|".join("-" * len(cell) for cell in header.split("|")[1:-1]) + "|")


def print_table(results, exports):
    if results:
        header = (
            f"| {'page':<30} | {'first ms':>8} | {'cold req/s':>10} | {'ratio':>5} | "
            f"{'p50/p95/p99 ms':>18} | {'warm req/s':>10} | {'ratio':>5} | "
            f"{'p50/p95/p99 ms':>18} | {'err':>3} | {'SQL':>5} | {'KB':>6} |"
        )
        print()
        print_header(header)
        for row in results:
            cold, warm = row["cold"], row["warm"]
            cold_times = "{p50_ms}/{p95_ms}/{p99_ms}".format(**cold)
            warm_times = "{p50_ms}/{p95_ms}/{p99_ms}".format(**warm)
            queries = "{queries_cold}/{queries_warm}".format(**row)
            print(
                f"| {row['page']:<30} | {row['first_request_ms']:>8} | {cold['rps']:>10} | "
                f"{cold['ratio']:>5} | {cold_times:>18} | {warm['rps']:>10} | "
                f"{warm['ratio']:>5} | {warm_times:>18} | {cold['errors'] + warm['errors']:>3} | "
                f"{queries:>5} | {row['html_kb']:>6} |"
            )
        if len(results) > 1:
            medians = statistics.median(r["warm"]["p95_ms"] for r in results[1:])
            print(f"median warm p95 over pages: {medians} ms")
    if exports:
        print()
    for row in exports:
        print(
            f"{row['export']}: {row['rows']:,} rows in {row['seconds']} s = "
            f"{row['rows_per_s']:,} rows/s, {row['mb']} MB, worker peak {row['worker_peak_mb']} MB"
        )


def print_two_servers(results, two_servers):
    if not two_servers:
        return
    print()
    print(f"Two app servers behind nginx, beside one server: {two_servers['layout']}")
    header = (
        f"| {'page':<30} | {'cold req/s 1 / 2':>19} | {'warm req/s 1 / 2':>19} | {'2 ÷ 1':>5} | "
        f"{'warm p50/p95/p99 ms, 1 server':>29} | {'warm p50/p95/p99 ms, 2 servers':>30} | "
        f"{'err 1/2':>7} |"
    )
    print_header(header)
    for one, two in zip(results, two_servers["pages"], strict=True):
        cold = f"{one['cold']['rps']} / {two['cold']['rps']}"
        warm = f"{one['warm']['rps']} / {two['warm']['rps']}"
        ratio = round(two["warm"]["rps"] / (one["warm"]["rps"] or 1), 2)
        times = ["{p50_ms}/{p95_ms}/{p99_ms}".format(**row["warm"]) for row in (one, two)]
        errors = [row["cold"]["errors"] + row["warm"]["errors"] for row in (one, two)]
        print(
            f"| {one['page']:<30} | {cold:>19} | {warm:>19} | {ratio:>5} | {times[0]:>29} | "
            f"{times[1]:>30} | {errors[0]:>3}/{errors[1]:<3} |"
        )


def met(ok):
    return "met" if ok else "NOT met"


def print_long_tail(tail):
    runs = [
        (name, label, tail.get(name))
        for name, label in (
            ("long_tail", "long tail, distinct addresses"),
            ("busy_without_publications", "busy: 50 villages + home"),
            ("busy_with_publications", "busy, publications elsewhere"),
        )
    ]
    runs = [(name, label, run) for name, label, run in runs if run]
    if not runs:
        return
    print()
    print(
        f"Long tail: gunicorn {WORKERS} workers, wrk {CONNECTIONS} connections, "
        f"{LONGTAIL_DURATION} s per run, a contribution published every {PUBLISH_EVERY:g} s; "
        f"/healthz {tail['healthz_before']['rps']} req/s before, "
        f"{tail['healthz_after']['rps']} after (ratios to the mean)"
    )
    print(
        "  CPU ms: CPU time of the workers and PostgreSQL per request sent (wrk's unanswered "
        "ones included, the publisher's database work too); CPU ×: /healthz's per request "
        f"({tail['healthz_cpu_ms_per_request']} ms) ÷ that, the ratio a machine with nothing "
        "else to do would approach"
    )
    header = (
        f"| {'run':<30} | {'addresses':>9} | {'answered':>8} | {'req/s':>7} | {'× /healthz':>10} | "
        f"{'CPU ms':>7} | {'CPU ×':>6} | "
        f"{'p50/p95/p99 ms':>20} | {'err':>4} | {'published':>9} | {'target (issue 19)':<36} |"
    )
    print_header(header)
    for name, label, run in runs:
        times = "{p50_ms:.0f}/{p95_ms:.0f}/{p99_ms:.0f}".format(**run)
        if name == "long_tail":
            ok = (
                run["ratio"] >= LONGTAIL_TARGET["ratio"]
                and run["p95_ms"] < LONGTAIL_TARGET["p95_ms"]
                and run["errors"] == 0
            )
            target = f"≥ 0.05 ×, p95 < 1 s, 0 err: {met(ok)}"
        elif name == "busy_with_publications":
            target = f"≥ 0.5 ×: {met(run['ratio'] >= BUSY_TARGET['ratio'])}"
        else:
            target = "(no publications: for comparison)"
        published = run.get("publications", {}).get("published", "-")
        print(
            f"| {label:<30} | {run['addresses']:>9} | {run['requests']:>8} | {run['rps']:>7} | "
            f"{run['ratio']:>10} | {run['cpu_ms_per_request']:>7} | {run['cpu_ratio']:>6} | "
            f"{times:>20} | {run['errors']:>4} | "
            f"{published:>9} | {target:<36} |"
        )
    for _, label, run in runs:
        line = (
            f"  {label}: HTTP statuses {run['statuses']}, {run['timeouts']} timeouts "
            f"({SLOW_TIMEOUT} s), "
            f"{run['repeats']} repeated asks"
        )
        published = run.get("publications")
        if published:
            line += (
                f"; publications: {published['published']} (median write "
                f"{published['write_ms_median']} ms, worst {published['write_ms_max']} ms), "
                f"{published['errors']} failed"
            )
        print(line)
        for error in (published or {}).get("first_errors", []):
            print(f"    {error}")
    if "long_tail" in tail:
        run = tail["long_tail"]
        kinds = ", ".join(f"{k} {n:,}" for k, n in run["addresses_by_kind"].items())
        print(f"  long-tail addresses by kind: {kinds}")
        asked = ", ".join(f"{k} {n:,}" for k, n in run.get("asked_by_kind", {}).items())
        print(f"  of which sent (the last ones still unanswered when the run ended): {asked}")


def print_uncached(uncached):
    if not uncached:
        return
    print()
    print(
        f"One uncached request at a time (every cache emptied before each), 1 worker. "
        f"/healthz's cost: {uncached['healthz_cost_ms']} ms = {uncached['healthz_cost_is']}; "
        f"sequential /healthz {uncached['sequential_healthz_ms']} ms"
    )
    print(
        "  × cost: the median against that cost (the target's measure); × seq.: against "
        "/healthz asked one at a time the same way; CPU: the worker's and PostgreSQL's CPU time, "
        f"a kind's mean less a cache clearing's ({uncached['clear_caches_cpu_ms']} ms), against "
        f"/healthz's ({uncached['healthz_cpu_ms']} ms)"
    )
    header = (
        f"| {'page kind':<14} | {'n':>3} | {'median ms':>9} | {'p90 ms':>7} | "
        f"{'× cost':>6} | {'p90 ×':>6} | {'× seq.':>6} | {'CPU ms':>7} | {'× CPU':>6} | "
        f"{'target (issue 19)':<18} |"
    )
    print_header(header)
    for kind, row in uncached["kinds"].items():
        target = f"≤ {row['target_x']} ×: {met(row['x_healthz_cost'] <= row['target_x'])}"
        print(
            f"| {kind:<14} | {row['n']:>3} | {row['median_ms']:>9} | {row['p90_ms']:>7} | "
            f"{row['x_healthz_cost']:>6} | {row['p90_x_healthz_cost']:>6} | "
            f"{row['x_sequential_healthz']:>6} | {row['cpu_ms_mean']:>7} | "
            f"{row['x_healthz_cpu']:>6} | {target:<18} |"
        )
    odd = {k: r["statuses"] for k, r in uncached["kinds"].items() if set(r["statuses"]) != {"200"}}
    if odd:
        print(f"  answers other than 200: {odd}")


if __name__ == "__main__":
    main()
