"""Issue 24's "done when", on the layout docs/operations.md builds (tests/scaleout/layout.py runs
its `sh runbook` blocks in order, once for this module): a PostgreSQL primary and a streaming
replica, Redis from Debian's redis.conf, the private versioned bucket on moto, two app servers
and an outbox worker as the systemd units start them, nginx with the shipped site in front.

On that one layout, in this order (the later checks stop parts of it): what the runbook built is
as it says; two servers share everything; nginx terminates TLS, compresses, serves static files,
passes the client's address, which the app believes from nginx only; probes answer over plain
http; the worker sends through the relay; the replica stopped under load → 0 errors; the replica
lagging → pages consistent; Redis hung → /readyz answers, then Redis stopped → residents notice
nothing; the nightly dump restores; SIGTERM to an app server → no request lost.
Select with `-m scaleout`."""

import contextlib
import gzip
import itertools
import json
import re
import signal
import socket
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie

import pytest
import redis
import requests
from django.urls import reverse

from core import ratelimit
from core.caching import VERSIONS_SECONDS
from core.db_router import STICKY_COOKIE

from .layout import FRONT_HOST, build, fetch, readyz
from .servers import pg_bin, s3_client, stop, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.scaleout,
    # One layout, its checks in this order, on one xdist worker (scripts/test: --dist loadscope).
    pytest.mark.slow,
]

SITE = f"https://{FRONT_HOST}"
LOGGER = "core.redis_cache"


@pytest.fixture(scope="module")
def layout(s3_server):
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries on this machine")
    with contextlib.ExitStack() as stack:
        yield build(stack, bin_dir, s3_server)


class Browser:
    """One visitor's cookies, sent to `base`: nginx over https, or an app server straight, as
    nginx reaches it (from 127.0.0.1, saying the request came over https). requests' own cookie
    jar would withhold the Secure cookies from a server reached over http."""

    def __init__(self, layout, base=None):
        self.cookies = {}
        self.base = base or layout.https
        self.verify = str(layout.certificate)

    def request(self, method, url, **kwargs):
        headers = {"Host": FRONT_HOST, "X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if method == "POST":
            headers["Origin"] = SITE
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not url.startswith("http"):
            url = self.base + url
        response = requests.request(
            method,
            url,
            headers=headers,
            allow_redirects=False,
            timeout=30,
            verify=self.verify,
            **kwargs,
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, data, **kwargs):
        # Signed-in forms carry Django's token; residents' forms have none (same_origin_form).
        if "csrftoken" in self.cookies:
            data = {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        return self.request("POST", url, data=data, **kwargs)


def signed_in(layout, server):
    """The seeded company member, signed in through `server` ("A" or "B")."""
    browser = Browser(layout, layout.address(server))
    assert browser.get("/en/accounts/login/").status_code == 200
    answer = browser.post(
        "/en/accounts/login/",
        {"username": layout.data["username"], "password": layout.data["password"]},
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def replica_sessions(layout):
    """The app's connections to the replica."""
    return int(
        layout.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND usename = 'ashyq'",
            layout.replica,
        )
    )


def test_the_databases_are_as_the_runbook_says(layout):
    """The primary's settings held over the restart; the replica, made by pg_basebackup -R,
    streams; the app's role owns what migrate made; import_places loaded the country."""
    assert layout.psql("SHOW wal_level") == "replica"
    assert layout.psql("SHOW max_wal_senders") == "10"
    assert layout.psql("SHOW max_connections") == "200"
    assert layout.psql("SELECT pg_is_in_recovery()", layout.replica) == "t"
    assert layout.psql("SELECT state FROM pg_stat_replication") == "streaming"
    owner = "SELECT tableowner FROM pg_tables WHERE tablename = 'projects_place'"
    assert layout.psql(owner) == "ashyq"
    # The app's role wrote them over TCP with its password; the replica has them.
    places = "SELECT count(*) FROM projects_place"
    assert int(layout.psql(places)) > 1000
    wait_until(lambda: layout.psql(places, layout.replica) == layout.psql(places))


def test_redis_is_as_the_runbook_says(layout):
    """Debian's redis.conf as the runbook edits it: a password, both addresses, no save points,
    no append-only file, no eviction."""
    port = layout.redis_port
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host="127.0.0.2", port=port).ping()
    client = redis.Redis(host="127.0.0.2", port=port, password=layout.machines["REDIS_PASSWORD"])
    assert client.config_get("save") == {"save": ""}
    assert client.config_get("appendonly") == {"appendonly": "no"}
    assert client.config_get("bind")["bind"].split() == ["127.0.0.1", "127.0.0.2"]
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}


