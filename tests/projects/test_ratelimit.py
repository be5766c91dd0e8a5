"""Rate limits that fit villages: the real client address behind proxies, accepted submissions
only, per browser and per address (with a higher ceiling for a shared address)."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from core.ratelimit import client_ip
from hearings.models import HearingComment
from tests.factories import HearingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "10.0.0.1", "6.6.6.6, 203.0.113.7", "10.0.0.1"),  # no proxy trusted
        (["10.0.0.0/8"], "10.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the one it saw
        (["10.0.0.0/8"], "10.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (["10.0.0.0/8"], "10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"),  # all proxies: leftmost
        (["10.0.0.0/8"], "10.0.0.1", "", "10.0.0.1"),
        (["10.0.0.0/8"], "10.0.0.1", "not-an-address", "10.0.0.1"),
        (["10.0.0.0/8"], "203.0.113.9", "6.6.6.6", "203.0.113.9"),  # not through the proxy
        (["2001:db8::/32"], "2001:db8::1", "198.51.100.4", "198.51.100.4"),
    ],
)
def test_client_address_is_counted_from_the_right(settings, proxies, remote, forwarded, expected):
    """The client-written left part of X-Forwarded-For is never trusted, and the header is
    believed only from a listed proxy network."""
    settings.TRUSTED_PROXIES = proxies
    assert client_ip(request_from(remote, forwarded)) == expected


def comment(client, hearing, text="Will the turbines be noisy?", **extra):
    return client.post(
        reverse("hearings:comment", args=[hearing.pk]),
        {"kind": "question", "text": text, **extra},
    )


def test_refused_attempts_do_not_count():
    """Ten invalid posts (honeypot, empty text) cost nothing: five good ones still go through."""
    hearing = HearingFactory(announced=True)
    browser = Client()
    for _n in range(5):
        assert comment(browser, hearing, text="").status_code == 400
        assert comment(browser, hearing, website_url="http://spam").status_code == 400
    for n in range(5):
        assert comment(browser, hearing, text=f"Question {n}").status_code == 302
    assert HearingComment.objects.count() == 5


def test_shared_address_has_a_higher_ceiling(settings):
    """Many browsers behind one address each get their own five, up to the address ceiling."""
    settings.RATELIMIT_SHARED_FACTOR = 2  # the address may send 10
    hearing = HearingFactory(announced=True)
    villagers = [Client() for _n in range(3)]
    for villager in villagers[:2]:
        for n in range(5):
            assert comment(villager, hearing, text=f"Question {n}").status_code == 302
        assert comment(villager, hearing, text="Sixth").status_code == 429
    response = comment(villagers[2], hearing, text="A third neighbour asks")
    assert response.status_code == 429
    assert "A third neighbour asks" in response.content.decode()
    assert HearingComment.objects.count() == 10


def test_forwarded_addresses_are_counted_apart_behind_a_proxy(settings):
    """Behind one trusted proxy, two villages' addresses have separate buckets."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.RATELIMIT_SHARED_FACTOR = 1
    hearing = HearingFactory(announced=True)
    for address in ("203.0.113.7", "198.51.100.9"):
        for n in range(5):
            browser = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {address}")
            assert comment(browser, hearing, text=f"Q{n}").status_code == 302
    assert HearingComment.objects.count() == 10


def test_trusted_proxies_are_read_as_networks(monkeypatch):
    """TRUSTED_PROXIES is a comma-separated list of CIDRs; empty by default."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    cases = (("10.0.0.0/8, 127.0.0.1/32", "['10.0.0.0/8', '127.0.0.1/32']"), ("", "[]"))
    for value, expected in cases:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from django.conf import settings; print(settings.TRUSTED_PROXIES)",
            ],
            cwd=root,
            env={
                "PATH": "/usr/bin:/bin",
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "TRUSTED_PROXIES": value,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout.strip() == expected, result.stderr


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_refusal_talks_to_the_resident(language):
    """A refused comment is "not sent yet", not "there is a problem": the notice keeps the
    text, says when to send again, names the paper way and blames nobody's network; Django's
    stock Kazakh is nowhere."""
    hearing = HearingFactory(announced=True)
    villager = Client()
    for n in range(5):
        assert comment(villager, hearing, text=f"Question {n}").status_code == 302
    url = reverse("hearings:comment", args=[hearing.pk]).replace("/kk/", f"/{language}/", 1)
    url = url.replace("/en/", f"/{language}/", 1)
    response = villager.post(url, {"kind": "question", "text": "Sixth"})
    assert response.status_code == 429
    html = response.content.decode()
    expected = {
        "kk": ("Хабарламаңыз әлі жіберілген жоқ", "қағаз түрінде"),
        "ru": ("Сообщение ещё не отправлено", "на бумаге"),
    }[language]
    for words in expected:
        assert words in html
    for wrong in ("Қателерді түзетіңіз", "желіңізден", "вашей сети", "Исправьте ошибки"):
        assert wrong not in html
