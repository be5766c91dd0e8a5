"""Two app servers behind an imaginary load balancer (and, at the end, behind nginx
with the shipped site configuration): two gunicorn processes on different ports,
on the suite's PostgreSQL (this test's database, also named as their read replica), one
redis-server and one moto S3 server, all on loopback and started here. What one server does, the
other shows: a disclosure published through one is on the other's village page at once, a photo
uploaded through one is served through the other, a session opened on one works on the other,
and the rate limit counts across both. Select with `-m scaleout`."""

import datetime
import gzip
import http.client
import itertools
import re
import ssl
import threading
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from core import ratelimit
from core.db_router import STICKY_COOKIE
from disclosures import services
from disclosures.models import Category, Disclosure, Photo, Status
from tests.disclosures.test_images import jpeg_bytes
from tests.factories import CompanyFactory, PlaceFactory, member_of

from .servers import (
    ROOT,
    app_server_environment,
    current_database_url,
    free_port,
    s3_client,
    s3_environment,
    start_app_server,
    start_front,
    start_redis,
    stop,
    wait_for_port,
)
from .test_replica_failover import wait_until

PASSWORD = "two-servers-one-truth"  # noqa: S105

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.scaleout,
    # Committed rows, so the servers see them.
    pytest.mark.django_db(transaction=True),
]


