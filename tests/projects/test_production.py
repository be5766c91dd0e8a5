"""The README's production steps, run on a temporary copy of the project.

collectstatic with WhiteNoise's manifest storage, `check --deploy --fail-level WARNING` with a
production environment, then gunicorn serving a page and a static file on a free loopback port.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
HOST = "ashyq.example.kz"
SKIPPED = shutil.ignore_patterns(
    ".git", ".venv", "media", "staticfiles", "__pycache__", "*.sqlite3", ".pytest_cache", "build"
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url():
    """The test database this worker uses, so the served page reads real (empty) tables."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    if s.get("HOST", "").startswith("/"):
        from urllib.parse import quote

        return (
            f"postgres://{s['USER']}{password}@{quote(s['HOST'], safe='')}"
            f":{s.get('PORT') or 5432}/{s['NAME']}"
        )
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s.get('PORT') or 5432}/{s['NAME']}"


def production_env(copy):
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST_", "STATIC", "MEDIA", "SITE_URL"))
    }
    return {
        **kept,
        "DEBUG": "false",
        "SECRET_KEY": "p" * 8 + "Xq!vZ2@pL#eR4$tY6%uI8^oP0&aS1*dF3(gH5)jK7_lM-nB+" * 2,
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "SITE_URL": f"https://{HOST}",
        "BEHIND_TLS_PROXY": "true",
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "DATABASE_URL": database_url(),
        "STATIC_ROOT": str(copy / "staticfiles"),
        "MEDIA_ROOT": str(copy / "media"),
    }


def run(copy, env, *args, timeout=600):
    result = subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def fetch(port, path):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Language": "en"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # a slow boot, not a hang
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.postgres
@pytest.mark.django_db
def test_readme_production_steps_work(tmp_path):
    """collectstatic (manifest), check --deploy and gunicorn all succeed on a fresh copy."""
    copy = tmp_path / "site"
    shutil.copytree(ROOT, copy, ignore=SKIPPED)
    env = production_env(copy)

    run(copy, env, "manage.py", "collectstatic", "--noinput")
    manifest = copy / "staticfiles" / "staticfiles.json"
    assert manifest.exists()
    check = run(copy, env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in check.stdout

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1"]
        + ["--bind", f"127.0.0.1:{port}", "--timeout", "30", "--no-control-socket"],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = fetch(port, "/en/")
                break
            except (ConnectionError, urllib.error.URLError, TimeoutError):
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        assert status == 200, body[:2000]
        assert b"<html" in body
        assert "strict-transport-security" in {k.lower() for k in headers}

        hashed = json.loads(manifest.read_text())["paths"]["css/site.css"]
        assert f"/static/{hashed}".encode() in body
        status, headers, css = fetch(port, f"/static/{hashed}")
        assert status == 200
        assert css == (copy / "staticfiles" / hashed).read_bytes()
        assert "immutable" in headers.get("Cache-Control", "")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
