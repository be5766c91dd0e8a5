"""docs/operations.md's runbook and the shipped deploy/ files agree with the app.

- The runbook's blocks marked `sh runbook NAME` are run, in order, by the layout that
  tests/scaleout/layout.py builds and tests/scaleout/test_runbook_layout.py checks: PostgreSQL
  primary and replica, Redis, the bucket, the app servers' environment and setup, the nightly
  dump and its restore. Here: the runbook has those blocks, and the environment file names only
  settings the app reads.
- The systemd units (no systemd runs here): `systemd-analyze verify` for this checkout, and the
  commands they start exist with those options. The scale-out tests start their app servers and
  outbox workers with the units' ExecStart (servers.unit_command).

Select with `-m scaleout`."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from .layout import NOT_RUN, runbook_blocks
from .servers import INSTALLED, ROOT, SYSTEMD_UNITS, unit_command, unit_settings

pytestmark = [pytest.mark.postgres, pytest.mark.scaleout]


def test_the_runbook_has_its_blocks():
    """Every block the layout runs, and those it cannot run here, are in the runbook."""
    blocks = runbook_blocks()
    assert list(blocks) == [
        "machines",
        "database",
        "replica",
        "redis",
        "redis-check",
        "bucket",
        "app-install",
        "env",
        "app-setup",
        "app-start",
        "front",
        "dump",
        "restore",
    ]
    assert "CREATE ROLE ashyq" in blocks["database"] and "pg_basebackup" in blocks["replica"]
    assert "pg_dump" in blocks["dump"] and "pg_restore" in blocks["restore"]
    for name in NOT_RUN:
        assert re.search(r"\b(systemctl|apt-get|adduser|certbot)\b", blocks[name]), name


def installed_here(text):
    """A unit's text for this checkout: /srv/ashyq and its virtualenv's programs are here."""
    programs = f"{Path(sys.executable).parent}/"
    return text.replace(f"{INSTALLED}/.venv/bin/", programs).replace(INSTALLED, str(ROOT))


def test_systemd_units_verify(tmp_path):
    """`systemd-analyze verify` (systemd's own check of unit files: every key known, every value
    parsed, every program there) on the shipped units, pointed at this checkout."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    for unit in SYSTEMD_UNITS.iterdir():
        (tmp_path / unit.name).write_text(installed_here(unit.read_text()))
    names = sorted(path.name for path in tmp_path.iterdir())
    checked = subprocess.run(
        [analyze, "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (checked.returncode, checked.stderr, checked.stdout) == (0, "", "")


def test_systemd_units_start_what_exists():
    """What systemd would start is there, with those options: the programs, gunicorn's
    configuration and application, the management commands and their options; the stop
    timeout covers the drain and the graceful stop of deploy/gunicorn.conf.py; the settings named
    in the units are read by the app."""
    services = sorted(path.name for path in SYSTEMD_UNITS.glob("*.service"))
    assert services == ["ashyq-clean-uploads.service", "ashyq-outbox.service", "ashyq-web.service"]
    for service in services:
        settings = dict(unit_settings(service))
        assert settings["WorkingDirectory"] == INSTALLED
        assert settings["EnvironmentFile"] == "/etc/ashyq/env"
        program, *args = unit_command(service)
        assert os.access(program, os.X_OK), program
        if Path(program).name == "python":
            assert args[0] == "manage.py" and (ROOT / "manage.py").exists()
            command = load_command_class(get_commands()[args[1]], args[1])
            command.create_parser("manage.py", args[1]).parse_args(args[2:])
        else:
            assert Path(program).name == "gunicorn"
            assert args == ["-c", "deploy/gunicorn.conf.py", "config.wsgi"]
            assert (ROOT / args[1]).exists() and (ROOT / "config" / "wsgi.py").exists()
    web = dict(unit_settings("ashyq-web.service"))
    conf = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    drain = float(re.search(r'"GUNICORN_DRAIN_SECONDS", "(\d+)"', conf)[1])
    graceful = float(re.search(r'"GUNICORN_GRACEFUL_TIMEOUT", "(\d+)"', conf)[1])
    assert float(web["TimeoutStopSec"]) > drain + graceful
    assert web["KillMode"] == "mixed"  # SIGTERM to gunicorn's master only: it drains
    flag = web["Environment"].removeprefix("SHUTDOWN_FLAG_FILE=")
    assert Path(flag).parent == Path("/run") / web["RuntimeDirectory"]
    assert "SHUTDOWN_FLAG_FILE" in (ROOT / "core" / "readiness.py").read_text()
    timer = dict(unit_settings("ashyq-clean-uploads.timer"))
    assert timer["OnCalendar"] and "Unit" not in timer  # it starts the service of its name


# Read by libraries rather than by config/settings.py.
READ_BY_LIBRARIES = {
    "DATABASE_URL": "dj_database_url.config()",
    "AWS_ACCESS_KEY_ID": "boto3",
    "AWS_SECRET_ACCESS_KEY": "boto3",
}


def test_the_environment_file_names_only_settings_the_app_reads():
    """Every variable of the runbook's /etc/ashyq/env is read by the settings, gunicorn's
    configuration or a library, and no value carries a comment (systemd would keep it)."""
    block = runbook_blocks()["env"]
    readers = (ROOT / "config" / "settings.py").read_text()
    readers += (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    names = []
    for line in block.splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            assert " #" not in value, line
            names.append(name)
    assert {"DATABASE_URL", "BEHIND_TLS_PROXY", "TRUSTED_PROXIES", "GUNICORN_WORKERS"} <= set(names)
    unread = [n for n in names if n not in READ_BY_LIBRARIES and f'"{n}"' not in readers]
    assert unread == []
