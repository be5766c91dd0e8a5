"""gunicorn's configuration for an app server: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`
(deploy/systemd/ashyq-web.service). Command-line options override these; numbers come from
GUNICORN_* variables in the environment file.

Stopping without losing a request (SIGTERM, as systemd and every process manager stop it):
1. /readyz answers 503 "shutting down" at once, while everything else is served as usual, for
   GUNICORN_DRAIN_SECONDS (default 10): a load balancer probing /readyz takes the server out of
   rotation meanwhile (set its interval × failures below that);
2. then gunicorn's own graceful stop: the workers stop accepting connections and finish the
   requests in flight, for at most `graceful_timeout` (GUNICORN_GRACEFUL_TIMEOUT, default 30 s).
systemd's TimeoutStopSec must exceed the two together. SIGINT and SIGQUIT still stop at once.

The flag between the two is a file (SHUTDOWN_FLAG_FILE, one per master, removed at start and exit)
that every worker's /readyz looks at (core/readiness.py).

Why the master's SIGTERM handler is set here rather than in a gunicorn hook: no hook runs between
SIGTERM and the listening sockets closing (gunicorn 27: `Arbiter.handle_term` stops at once,
`stop()` closes the sockets first, `on_exit` runs after the workers are gone; `worker_int` is for
SIGINT/SIGQUIT in a worker). So `when_ready`, a hook, installs a handler that flags, waits, then
hands SIGTERM back to gunicorn's own queue (`Arbiter.signal`, its public signal entry point), and
gunicorn's graceful stop runs unchanged. A stop command instead (systemd's ExecStop) would drain
under systemd only; this drains under any process manager that sends SIGTERM.
"""

import os
import signal
import tempfile
import threading
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
control_socket_disable = True

_DRAIN_SECONDS = float(os.environ.get("GUNICORN_DRAIN_SECONDS", "10"))
# Set here, in the master, so that every worker (forked from it) reads the same path.
_FLAG = Path(
    os.environ.setdefault(
        "SHUTDOWN_FLAG_FILE",
        str(Path(tempfile.gettempdir()) / f"ashyq-gunicorn-{os.getpid()}.stopping"),
    )
)


def on_starting(server):
    _FLAG.unlink(missing_ok=True)


def when_ready(server):
    """SIGTERM to the master: flag the shutdown, then stop gracefully after the drain."""
    draining = threading.Event()

    def drain_then_stop(signum, frame):
        if draining.is_set():
            return
        draining.set()
        _FLAG.touch()
        server.log.info(
            "SIGTERM: /readyz answers 503 for %g s, then the workers finish their requests",
            _DRAIN_SECONDS,
        )
        threading.Timer(_DRAIN_SECONDS, server.signal, (signal.SIGTERM, None)).start()

    signal.signal(signal.SIGTERM, drain_then_stop)


def on_exit(server):
    _FLAG.unlink(missing_ok=True)
