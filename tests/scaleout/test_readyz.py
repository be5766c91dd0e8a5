"""/readyz: the database, every cache and the uploads' storage answer, or a 503 naming what
failed; never cached. /healthz stays free of the database."""

import pytest
from django.test import override_settings

from .servers import free_port, s3_storage_settings, start_s3, stop

pytestmark = pytest.mark.django_db


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
    missing and when the server is gone."""
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
