"""A bounded load test on loopback: 50 clients at once against gunicorn on a PostgreSQL of its
own, while a company publishes LOAD_TEST_RECORDS contributions (default 20). It lasts until the
company has published them all and every client has had ROUNDS answers, not a fixed time. No
5xx, and every published record is there afterwards (its page and the village's JSON export)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tests.projects.test_database_restart import Cluster, free_port, pg_bin

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 50
RECORDS = int(os.environ.get("LOAD_TEST_RECORDS", "20"))
ROUNDS = 3  # answers each client has at least: all 50 were asking at once


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db  # the test database, dumped once by `migrated_database`
def test_fifty_clients_while_a_company_publishes(migrated_database):
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries on this machine")
    folder = tempfile.mkdtemp(prefix="ashyq-load-")
    cluster = Cluster(bin_dir, folder)
    server = publisher = None
    seen = Counter()
    slow = []
    try:
        cluster.init()
        cluster.start()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env |= {
            "DEBUG": "false",
            "SECRET_KEY": "l" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "https://ashyq.example.kz",
            "STATIC_MANIFEST": "false",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.port}/postgres",
            "LOG_LEVEL": "WARNING",
        }
        cluster.restore(migrated_database)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "4"]
            + ["--bind", f"127.0.0.1:{port}", "--timeout", "60", "--no-control-socket"]
            + ["--backlog", "256"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        publisher = subprocess.Popen(
            [sys.executable, "-m", "tests.hostile.load_publisher", str(RECORDS)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        slug, kato_code = publisher.stdout.readline().split()
        base = f"http://127.0.0.1:{port}"
        paths = [
            "/en/",
            "/ru/disclosures/",
            f"/kk/places/{slug}/",
            f"/en/disclosures/export.json?place={kato_code}",
            f"/en/disclosures/feed/?place={kato_code}",
            "/en/hearings/",
            "/en/disclosures/?year=1e30",  # a 400, under load too
        ]
        deadline = time.monotonic() + 60
        while True:  # gunicorn up: its first answer (a loaded machine boots the workers slowly)
            try:
                urllib.request.urlopen(base + "/en/", timeout=10)
                break
            except (ConnectionError, urllib.error.URLError, TimeoutError):
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        stop = threading.Event()
        answers = [0] * CLIENTS

        def client(number):
            turn = number
            while not stop.is_set() or answers[number] < ROUNDS:
                path = paths[turn % len(paths)]
                turn += 1
                started = time.monotonic()
                try:
                    with urllib.request.urlopen(base + path, timeout=60) as response:
                        response.read()
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except (ConnectionError, urllib.error.URLError, TimeoutError) as error:
                    status = f"no answer: {type(error).__name__}"
                took = time.monotonic() - started
                if took > 10:
                    slow.append((path, round(took, 1)))
                seen[status] += 1
                answers[number] += 1

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        publisher.stdin.write("go\n")  # the clients are asking: publish now
        publisher.stdin.close()
        published = [int(line) for line in publisher.stdout]  # until the publisher ends
        assert publisher.wait(timeout=60) == 0, publisher.stderr.read()
        stop.set()
        for thread in threads:
            thread.join(timeout=90)

        assert len(published) == RECORDS, f"the company published {len(published)}"
        assert min(answers) >= ROUNDS, answers
        for pk in published:
            with urllib.request.urlopen(f"{base}/en/disclosures/{pk}/", timeout=30) as page:
                assert page.status == 200
        with urllib.request.urlopen(
            f"{base}/en/disclosures/export.json?place={kato_code}", timeout=60
        ) as export:
            exported = {row["id"] for row in json.loads(export.read())["data"]}
        assert set(published) <= exported
    finally:
        for process in (publisher, server):
            if process is not None and process.poll() is None:
                if process is server:
                    os.killpg(server.pid, signal.SIGTERM)
                else:
                    process.terminate()
                process.wait(timeout=30)
        try:
            cluster.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)

    print(dict(seen), f"published {len(published)}", f"slow (>10 s): {len(slow)}")
    assert not [status for status in seen if isinstance(status, int) and status >= 500], seen
    assert not [status for status in seen if isinstance(status, str)], seen
    assert seen[200] > 0 and seen[400] > 0
