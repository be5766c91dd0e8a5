"""The scheme behind a TLS proxy: X-Forwarded-Proto is believed only from the TRUSTED_PROXIES
networks, as X-Forwarded-For is. A client reaching an app server directly over plain http and
claiming https is redirected like any plain-http request, and gets no HSTS header."""

import pytest
from django.core.checks import run_checks
from django.test import Client

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.10"


@pytest.fixture(autouse=True)
def _behind_a_tls_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.ALLOWED_HOSTS = ["testserver"]


def get(remote_addr):
    client = Client(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_PROTO="https")
    return client.get("/robots.txt")


def test_the_trusted_proxy_is_believed():
    response = get(PROXY)
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers


def test_a_forged_scheme_from_elsewhere_is_not_believed():
    response = get("203.0.113.7")
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in response.headers


def test_check_refuses_a_tls_proxy_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert "ashyq.E004" in [error.id for error in run_checks()]