def test_the_bucket_is_as_the_runbook_says(layout):
    """In its region, versioned, every kind of public access blocked (moto stores the block;
    AWS enforces it)."""
    bucket, region = layout.env["AWS_STORAGE_BUCKET_NAME"], layout.env["AWS_S3_REGION_NAME"]
    s3 = s3_client(layout.s3_endpoint, region)
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == region
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    blocked = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert set(blocked.values()) == {True} and len(blocked) == 4


def test_two_app_servers_share_everything(layout):
    """What one server does, the other shows: a publication, a photo (from the bucket), a
    session, the rate limit. Residents' pages read the replica."""
    a, b = layout.address("A"), layout.address("B")
    data = layout.data
    resident = Browser(layout)
    page = resident.get(b + data["shared_village"])
    assert page.status_code == 200
    assert "A new well for two servers" not in page.text  # and server B now has it cached

    # The company signs in on A; its session works on B too (sessions are in the database).
    company = signed_in(layout, "A")
    assert company.get(b + "/en/disclosures/dashboard/").status_code == 200

    # Published through A: on B's village page within a second, as long as B's processes
    # trust their copy of the cache scopes' versions (core.caching.VERSIONS_SECONDS).
    draft = data["shared_draft"]
    assert company.post(a + f"/en/disclosures/{draft}/publish/", {}).status_code == 302
    time.sleep(VERSIONS_SECONDS)
    assert "A new well for two servers" in resident.get(b + data["shared_village"]).text

    # A photo uploaded through A is served through B, from the bucket.
    from tests.disclosures.test_images import jpeg_bytes

    uploaded = company.post(
        a + f"/en/disclosures/{draft}/photos/new/",
        {"alt_text": "The well's pump house"},
        files={"photo": ("well.jpg", jpeg_bytes(), "image/jpeg")},
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    detail = resident.get(b + f"/en/disclosures/{draft}/").text
    thumbnail = re.search(r'<img src="/media/([^"]+)" alt="The well&#x27;s pump house"', detail)
    assert thumbnail, detail[:500]
    served = resident.get(b + f"/media/{thumbnail[1]}")
    assert served.status_code == 302
    bucket = layout.env["AWS_STORAGE_BUCKET_NAME"]
    assert served.headers["Location"].startswith(f"{layout.s3_endpoint}/{bucket}/")
    content = requests.get(served.headers["Location"], timeout=10)
    assert content.status_code == 200
    s3 = s3_client(layout.s3_endpoint, layout.env["AWS_S3_REGION_NAME"])
    stored = s3.get_object(Bucket=bucket, Key=thumbnail[1])["Body"].read()
    assert content.content == stored and stored[:3] == b"\xff\xd8\xff"
    assert not (layout.folder / "local-media").exists(), "an upload went to a server's own disk"

    # Residents' pages were read on the replica; the resident has no sticky cookie yet.
    assert replica_sessions(layout) >= 1
    assert STICKY_COOKIE not in resident.cookies

    # The rate limit counts across both: LIMIT questions alternating servers, then a refusal;
    # an anonymous write makes that browser read the primary for a while.
    question = {"text": "When will it run?", "author_name": "Aigerim", "contact": ""}
    for turn in range(ratelimit.LIMIT):
        answer = resident.post((a, b)[turn % 2] + f"/en/disclosures/{draft}/question/", question)
        assert answer.status_code == 302, (turn, answer.status_code, answer.text[:300])
    refused = resident.post(
        (a, b)[ratelimit.LIMIT % 2] + f"/en/disclosures/{draft}/question/", question
    )
    assert refused.status_code == 429
    assert re.fullmatch(r"\d+", refused.headers["Retry-After"])
    assert STICKY_COOKIE in resident.cookies

    # Both servers report ready: database, Redis and the bucket.
    assert readyz(a) == readyz(b) == (200, "ready")


def test_behind_nginx(layout):
    """As deployed: TLS, compression and static files at nginx; probes over plain http with any
    Host; the client's address passed by nginx and believed from nginx only."""
    insecure, secure, certificate = layout.http, layout.https, layout.certificate
    a, b = layout.address("A"), layout.address("B")

    # Probes over plain http, with any Host: through nginx, and straight from the load
    # balancer's network (HEALTH_PROBE_NETWORKS: loopback here).
    for address in (insecure, a, b):
        for path, text in (("/healthz", b"ok"), ("/readyz", b"ready")):
            response, body = fetch(address + path, headers={"Host": "10.0.0.5"})
            assert (response.status, body) == (200, text), (address, path)
    moved, _ = fetch(insecure + "/en/")
    assert (moved.status, moved.getheader("Location")) == (301, f"{SITE}/en/")

    # Static files from nginx (collectstatic's folder), compressed, kept for a year.
    gzipped = {"Accept-Encoding": "gzip"}
    response, body = fetch(
        secure + "/static/css/site.css", headers=gzipped, certificate=certificate
    )
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    collected = layout.folder / "staticfiles" / "css" / "site.css"
    assert gzip.decompress(body) == collected.read_bytes()
    assert "immutable" in response.getheader("Cache-Control")
    page, body = fetch(secure + "/en/", headers=gzipped, certificate=certificate)
    assert page.status == 200 and page.getheader("Content-Encoding") == "gzip"
    assert b"<html" in gzip.decompress(body)

    # API reads: 3 a minute per client address, counted across both servers (Redis).
    numbers = itertools.count()

    def api(base, source, headers=None):
        url = f"{base}/api/v1/places/?n={next(numbers)}"
        return fetch(url, source, headers, certificate)[0].status

    assert [api(secure, "127.0.0.9") for _ in range(4)] == [200, 200, 200, 429]
    assert api(secure, "127.0.0.10") == 200  # nginx passed each client's own address
    # A client's own X-Forwarded-For is not believed through nginx. Straight to a server from an
    # address that is not nginx's, no forwarding header is believed: the request stays plain
    # http, so all it gets is the redirect to the site (the probes aside), whatever it claims.
    assert api(secure, "127.0.0.11", {"X-Forwarded-For": "127.0.0.9"}) == 200
    forged = {"X-Forwarded-For": "127.0.0.9", "X-Forwarded-Proto": "https"}
    assert api(a, "127.0.0.12", forged) == 301
    assert fetch(b + "/en/", "127.0.0.12", forged)[0].status == 301


def test_the_production_steps(layout):
    """The runbook's app setup as the README's production steps: collectstatic with the manifest,
    check --deploy without a warning; an app server serves a page with HSTS that links the
    stylesheet by its hashed name, and that file (WhiteNoise), kept for a year."""
    assert "System check identified no issues" in layout.setup_output
    collected = layout.folder / "staticfiles"
    hashed = json.loads((collected / "staticfiles.json").read_text())["paths"]["css/site.css"]
    page = Browser(layout, layout.address("B")).get("/en/")
    assert page.status_code == 200 and "<html" in page.text
    assert "Strict-Transport-Security" in page.headers
    assert f"/static/{hashed}" in page.text
    css = Browser(layout, layout.address("B")).get(f"/static/{hashed}")
    assert css.status_code == 200
    assert css.content == (collected / hashed).read_bytes()
    assert "immutable" in css.headers["Cache-Control"]


def test_the_worker_sends_through_the_relay(layout):
    """A resident subscribes through nginx; the outbox worker (ashyq-outbox.service's command)
    sends the confirmation to the relay of the runbook's mail table (plain, no TLS)."""
    resident = Browser(layout)
    region = layout.psql("SELECT kato_code FROM projects_place WHERE depth = 0 LIMIT 1")
    answer = resident.post(
        "/en/hearings/subscribe/", {"email": "aigerim@example.kz", "place": region}
    )
    assert answer.status_code == 200, answer.text[:500]
    wait_until(
        lambda: any("aigerim@example.kz" in to for to, _ in layout.smtp.received),
        message=lambda: layout.worker_log.read_text()[-1000:],
    )
    ((_to, message),) = [m for m in layout.smtp.received if "aigerim@example.kz" in m[0]]
    assert b"/hearings/subscribe/confirm/" in message.replace(b"=\r\n", b"")


def test_replica_stopped_and_started_under_load(layout):
    """Residents read through nginx while the replica stops and starts: every answer 200 with
    the page; /readyz ready with a warning meanwhile; reads go back to the replica; each server
    logs the change, not every request."""
    a = layout.address("A")
    marks = {name: len(layout.server_log(name)) for name in ("A", "B")}
    assert readyz(a) == (200, "ready")
    numbers = itertools.count()
    answers = []  # (phase, status, the page has its record)
    phase = ["up"]
    stopping = threading.Event()

    def client():
        while not stopping.is_set():
            # An address of its own each time: a kept page would need no database.
            url = f"{layout.https}{layout.data['known_village']}?n={next(numbers)}"
            try:
                response, body = fetch(url, "127.0.0.20", certificate=layout.certificate)
                answers.append((phase[0], response.status, b"A well the replica knows" in body))
            except OSError as error:
                answers.append((phase[0], type(error).__name__, False))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(answers) >= 10)
        assert replica_sessions(layout) >= 1  # the residents' reads were on the replica

        layout.replica.stop("fast")
        phase[0] = "replica down"
        wait_until(lambda: sum(p == "replica down" for p, *_ in answers) >= 10)
        status, body = readyz(a)
        assert status == 200
        assert body.startswith("ready\nwarning: database replica unreachable"), body

        layout.replica.start()
        phase[0] = "replica back"
        wait_until(lambda: readyz(a) == (200, "ready"), message=lambda: readyz(a))
        wait_until(lambda: replica_sessions(layout) >= 1)  # reads went back to it
        wait_until(lambda: sum(p == "replica back" for p, *_ in answers) >= 10)
    finally:
        stopping.set()
        for thread in threads:
            thread.join(timeout=60)

    lines = {name: layout.server_log(name)[marks[name] :] for name in marks}
    errors = [line for name in lines for line in lines[name] if line["level"] == "ERROR"]
    assert set(Counter(answers)) == {
        ("up", 200, True),
        ("replica down", 200, True),
        ("replica back", 200, True),
    }, "\n".join(str(line) for line in errors[:2])
    warnings = [line["message"] for line in lines["A"] if line["logger"] == "core.db_router"]
    assert any("replica is unreachable" in message for message in warnings), warnings
    assert any("answers again" in message for message in warnings), warnings
    for name in lines:  # when the state changes, not per request
        assert len([m for m in lines[name] if m["logger"] == "core.db_router"]) <= 6


