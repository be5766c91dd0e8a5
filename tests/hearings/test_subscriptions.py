"""E-mail subscriptions (double opt-in, one-click unsubscribe) and the outbox."""

import datetime
import smtplib
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearings import notifications, services
from hearings.models import OutboxMessage, Subscription
from tests.factories import HearingFactory, PlaceFactory, SubscriptionFactory, UserFactory

from .conftest import local_at

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
FAILING = "tests.hearings.test_subscriptions.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.HEARING_OUTBOX_BACKOFF_SECONDS = 60
    settings.HEARING_OUTBOX_MAX_ATTEMPTS = 3


@pytest.fixture
def staff():
    return UserFactory(staff=True)


def test_double_opt_in_and_one_click_unsubscribe(client, staff):
    """Subscribe → confirmation e-mail only; confirm → news arrives with an unsubscribe link
    and header; the link stops everything at once."""
    district = PlaceFactory(district=True)
    village = PlaceFactory(parent=district)
    response = client.post(
        reverse("hearings:subscribe"), {"email": "Dana@Example.org", "place": village.kato_code}
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.email == "dana@example.org"
    assert not subscription.is_active()

    hearing = HearingFactory(territory=[district])
    services.announce_hearing(acting_user=staff, hearing=hearing)
    notifications.send_due()
    assert len(mail.outbox) == 1  # only the confirmation, not the news
    assert subscription.token in mail.outbox[0].body

    confirm_url = reverse("hearings:confirm", args=[subscription.token])
    assert client.get(confirm_url).status_code == 200  # a page with a button: nothing changes
    subscription.refresh_from_db()
    assert not subscription.is_active()
    client.post(confirm_url)
    subscription.refresh_from_db()
    assert subscription.is_active()
    assert client.post(confirm_url).status_code == 404  # the confirmation link is single-use

    services.cancel_hearing(acting_user=staff, hearing=hearing, reason="Withdrawn.")
    notifications.send_due()
    assert len(mail.outbox) == 2
    news = mail.outbox[1]
    unsubscribe_url = reverse("hearings:unsubscribe", args=[subscription.unsubscribe_token])
    assert subscription.unsubscribe_token != subscription.token
    assert unsubscribe_url.split("/", 2)[2] in news.body
    assert unsubscribe_url.split("/", 2)[2] in news.extra_headers["List-Unsubscribe"]
    assert news.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    client.get(unsubscribe_url)  # a mail scanner opening the link unsubscribes nobody
    subscription.refresh_from_db()
    assert subscription.is_active()
    client.post(unsubscribe_url)
    subscription.refresh_from_db()
    assert not subscription.is_active()

    # The old confirmation e-mail cannot subscribe the address again.
    assert client.post(confirm_url).status_code == 404
    subscription.refresh_from_db()
    assert not subscription.is_active()


def test_mail_program_one_click_post_without_csrf():
    """RFC 8058: the mail program POSTs List-Unsubscribe=One-Click; no CSRF token needed."""
    subscription = SubscriptionFactory(confirmed=True)
    response = Client(enforce_csrf_checks=True).post(
        reverse("hearings:unsubscribe", args=[subscription.unsubscribe_token]),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 204
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_no_notifications_for_drafts(staff):
    """Creating and editing a draft tells nobody."""
    village = PlaceFactory()
    SubscriptionFactory(place=village, confirmed=True)
    hearing = HearingFactory(territory=[village])
    assert notifications.queue_hearing_news(hearing, OutboxMessage.Kind.ANNOUNCED) == 0
    assert not OutboxMessage.objects.exists()


def test_same_news_is_queued_once(staff):
    """Queueing the same news twice leaves one message per subscriber."""
    village = PlaceFactory()
    SubscriptionFactory(place=village, confirmed=True)
    hearing = HearingFactory(announced=True, territory=[village])
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.ANNOUNCED)
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.ANNOUNCED)
    assert OutboxMessage.objects.count() == 1


def test_failing_smtp_loses_nothing_and_sends_nothing_twice(settings):
    """With the mail server down the message waits with back-off; once it is back the message
    goes out exactly once."""
    village = PlaceFactory()
    SubscriptionFactory(place=village, confirmed=True)
    hearing = HearingFactory(announced=True, territory=[village])
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.ANNOUNCED)

    settings.EMAIL_BACKEND = FAILING
    now = timezone.now()
    result = notifications.send_due(now=now)
    assert result.retrying == 1 and result.sent == 0
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "SMTPServerDisconnected" in message.last_error
    assert message.next_attempt_at == now + datetime.timedelta(seconds=60)

    # Not due yet: nothing is attempted.
    assert notifications.send_due(now=now + datetime.timedelta(seconds=30)).retrying == 0
    # Second failure doubles the wait.
    notifications.send_due(now=now + datetime.timedelta(seconds=61))
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == now + datetime.timedelta(seconds=61 + 120)

    settings.EMAIL_BACKEND = LOCMEM
    later = now + datetime.timedelta(hours=1)
    assert notifications.send_due(now=later).sent == 1
    assert notifications.send_due(now=later + datetime.timedelta(hours=1)).sent == 0
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_retries_end_in_failed_not_deleted(settings):
    """After the last attempt the message is kept as failed, for someone to look at."""
    settings.EMAIL_BACKEND = FAILING
    SubscriptionFactory(confirmed=True)
    subscription = Subscription.objects.get()
    notifications.queue_confirmation(subscription)
    now = timezone.now()
    for hours in range(3):
        notifications.send_due(now=now + datetime.timedelta(hours=hours))
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 3


