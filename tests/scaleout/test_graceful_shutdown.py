"""SIGTERM to an app server run with the shipped gunicorn configuration (deploy/gunicorn.conf.py)
loses no request: /readyz turns 503 at once while pages are still served (the drain), so a load
balancer probing it stops sending; then the workers stop accepting and finish what is in flight.
Here a "load balancer" thread probes /readyz and stops the clients when it fails, and one request
is still being sent (its headers half written) when the graceful stop begins. Select with
`-m scaleout`."""

import signal
import socket
import threading
import time

import pytest
import requests

from .servers import app_server_environment, free_port, start_app_server, stop, wait_for_port
from .test_replica_failover import wait_until

DRAIN_SECONDS = 3

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.scaleout,
    # The server reads the test database, so its rows are committed.
    pytest.mark.django_db(transaction=True),
]


def test_sigterm_drains_then_finishes_requests_in_flight(tmp_path):
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    flag = tmp_path / "stopping"
    log = tmp_path / "gunicorn.log"
    env = app_server_environment(
        SHUTDOWN_FLAG_FILE=str(flag), MEDIA_ROOT=str(tmp_path / "media"), LOG_LEVEL="INFO"
    )
    with log.open("w") as output:
        server = start_app_server(port, env, threads=4, drain_seconds=DRAIN_SECONDS, stderr=output)
    try:
        wait_for_port(port, server, seconds=60)
        assert requests.get(address + "/readyz", timeout=30).text == "ready"

        in_rotation = threading.Event()
        in_rotation.set()
        answers, probes = [], []

        def client():
            while in_rotation.is_set():
                answers.append(requests.get(address + "/en/", timeout=30).status_code)

        def load_balancer():
            while in_rotation.is_set():
                probe = requests.get(address + "/readyz", timeout=30)
                probes.append((probe.status_code, probe.text))
                if probe.status_code != 200:
                    in_rotation.clear()
                time.sleep(0.1)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(3)]
        threads.append(threading.Thread(target=load_balancer, daemon=True))
        for thread in threads:
            thread.start()
        wait_until(lambda: len(answers) >= 10)
        in_flight = socket.create_connection(("127.0.0.1", port), timeout=30)
        in_flight.sendall(b"GET /en/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # not finished yet

        server.send_signal(signal.SIGTERM)
        wait_until(lambda: not in_rotation.is_set())
        assert probes[-1] == (503, "not ready: shutting down")
        for thread in threads:
            thread.join(timeout=60)

        # The drain is over once gunicorn's own graceful stop begins: the workers stop accepting.
        wait_until(lambda: "Handling signal: term" in log.read_text(), message=log.read_text)
        in_flight.sendall(b"Connection: close\r\n\r\n")
        response = b""
        while chunk := in_flight.recv(65536):
            response += chunk
        in_flight.close()
        assert server.wait(60) == 0
    finally:
        stop(server)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    assert len(body) == length
    assert set(answers) == {200}, answers
    assert not flag.exists()
