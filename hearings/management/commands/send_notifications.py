from django.core.management.base import BaseCommand

from hearings import notifications


class Command(BaseCommand):
    help = (
        "Queue due hearing reminders, then send waiting messages from the outbox, retrying "
        "failures with exponential back-off. Safe to run from cron every minute, in parallel."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="at most this many messages")

    def handle(self, *args, limit, **options):
        queued = notifications.queue_reminders()
        alerts = notifications.queue_protocol_late_alerts()
        result = notifications.send_due(limit=limit)
        self.stdout.write(
            f"reminders queued: {queued}; overdue-protocol alerts queued: {alerts}; "
            f"sent: {result.sent}; failed, will retry: {result.retrying}; "
            f"given up: {result.given_up}; skipped: {result.skipped}"
        )
