"""/readyz: the database, every cache and the uploads' storage answer, or a 503 naming what
failed, within READYZ_TIMEOUT even when a part hangs; never cached. /healthz stays free of the
database. Both answer a load balancer's probe from HEALTH_PROBE_NETWORKS over plain http with
any Host."""

import socket
import threading

import pytest
from django.test import override_settings

from .servers import free_port, s3_storage_settings, start_s3, stop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _patient(settings):
    """On a loaded test machine a check may take longer than the default 0.9 s; the time-out
    itself is tested with a hung Redis below."""
    settings.READYZ_TIMEOUT = 30


def test_ready_when_everything_answers(client):
    """Database, caches and the media folder reachable: 200, and no cache may keep the answer."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready"
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_names_an_unreachable_cache(client, settings):
    """A Redis that does not answer: 503 naming that cache, quickly, and nothing else."""
    closed = free_port()
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "core.redis_cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode() == "not ready: cache shared"
    assert "no-cache" in response["Cache-Control"]


def test_names_an_unreachable_database(client, monkeypatch):
    """The database failing: 503 naming it (the check is run, not assumed)."""
    from core import readiness

    def broken():
        raise ConnectionError("database is down")

    real = readiness._database
    monkeypatch.setattr(
        readiness, "_database", lambda alias: broken if alias == "default" else real(alias)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode() == "not ready: database default"


def test_object_storage_checked_on_a_real_s3_server(client, settings):
    """With uploads in S3: ready while the bucket answers; 503 naming storage when the bucket is
    missing and when the server is gone. (A new storage client takes a while to build: the
    time-out is not what this test is about.)"""
    server, endpoint = start_s3("readyz-bucket")
    try:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_storage_settings(endpoint, "readyz-bucket"),
        }
        assert client.get("/readyz").status_code == 200
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_storage_settings(endpoint, "no-such-bucket"),
        }
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.content.decode() == "not ready: storage"
    finally:
        stop(server)
    with override_settings(
        STORAGES={**settings.STORAGES, "default": s3_storage_settings(endpoint, "readyz-bucket")}
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode() == "not ready: storage"


def test_healthz_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


@pytest.fixture
def hung_redis():
    """A socket that accepts connections and never answers: a hung Redis. Yields its URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()
    for each in accepted:
        each.close()


def test_a_hung_redis_is_reported_within_the_readyz_timeout(client, settings, hung_redis):
    """Redis accepts but never answers, and its own time-outs are long: /readyz does not wait for
    them, it answers 503 naming the cache that did not answer in READYZ_TIMEOUT."""
    settings.READYZ_TIMEOUT = 0.5
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "core.redis_cache.FallbackRedisCache",
            "LOCATION": hung_redis,
            "OPTIONS": {"socket_connect_timeout": 60, "socket_timeout": 60},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode() == "not ready: cache shared (no answer)"


@pytest.fixture
def production_hosts(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["ashyq.example.kz"]
    settings.HEALTH_PROBE_NETWORKS = ["127.0.0.0/8", "10.20.0.0/16"]


@pytest.mark.parametrize("remote", ["127.0.0.1", "10.20.3.4"])
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_over_plain_http_with_any_host(client, production_hosts, remote, path):
    """From a probe network: 200 over http, asked by the machine's address, no redirect."""
    response = client.get(path, HTTP_HOST="10.20.0.7:8000", REMOTE_ADDR=remote)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_probes_from_elsewhere_pass_the_usual_checks(client, production_hosts):
    """From any other address the probes are pages like the others: redirected to https, and a
    Host not in ALLOWED_HOSTS refused."""
    outside = "203.0.113.9"
    redirected = client.get("/healthz", HTTP_HOST="ashyq.example.kz", REMOTE_ADDR=outside)
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://ashyq.example.kz/healthz"
    unknown = client.get("/healthz", HTTP_HOST="10.20.0.7", REMOTE_ADDR=outside, secure=True)
    assert unknown.status_code == 400


def test_only_the_probes_skip_the_host_check(client, production_hosts):
    assert client.get("/robots.txt", HTTP_HOST="10.20.0.7", secure=True).status_code == 400
