"""The trusted-proxy rule (core/proxies.py): the real client address behind proxies, from the
listed networks only."""

import pytest
from django.test import RequestFactory

from core.proxies import client_ip


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
