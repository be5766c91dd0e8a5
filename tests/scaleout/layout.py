"""The whole layout of docs/operations.md, built on this machine by running the runbook's blocks
(fenced as `sh runbook NAME`) in order: a PostgreSQL primary with the application's role and
database, a streaming replica made with `pg_basebackup -R`, Redis from Debian's own redis.conf
as the runbook edits it, the private versioned bucket (moto's S3 server), /etc/ashyq/env, the
app setup (migrate, import_places, collectstatic, check --deploy), two app servers and an outbox
worker started with the systemd units' ExecStart, and nginx with the shipped site in front.

Only these substitutions are made (SUBSTITUTIONS, ENV_VALUES, TEST_SIZES below):
- the machines → loopback: PRIMARY, REPLICA and FRONT are 127.0.0.1, REDIS 127.0.0.2 (beside
  127.0.0.1 in Redis's `bind`), APP_NETWORK 127.0.0.0/8; each service on a free port instead of
  its standard one (PGPORT for psql and pg_basebackup, `--port` for redis-server, GUNICORN_BIND
  for two app servers on one machine);
- the directories → one temporary folder: PG_CONF_DIR and REPLICA_DATA are the clusters' data
  folders (initdb's layout keeps the configuration there, Debian's in /etc/postgresql),
  REDIS_CONF a copy of /etc/redis/redis.conf, /etc/ashyq/env a file, STATIC_ROOT a folder,
  /run/ashyq-web the servers' own folders; /srv/ashyq is this checkout;
- the values the runbook leaves to the operator (`…`): a SECRET_KEY, moto's keys, the bucket's
  endpoint (`AWS_S3_ENDPOINT_URL`, "a service other than AWS"), and the mail relay of step 5's
  second row (a plain relay: the SMTP sink below, `EMAIL_USE_TLS=false`);
- sizes for a shared two-core machine (TEST_SIZES): one gunicorn worker per server, a 3 s drain,
  the replica checked every second with a 2 s bound, /readyz's patience, the API's read limit.

What cannot run here is said by NOT_RUN, with what runs instead: `systemctl` (the programs are
started as the units' ExecStart says), `apt-get`, `adduser`, `git clone` (this checkout and its
.venv are the installation), certbot (a self-signed certificate).
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .servers import (
    INSTALLED,
    ROOT,
    S3_KEY,
    S3_SECRET,
    Cluster,
    debian_binary,
    free_port,
    start,
    start_front,
    stop,
    unit_command,
    unit_settings,
    wait_for_port,
)

OPERATIONS = ROOT / "docs" / "operations.md"
RUNBOOK = re.compile(r"^```sh runbook (\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)

NOT_RUN = {
    "app-install": "adduser, git clone, pip: this checkout and its .venv are the installation",
    "app-start": "systemctl: the app servers and the worker are started with the units' ExecStart",
    "front": "apt-get, certbot, systemctl: nginx -t, then nginx with the site, a self-signed "
    "certificate and the test's ports",
}

FRONT_HOST = "ashyq.example.kz"  # the runbook's ALLOWED_HOSTS, sent as Host to 127.0.0.1
TEST_SIZES = {
    "GUNICORN_WORKERS": "1",
    "GUNICORN_DRAIN_SECONDS": "3",
    "REPLICA_CHECK_SECONDS": "1",
    "REPLICA_MAX_LAG_SECONDS": "2",
    # On a loaded machine a check may take longer than /readyz's 0.9 s: its time-out is
    # tested in test_readyz.py, not by every server's readiness.
    "READYZ_TIMEOUT": "20",
    "API_THROTTLE_READ": "3/minute",
}


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
        # A guard against a hang, not a measure: the app block (migrate, every place,
        # collectstatic, check --deploy) took over 300 s on a 2-core machine at load 19.
        timeout=1200,
    )
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def machine_variables(blocks):
    """The runbook's variables (its `machines` block: passwords included), with the machines
    on loopback."""
    block = f"set -a\n{blocks['machines']}\nenv -0"
    out = run_block(block, {"PATH": os.environ["PATH"]}, ROOT)
    values = dict(item.split("=", 1) for item in out.split("\0") if "=" in item)
    names = re.findall(r"\b([A-Z_]+)=", blocks["machines"])
    values = {name: values[name] for name in names}
    return values | {
        "PRIMARY": "127.0.0.1",
        "REPLICA": "127.0.0.1",
        "REDIS": "127.0.0.2",
        "FRONT": "127.0.0.1",
        "APP_NETWORK": "127.0.0.0/8",
    }


class SmtpSink(socketserver.ThreadingTCPServer):
    """A plain SMTP relay on loopback that keeps (recipients, message) of every mail it is
    given: enough of RFC 5321 for smtplib (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.received = []
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        recipients = []
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO" or verb == b"HELO":
                self.reply("250 sink")
            elif verb == b"RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip(" <>\r\n"))
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 End with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.received.append((recipients, b"".join(lines)))
                recipients = []
                self.reply("250 OK queued")
            elif verb == b"QUIT":
                self.reply("221 Bye")
                return
            else:  # MAIL, RSET, NOOP
                self.reply("250 OK")


class Layout:
    """The running layout: its processes, addresses and the runbook's values. Everything started
    is registered on `stack`, closed (stopped, removed) in reverse order."""

    def __init__(self, stack, bin_dir, s3_endpoint):
        self.stack = stack
        self.blocks = runbook_blocks()
        self.folder = Path(tempfile.mkdtemp(prefix="ashyq-layout-"))
        stack.callback(shutil.rmtree, self.folder, ignore_errors=True)
        self.folder.chmod(0o755)  # the postgres user reaches its clusters inside
        self.bin_dir = bin_dir
        self.s3_endpoint = s3_endpoint
        self.machines = machine_variables(self.blocks)
        self.servers = {}  # name: (process, port)

    # PostgreSQL --------------------------------------------------------------------------

    def cluster(self, name):
        folder = self.folder / name
        folder.mkdir()
        cluster = Cluster(self.bin_dir, folder)
        self.stack.callback(self.stop_cluster, cluster)
        return cluster

    @staticmethod
    def stop_cluster(cluster):
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")

    def postgres_env(self, **extra):
        """For blocks run as the `postgres` user: the primary by its socket (`su - postgres`)."""
        return {
            "PATH": f"{self.bin_dir}:{os.environ['PATH']}",
            **self.machines,
            "PGHOST": str(self.primary.folder),
            "PGPORT": str(self.primary.port),
            "PGUSER": "postgres",
            **extra,
        }

    def run_as_postgres(self, name, **extra):
        return run_block(
            self.blocks[name],
            self.postgres_env(**extra),
            self.primary.folder,
            self.primary.as_postgres,
        )

    def psql(self, sql, cluster=None, database="ashyq"):
        """One statement as `postgres` by the cluster's socket; its output."""
        cluster = cluster or self.primary
        done = subprocess.run(
            [*cluster.as_postgres, str(self.bin_dir / "psql"), "-XAtq", "-v", "ON_ERROR_STOP=1"]
            + [f"host={cluster.folder} port={cluster.port} user=postgres dbname={database}"]
            + ["-c", sql],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout.strip()

    def build_databases(self):
        self.primary = self.cluster("primary")
        self.replica = self.cluster("replica")
        # Passwords over TCP, as between machines; the postgres user by the socket.
        self.primary.init("--auth-host=scram-sha-256")
        self.primary.start()
        self.run_as_postgres("database", PG_CONF_DIR=str(self.primary.folder / "data"))
        self.primary.stop()
        self.primary.start()  # `systemctl restart postgresql`
        self.run_as_postgres("replica", REPLICA_DATA=str(self.replica.folder / "data"))
        self.replica.start()  # `systemctl start postgresql` on the replica

    # Redis -------------------------------------------------------------------------------

    def build_redis(self):
        self.redis_binary = debian_binary("redis-server")
        debian_binary("redis-tools", "redis-cli")
        if not Path("/etc/redis/redis.conf").exists():
            raise FileNotFoundError("/etc/redis/redis.conf (Debian's redis-server installs it)")
        folder = self.folder / "redis"
        (folder / "data").mkdir(parents=True)
        shutil.copy("/etc/redis/redis.conf", folder / "redis.conf")
        self.redis_port = free_port()
        self.redis_env = {
            "PATH": os.environ["PATH"],
            **self.machines,
            "REDIS_PORT": str(self.redis_port),
            "REDIS_CONF": str(folder / "redis.conf"),
        }
        run_block(self.blocks["redis"], self.redis_env, folder)
        self.redis = None
        self.stack.callback(lambda: stop(self.redis))
        self.start_redis()
        assert run_block(self.blocks["redis-check"], self.redis_env, folder).strip() == "PONG"

    def start_redis(self):
        """`systemctl restart redis-server`: redis-server with the runbook's file, on its own
        port and folders."""
        folder = self.folder / "redis"
        self.redis = start(
            [self.redis_binary, str(folder / "redis.conf"), "--port", str(self.redis_port)]
            + ["--dir", str(folder / "data"), "--daemonize", "no"]
            + ["--pidfile", str(folder / "redis.pid"), "--logfile", str(folder / "redis.log")]
        )
        wait_for_port(self.redis_port, self.redis)

    # /etc/ashyq/env ----------------------------------------------------------------------

    def environment_file(self):
        """The runbook's /etc/ashyq/env with the substitutions; its variables as systemd's
        EnvironmentFile and `set -a && . /etc/ashyq/env` give them."""
        text = self.blocks["env"]
        substitutions = {
            "10.0.0.20:5432": f"127.0.0.1:{self.primary.port}",
            "10.0.0.21:5432": f"127.0.0.1:{self.replica.port}",
            "10.0.0.30:6379": f"127.0.0.2:{self.redis_port}",
            "10.0.0.10/32": "127.0.0.1/32",
            f"{INSTALLED}/staticfiles": str(self.folder / "staticfiles"),
        }
        for old, new in substitutions.items():
            assert old in text, f"the runbook's env no longer has {old}"
            text = text.replace(old, new)
        values = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AWS_ACCESS_KEY_ID": S3_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_SECRET,
            # Step 5's plain relay.
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_HOST_USER": None,
            "EMAIL_HOST_PASSWORD": None,
        }
        lines = []
        for line in text.splitlines():
            name = line.split("=", 1)[0]
            if name in values:
                if values[name] is not None:
                    lines.append(f"{name}={values[name]}")
            else:
                lines.append(line)
        extra = {
            "EMAIL_PORT": str(self.smtp.port),
            "EMAIL_USE_TLS": "false",
            "AWS_S3_ENDPOINT_URL": self.s3_endpoint,
            "AWS_S3_ADDRESSING_STYLE": "path",
            # With the bucket, nothing may land on a server's own disk.
            "MEDIA_ROOT": str(self.folder / "local-media"),
            **TEST_SIZES,
        }
        lines += [f"{name}={value}" for name, value in extra.items()]
        self.env_file = self.folder / "env"
        self.env_file.write_text("\n".join(lines) + "\n")
        self.env_file.chmod(0o600)
        out = run_block(
            f'set -a && . "{self.env_file}" && set +a && env -0', {"PATH": os.environ["PATH"]}, ROOT
        )
        self.env = dict(item.split("=", 1) for item in out.split("\0") if "=" in item)
        self.env.pop("PWD", None)
        self.env.pop("SHLVL", None)

    def app_block(self, name):
        """A block run on an app server, in this checkout, with the environment file loaded
        (`set -a && . /etc/ashyq/env && set +a`)."""
        text = self.blocks[name].replace("/etc/ashyq/env", str(self.env_file))
        return run_block(text.replace(INSTALLED, str(ROOT)), self.env, ROOT)

    # App servers, worker, front ----------------------------------------------------------

    def start_server(self, name):
        """An app server as deploy/systemd/ashyq-web.service starts it, on a port of its own,
        its stderr (JSON log lines) in a file."""
        port = self.servers[name][1] if name in self.servers else free_port()
        run = self.folder / f"run-{name}"  # the unit's RuntimeDirectory
        run.mkdir(exist_ok=True)
        flag = dict(unit_settings("ashyq-web.service"))["Environment"]
        flag = flag.removeprefix("SHUTDOWN_FLAG_FILE=").replace("/run/ashyq-web", str(run))
        env = self.env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "SHUTDOWN_FLAG_FILE": flag}
        with (self.folder / f"server-{name}.log").open("a") as log:
            process = start(unit_command("ashyq-web.service"), env=env, stderr=log)
        self.servers[name] = (process, port)
        return process

    def server_log(self, name):
        lines = (self.folder / f"server-{name}.log").read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def address(self, name):
        return f"http://127.0.0.1:{self.servers[name][1]}"

    def build_processes(self):
        self.stack.callback(lambda: [stop(process) for process, _port in self.servers.values()])
        for name in ("A", "B"):
            self.start_server(name)
        self.worker_log = self.folder / "worker.log"
        with self.worker_log.open("w") as log:
            self.worker = start(unit_command("ashyq-outbox.service"), env=self.env, stderr=log)
        self.stack.callback(lambda: stop(self.worker))
        for process, port in self.servers.values():
            wait_for_port(port, process, seconds=60)
        folder = self.folder / "nginx"
        folder.mkdir()
        addresses = [f"127.0.0.1:{port}" for _process, port in self.servers.values()]
        self.nginx, self.http, self.https, self.certificate = start_front(
            folder, addresses, self.folder / "staticfiles"
        )
        self.stack.callback(lambda: stop(self.nginx))

    def seed(self):
        """Rows the checks need, made with the suite's factories in a process of their own
        (the layout's database is not the test process's)."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.scaleout.layout_seed"],
            cwd=ROOT,
            env=self.env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])


def build(stack, bin_dir, s3_endpoint):
    """The layout, step by step as the runbook says (see the module's docstring)."""
    layout = Layout(stack, bin_dir, s3_endpoint)
    assert set(NOT_RUN) < set(layout.blocks)
    layout.build_databases()
    layout.build_redis()
    layout.smtp = SmtpSink()
    stack.callback(layout.smtp.close)
    layout.environment_file()
    assert layout.app_block("bucket").strip() == "Enabled"
    layout.setup_output = layout.app_block("app-setup")
    layout.build_processes()
    layout.data = layout.seed()
    return layout


def fetch(url, source="127.0.0.1", headers=None, certificate=None):
    """A request from the loopback address `source` (a client of its own), with the site's
    Host; (response, body)."""
    import http.client
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=certificate)
        context.check_hostname = False  # the certificate is for 127.0.0.1, the Host the site's
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, context=context, source_address=(source, 0), timeout=30
        )
    else:
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port, source_address=(source, 0), timeout=30
        )
    try:
        target = f"{parts.path}?{parts.query}" if parts.query else parts.path
        headers = {"Host": FRONT_HOST, **(headers or {})}
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def readyz(address, source="127.0.0.1"):
    response, body = fetch(address + "/readyz", source)
    return response.status, body.decode()
