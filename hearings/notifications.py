"""The outbox: messages to subscribers, queued with the change they report, sent later.

Queueing writes `OutboxMessage` rows; `send_due()` (run by `manage.py send_notifications` from
cron or a worker) sends them. Guarantees:

- nothing is lost: a row stays until its channel accepted it; a failure is retried with
  exponential back-off (HEARING_OUTBOX_BACKOFF_SECONDS doubled per attempt, never more than
  HEARING_OUTBOX_BACKOFF_MAX_SECONDS apart) up to HEARING_OUTBOX_MAX_ATTEMPTS — with the defaults
  about a week of trying — after which it is kept as `failed`, logged as an error and listed for
  staff in the admin (Outbox messages, filter "failed");
- a sender that dies mid-send leaves its message `sending`; once its lease
  (HEARING_OUTBOX_LEASE_SECONDS) has run out another run claims it again. Whether the first
  try went out cannot be known, so
- nothing is sent twice by mistake: `dedupe_key` is unique, so the same news is queued once per
  subscriber; a sender claims one message at a time (status `sending`, with `SELECT … FOR UPDATE
  SKIP LOCKED` on PostgreSQL) in a short transaction of its own just before sending it, so the
  lease runs from that message's claim — a slow batch never outlives the lease of the messages it
  has not reached, and a second worker never picks up a message while its lease holds; and
  each message carries a Message-ID derived from its key (its idempotency key), the same on every
  try, so a retry after a lost acknowledgement is recognised as the same message by mail servers
  and clients;
- every claim, send, retry and give-up is logged (logger `hearings.outbox`);
- drafts notify nobody: only announced, moved, cancelled and recorded hearings produce news.
"""

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.text import one_line
from core.validators import validate_email_domain_name
from hearings import clock
from hearings.channels import get_channel
from hearings.models import Hearing, OutboxMessage, Subscription
from projects.models import LinkRequest, Membership

Kind = OutboxMessage.Kind
logger = logging.getLogger("hearings.outbox")


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def max_attempts():
    return int(getattr(settings, "HEARING_OUTBOX_MAX_ATTEMPTS", 40))


def lease_seconds():
    return int(getattr(settings, "HEARING_OUTBOX_LEASE_SECONDS", 15 * 60))


def backoff(attempts):
    """Seconds to wait after the `attempts`-th failure: 1, 2, 4, 8 … times the base, capped."""
    base = int(getattr(settings, "HEARING_OUTBOX_BACKOFF_SECONDS", 60))
    cap = int(getattr(settings, "HEARING_OUTBOX_BACKOFF_MAX_SECONDS", 6 * 60 * 60))
    return min(base * 2 ** min(max(attempts - 1, 0), 32), cap)


def _subject(kind, hearing):
    subjects = {
        Kind.ANNOUNCED: _("Public hearing announced: %(title)s"),
        Kind.RESCHEDULED: _("Public hearing moved: %(title)s"),
        Kind.CANCELLED: _("Public hearing cancelled: %(title)s"),
        Kind.REMINDER: _("Reminder: public hearing on %(title)s"),
        Kind.RECORD: _("Record of the public hearing published: %(title)s"),
        Kind.FAILED: _("Public hearing did not take place: %(title)s"),
        Kind.DECISION: _("Decision taken after the public hearing: %(title)s"),
    }
    return subjects[kind] % {"title": hearing.title}


def _message_for(subscription, kind, hearing=None, next_path=""):
    """Render one message in the subscriber's language."""
    with translation.override(subscription.language or "kk"):
        unsubscribe_url = absolute(
            reverse("hearings:unsubscribe", kwargs={"token": subscription.unsubscribe_token})
        )
        context = {
            "subscription": subscription,
            "hearing": hearing,
            "kind": kind,
            "unsubscribe_url": unsubscribe_url,
            "confirm_url": absolute(
                reverse("hearings:confirm", kwargs={"token": subscription.token})
                + (f"?{urlencode({'next': next_path})}" if next_path else "")
            ),
            "hearing_url": absolute(hearing.get_absolute_url()) if hearing else "",
            "reminder_days": getattr(settings, "HEARING_REMINDER_DAYS", 3),
        }
        if hearing is None:
            subject = _("Confirm your subscription to public hearings: %(place)s") % {
                "place": subscription.place.name
            }
            body = render_to_string("hearings/email/confirm.txt", context)
        else:
            subject = _subject(kind, hearing)
            body = render_to_string("hearings/email/hearing_news.txt", context)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return subject, body, headers


def _stamp(hearing):
    return hearing.starts_at.strftime("%Y%m%dT%H%M")


