"""docs/operations.md's runbook works: its blocks marked `sh runbook NAME` are run on this
machine with the runbook's variables set to this test's machines, and the result is checked.

- PostgreSQL, on throwaway clusters from this machine's binaries, as the `postgres` user: the role
  and database are created and the primary's settings hold after a restart; a replica made with
  the runbook's pg_basebackup streams what the application's role writes, with its password; the
  nightly dump restores into a new database with the same rows.
- Redis: Debian's own redis.conf, edited by the runbook, run by a real redis-server: it answers
  the runbook's check, wants the password, saves nothing and leaves no file when it stops.
- The bucket, on moto's S3 server: created in its region, versioning on, public access blocked.
- The systemd units (no systemd runs here): `systemd-analyze verify` for this checkout, and the
  commands they start exist with those options. The scale-out tests start their app servers and
  outbox workers with the units' ExecStart (servers.unit_command).

Select with `-m scaleout`."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis
from django.core.management import get_commands, load_command_class

from .servers import (
    INSTALLED,
    ROOT,
    S3_KEY,
    S3_SECRET,
    SYSTEMD_UNITS,
    Cluster,
    debian_binary,
    free_port,
    pg_bin,
    s3_client,
    start,
    stop,
    unit_command,
    unit_settings,
    wait_for_port,
)

pytestmark = [pytest.mark.postgres, pytest.mark.scaleout]

OPERATIONS = ROOT / "docs" / "operations.md"
RUNBOOK = re.compile(r"^```sh runbook (\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
PASSWORD = "runbook-db-password"  # noqa: S105
REDIS_PASSWORD = "runbook-redis-password"  # noqa: S105


def runbook_blocks():
    return dict(RUNBOOK.findall(OPERATIONS.read_text()))


def run_block(block, env, cwd, user=()):
    """A runbook block in bash -euo pipefail (as `user`, a runuser prefix); its output."""
    variables = [f"{k}={v}" for k, v in env.items()]
    done = subprocess.run(
        [*user, "env", "-i", *variables, "bash", "-euo", "pipefail", "-c", block],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_runbook_has_its_tested_steps():
    blocks = runbook_blocks()
    assert list(blocks) == [
        "database",
        "replica",
        "redis",
        "redis-check",
        "bucket",
        "dump",
        "restore",
    ]
    assert "CREATE ROLE ashyq" in blocks["database"] and "pg_basebackup" in blocks["replica"]
    assert "pg_dump" in blocks["dump"] and "pg_restore" in blocks["restore"]


def test_the_runbook_from_zero():
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries on this machine")
    blocks = runbook_blocks()
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
        run_block(block, env, primary.folder, primary.as_postgres)

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
        run(blocks["database"])
        primary.stop()
        primary.start()  # the runbook's `systemctl restart postgresql`
        assert psql("SHOW wal_level") == "replica"
        assert psql("SHOW max_wal_senders") == "10"
        assert psql("SHOW max_connections") == "200"

        run(blocks["replica"])
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

        run(blocks["dump"])
        run(blocks["restore"])
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


def test_redis_from_the_runbook(tmp_path):
    """Debian's redis.conf as the runbook leaves it, run by redis-server (the test's stand-in for
    `systemctl restart redis-server` gives it only its own port and folders): the runbook's check
    answers PONG; the server wants the password, has no save points and no append-only file, and
    a key written before it stops leaves no file behind."""
    binary = debian_binary("redis-server")
    debian_binary("redis-tools", "redis-cli")
    if not Path("/etc/redis/redis.conf").exists():
        pytest.skip("no /etc/redis/redis.conf (Debian's redis-server package installs it)")
    blocks = runbook_blocks()
    conf, data = tmp_path / "redis.conf", tmp_path / "data"
    data.mkdir()
    shutil.copy("/etc/redis/redis.conf", conf)
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "REDIS": "127.0.0.2",  # the machine's address beside 127.0.0.1, as on the app network
        "REDIS_PORT": str(port),
        "REDIS_PASSWORD": REDIS_PASSWORD,
        "REDIS_CONF": str(conf),
    }
    run_block(blocks["redis"], env, tmp_path)
    server = start(
        [binary, str(conf), "--port", str(port), "--dir", str(data), "--daemonize", "no"]
        + ["--pidfile", str(tmp_path / "redis.pid"), "--logfile", str(tmp_path / "redis.log")]
    )
    try:
        wait_for_port(port, server)
        assert run_block(blocks["redis-check"], env, tmp_path).strip() == "PONG"
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(host="127.0.0.2", port=port).ping()
        client = redis.Redis(host="127.0.0.2", port=port, password=REDIS_PASSWORD)
        assert client.config_get("save") == {"save": ""}
        assert client.config_get("appendonly") == {"appendonly": "no"}
        assert client.config_get("bind")["bind"].split() == ["127.0.0.1", "127.0.0.2"]
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        client.set("ashyq:scope", "1")
        client.shutdown()  # saves only where save points are configured
    except redis.ConnectionError:
        pass  # the shutdown closes the connection
    finally:
        stop(server)
    assert server.returncode == 0, (tmp_path / "redis.log").read_text()[-2000:]
    assert list(data.iterdir()) == [], "Redis kept something on disk"


def test_bucket_from_the_runbook(s3_server):
    """The runbook's block with an app server's variables, against moto's S3 server: the bucket is
    in its region, versioned, and every kind of public access is blocked."""
    blocks = runbook_blocks()
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        pytest.skip("no .venv in the checkout (make install-dev makes it)")
    bucket = f"ashyq-media-runbook-{os.getpid()}"
    env = {
        "PATH": os.environ["PATH"],
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_REGION_NAME": "eu-central-1",
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": S3_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
    }
    assert run_block(blocks["bucket"], env, ROOT).strip() == "Enabled"
    s3 = s3_client(s3_server, "eu-central-1")
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-central-1"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    blocked = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert blocked == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }


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
    text = OPERATIONS.read_text()
    block = re.search(r"`/etc/ashyq/env`, the same on every.*?```sh\n(.*?)```", text, re.DOTALL)[1]
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