def test_a_lagging_replica_is_left_for_the_primary(layout):
    """With the replica's replay paused, a record published through A: past the bound, residents'
    pages come from the primary, the page's headline count and its list alike."""

    def caught_up():
        primary = layout.psql("SELECT pg_current_wal_lsn()")
        return layout.psql(
            f"SELECT pg_last_wal_replay_lsn() >= '{primary}'::pg_lsn", layout.replica
        ) == ("t")

    village = layout.data["lagging_village"]
    company = signed_in(layout, "A")
    wait_until(caught_up)
    assert fetch(layout.https + village, certificate=layout.certificate)[0].status == 200
    layout.psql("SELECT pg_wal_replay_pause()", layout.replica)
    try:
        draft = layout.data["lagging_draft"]
        published = company.post(layout.address("A") + f"/en/disclosures/{draft}/publish/", {})
        assert published.status_code == 302

        def lagging():
            """both servers' /readyz report the replica lagging"""
            return all(
                "warning: database replica lagging" in readyz(layout.address(name))[1]
                for name in ("A", "B")
            )

        wait_until(lagging, message=lambda: readyz(layout.address("A")))
        for name in ("A", "B"):
            page = Browser(layout, layout.address(name)).get(f"{village}?after=lag{name}").text
            assert "Committed while replay waits" in page  # read from the primary
            total = re.search(r'data-figure="total".*?<span data-count>(\d+)</span>', page, re.S)
            assert total and total[1] == "1", total
        unpublished = f"SELECT published_at IS NULL FROM disclosures_disclosure WHERE id = {draft}"
        assert layout.psql(unpublished, layout.replica) == "t"  # not there yet
    finally:
        layout.psql("SELECT pg_wal_replay_resume()", layout.replica)
    wait_until(lambda: readyz(layout.address("A")) == (200, "ready"))