def queue_hearing_news(hearing, kind):
    """Queue `kind` news about `hearing` for every subscriber of a place it concerns."""
    if not hearing.is_published():
        return 0
    # A hearing moved twice is two pieces of news; announced once is one.
    suffix = _stamp(hearing) if kind in (Kind.RESCHEDULED, Kind.REMINDER) else ""
    rows = []
    for subscription in Subscription.objects.for_hearing(hearing):
        subject, body, headers = _message_for(subscription, kind, hearing)
        rows.append(
            OutboxMessage(
                channel="email",
                kind=kind,
                recipient=subscription.email,
                subject=one_line(subject)[:255],
                body=body,
                headers=headers,
                subscription=subscription,
                hearing=hearing,
                dedupe_key=f"{kind}:{hearing.pk}:{suffix}:{subscription.pk}",
            )
        )
    created = OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def queue_confirmation(subscription, next_path=""):
    """The double opt-in message; at most one per subscription per day."""
    subject, body, headers = _message_for(subscription, Kind.CONFIRM, next_path=next_path)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                channel="email",
                kind=Kind.CONFIRM,
                recipient=subscription.email,
                subject=one_line(subject)[:255],
                body=body,
                headers=headers,
                subscription=subscription,
                dedupe_key=f"confirm:{subscription.pk}:{timezone.localdate():%Y%m%d}",
            )
        ],
        ignore_conflicts=True,
    )


def queue_resident_notice(item, page_path):
    """Tell a resident who left an e-mail address that their question or comment is answered, or
    their word published: once per answer (a corrected answer is news again). In Kazakh and
    Russian, one under the other: the site does not know which the resident reads. A phone
    number, no contact, or an item not approved: nothing is sent."""
    email = (item.contact or "").strip()
    try:
        validate_email(email)
        validate_email_domain_name(email)
    except ValidationError:
        return 0
    if not item.is_approved():
        return 0
    answered_at = getattr(item, "answered_at", None)
    event = f"answered:{answered_at:%Y%m%dT%H%M%S.%f}" if answered_at else "published"
    context = {
        "said": getattr(item, "text", "") or getattr(item, "comment", ""),
        "answer": getattr(item, "answer", ""),
        "answered": bool(answered_at),
        "url": absolute(page_path),
    }
    subjects, bodies = [], []
    for language in ("kk", "ru"):
        with translation.override(language):
            subjects.append(
                _("Your question is answered on Ashyq Auyl")
                if answered_at
                else _("Your word is published on Ashyq Auyl")
            )
            bodies.append(render_to_string("hearings/email/resident_notice.txt", context))
    created = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                channel="email",
                kind=Kind.RESIDENT,
                recipient=email,
                subject=one_line(" / ".join(subjects))[:255],
                body="\n\n".join(bodies),
                hearing=getattr(item, "hearing", None),
                dedupe_key=f"resident:{item._meta.label_lower}:{item.pk}:{event}",
            )
        ],
        ignore_conflicts=True,
    )
    return len(created)


def connect():
    post_save.connect(queue_link_request, sender=LinkRequest, dispatch_uid="queue_link_request")


def queue_link_request(sender, instance, created, **kwargs):
    """A new request (`projects.services`) tells the administrators of the organisation asked,
    in the same transaction, that a link waits for their consent: in Kazakh and Russian, one
    under the other. The outbox lives here; projects' services cannot import it."""
    if not created:
        return
    administrators = (
        get_user_model()
        .objects.filter(
            memberships__organisation__in=instance.answering_organisations(),
            memberships__role=Membership.Role.ADMINISTRATOR,
        )
        .exclude(email="")
        .distinct()
    )
    subjects, bodies = [], []
    for language in ("kk", "ru"):
        with translation.override(language):
            subjects.append(_("An organisation asks for your consent on Ashyq Auyl"))
            bodies.append(
                render_to_string(
                    "hearings/email/link_request.txt",
                    {"link": instance, "url": absolute(reverse("projects:link_requests"))},
                )
            )
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                channel="email",
                kind=Kind.LINK_REQUEST,
                recipient=user.email,
                subject=one_line(" / ".join(subjects))[:255],
                body="\n\n".join(bodies),
                dedupe_key=f"link_request:{instance.pk}:{user.pk}",
            )
            for user in administrators
        ],
        ignore_conflicts=True,
    )


def queue_reminders(now=None):
    """Queue the reminder for hearings starting within HEARING_REMINDER_DAYS days."""
    now = now or timezone.now()
    days = int(getattr(settings, "HEARING_REMINDER_DAYS", 3))
    last_day = timezone.localdate(now) + datetime.timedelta(days=days)
    horizon = timezone.make_aware(
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
    )
    count = 0
    for hearing in Hearing.objects.upcoming(now).filter(starts_at__gte=now, starts_at__lt=horizon):
        count += queue_hearing_news(hearing, Kind.REMINDER)
    return count


