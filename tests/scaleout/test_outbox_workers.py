"""Two outbox workers (`send_notifications --loop`) in two processes on the same PostgreSQL
send every message exactly once, and both take part."""

import subprocess
import time
from collections import Counter

import pytest

from hearings.channels import message_id
from hearings.models import OutboxMessage

from .servers import ROOT, base_environment, stop, unit_command

MESSAGES = 300

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.scaleout,
    # Committed rows, so the workers see them.
    pytest.mark.django_db(transaction=True),
]


def start_worker(env):
    """As deploy/systemd/ashyq-outbox.service starts one, in smaller and quicker batches."""
    return subprocess.Popen(
        unit_command("ashyq-outbox.service") + ["--limit", "10", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_two_workers_send_every_message_exactly_once(tmp_path):
    record = tmp_path / "sent.txt"
    record.touch()
    env = base_environment(
        DJANGO_SETTINGS_MODULE="tests.scaleout.worker_settings",
        OUTBOX_RECORD_FILE=str(record),
    )
    workers = [start_worker(env), start_worker(env)]
    try:
        for worker in workers:  # both are polling before the first message is queued
            assert worker.stdout.readline().strip() == "outbox worker started"
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                kind=OutboxMessage.Kind.CONFIRM,
                recipient=f"resident{n}@example.kz",
                subject="Confirm",
                body="Confirm your subscription",
                dedupe_key=f"scaleout-test:{n}",
            )
            for n in range(MESSAGES)
        )
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists():
                break
            time.sleep(0.2)
    finally:
        for worker in workers:
            stop(worker)
    outputs = [worker.stdout.read() for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), [w.stderr.read() for w in workers]
    assert all("outbox worker stopped" in output for output in outputs)

    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == {OutboxMessage.Status.SENT: MESSAGES}
    lines = [line.split() for line in record.read_text().splitlines()]
    sent_ids = Counter(mid for _pid, mid in lines)
    expected = {message_id(m) for m in OutboxMessage.objects.all()}
    assert set(sent_ids) == expected
    assert max(sent_ids.values()) == 1, "a message was delivered twice"
    by_worker = Counter(pid for pid, _mid in lines)
    assert set(by_worker) == {str(worker.pid) for worker in workers}, by_worker
    for worker, output in zip(workers, outputs, strict=True):
        assert f"sent: {by_worker[str(worker.pid)]};" in output
