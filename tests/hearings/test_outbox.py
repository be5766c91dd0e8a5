"""The outbox survives a dead sender and a long mail outage, says what it did, and gives every
message one idempotency key (its Message-ID)."""

import datetime
import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from hearings import notifications
from hearings.models import OutboxMessage, Subscription
from tests.factories import SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _defaults(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.HEARING_OUTBOX_MAX_ATTEMPTS = 40
    settings.HEARING_OUTBOX_BACKOFF_SECONDS = 60
    settings.HEARING_OUTBOX_BACKOFF_MAX_SECONDS = 6 * 3600
    settings.HEARING_OUTBOX_LEASE_SECONDS = 900


def queued_message():
    SubscriptionFactory(confirmed=True)
    notifications.queue_confirmation(Subscription.objects.get())
    return OutboxMessage.objects.get()


def test_a_message_left_sending_is_retried_after_the_lease(caplog):
    """A sender killed mid-batch leaves rows 'sending': after the lease another run sends them."""
    message = queued_message()
    now = timezone.now()
    assert notifications.claim(10, now)  # ... and the sender dies here
    assert notifications.send_due(now=now + datetime.timedelta(minutes=5)).sent == 0
    with caplog.at_level(logging.INFO, logger="hearings.outbox"):
        result = notifications.send_due(now=now + datetime.timedelta(minutes=16))
    assert result.sent == 1 and len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert "past the lease" in caplog.text and f"sent message {message.pk}" in caplog.text


def test_back_off_is_capped_and_keeps_trying_for_days(settings):
    """Waits double up to six hours; the default attempts span more than five days."""
    assert notifications.backoff(1) == 60
    assert notifications.backoff(5) == 16 * 60
    assert notifications.backoff(30) == 6 * 3600
    assert notifications.backoff(10_000) == 6 * 3600
    total = sum(notifications.backoff(n) for n in range(1, settings.HEARING_OUTBOX_MAX_ATTEMPTS))
    assert total > 5 * 24 * 3600


def test_a_two_day_outage_loses_nothing(settings):
    """With the mail server down for two days, the message waits and goes out afterwards."""
    message = queued_message()
    settings.EMAIL_BACKEND = "tests.hearings.test_outbox.DownBackend"
    now = timezone.now()
    clock = now
    while clock < now + datetime.timedelta(days=2):
        notifications.send_due(now=clock)
        clock += datetime.timedelta(minutes=30)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts > 5
    settings.EMAIL_BACKEND = LOCMEM
    notifications.send_due(now=message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and len(mail.outbox) == 1


def test_giving_up_is_logged_as_an_error_and_shown_to_staff(client, settings, caplog):
    settings.EMAIL_BACKEND = "tests.hearings.test_outbox.DownBackend"
    settings.HEARING_OUTBOX_MAX_ATTEMPTS = 2
    message = queued_message()
    now = timezone.now()
    with caplog.at_level(logging.WARNING, logger="hearings.outbox"):
        notifications.send_due(now=now)
        notifications.send_due(now=now + datetime.timedelta(hours=1))
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert any(r.levelno == logging.ERROR and "gave up" in r.getMessage() for r in caplog.records)
    client.force_login(UserFactory(staff=True, is_superuser=True))
    page = client.get(reverse("admin:hearings_outboxmessage_changelist") + "?status__exact=failed")
    assert page.status_code == 200
    assert "SMTPServerDisconnected" in page.content.decode()


def test_every_try_of_a_message_has_the_same_message_id(settings):
    """The idempotency key: a retried message is the same message to mail servers."""
    message = queued_message()
    notifications.send_due()
    first = mail.outbox[0].extra_headers["Message-ID"]
    message.refresh_from_db()
    message.status = OutboxMessage.Status.PENDING
    message.save(update_fields=["status"])
    notifications.send_due(now=timezone.now() + datetime.timedelta(seconds=1))
    assert mail.outbox[1].extra_headers["Message-ID"] == first
    assert first.startswith("<outbox.") and first.endswith(">")


class SlowBackend(BaseEmailBackend):
    """Each message takes five minutes of the test's clock; while the fourth is being sent, a
    second worker runs (its lease judged on the same clock)."""

    clock = None
    recipients = []

    def send_messages(self, messages):
        cls = type(self)
        cls.clock[0] += datetime.timedelta(minutes=5)
        cls.recipients += [m.to[0] for m in messages]
        if len(cls.recipients) == 4 and not getattr(cls, "second_ran", False):
            cls.second_ran = True
            notifications.send_due()
        return len(messages)


def test_a_slow_batch_is_never_sent_twice(settings, monkeypatch):
    """Five messages at five minutes each outlive a 15-minute lease: a second worker starting
    meanwhile takes only messages nobody holds, so each goes out once (issue 21)."""
    for _ in range(5):
        notifications.queue_confirmation(SubscriptionFactory())
    clock = [timezone.now() + datetime.timedelta(seconds=1)]
    monkeypatch.setattr(SlowBackend, "clock", clock)
    monkeypatch.setattr(SlowBackend, "recipients", [])
    monkeypatch.setattr(SlowBackend, "second_ran", False, raising=False)
    monkeypatch.setattr(notifications.timezone, "now", lambda: clock[0])
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    notifications.send_due()
    assert SlowBackend.second_ran
    assert sorted(SlowBackend.recipients) == sorted(
        OutboxMessage.objects.values_list("recipient", flat=True)
    )
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
