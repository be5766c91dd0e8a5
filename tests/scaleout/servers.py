"""Real shared services for the scale-out tests, each on a free loopback port: Debian's
redis-server, moto's S3-compatible server (from PyPI), PostgreSQL clusters from the machine's
binaries (a streaming replica of the suite's), gunicorn app servers and outbox workers.
Every process is started in a session of its own and stopped by its id when the test ends."""

import glob
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD_UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/srv/ashyq"  # where docs/operations.md puts the checkout, named in the units
S3_KEY = "scaleout-test"
S3_SECRET = "scaleout-test-secret"  # noqa: S105 — moto accepts any key


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def wait_until(condition, seconds=60, every=0.2, message=lambda: ""):
    """Until `condition()` is true, at most `seconds` (a bound, not a measurement)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {message()}"
        time.sleep(every)


def start(args, **kwargs):
    kwargs.setdefault("stdout", subprocess.DEVNULL)
    kwargs.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(args, cwd=ROOT, start_new_session=True, **kwargs)


def stop(process, sig=signal.SIGTERM, seconds=10):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def unit_settings(name):
    """The `Key=value` lines of a shipped systemd unit (deploy/systemd/NAME), in order."""
    lines = (SYSTEMD_UNITS / name).read_text().splitlines()
    return [tuple(line.split("=", 1)) for line in lines if "=" in line and line[0] not in "#;"]


def unit_command(name):
    """A shipped service's ExecStart for this checkout: its programs from this virtualenv (the
    unit's WorkingDirectory is the checkout, where `start` runs everything)."""
    (command,) = [value for key, value in unit_settings(name) if key == "ExecStart"]
    programs = f"{INSTALLED}/.venv/bin/"
    assert INSTALLED not in command.replace(programs, ""), command
    return shlex.split(command.replace(programs, f"{Path(sys.executable).parent}/"))


def start_app_server(port, env, workers=1, threads=2, drain_seconds=0, **kwargs):
    """An app server as deploy/systemd/ashyq-web.service starts it (gunicorn with the shipped
    deploy/gunicorn.conf.py), sized by the GUNICORN_* variables of /etc/ashyq/env, on a loopback
    port; SIGTERM keeps it serving, /readyz answering 503, for `drain_seconds` before it stops."""
    sizes = {"GUNICORN_WORKERS": workers, "GUNICORN_THREADS": threads}
    return start(
        unit_command("ashyq-web.service"),
        env={
            **env,
            **{name: str(value) for name, value in sizes.items()},
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_DRAIN_SECONDS": str(drain_seconds),
        },
        **kwargs,
    )


def debian_binary(package, name=None):
    """A Debian package's program (also looked for in /usr/sbin), or a skip saying why (a
    failure under CI=true, where scripts/test installs it)."""
    name = name or package
    binary = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if binary:
        return binary
    reason = f"{name} is not installed (apt-get install {package}; scripts/test does)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " and CI=true: the scale-out tests must run")
    pytest.skip(reason)


def start_redis(folder, port=None):
    """A redis-server on `port` (default: a free one); returns (process, URL)."""
    binary = debian_binary("redis-server")
    port = port or free_port()
    process = start(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder), "--protected-mode", "no"]
    )
    wait_for_port(port, process)
    return process, f"redis://127.0.0.1:{port}/0"


def start_s3(bucket=None):
    """moto's S3-compatible server, with one empty private bucket if `bucket` is named; returns
    (process, endpoint)."""
    port = free_port()
    process = start([str(Path(sys.executable).parent / "moto_server"), "-p", str(port)])
    wait_for_port(port, process)
    endpoint = f"http://127.0.0.1:{port}"
    if bucket:
        s3_client(endpoint).create_bucket(Bucket=bucket)
    return process, endpoint


def s3_client(endpoint, region="us-east-1"):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
        region_name=region,
    )


def s3_environment(endpoint, bucket):
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": S3_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
    }


def s3_storage_settings(endpoint, bucket, expire=300):
    """STORAGES["default"] for tests in this process (the environment variables' equivalent)."""
    return {
        "BACKEND": "core.storage.PrivateMediaStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "addressing_style": "path",
            "signature_version": "s3v4",
            "access_key": S3_KEY,
            "secret_key": S3_SECRET,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": expire,
            "file_overwrite": False,
        },
    }


def current_database_url():
    """The URL of the database this test process uses (the test database on the suite's
    throwaway PostgreSQL), for processes started by the test."""
    params = connection.settings_dict
    host = params["HOST"] or "127.0.0.1"
    user = params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{params['PORT']}/{params['NAME']}"


