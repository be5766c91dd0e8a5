"""Rate limits that fit villages: the real client address behind proxies, accepted submissions
only, per browser and per address (with a higher ceiling for a shared address)."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from hearings.models import HearingComment
from tests.factories import HearingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


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