def test_redis_hung_then_stopped(layout):
    """Redis hung (SIGSTOP): /readyz answers, naming the caches, by Redis's own 1 s time-out
    (REDIS_TIMEOUT; READYZ_TIMEOUT's cap of 0.9 s is test_readyz.py's), and pages are served.
    Redis stopped: pages, a resident's comment and the API answer, and nothing was kept on disk;
    started again, empty, the servers use it by themselves. Each server logs an outage when it
    starts, not per request: at most twice (hung, stopped), and once when Redis answers again."""
    a = layout.address("A")
    marks = {name: len(layout.server_log(name)) for name in ("A", "B")}
    password = layout.machines["REDIS_PASSWORD"]
    in_redis = redis.Redis(host="127.0.0.2", port=layout.redis_port, password=password)
    resident = Browser(layout)
    assert resident.get(layout.data["district"]).status_code == 200
    assert in_redis.keys("aa-shared:*")

    layout.redis.send_signal(signal.SIGSTOP)
    try:
        assert readyz(a) == (503, "not ready: cache default, cache shared")
        assert resident.get(layout.data["district"] + "?hung=1").status_code == 200
    finally:
        layout.redis.send_signal(signal.SIGCONT)
    wait_until(lambda: readyz(a) == (200, "ready"), message=lambda: readyz(a))

    in_redis.set("ashyq:scope", "1")
    with contextlib.suppress(redis.ConnectionError):
        in_redis.shutdown()  # saves only where save points are configured
    assert layout.redis.wait(30) == 0
    assert list((layout.folder / "redis" / "data").iterdir()) == [], "Redis kept a file"

    for place in layout.data["district_places"]:  # figures neither server has computed yet
        assert resident.get(place).status_code == 200, place
    comment_url = reverse("hearings:comment", args=[layout.data["hearing"]])
    assert resident.get(comment_url).status_code == 200
    for n in range(3):
        sent = resident.post(comment_url, {"kind": "question", "text": f"Noise at night? {n}"})
        assert sent.status_code == 302, sent.text[:500]
    for n in range(10):
        url = f"{layout.https}/api/v1/places/?down={n}"
        assert fetch(url, f"127.0.0.{40 + n}", certificate=layout.certificate)[0].status == 200
    assert readyz(a) == (503, "not ready: cache default, cache shared")

    layout.start_redis()  # empty: nothing from before the outage
    sources = itertools.count(60)

    def shared_again():
        source = f"127.0.0.{next(sources) % 190 + 60}"  # the API's limit is per address
        fetch(f"{layout.https}/api/v1/places/?up={source}", source, certificate=layout.certificate)
        return bool(in_redis.keys("aa-shared:*"))

    wait_until(shared_again, message=lambda: "the servers never used Redis again")
    wait_until(lambda: readyz(a) == (200, "ready"), message=lambda: readyz(a))
    lines = {name: layout.server_log(name)[marks[name] :] for name in marks}
    errors = [line for name in lines for line in lines[name] if line["level"] == "ERROR"]
    assert errors and {line.get("path") for line in errors} == {"/readyz"}  # its 503s, on purpose
    logged = [
        [line["message"] for line in lines[name] if line["logger"] == LOGGER] for name in lines
    ]
    assert any(logged)
    for messages in logged:
        down = [message for message in messages if "does not answer" in message]
        assert len(down) <= 2, messages  # per outage, not per request
        assert len(messages) - len(down) <= 2, messages  # "answers again", per outage
    assert any("answers again" in message for messages in logged for message in messages)