def base_environment(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env |= {
        "DATABASE_URL": current_database_url(),
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # On a loaded test machine a check may take longer than /readyz's 0.9 s: its time-out
        # is tested in test_readyz.py, not by every server's readiness.
        "READYZ_TIMEOUT": "20",
    }
    return env | extra


def pg_bin():
    """The newest PostgreSQL binaries (or PG_BIN), or None."""
    if os.environ.get("PG_BIN") and Path(os.environ["PG_BIN"], "initdb").exists():
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(found[0]).parent if found else None


class Cluster:
    """A PostgreSQL cluster of our own in `folder`, on a free loopback port, run as the
    `postgres` user when we are root (initdb and postgres refuse root)."""

    def __init__(self, bin_dir, folder):
        self.bin, self.folder, self.port = bin_dir, Path(folder), free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self.folder.chmod(0o755)

    def run(self, *args):
        subprocess.run([*self.as_postgres, *args], check=True, capture_output=True, timeout=120)

    def init(self, *options):
        """initdb without its final sync to disk (the cluster is a test's own, run with
        fsync=off): on a busy disk the sync alone was about 4 s of waiting."""
        self.run(
            str(self.bin / "initdb"),
            *("-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres"),
            *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync", *options),
        )

    def basebackup(self, host, port):
        """This cluster becomes a streaming replica of the one at host:port (`pg_basebackup -R`
        writes standby.signal and primary_conninfo)."""
        self.run(
            str(self.bin / "pg_basebackup"),
            *("-h", host, "-p", str(port), "-U", "postgres", "-D", str(self.folder / "data")),
            *("-R", "--checkpoint=fast", "--wal-method=stream"),
        )

    def start(self):
        self.run(
            str(self.bin / "pg_ctl"),
            *("-D", str(self.folder / "data"), "-l", str(self.folder / "log"), "-w", "-t", "60"),
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self, mode="fast"):
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop"
        )

    def url(self, name="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def restore(self, dump):
        """Load `dump` (the `migrated_database` fixture) into the `postgres` database: the
        schema and rows `manage.py migrate` would make, in a second instead of a migrate."""
        subprocess.run(
            [str(self.bin / "pg_restore"), "--no-owner", "--exit-on-error", "-d", self.url()]
            + [str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )


def shipped_site(values):
    """deploy/nginx/ashyq.conf with each line marked `# test: NAME` replaced by values[NAME]
    (kept indented), or dropped when NAME is "removed"."""
    lines, marks = [], set()
    for line in (ROOT / "deploy" / "nginx" / "ashyq.conf").read_text().splitlines():
        code, marked, mark = line.partition("# test: ")
        if not marked or not code.strip():
            lines.append(line)
            continue
        marks.add(mark)
        if mark != "removed":
            indent = code[: len(code) - len(code.lstrip())]
            lines.append(indent + values[mark])
    assert marks == {*values, "removed"}, f"the shipped site marks {marks}"
    return "\n".join(lines) + "\n"


def self_signed_certificate(folder):
    """A certificate for 127.0.0.1 and its key, made by openssl; returns their paths."""
    certificate, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return certificate, key


def start_nginx(folder, site):
    """nginx (master and one worker, not a daemon) serving `site` from a folder of its own."""
    binary = debian_binary("nginx")
    (folder / "site.conf").write_text(site)
    temp = "".join(
        f"{kind}_temp_path {folder / kind};\n" for kind in ("client_body", "proxy", "fastcgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # to read the test's files
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\naccess_log {folder / 'access.log'};\n"
        f"{temp}uwsgi_temp_path {folder / 'uwsgi'};\nscgi_temp_path {folder / 'scgi'};\n"
        f"include {folder / 'site.conf'};\n}}\n"
    )
    config = ["-p", str(folder), "-e", str(folder / "error.log"), "-c", str(folder / "nginx.conf")]
    checked = subprocess.run([binary, "-t", *config], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    return start([binary, *config], stderr=(folder / "stderr.log").open("w"))


def start_front(folder, app_addresses, static_folder):
    """nginx with the shipped site in front of the app servers at `app_addresses` ("host:port"),
    TLS with a self-signed certificate, on free loopback ports; returns (the nginx process, its
    http address, its https address, the certificate). Used by the tests and by `make bench`."""
    certificate, key = self_signed_certificate(folder)
    http_port, https_port = free_port(), free_port()
    site = shipped_site(
        {
            "app server A": f"server {app_addresses[0]} max_fails=1 fail_timeout=5s;",
            "app server B": f"server {app_addresses[1]} max_fails=1 fail_timeout=5s;",
            "http port": f"listen 127.0.0.1:{http_port} default_server;",
            "https port": f"listen 127.0.0.1:{https_port} ssl http2 default_server;",
            "certificate": f"ssl_certificate {certificate};",
            "key": f"ssl_certificate_key {key};",
            "static folder": f"alias {static_folder}/;",
        }
    )
    nginx = start_nginx(folder, site)
    try:
        wait_for_port(http_port, nginx)
        wait_for_port(https_port, nginx)
    except BaseException:
        stop(nginx)
        raise
    return nginx, f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}", certificate
