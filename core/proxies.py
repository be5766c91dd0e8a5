"""The trusted-proxy rule, in one place: which peers are our proxies, the client address behind
them, and the scheme they forward.

The client's address is REMOTE_ADDR, unless the connection comes from one of the TRUSTED_PROXIES
networks: then it is the rightmost X-Forwarded-For entry that is not itself a trusted proxy (each
proxy appends the address it saw). Entries further left are written by the client and never
trusted, and a request that reaches the app directly, not through a listed proxy, is judged by
its own address whatever X-Forwarded-For it carries. Rate limits (core/ratelimit.py), sign-in
throttling (django-axes, AXES_CLIENT_IP_CALLABLE) and the API throttles count by it. The scheme
header (SECURE_PROXY_SSL_HEADER, X-Forwarded-Proto) is believed from the same networks only:
`ForwardedProtoMiddleware` drops it from every other peer. `in_networks` also serves the health
probes' HEALTH_PROBE_NETWORKS.
"""

import functools
import ipaddress

from django.conf import settings


@functools.cache
def _networks(cidrs):
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def _address(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted_proxy(address, networks):
    return address is not None and any(address in network for network in networks)


def in_networks(value, cidrs):
    """Whether the address `value` (a string) lies in one of the networks `cidrs`."""
    return _is_trusted_proxy(_address(value), _networks(tuple(cidrs)))


def client_ip(request, *args, **kwargs):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXIES the address the first of
    them saw. Always a valid IP address (a malformed forwarded entry is not believed)."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _is_trusted_proxy(_address(remote), networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = remote
    for entry in reversed([part for part in forwarded if part.strip()]):
        address = _address(entry)
        if address is None:
            break
        client = str(address)
        if not _is_trusted_proxy(address, networks):
            break
    return client


class ForwardedProtoMiddleware:
    """Django believes SECURE_PROXY_SSL_HEADER from whoever sends it; this middleware, first in
    MIDDLEWARE, removes the header from requests that do not come from a TRUSTED_PROXIES network,
    so a client reaching an app server directly over plain http is not taken for https (no secure
    cookies or HSTS sent over http, no skipped redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        remote = request.META.get("REMOTE_ADDR", "")
        if header and not in_networks(remote, settings.TRUSTED_PROXIES):
            request.META.pop(header[0], None)
        return self.get_response(request)
