"""Sign-in that cannot be used against officials: someone at an official's address cannot lock
the official out, a forged X-Forwarded-For from outside the trusted proxies changes nothing,
guessing is slowed per account, and password reset is limited, answers alike for known and
unknown addresses, links to SITE_URL and sends its e-mail outside the request."""

import datetime
import threading

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse

from core import signin
from core.forms import NewPasswordForm
from tests.factories import CompanyFactory, member_of

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
OFFICE = "203.0.113.5"


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.SITE_URL = "https://ashyq.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def official():
    return member_of(CompanyFactory(), role="administrator")


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def let_time_pass(username, seconds=120):
    AccessAttempt.objects.filter(username=username).update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)
    )


def test_an_attacker_at_the_officials_address_cannot_lock_the_official_out(official):
    attacker = Client(REMOTE_ADDR=OFFICE, HTTP_USER_AGENT="curl/8.5")
    for _n in range(10):
        sign_in(attacker, official.username, "guess")
        let_time_pass(official.username)  # the attacker waits out each delay
    # The attacker's own combination is locked, even with the right password.
    assert sign_in(attacker, official.username, PASSWORD).status_code == 429
    # The official, at the same address with their own browser, is not locked out: at most
    # asked to wait out the account's delay (a minute at most), then signed in.
    browser = Client(REMOTE_ADDR=OFFICE, HTTP_USER_AGENT="Mozilla/5.0 (Official's laptop)")
    response = sign_in(browser, official.username, PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "slow_down")
    let_time_pass(official.username, seconds=61)
    response = sign_in(browser, official.username, PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in browser.session


def test_guessing_is_slowed_per_account_across_addresses(official):
    """Past five failures from anywhere, the next try waits; the password is not even checked."""
    for n in range(5):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), official.username, "guess")
    response = sign_in(Client(REMOTE_ADDR="192.0.2.1"), official.username, PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "slow_down")
    assert signin.account_wait(official.username) <= 60
    let_time_pass(official.username)
    assert sign_in(Client(REMOTE_ADDR="192.0.2.1"), official.username, PASSWORD).status_code == 302


def test_the_delay_never_exceeds_a_minute(official, settings):
    for n in range(30):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), official.username, "guess")
        let_time_pass(official.username)
    AccessAttempt.objects.filter(username=official.username).update(
        attempt_time=datetime.datetime.now(datetime.UTC)
    )
    assert 0 < signin.account_wait(official.username) <= settings.SIGNIN_MAX_DELAY_SECONDS


def test_a_forged_forwarded_header_from_outside_the_proxies_changes_nothing(official, settings):
    """With the app port reachable directly, X-Forwarded-For used to give a new address a try."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(6):
        forger = Client(REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        sign_in(forger, official.username, "guess")
        let_time_pass(official.username)
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert addresses == {OFFICE}
    forger = Client(REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert sign_in(forger, official.username, PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(official, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {OFFICE}")
    sign_in(proxied, official.username, "guess")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}


def test_a_completed_password_reset_clears_the_accounts_failures(official):
    for n in range(8):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), official.username, "guess")
    new = "a new Steppe-horse 42"
    form = NewPasswordForm(official, {"new_password1": new, "new_password2": new})
    assert form.is_valid(), form.errors
    form.save()
    assert not AccessAttempt.objects.filter(username=official.username).exists()
    assert signin.account_wait(official.username) == 0


# --- Password reset ----------------------------------------------------------------------------


def ask_reset(email, address="192.0.2.10"):
    return Client(REMOTE_ADDR=address).post(reverse("password_reset"), {"email": email})


def sent():
    signin.MAIL_SENDER.submit(lambda: None).result(timeout=30)  # the queue has been worked off
    return mail.outbox


def test_reset_answers_alike_for_known_and_unknown_addresses(official):
    known = ask_reset(official.email)
    unknown = ask_reset("nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [message.to for message in sent()] == [[official.email]]


def test_reset_link_points_at_site_url_not_the_requests_host(official, settings):
    settings.ALLOWED_HOSTS = ["*"]
    Client(REMOTE_ADDR="192.0.2.10", HTTP_HOST="evil.example").post(
        reverse("password_reset"), {"email": official.email}
    )
    (message,) = sent()
    assert "https://ashyq.example/" in message.body
    assert "evil.example" not in message.body


def test_reset_is_limited_per_account(official, settings):
    """Thirty resets in a row, from thirty addresses, reach the official three times."""
    for n in range(30):
        assert ask_reset(official.email, address=f"198.51.100.{n}").status_code == 302
    assert len(sent()) == settings.PASSWORD_RESET_PER_ACCOUNT


def test_reset_is_limited_per_address(settings):
    people = [member_of(CompanyFactory()) for _n in range(settings.PASSWORD_RESET_PER_ADDRESS + 5)]
    for person in people:
        assert ask_reset(person.email).status_code == 302
    assert len(sent()) == settings.PASSWORD_RESET_PER_ADDRESS


class StalledBackend(EmailBackend):
    """A mail server that does not answer until it is released."""

    release = threading.Event()

    def send_messages(self, messages):
        assert self.release.wait(timeout=30)
        return super().send_messages(messages)


def test_a_stalled_mail_server_holds_no_request(official, settings):
    settings.EMAIL_BACKEND = f"{__name__}.StalledBackend"
    StalledBackend.release.clear()
    response = ask_reset(official.email)  # returns although the server does not answer
    assert response.status_code == 302
    assert mail.outbox == []
    StalledBackend.release.set()
    assert [message.to for message in sent()] == [[official.email]]