def test_the_nightly_dump_restores(layout):
    """The runbook's dump of the layout's database, restored into a new one: the same rows, owned
    by the app's role."""
    url = layout.env["DATABASE_URL"]
    layout.run_as_postgres("dump", DATABASE_URL=url)
    layout.run_as_postgres("restore", DATABASE_URL=url)
    count = "SELECT count(*) FROM projects_place"
    assert layout.psql(count, database="ashyq_restored") == layout.psql(count)
    owner = "SELECT tableowner FROM pg_tables WHERE tablename = 'projects_place'"
    assert layout.psql(owner, database="ashyq_restored") == "ashyq"


def test_sigterm_loses_no_request(layout):
    """Last (server A does not come back). SIGTERM to A while residents read through nginx and a
    request to A is half sent: A's /readyz turns 503 at once while it still serves (the drain), a
    "load balancer" probing it sees that; then gunicorn's graceful stop finishes the half-sent
    request, and nginx sends the rest to B. Every answer 200."""
    server, port = layout.servers["A"]
    address = layout.address("A")
    numbers = itertools.count()
    answers, probes = [], []
    running, in_rotation = threading.Event(), threading.Event()
    running.set()
    in_rotation.set()

    def resident():
        while running.is_set():
            url = f"{layout.https}/en/hearings/?n={next(numbers)}"
            answers.append(fetch(url, "127.0.0.21", certificate=layout.certificate)[0].status)

    def load_balancer():
        while in_rotation.is_set():
            probes.append(readyz(address))
            if probes[-1][0] != 200:
                in_rotation.clear()
            time.sleep(0.1)

    threads = [threading.Thread(target=resident, daemon=True) for _ in range(3)]
    threads.append(threading.Thread(target=load_balancer, daemon=True))
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(answers) >= 10)
        in_flight = socket.create_connection(("127.0.0.1", port), timeout=30)
        in_flight.sendall(
            f"GET /en/ HTTP/1.1\r\nHost: {FRONT_HOST}\r\nX-Forwarded-Proto: https\r\n".encode()
        )
        server.send_signal(signal.SIGTERM)
        wait_until(lambda: not in_rotation.is_set())
        assert probes[-1] == (503, "not ready: shutting down")
        # The drain is over once gunicorn's own graceful stop begins.
        log = layout.folder / "server-A.log"
        wait_until(lambda: "Handling signal: term" in log.read_text(), message=log.read_text)
        in_flight.sendall(b"Connection: close\r\n\r\n")
        response = b""
        while chunk := in_flight.recv(65536):
            response += chunk
        in_flight.close()
        assert server.wait(60) == 0
        stopped = len(answers)
        wait_until(lambda: len(answers) >= stopped + 10)  # all on B now
    finally:
        running.clear()
        in_rotation.clear()
        for thread in threads:
            thread.join(timeout=60)
        stop(server)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    assert len(body) == length
    assert set(answers) == {200}, Counter(answers)
    assert not list((layout.folder / "run-A").iterdir()), "the shutdown flag was left behind"
