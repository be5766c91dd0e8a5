"""Delivery channels for the outbox: e-mail today; SMS or a messenger later.

A channel is a class with `send(message)` that raises on failure (the outbox then retries with
back-off) and returns normally once the message has been handed over. Channels are named in
settings.HEARING_CHANNELS, so adding SMS means writing one class and one settings line; an
`OutboxMessage.channel` says which one delivers it.
"""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from core.text import one_line


class Channel:
    def send(self, message):
        raise NotImplementedError


class EmailChannel(Channel):
    """Sends through Django's e-mail backend (SMTP in production); headers such as
    List-Unsubscribe come from the message row."""

    def send(self, message):
        headers = {**(message.headers or {}), "Message-ID": message_id(message)}
        email = EmailMessage(
            subject=one_line(message.subject),  # rows queued before titles were cleaned
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers=headers,
            connection=get_connection(fail_silently=False),
        )
        email.send(fail_silently=False)


def message_id(message):
    """The same Message-ID on every try of one outbox row: its idempotency key.

    A retry after a lost acknowledgement (or after a sender died mid-batch) is then the same
    message to mail servers and clients, which drop the duplicate.
    """
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{message.dedupe_key}".encode()).hexdigest()
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox.{digest[:40]}@{domain}>"


def get_channel(name):
    path = getattr(settings, "HEARING_CHANNELS", {}).get(name)
    if not path:
        raise LookupError(f"no delivery channel named {name!r}")
    return import_string(path)()
