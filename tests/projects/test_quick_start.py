"""The README's quick start (`make run`) on its embedded database: migrate, import every place,
load the demo on SQLite, then every kind of page and API answer without a server error.

The rest of the suite runs on PostgreSQL; this is the one place that checks the database a
newcomer meets first (a raw query's naive timestamp on SQLite once broke the API there)."""

import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

VISIT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.test import Client
    from disclosures.models import Disclosure
    from hearings.models import Hearing
    from projects.models import Organisation, Place, Project

    disclosure = Disclosure.objects.in_force().first()
    hearing = Hearing.objects.published().first()
    village = disclosure.settlements.first()
    district = village.parent.parent if village.parent.parent_id else village.parent
    urls = [
        "/kk/", "/ru/", "/en/", "/ru/places/?q=нұра",
        village.get_absolute_url(), district.get_absolute_url(),
        "/ru/disclosures/", "/kk/disclosures/?sort=-published_at&hide_withdrawn=on",
        disclosure.get_absolute_url(), hearing.get_absolute_url(),
        "/ru/hearings/", "/ru/projects/", Project.objects.first().get_absolute_url(),
        Organisation.objects.companies().first().get_absolute_url(),
        "/ru/disclosures/feed/", "/ru/hearings/feed/", "/ru/hearings/calendar.ics",
        "/ru/disclosures/export.csv", "/ru/disclosures/export.json", "/ru/data/",
        "/data/datapackage.json", "/data/disclosures.csv", "/data/places.json",
        "/api/v1/disclosures/", "/api/v1/hearings/", "/api/v1/places/?q=nura",
        "/api/v1/projects/", "/api/v1/organisations/", "/healthz", "/readyz",
        "/sitemap.xml", "/robots.txt",
    ]
    failed = []
    for url in urls:
        for attempt in ("first", "cached"):
            response = Client(raise_request_exception=False).get(url)
            if response.status_code >= 500 or response.status_code == 404:
                failed.append(f"{url} ({attempt}): {response.status_code}")
    print("\\n".join(failed) or "ALL OK")
    """
)


def make_run_commands():
    """The `manage.py` commands of the Makefile's `run` target, in order, but the server."""
    target = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = [
        shlex.split(line.split("manage.py", 1)[1])
        for line in target.splitlines()
        if "manage.py" in line
    ]
    return [command for command in commands if command[0] != "runserver"]


def test_make_run_builds_the_downloads():
    """A fresh `make run` serves /data/ at once: the downloads are built before the server."""
    assert ["build_open_data"] in make_run_commands()
    assert make_run_commands()[0] == ["migrate", "--noinput"]


@pytest.mark.slow
def test_the_quick_start_serves_every_page_on_sqlite(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quick-start.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver",
        "SHARED_CACHE_DIR": str(tmp_path / "shared-cache"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for command in make_run_commands():
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
    visited = subprocess.run(
        [sys.executable, "-c", VISIT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert visited.returncode == 0, visited.stderr[-3000:]
    assert visited.stdout.strip().endswith("ALL OK"), visited.stdout[-3000:]
