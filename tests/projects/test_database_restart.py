"""Stop and restart a real PostgreSQL under load: 503s while it is down, never a 500, and pages
come back by themselves once it is up again.

The test runs its own small cluster (not the suite's), holding the migrated database, behind
gunicorn with two workers and a few clients, all on loopback and bounded in time. Each phase lasts
until the server has answered enough requests in it, never a fixed time.
"""

import itertools
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

from tests.scaleout.servers import Cluster, free_port, pg_bin

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 6


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db  # the test database, dumped once by `migrated_database`
def test_postgresql_stopped_and_restarted_under_load(migrated_database):
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries on this machine")
    folder = tempfile.mkdtemp(prefix="ashyq-fault-")
    cluster = Cluster(bin_dir, folder)
    server = None
    try:
        cluster.init()
        cluster.start()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env |= {
            "DEBUG": "false",
            "SECRET_KEY": "r" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "https://ashyq.example.kz",
            "STATIC_MANIFEST": "false",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.port}/postgres",
            "DB_CONN_MAX_AGE": "60",
        }
        cluster.restore(migrated_database)
        log = open(Path(folder) / "gunicorn.log", "w")  # noqa: SIM115 — closed in finally
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--threads", "2"]
            + ["--bind", f"127.0.0.1:{port}", "--timeout", "30", "--no-control-socket"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        # Each answer with the times the request was sent and its answer read: the server handled
        # it in between. Phases are judged by that span, never by when a client thread got round
        # to looking (on a loaded machine a 200 the server gave before the stop may be read after).
        answers = []
        stop = threading.Event()

        # Each request asks for an address of its own: a page kept in the page cache is (rightly)
        # still served while the database is down, and this test is about the pages that need it.
        numbers = itertools.count()

        def client():
            while not stop.is_set():
                sent = time.monotonic()
                address = f"http://127.0.0.1:{port}/en/hearings/?page=1&n={next(numbers)}"
                try:
                    with urllib.request.urlopen(address, timeout=10) as response:
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except (ConnectionError, urllib.error.URLError, TimeoutError):
                    status = "no answer"
                answers.append((sent, time.monotonic(), status))
                time.sleep(0.02)

        def answered_since(moment):
            return [status for sent, _answered, status in list(answers) if sent >= moment]

        def wait_until(condition, at_most=30):
            """Until `condition` holds (bounded; the assertions below judge what was seen)."""
            deadline = time.monotonic() + at_most
            while not condition() and time.monotonic() < deadline:
                time.sleep(0.05)

        deadline = time.monotonic() + 60
        while True:  # gunicorn up: its first answer (a loaded machine boots the workers slowly)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/en/hearings/", timeout=10)
                break
            except (ConnectionError, urllib.error.URLError, TimeoutError):
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        threads = [threading.Thread(target=client, daemon=True) for _n in range(CLIENTS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        # Up: answers from the database, each server thread's connection open (DB_CONN_MAX_AGE).
        wait_until(lambda: answered_since(started).count(200) >= CLIENTS)
        stopping = time.monotonic()
        cluster.stop()  # -w: returns once PostgreSQL has stopped
        down = time.monotonic()
        # Requests sent after this and answered before the restart began met no database.
        wait_until(lambda: len(answered_since(down)) >= 2 * CLIENTS)
        starting = time.monotonic()
        cluster.start()  # -w: returns once PostgreSQL accepts connections
        back = time.monotonic()
        # Back: a dozen answers from the database again, the connections the stop broke replaced.
        wait_until(lambda: answered_since(back).count(200) >= 2 * CLIENTS)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    finally:
        errors = ""
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
            log.close()
            lines = (Path(folder) / "gunicorn.log").read_text().splitlines()
            errors = f"{len(lines)} log lines; errors:\n" + "\n".join(
                line[-600:] for line in lines if '"ERROR"' in line and "503" not in line
            )
        try:
            cluster.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)

    def phase(sent, answered):
        if answered <= stopping:
            return "up"
        if sent >= down and answered <= starting:
            return "down"
        if sent >= back:
            return "back"
        return "changing"  # the database stopped or started while the server handled it

    seen = Counter((phase(sent, answered), status) for sent, answered, status in answers)
    print(dict(seen))  # shown with -s: requests per phase and status
    statuses = {status for (_phase, status) in seen}
    assert statuses <= {200, 503}, f"{seen}\n{errors}"
    assert seen[("up", 200)] > 0, seen
    assert seen[("down", 503)] > 0 and seen[("down", 200)] == 0, seen
    assert seen[("back", 200)] > 0, seen
