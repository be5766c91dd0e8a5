"""Redis stopped under a real app server (gunicorn, two workers, REDIS_URL as in production):
pages, a resident's comment and the API answer, /readyz names the caches, each worker logs the
outage once however many requests come, and once Redis is back the workers use it again by
themselves. Select with `-m scaleout`."""

import json
import sys
import time

import pytest
import redis
import requests
from django.urls import reverse

from projects.models import Place
from tests.factories import HearingFactory

from .servers import app_server_environment, free_port, start, start_redis, stop, wait_for_port
from .test_redis_down import district_with_contributions
from .test_two_app_servers import Browser

WORKERS = 2

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.scaleout,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def app_server(tmp_path):
    """A redis-server and an app server using it; yields (address, Redis URL, stop Redis,
    start Redis again on the same port, the server's log lines)."""
    port = free_port()
    processes = {"redis": start_redis(tmp_path, port)[0]}
    redis_url = f"redis://127.0.0.1:{port}/0"
    log = tmp_path / "server.log"
    env = app_server_environment(
        REDIS_URL=redis_url,
        REDIS_CONNECT_TIMEOUT="0.5",
        REDIS_TIMEOUT="0.5",
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_FORMAT="json",
    )
    app_port = free_port()
    with log.open("w") as output:
        processes["app"] = start(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(WORKERS)]
            + ["--bind", f"127.0.0.1:{app_port}", "--no-control-socket"],
            env=env,
            stderr=output,
        )
    try:
        wait_for_port(app_port, processes["app"], seconds=40)

        def stop_redis():
            stop(processes["redis"])

        def start_redis_again():
            processes["redis"] = start_redis(tmp_path, port)[0]

        def log_lines():
            lines = log.read_text().splitlines()
            return [json.loads(line) for line in lines if line.startswith("{")]

        yield f"http://127.0.0.1:{app_port}", redis_url, stop_redis, start_redis_again, log_lines
    finally:
        stop(processes["app"])
        stop(processes["redis"])


def messages(log_lines, logger):
    return [line["message"] for line in log_lines() if line["logger"] == logger]


def test_an_app_server_rides_out_a_redis_outage(app_server):
    address, redis_url, stop_redis, start_redis_again, log_lines = app_server
    district = district_with_contributions()
    hearing = HearingFactory(announced=True)
    in_redis = redis.Redis.from_url(redis_url)
    resident = Browser()
    assert resident.get(address + district.get_absolute_url()).status_code == 200
    assert in_redis.keys("aa-shared:*")

    stop_redis()
    for place in Place.objects.all():  # figures neither worker has computed yet
        assert resident.get(address + place.get_absolute_url()).status_code == 200
    comment_url = address + reverse("hearings:comment", args=[hearing.pk])
    assert resident.get(comment_url).status_code == 200
    for n in range(3):
        sent = resident.post(comment_url, {"kind": "question", "text": f"Noise at night? {n}"})
        assert sent.status_code == 302, sent.text[:500]
    for _n in range(10):
        assert requests.get(address + "/api/v1/places/", timeout=30).status_code == 200
    ready = requests.get(address + "/readyz", timeout=30)
    assert (ready.status_code, ready.text) == (503, "not ready: cache default, cache shared")
    errors = [line for line in log_lines() if line["level"] in ("ERROR", "CRITICAL")]
    assert [line.get("path") for line in errors] == ["/readyz"]  # its 503, on purpose
    down = messages(log_lines, "core.redis_cache")
    assert 1 <= len(down) <= WORKERS, down  # once per worker, not per request
    assert all("does not answer" in message for message in down)

    start_redis_again()  # empty: nothing from before the outage
    deadline = time.monotonic() + 60
    while not in_redis.keys("aa-shared:*") and time.monotonic() < deadline:
        requests.get(address + "/api/v1/places/", timeout=30)  # counted in the shared cache
        time.sleep(0.2)
    assert in_redis.keys("aa-shared:*"), "the server never used Redis again"
    assert any("answers again" in m for m in messages(log_lines, "core.redis_cache"))
    assert requests.get(address + "/readyz", timeout=30).status_code == 200
