"""Sign-in and password reset that cannot be turned against the officials who use them.

Three layers, all keyed so that someone sharing an official's address (an akimat's office, a
village's mobile carrier) cannot lock that official out:

- django-axes locks one combination of e-mail, address and browser (user agent) after
  AXES_FAILURE_LIMIT wrong passwords, for AXES_COOLOFF_TIME. An attacker at the same address
  locks only their own browser's combination.
- Per account, whatever the address: past AXES_FAILURE_LIMIT failures in the cool-off window,
  each further try waits 2, 4, 8 ... seconds after the previous failure, at most
  SIGNIN_MAX_DELAY_SECONDS. The wait is a refusal, not a sleep: no worker is held, and the
  password is not checked meanwhile. Guessing is slowed to one try a minute across all
  addresses; the owner waits at most a minute.
- The owner's way out: a completed password reset clears every failure of the account.

The counts are axes' own rows in the database, so every server process sees the same.

Password reset (`core.forms.PasswordResetRequestForm`) answers the same page whether the address
has an account or not, and whether a limit was reached or not. It is limited per account and per
address (PASSWORD_RESET_PER_ACCOUNT, PASSWORD_RESET_PER_ADDRESS an hour, counted like the
residents' forms), and its e-mail is rendered in the request but sent by a background thread
(`send_later`), so a mail server that stalls holds no worker and the answer's timing does not
tell whether an account exists. The hearings' outbox is not used: it lives above the kernel, and
it would keep a working reset link in the database until sent.
"""

import datetime
import logging
import math
from concurrent.futures import ThreadPoolExecutor

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

logger = logging.getLogger(__name__)

# One thread per process sends the reset e-mails in turn; a stalled server delays only them.
MAIL_SENDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-reset-mail")


def account_wait(username, request=None):
    """Seconds this account's next sign-in must still wait (0: it may try now).

    A combination axes has locked gets axes' own answer (429) rather than this delay."""
    if not username:
        return 0
    if request is not None and not AxesProxyHandler.is_allowed(request, {"username": username}):
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures = recent["failures"] or 0
    if failures < settings.AXES_FAILURE_LIMIT:
        return 0
    delay = min(
        2 ** (failures - settings.AXES_FAILURE_LIMIT + 1), settings.SIGNIN_MAX_DELAY_SECONDS
    )
    ready_at = recent["last"] + datetime.timedelta(seconds=delay)
    return max(0, math.ceil((ready_at - timezone.now()).total_seconds()))


def clear_account(username):
    """Forget every failed sign-in of this account, from every address (after a reset)."""
    reset(username=username)


def _send(message):
    try:
        message.send()
    except Exception:  # noqa: BLE001 - nobody waits for it: log, as Django's form does
        logger.exception("Failed to send the password reset e-mail to %s", message.to)


def send_later(message):
    """Send `message` (already rendered) on the background thread; returns its future."""
    return MAIL_SENDER.submit(_send, message)
