"""Two app servers behind an imaginary load balancer: two gunicorn processes on different ports,
on the suite's PostgreSQL (this test's database, also named as their read replica), one
redis-server and one moto S3 server, all on loopback and started here. What one server does, the
other shows: a disclosure published through one is on the other's village page at once, a photo
uploaded through one is served through the other, a session opened on one works on the other,
and the rate limit counts across both. Select with `-m scaleout`."""

import datetime
import re
import sys
from http.cookies import SimpleCookie

import boto3
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
    S3_KEY,
    S3_SECRET,
    app_server_environment,
    current_database_url,
    free_port,
    s3_environment,
    start,
    start_redis,
    start_s3,
    stop,
    wait_for_port,
)

BUCKET = "ashyq-media"
PASSWORD = "two-servers-one-truth"  # noqa: S105

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.scaleout,
    # Committed rows, so the servers see them; the roles made by migrations are restored after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
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
def cluster(tmp_path):
    """Redis, S3 and two app servers; yields (server A's address, server B's, S3 endpoint)."""
    processes = []
    try:
        redis_process, redis_url = start_redis(tmp_path)
        processes.append(redis_process)
        s3_process, endpoint = start_s3(BUCKET)
        processes.append(s3_process)
        env = app_server_environment(
            REDIS_URL=redis_url,
            # The "replica" is the same database under another name: the router's choices are
            # then visible in pg_stat_activity, and the page must come out the same.
            DATABASE_REPLICA_URL=current_database_url() + "?application_name=ashyq-replica",
            DB_CONN_MAX_AGE="60",
            # Each server's own media folder, which must stay unused.
            MEDIA_ROOT=str(tmp_path / "local-media"),
            **s3_environment(endpoint, BUCKET),
        )
        addresses = []
        for _ in range(2):
            port = free_port()
            server = start(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1"]
                + ["--threads", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
                env=env,
            )
            processes.append(server)
            addresses.append((port, server))
        for port, server in addresses:
            wait_for_port(port, server, seconds=40)
        yield [f"http://127.0.0.1:{port}" for port, _ in addresses] + [endpoint]
        assert not (tmp_path / "local-media").exists(), "an upload went to a server's own disk"
    finally:
        for process in reversed(processes):
            stop(process)


def test_two_app_servers_share_everything(cluster):
    a, b, endpoint = cluster
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
    assert served.headers["Location"].startswith(f"{endpoint}/{BUCKET}/")
    content = requests.get(served.headers["Location"], timeout=10)
    assert content.status_code == 200
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
    )
    stored = s3.get_object(Bucket=BUCKET, Key=photo.thumbnail.name)["Body"].read()
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
