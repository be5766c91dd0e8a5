"""System checks: for a production deployment (`manage.py check --deploy`), and the cache
folders' safety at every start-up."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

from core.file_cache import PrivateFileBasedCache, private_folder_problem


@register(Tags.security, deploy=True)
def site_url_is_public_https(app_configs, **kwargs):
    """E-mails, feeds and printed QR codes carry SITE_URL: in production it must be https."""
    if settings.DEBUG:
        return []
    configured = getattr(settings, "SITE_URL_CONFIGURED", True)
    parts = urlsplit(settings.SITE_URL or "")
    if not configured or parts.scheme != "https" or not parts.hostname:
        return [
            Error(
                "SITE_URL must be set to the site's public https address when DEBUG is false "
                f"(it is {settings.SITE_URL!r}).",
                hint="Set SITE_URL=https://your.host in the environment; see README.md.",
                id="ashyq.E001",
            )
        ]
    return []


@register(Tags.caches, Tags.security)
def file_caches_are_private(app_configs, **kwargs):
    """A file cache holds pickles: its folder must be this user's alone (core/file_cache.py)."""
    errors = []
    for alias, config in settings.CACHES.items():
        backend = config.get("BACKEND", "")
        if not backend.endswith(("FileBasedCache", PrivateFileBasedCache.__name__)):
            continue
        problem = private_folder_problem(config.get("LOCATION", ""))
        if problem:
            errors.append(
                Error(
                    f"The {alias!r} cache's folder is refused: {problem}",
                    hint="It stores pickles, which run code when read. Set SHARED_CACHE_DIR to "
                    "a folder only this app's user can write (or remove this one).",
                    id="ashyq.E002",
                )
            )
    return errors


@register(Tags.security)
def networks_are_networks(app_configs, **kwargs):
    """TRUSTED_PROXIES and HEALTH_PROBE_NETWORKS must be networks: a typo would otherwise fail
    every request."""
    errors = []
    for name in ("TRUSTED_PROXIES", "HEALTH_PROBE_NETWORKS"):
        for cidr in getattr(settings, name, ()):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                errors.append(
                    Error(
                        f"{name} holds {cidr!r}, which is not a network.",
                        hint='Write networks as CIDRs separated by commas, e.g. "10.0.0.0/8".',
                        id="ashyq.E003",
                    )
                )
    return errors


@register(Tags.security)
def tls_proxy_is_listed(app_configs, **kwargs):
    """BEHIND_TLS_PROXY needs the proxy in TRUSTED_PROXIES: X-Forwarded-Proto is believed from
    those networks only (core.proxies.ForwardedProtoMiddleware), so without them every request
    would look like plain http and be redirected to https for ever."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.TRUSTED_PROXIES:
        return [
            Error(
                "BEHIND_TLS_PROXY is set but TRUSTED_PROXIES is empty.",
                hint="Set TRUSTED_PROXIES to the network of the proxy that terminates TLS, "
                'e.g. "10.0.0.10/32".',
                id="ashyq.E004",
            )
        ]
    return []