class Browser:
    """One visitor's cookies, sent to whichever server the 'load balancer' picks. (requests'
    own cookie jar would withhold the Secure cookies of DEBUG=false over plain http.)"""

    def __init__(self):
        self.cookies = {}

    def request(self, method, url, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs
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


@pytest.fixture
def cluster(tmp_path, new_bucket):
    """Redis, a bucket and two app servers; yields (server A's address, server B's, the S3
    endpoint, the bucket, the processes: Redis, A, B)."""
    processes = []
    endpoint, bucket = new_bucket("ashyq-media")
    try:
        redis_process, redis_url = start_redis(tmp_path)
        processes.append(redis_process)
        env = app_server_environment(
            REDIS_URL=redis_url,
            # The "replica" is the same database under another name: the router's choices are
            # then visible in pg_stat_activity, and the page must come out the same.
            DATABASE_REPLICA_URL=current_database_url() + "?application_name=ashyq-replica",
            DB_CONN_MAX_AGE="60",
            # Each server's own media folder, which must stay unused.
            MEDIA_ROOT=str(tmp_path / "local-media"),
            # Behind nginx (test_behind_nginx): the client's address is believed from nginx only,
            # which connects from 127.0.0.1; API reads are limited per client address.
            TRUSTED_PROXIES="127.0.0.1/32",
            BEHIND_TLS_PROXY="true",
            API_THROTTLE_READ="3/minute",
            **s3_environment(endpoint, bucket),
        )
        addresses = []
        for _ in range(2):
            port = free_port()
            server = start_app_server(port, env)
            processes.append(server)
            addresses.append((port, server))
        for port, server in addresses:
            wait_for_port(port, server, seconds=40)
        yield [f"http://127.0.0.1:{port}" for port, _ in addresses] + [endpoint, bucket, processes]
        assert not (tmp_path / "local-media").exists(), "an upload went to a server's own disk"
    finally:
        for process in reversed(processes):
            stop(process)


def test_two_app_servers_share_everything(cluster):
    a, b, endpoint, bucket, _processes = cluster
    village = PlaceFactory()
    company = CompanyFactory()
    user = member_of(company)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "scaleoutsalt")
    user.save(update_fields=["password"])
    draft = services.create_disclosure(
        acting_user=user,
        disclosure=Disclosure(
            organisation=company,
            title_ru="Новая скважина",
            title_en="A new well for two servers",
            category=Category.WATER,
            status=Status.DELIVERED,
            delivered_date=timezone.localdate() - datetime.timedelta(days=1),
            amount=1_000_000,
            currency="KZT",
        ),
        settlements=[village],
    )
    resident = Browser()
    village_page = f"/en/places/{village.slug}/"
    page = resident.get(b + village_page)
    assert page.status_code == 200
    assert "A new well for two servers" not in page.text  # and server B now has it cached

    # The company signs in on A; its session works on B too (sessions are in the database).
    company_browser = Browser()
    assert company_browser.get(a + "/en/accounts/login/").status_code == 200
    signed_in = company_browser.post(
        a + "/en/accounts/login/", {"username": user.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert company_browser.get(b + "/en/disclosures/dashboard/").status_code == 200

    # Published through A: on B's village page once B's one-second version reuse has passed.
    published = company_browser.post(a + f"/en/disclosures/{draft.pk}/publish/", {})
    assert published.status_code == 302
    assert "A new well for two servers" in resident.get(b + village_page).text

    # A photo uploaded through A is served through B, from the bucket.
    uploaded = company_browser.post(
        a + f"/en/disclosures/{draft.pk}/photos/new/",
        {"alt_text": "The well's pump house"},
        files={"photo": ("well.jpg", jpeg_bytes(), "image/jpeg")},
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    photo = Photo.objects.get(disclosure=draft)
    detail = resident.get(b + f"/en/disclosures/{draft.pk}/").text
    thumbnail = re.search(r'<img src="(/media/[^"]+)" alt="The well&#x27;s pump house"', detail)
    assert thumbnail and thumbnail[1] == f"/media/{photo.thumbnail.name}"
    served = resident.get(b + thumbnail[1])
    assert served.status_code == 302
    assert served.headers["Location"].startswith(f"{endpoint}/{bucket}/")
    content = requests.get(served.headers["Location"], timeout=10)
    assert content.status_code == 200
    stored = s3_client(endpoint).get_object(Bucket=bucket, Key=photo.thumbnail.name)
    stored = stored["Body"].read()
    assert content.content == stored
    assert stored[:3] == b"\xff\xd8\xff"

    # Residents' pages were read through the replica connection; the company's through the
    # primary; an anonymous write makes that browser read the primary for a while.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ashyq-replica'"
        )
        assert cursor.fetchone()[0] >= 1
    assert STICKY_COOKIE not in resident.cookies

    # The rate limit counts across both: LIMIT questions alternating servers, then a refusal.
    question = {"text": "When will it run?", "author_name": "Aigerim", "contact": ""}
    for turn in range(ratelimit.LIMIT):
        server = (a, b)[turn % 2]
        answer = resident.post(server + f"/en/disclosures/{draft.pk}/question/", question)
        assert answer.status_code == 302, (turn, answer.status_code, answer.text[:300])
    refused = resident.post(
        (a, b)[ratelimit.LIMIT % 2] + f"/en/disclosures/{draft.pk}/question/", question
    )
    assert refused.status_code == 429
    assert re.fullmatch(r"\d+", refused.headers["Retry-After"])
    assert STICKY_COOKIE in resident.cookies

    # Both servers report ready: database, Redis and the bucket.
    for server in (a, b):
        ready = requests.get(server + "/readyz", timeout=10)
        assert (ready.status_code, ready.text) == (200, "ready")


@pytest.fixture
def front(cluster, tmp_path):
    """nginx with the shipped site configuration (deploy/nginx/ashyq.conf) in front of the two
    app servers; yields (its http address, its https address, the certificate, the cluster)."""
    a, b, *_ = cluster
    folder = tmp_path / "nginx"
    folder.mkdir()
    addresses = [a.removeprefix("http://"), b.removeprefix("http://")]
    nginx, insecure, secure, certificate = start_front(folder, addresses, ROOT / "static")
    try:
        yield insecure, secure, certificate, cluster
    finally:
        stop(nginx)


def fetch(url, source, headers=None, certificate=None):
    """GET from the loopback address `source` (a client of its own); (response, body)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=certificate)
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, context=context, source_address=(source, 0), timeout=30
        )
    else:
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port, source_address=(source, 0), timeout=30
        )
    try:
        target = f"{parts.path}?{parts.query}" if parts.query else parts.path
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_behind_nginx(front):
    """As deployed: TLS, compression and static files at nginx; probes over plain http; the
    client's address passed by nginx and believed from nginx only; an app server stopped under
    load loses no request."""
    insecure, secure, certificate, (a, b, _endpoint, _bucket, processes) = front

    # Probes over plain http, with any Host: through nginx, and straight from the load
    # balancer's network (loopback here, HEALTH_PROBE_NETWORKS' default).
    for address in (insecure, a, b):
        for path, text in (("/healthz", b"ok"), ("/readyz", b"ready")):
            response, body = fetch(address + path, "127.0.0.1", {"Host": "10.0.0.5"})
            assert (response.status, body) == (200, text), (address, path)
    moved, _ = fetch(insecure + "/en/", "127.0.0.1")
    assert (moved.status, moved.getheader("Location")) == (301, "https://127.0.0.1/en/")

    # Static files from nginx, compressed, kept for a year.
    response, body = fetch(
        secure + "/static/css/site.css", "127.0.0.1", {"Accept-Encoding": "gzip"}, certificate
    )
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == (ROOT / "static" / "css" / "site.css").read_bytes()
    assert "immutable" in response.getheader("Cache-Control")
    page, body = fetch(secure + "/en/", "127.0.0.1", {"Accept-Encoding": "gzip"}, certificate)
    assert page.status == 200 and page.getheader("Content-Encoding") == "gzip"
    assert b"<html" in gzip.decompress(body)

    # API reads: 3 a minute per client address, counted across both servers (Redis).
    numbers = itertools.count()

    def api(base, source, headers=None):
        url = f"{base}/api/v1/places/?n={next(numbers)}"
        return fetch(url, source, headers, certificate)[0].status

    assert [api(secure, "127.0.0.9") for _ in range(4)] == [200, 200, 200, 429]
    assert api(secure, "127.0.0.10") == 200  # nginx passed each client's own address
    # A client's own X-Forwarded-For is not believed, through nginx or straight to a server.
    assert api(secure, "127.0.0.11", {"X-Forwarded-For": "127.0.0.9"}) == 200
    forged = {"X-Forwarded-For": "127.0.0.9", "X-Forwarded-Proto": "https"}
    assert api(a, "127.0.0.12", forged) == 200

    # Server A stopped (SIGTERM) while residents read: nginx sends its requests to B.
    answers, running = [], threading.Event()
    running.set()

    def resident():
        while running.is_set():
            url = f"{secure}/en/hearings/?n={next(numbers)}"
            answers.append(fetch(url, "127.0.0.20", certificate=certificate)[0].status)

    residents = [threading.Thread(target=resident, daemon=True) for _ in range(3)]
    for thread in residents:
        thread.start()
    try:
        wait_until(lambda: len(answers) >= 10)
        stop(processes[1])
        assert processes[1].returncode == 0
        stopped = len(answers)
        wait_until(lambda: len(answers) >= stopped + 10)
    finally:
        running.clear()
        for thread in residents:
            thread.join(timeout=60)
    assert set(answers) == {200}, answers
