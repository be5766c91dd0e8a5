import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections

from hearings import notifications
from portal import downloads

logger = logging.getLogger(__name__)

# With --loop, reminders and overdue-protocol alerts are queued at most this often (they are
# idempotent; running them on every pass would only cost queries).
QUEUE_EVERY_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Queue due hearing reminders, then send waiting messages from the outbox, retrying "
        "failures with exponential back-off, and rebuild the bulk downloads at /data/ when "
        "due. Safe to run from cron every minute, in parallel; "
        "with --loop it keeps running as a worker for a process manager (any number of them, "
        "on any number of machines: each message is claimed by one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="at most this many messages")
        parser.add_argument(
            "--loop",
            action="store_true",
            help="keep running; stop cleanly after the current batch on SIGTERM or SIGINT",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="with --loop: seconds to wait when nothing was due",
        )

    def handle(self, *args, limit, loop, interval, **options):
        if not loop:
            queued = notifications.queue_reminders()
            alerts = notifications.queue_protocol_late_alerts()
            result = notifications.send_due(limit=limit)
            self.stdout.write(
                f"reminders queued: {queued}; overdue-protocol alerts queued: {alerts}; "
                f"sent: {result.sent}; failed, will retry: {result.retrying}; "
                f"given up: {result.given_up}; skipped: {result.skipped}"
            )
            self.refresh_open_data()  # from cron as in the loop: the downloads follow
            return
        self.run_worker(limit, interval)

    def refresh_open_data(self):
        """The bulk downloads follow the content: rebuilt here, never in a request. A failure
        is logged and tried again at the next check; messages keep going."""
        try:
            manifest = downloads.refresh_if_stale()
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("open data: the build failed; trying again later")
            return
        if manifest:
            self.stdout.write(
                f"open data rebuilt for content version {manifest['content_version']}"
            )

    def run_worker(self, limit, interval):
        stopping = threading.Event()

        def stop(signum, frame):
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("outbox worker started")
        self.stdout.flush()
        totals = notifications.SendResult()
        queued_at = checked_open_data_at = float("-inf")
        while not stopping.is_set():
            # Drop connections past CONN_MAX_AGE or broken (a restarted database) between passes.
            close_old_connections()
            try:
                if time.monotonic() - queued_at >= QUEUE_EVERY_SECONDS:
                    notifications.queue_reminders()
                    notifications.queue_protocol_late_alerts()
                    queued_at = time.monotonic()
                result = notifications.send_due(limit=limit)
                if time.monotonic() - checked_open_data_at >= settings.OPEN_DATA_CHECK_SECONDS:
                    checked_open_data_at = time.monotonic()
                    self.refresh_open_data()
            except (OperationalError, InterfaceError) as error:
                # The database is away: wait and try again rather than die (rows are safe).
                self.stderr.write(f"outbox worker: database unavailable, retrying: {error}")
                close_old_connections()
                stopping.wait(interval)
                continue
            for field in ("sent", "retrying", "given_up", "skipped"):
                setattr(totals, field, getattr(totals, field) + getattr(result, field))
            handled = result.sent + result.retrying + result.given_up + result.skipped
            if handled < limit:  # a full batch means more may be waiting: go on at once
                stopping.wait(interval)
        self.stdout.write(
            f"outbox worker stopped; sent: {totals.sent}; failed, will retry: "
            f"{totals.retrying}; given up: {totals.given_up}; skipped: {totals.skipped}"
        )
