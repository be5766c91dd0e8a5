"""With the database unreachable, pages answer a static 503 in the visitor's language and recover
by themselves; other errors give the 500 page; logs are JSON lines; Sentry starts with a DSN."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends import utils as db_utils
from django.test import Client

from config.logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
UNAVAILABLE = {
    "en": "Temporarily unavailable",
    "ru": "Временно недоступно",
    "kk": "Уақытша қолжетімсіз",
}


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as when PostgreSQL is stopped; the calls are counted."""
    calls = []

    def refuse(self, sql, params=None):
        calls.append(sql)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(db_utils.CursorWrapper, "execute", refuse)
    return calls


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_database_down_gives_a_503_in_the_visitors_language(database_down, language):
    client = Client(raise_request_exception=False)
    for path in (f"/{language}/", f"/{language}/disclosures/", f"/{language}/hearings/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert UNAVAILABLE[language] in response.content.decode()
        assert response["Retry-After"] == "60"
        assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_pages_recover_when_the_database_is_back(monkeypatch):
    client = Client(raise_request_exception=False)
    original = db_utils.CursorWrapper.execute

    def refuse(self, sql, params=None):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(db_utils.CursorWrapper, "execute", refuse)
    assert client.get("/en/").status_code == 503
    monkeypatch.setattr(db_utils.CursorWrapper, "execute", original)
    assert client.get("/en/").status_code == 200


@pytest.mark.django_db
def test_other_errors_give_the_500_page(monkeypatch):
    from portal import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.Place.objects, "search", broken)
    response = Client(raise_request_exception=False).get("/en/places/?q=Nura")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_log_lines_are_json_with_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info()
        )
    record.status_code = 500
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "ERROR" and line["message"] == "failed here"
    assert line["exception"] == "ValueError" and "boom" in line["traceback"]
    assert line["status"] == 500 and line["time"].endswith("+00:00")


def _python(code, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY", "DJANGO_ALLOW"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sentry_starts_only_with_a_dsn():
    code = (
        "import django; django.setup(); import sentry_sdk; "
        "print(sentry_sdk.get_client().is_active())"
    )
    assert _python(code, SENTRY_DSN="https://key@sentry.example/1").stdout.strip() == "True"
    assert _python(code).stdout.strip() == "False"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_with_postgresql_unreachable_answers_503_without_the_database():
    """Served as in production with nothing listening where the database should be."""
    dead = free_port()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))} | {
        "DEBUG": "false",
        "SECRET_KEY": "f" * 60,
        "ALLOWED_HOSTS": "ashyq.example.kz",
        "SITE_URL": "https://ashyq.example.kz",
        "STATIC_MANIFEST": "false",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{dead}/ashyq",
        "LOG_FORMAT": "json",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1"]
        + ["--bind", f"127.0.0.1:{port}", "--timeout", "30", "--no-control-socket"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60  # a loaded machine boots the worker slowly
        while True:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/ru/disclosures/", headers={"Host": "ashyq.example.kz"}
            )
            try:
                urllib.request.urlopen(request, timeout=10)
                pytest.fail("a page answered without its database")
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read().decode()
                break
            except (ConnectionError, urllib.error.URLError, TimeoutError):
                assert server.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert status == 503
        assert UNAVAILABLE["ru"] in body
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _out, err = server.communicate(timeout=15)
    errors = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    assert any(e["level"] == "ERROR" and e.get("exception") == "OperationalError" for e in errors)