def test_claimed_messages_are_not_claimed_again():
    """A second worker finds nothing to send while the first holds the rows."""
    SubscriptionFactory(confirmed=True)
    notifications.queue_confirmation(Subscription.objects.get())
    now = timezone.now()
    first = notifications.claim(10, now)
    second = notifications.claim(10, now + datetime.timedelta(seconds=1))
    assert len(first) == 1 and second == []


def test_unsubscribed_before_sending_gets_nothing(staff):
    """A message queued before the unsubscribe click is not sent."""
    village = PlaceFactory()
    subscription = SubscriptionFactory(place=village, confirmed=True)
    hearing = HearingFactory(announced=True, territory=[village])
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.ANNOUNCED)
    services.unsubscribe(token=subscription.unsubscribe_token)
    result = notifications.send_due()
    assert result.skipped == 1 and len(mail.outbox) == 0


def test_reminder_queued_once_and_command_sends_it():
    """A hearing 2 days ahead gets one reminder per subscriber, however often cron runs."""
    village = PlaceFactory()
    SubscriptionFactory(place=village, confirmed=True)
    HearingFactory(announced=True, territory=[village], starts_at=local_at(2))
    HearingFactory(announced=True, territory=[village], starts_at=local_at(10))
    out = StringIO()
    call_command("send_notifications", stdout=out)
    call_command("send_notifications", stdout=out)
    assert OutboxMessage.objects.filter(kind="reminder").count() == 1
    assert len(mail.outbox) == 1
    assert "reminders queued: 1" in out.getvalue()


def test_subscribe_form_rejects_bad_input(client):
    """A bad address or unknown place is a message, not an error page."""
    response = client.post(
        reverse("hearings:subscribe"), {"email": "not-an-address", "place": "123"}
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists()


@pytest.mark.usefixtures("binding_rules")
def test_overdue_protocol_alerts_the_organiser_once():
    """The organiser's public address hears once that a protocol is overdue (by a verified rule:
    an unverified one alerts nobody, see test_honest_clock)."""
    hearing = HearingFactory(held=True, starts_at=local_at(-10))
    hearing.organiser.email = "akimat@example.kz"
    hearing.organiser.save()
    HearingFactory(held=True, starts_at=local_at(-3))  # not late yet
    call_command("send_notifications", stdout=StringIO())
    call_command("send_notifications", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["akimat@example.kz"]]
    assert hearing.registration_number in mail.outbox[0].body


def test_place_pages_carry_no_csrf_token_and_the_box_still_works():
    """The subscribe box needs no token (core/crossorigin.py): a place page is the same bytes
    for every resident and sets no cookie, and the box's POST is accepted without a token."""
    village = PlaceFactory()
    resident = Client(enforce_csrf_checks=True)
    page = resident.get(village.get_absolute_url())
    assert b'action="' + reverse("hearings:subscribe").encode() in page.content
    assert b"csrfmiddlewaretoken" not in page.content
    assert "csrftoken" not in page.cookies
    response = resident.post(
        reverse("hearings:subscribe") + f"?place={village.kato_code}",
        {"email": "aigul@example.org", "place": village.kato_code},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 200
    assert Subscription.objects.filter(email="aigul@example.org").exists()


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, True),
        ({"HTTP_SEC_FETCH_SITE": "same-site"}, True),
        ({"HTTP_ORIGIN": "https://evil.example"}, True),
        ({"HTTP_ORIGIN": "null"}, True),
        ({"HTTP_ORIGIN": "http://testserver"}, False),
        ({"HTTP_SEC_FETCH_SITE": "none"}, False),
        ({}, False),  # an old browser or a script: no ambient authority to borrow
    ],
)
def test_a_cross_origin_subscription_is_refused(headers, refused):
    village = PlaceFactory()
    response = Client(enforce_csrf_checks=True).post(
        reverse("hearings:subscribe"),
        {"email": "dana@example.org", "place": village.kato_code},
        **headers,
    )
    assert (response.status_code == 403) is refused
    assert Subscription.objects.exists() is not refused
