"""A real streaming replica under a real app server: stopped while residents read, and lagging.

The replica is made as an operator makes one (`pg_basebackup -R` from the suite's PostgreSQL,
docs/operations.md) and serves the app server's residents' reads. Stopped under load, every
request is still answered 200 (from the primary), /readyz stays ready with a warning, the log says
so once; started again, reads go back to it. Its replay paused behind a bound, reads go to the
primary, which has what the replica lacks. Select with `-m scaleout`.
"""

import itertools
import json
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter

import psycopg2
import pytest
import requests
from django.db import connection

from tests.factories import DisclosureFactory, PlaceFactory

from .servers import (
    Cluster,
    app_server_environment,
    free_port,
    pg_bin,
    start,
    stop,
    wait_for_port,
)

CLIENTS = 4

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.scaleout,
    pytest.mark.django_db(transaction=True),
]


def wait_until(condition, seconds=60, every=0.2, message=lambda: ""):
    """Until `condition()` is true, at most `seconds` (a bound, not a measurement)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {message()}"
        time.sleep(every)


class Replica:
    def __init__(self, cluster):
        self.cluster = cluster
        self.database = connection.settings_dict["NAME"]

    def query(self, sql, database="postgres"):
        db = psycopg2.connect(self.cluster.url(database), connect_timeout=5)
        try:
            db.autocommit = True
            with db.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchone()[0]
        finally:
            db.close()

    def app_connections(self):
        return self.query(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            f"AND datname = '{self.database}' AND pid <> pg_backend_pid()"
        )

    def caught_up(self):
        """The replica has replayed everything the primary wrote so far."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            primary = cursor.fetchone()[0]
        return self.query(f"SELECT pg_last_wal_replay_lsn() >= '{primary}'::pg_lsn")


@pytest.fixture
def replica_and_server(tmp_path):
    """A streaming replica of the suite's PostgreSQL and an app server reading from it; yields
    (Replica, the server's address, its log lines)."""
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries on this machine")
    cluster = Cluster(bin_dir, tempfile.mkdtemp(prefix="ashyq-replica-"))
    params = connection.settings_dict
    cluster.basebackup(params["HOST"] or "127.0.0.1", params["PORT"])
    cluster.start()
    replica = Replica(cluster)
    log = tmp_path / "server.log"
    port = free_port()
    env = app_server_environment(
        DATABASE_REPLICA_URL=cluster.url(replica.database),
        DB_CONN_MAX_AGE="60",
        REPLICA_CHECK_SECONDS="1",
        REPLICA_MAX_LAG_SECONDS="2",
        SHARED_CACHE_DIR=str(tmp_path / "shared"),
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_FORMAT="json",
    )
    with log.open("w") as output:
        server = start(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1"]
            + ["--threads", str(CLIENTS), "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
            env=env,
            stderr=output,
        )

    def log_lines():
        lines = log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    try:
        wait_for_port(port, server, seconds=60)
        yield replica, f"http://127.0.0.1:{port}", log_lines
    finally:
        stop(server)
        try:
            cluster.stop("immediate")
        except Exception:  # noqa: BLE001, S110 — stopped by the test already
            pass
        shutil.rmtree(cluster.folder, ignore_errors=True)


def readyz(address):
    answer = requests.get(address + "/readyz", timeout=30)
    return answer.status_code, answer.text


def test_replica_stopped_and_started_under_load(replica_and_server):
    replica, address, log_lines = replica_and_server
    village = PlaceFactory()
    DisclosureFactory(published=True, settlements=[village], title_en="A well the replica knows")
    wait_until(replica.caught_up)
    assert readyz(address) == (200, "ready")

    numbers = itertools.count()
    answers = []  # (phase, status)
    phase = ["up"]
    stopping = threading.Event()

    def client():
        while not stopping.is_set():
            # An address of its own each time: a kept page would need no database.
            url = f"{address}/en/places/{village.slug}/?n={next(numbers)}"
            try:
                answer = requests.get(url, timeout=30)
                answers.append((phase[0], answer.status_code, "A well" in answer.text))
            except requests.RequestException as error:
                answers.append((phase[0], type(error).__name__, False))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(answers) >= 10)
        assert replica.app_connections() >= 1  # the residents' reads were on the replica

        replica.cluster.stop("fast")
        phase[0] = "replica down"
        wait_until(lambda: sum(p == "replica down" for p, *_ in answers) >= 10)
        status, body = readyz(address)
        assert status == 200
        assert body.startswith("ready\nwarning: database replica unreachable"), body

        replica.cluster.start()
        phase[0] = "replica back"
        wait_until(lambda: readyz(address) == (200, "ready"), message=lambda: readyz(address))
        wait_until(lambda: replica.app_connections() >= 1)  # reads went back to it
        wait_until(lambda: sum(p == "replica back" for p, *_ in answers) >= 10)
    finally:
        stopping.set()
        for thread in threads:
            thread.join(timeout=60)

    seen = Counter(answers)
    errors = [line for line in log_lines() if line["level"] == "ERROR"]
    assert set(seen) == {
        ("up", 200, True),
        ("replica down", 200, True),
        ("replica back", 200, True),
    }, "\n".join(str(line) for line in errors[:2])
    warnings = [line["message"] for line in log_lines() if line["logger"] == "core.db_router"]
    assert any("replica is unreachable" in message for message in warnings), warnings
    assert any("answers again" in message for message in warnings), warnings
    assert len(warnings) <= 6, warnings  # when the state changes, not per request


def test_a_lagging_replica_is_left_for_the_primary(replica_and_server):
    replica, address, _log_lines = replica_and_server
    village = PlaceFactory()
    wait_until(replica.caught_up)
    assert requests.get(address + f"/en/places/{village.slug}/", timeout=30).status_code == 200
    replica.query("SELECT pg_wal_replay_pause()")
    DisclosureFactory(
        published=True, settlements=[village], title_en="Committed while replay waits"
    )

    def lagging():
        """/readyz reports the replica lagging"""
        status, body = readyz(address)
        return status == 200 and "warning: database replica lagging" in body

    wait_until(lagging, message=lambda: readyz(address))
    page = requests.get(address + f"/en/places/{village.slug}/?after=lag", timeout=30)
    assert "Committed while replay waits" in page.text  # read from the primary
    # ... figures and list alike: the page's headline count has the record its list shows.
    total = re.search(r'data-figure="total".*?<span data-count>(\d+)</span>', page.text, re.S)
    assert total and total[1] == "1", total
    assert not replica.query(
        "SELECT count(*) FROM disclosures_disclosure", replica.database
    )  # not there yet

    replica.query("SELECT pg_wal_replay_resume()")
    wait_until(lambda: readyz(address) == (200, "ready"))
