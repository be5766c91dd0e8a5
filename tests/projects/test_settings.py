"""Production settings: `check --deploy` is clean, and a missing SECRET_KEY stops start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 10 + "9Xq!vZ2@pL#eR4$tY6%uI8^oP0&aS1*dF3(gH5)jK7_lM-nB+" * 2,
    "ALLOWED_HOSTS": "ashyq.example.kz",
    "CSRF_TRUSTED_ORIGINS": "https://ashyq.example.kz",
    "DATABASE_URL": "postgres://ashyq:secret@db.example.kz:5432/ashyq",
    "SITE_URL": "https://ashyq.example.kz",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production():
    """With DEBUG off and the production variables set, `check --deploy` has no warnings."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_in_production_is_a_clear_error():
    """DEBUG off without SECRET_KEY fails at start-up, naming the variable."""
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_bad_boolean_is_a_clear_error():
    result = manage("check", env={**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_missing_site_url_is_a_deploy_error():
    """Production without SITE_URL would print http://127.0.0.1 into e-mails: a deploy error."""
    env = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "ashyq.E001" in result.stderr


def test_plain_http_site_url_is_a_deploy_error():
    """A SITE_URL that is not https is refused by `check --deploy`."""
    result = manage("check", "--deploy", env={**PRODUCTION, "SITE_URL": "http://ashyq.example.kz"})
    assert result.returncode != 0
    assert "ashyq.E001" in result.stderr
