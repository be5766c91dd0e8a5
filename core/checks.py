"""System checks for a production deployment (run by `manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


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
