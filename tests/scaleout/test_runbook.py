"""docs/operations.md's runbook works: its blocks marked `sh runbook` are run, in order, on
throwaway PostgreSQL clusters from this machine's binaries, as the `postgres` user, with the
runbook's variables set to this test's machines. The role and database are created and the
primary's settings hold after a restart; a replica made with the runbook's pg_basebackup streams
what the application's role writes, with its password; the nightly dump restores into a new
database with the same rows. Select with `-m scaleout`."""

import os
import re
import subprocess
import tempfile
import time

import pytest

from .servers import ROOT, Cluster, pg_bin

pytestmark = [pytest.mark.postgres, pytest.mark.scaleout]

RUNBOOK = re.compile(r"^```sh runbook\n(.*?)^```$", re.MULTILINE | re.DOTALL)
PASSWORD = "runbook-db-password"  # noqa: S105


def runbook_blocks():
    return RUNBOOK.findall((ROOT / "docs" / "operations.md").read_text())


def test_the_runbook_has_its_tested_steps():
    blocks = runbook_blocks()
    assert len(blocks) == 4, blocks
    assert "CREATE ROLE ashyq" in blocks[0] and "pg_basebackup" in blocks[1]
    assert "pg_dump" in blocks[2] and "pg_restore" in blocks[3]


def test_the_runbook_from_zero():
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries on this machine")
    create, replicate, dump, restore = runbook_blocks()
    primary = Cluster(bin_dir, tempfile.mkdtemp(prefix="ashyq-runbook-primary-"))
    replica = Cluster(bin_dir, tempfile.mkdtemp(prefix="ashyq-runbook-replica-"))
    # Passwords over TCP (as between machines), the postgres user by the socket (su - postgres).
    primary.init("--auth-host=scram-sha-256")
    primary.start()
    url = f"postgres://ashyq:{PASSWORD}@127.0.0.1:{primary.port}/ashyq"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PG", "DATABASE_"))},
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PGHOST": str(primary.folder),
        "PGPORT": str(primary.port),
        "PGUSER": "postgres",
        "PRIMARY": "127.0.0.1",
        "REPLICA": "127.0.0.1",
        "APP_NETWORK": "127.0.0.0/8",
        "DB_PASSWORD": PASSWORD,
        "REPLICATION_PASSWORD": "runbook-replication-password",
        "PG_CONF_DIR": str(primary.folder / "data"),
        "REPLICA_DATA": str(replica.folder / "data"),
        "DATABASE_URL": url,
    }

    def run(block):
        primary.run(
            "env",
            *(f"{k}={v}" for k, v in env.items()),
            "bash",
            "-euo",
            "pipefail",
            "-c",
            f"cd {primary.folder}\n{block}",
        )

    def psql(sql, cluster=primary, target=None):
        result = subprocess.run(
            [*primary.as_postgres, str(bin_dir / "psql"), "-XAtq", "-v", "ON_ERROR_STOP=1"]
            + [target or f"host={cluster.folder} port={cluster.port} user=postgres dbname=ashyq"]
            + ["-c", sql],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout.strip()

    try:
        run(create)
        primary.stop()
        primary.start()  # the runbook's `systemctl restart postgresql`
        assert psql("SHOW wal_level") == "replica"
        assert psql("SHOW max_wal_senders") == "10"
        assert psql("SHOW max_connections") == "200"

        run(replicate)
        replica.start()
        assert psql("SELECT pg_is_in_recovery()", replica) == "t"
        # The application's role, with its password over TCP, writes; the replica has it.
        psql(
            "CREATE TABLE village (name text); INSERT INTO village VALUES ('Nura'), ('Zhanatas')",
            target=url,
        )
        deadline = time.monotonic() + 60
        while psql("SELECT count(*) FROM pg_tables WHERE tablename = 'village'", replica) != "1":
            assert time.monotonic() < deadline, "the replica never received the table"
            time.sleep(0.2)
        assert psql("SELECT string_agg(name, ',' ORDER BY name) FROM village", replica) == (
            "Nura,Zhanatas"
        )

        run(dump)
        run(restore)
        restored = f"host={primary.folder} port={primary.port} user=postgres dbname=ashyq_restored"
        assert psql("SELECT string_agg(name, ',' ORDER BY name) FROM village", target=restored) == (
            "Nura,Zhanatas"
        )
        assert (
            psql("SELECT tableowner FROM pg_tables WHERE tablename = 'village'", target=restored)
            == "ashyq"
        )
    finally:
        for cluster in (replica, primary):
            try:
                cluster.stop("immediate")
            except subprocess.CalledProcessError:
                pass
        subprocess.run(["rm", "-rf", str(primary.folder), str(replica.folder)], check=False)