def queue_protocol_late_alerts(today=None):
    """Tell each organiser, once per hearing, that its protocol is overdue (to the akimat's public
    e-mail, when it has one); the page and the akimat's dashboard flag it in any case."""
    count = 0
    late = (
        clock.late_protocols(Hearing.objects.all(), today)
        .select_related("organiser")
        .exclude(organiser__email="")
    )
    for hearing in late:
        with translation.override("ru"):
            subject = _("Protocol overdue: %(title)s") % {"title": hearing.title}
            body = render_to_string(
                "hearings/email/protocol_late.txt",
                {
                    "hearing": hearing,
                    "due": clock.protocol_deadline(hearing),
                    "hearing_url": absolute(hearing.get_absolute_url()),
                },
            )
        created = OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    channel="email",
                    kind=Kind.PROTOCOL_LATE,
                    recipient=hearing.organiser.email,
                    subject=one_line(subject)[:255],
                    body=body,
                    hearing=hearing,
                    dedupe_key=f"protocol_late:{hearing.pk}",
                )
            ],
            ignore_conflicts=True,
        )
        count += len(created)
    return count


# Messages to subscribers; they are dropped if the subscription ended after they were queued.
SUBSCRIBER_KINDS = (Kind.ANNOUNCED, Kind.RESCHEDULED, Kind.CANCELLED, Kind.REMINDER, Kind.RECORD)


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    skipped: int = 0


def claim(limit, now):
    """Mark up to `limit` due messages as `sending`, atomically, and return them.

    Due: waiting with their time come, or `sending` with an expired lease (their sender died).
    """
    claimable = Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxMessage.Status.SENDING,
        claimed_at__lt=now - datetime.timedelta(seconds=lease_seconds()),
    )
    with transaction.atomic():
        due = OutboxMessage.objects.filter(claimable).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values_list("pk", "status")[:limit])
        ids = [pk for pk, _status in rows]
        stuck = [pk for pk, status in rows if status == OutboxMessage.Status.SENDING]
        if stuck:
            logger.warning(
                "outbox: %d message(s) left 'sending' past the lease are tried again: %s",
                len(stuck),
                stuck,
            )
        OutboxMessage.objects.filter(claimable, pk__in=ids).update(
            status=OutboxMessage.Status.SENDING, claimed_at=now
        )
    return list(
        OutboxMessage.objects.filter(pk__in=ids, claimed_at=now).select_related("subscription")
    )


def send_due(limit=200, now=None):
    """Send up to `limit` messages that are due, claiming each just before sending it (its lease
    starts then); see the module docstring for the guarantees."""
    result = SendResult()
    for _attempt in range(limit):
        claimed = claim(1, now or timezone.now())
        if not claimed:
            break
        _send(claimed[0], result)
    if result.sent or result.retrying or result.given_up or result.skipped:
        logger.info(
            "outbox: sent %d, retrying %d, given up %d, skipped %d",
            result.sent,
            result.retrying,
            result.given_up,
            result.skipped,
        )
    return result


def _send(message, result):
    subscription = message.subscription
    stale = message.kind in SUBSCRIBER_KINDS and (
        subscription is None or not subscription.is_active()
    )
    if stale:
        _skip(message)
        result.skipped += 1
        return
    try:
        get_channel(message.channel).send(message)
    except Exception as error:  # noqa: BLE001 — any failure of the channel is retried
        if _failed(message, error, message.claimed_at):
            result.retrying += 1
        else:
            result.given_up += 1
    else:
        _sent(message)
        result.sent += 1


def _skip(message):
    """Unsubscribed after it was queued: never send, keep the row as the trace."""
    message.status = OutboxMessage.Status.FAILED
    message.last_error = "subscription no longer active"
    message.save(update_fields=["status", "last_error"])
    logger.info("outbox: message %s skipped, subscription no longer active", message.pk)


def _failed(message, error, now):
    """Record a failed attempt; True when the message will be tried again, False when given up."""
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    retrying = message.attempts < max_attempts()
    if retrying:
        message.status = OutboxMessage.Status.PENDING
        message.next_attempt_at = now + datetime.timedelta(seconds=backoff(message.attempts))
        logger.warning(
            "outbox: message %s attempt %d failed, next try at %s: %s",
            message.pk,
            message.attempts,
            message.next_attempt_at.isoformat(),
            message.last_error,
        )
    else:
        message.status = OutboxMessage.Status.FAILED
        logger.error(
            "outbox: gave up on message %s (%s to %s) after %d attempts: %s",
            message.pk,
            message.kind,
            message.channel,
            message.attempts,
            message.last_error,
        )
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    return retrying


def _sent(message):
    message.attempts += 1
    message.status = OutboxMessage.Status.SENT
    message.sent_at = timezone.now()
    message.save(update_fields=["attempts", "status", "sent_at"])
    logger.info(
        "outbox: sent message %s (%s) on attempt %d", message.pk, message.kind, message.attempts
    )
