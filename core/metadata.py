"""What a page says about itself: absolute addresses and schema.org structured data (JSON-LD)."""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

SCHEMA = "https://schema.org"


def absolute(path):
    """A path on the public site (SITE_URL), whatever host name the request came through: links
    in e-mails, feeds, API responses and exports are kept by others, and pages are cached whole."""
    return settings.SITE_URL + path


def path_template(view, key):
    """The path of `view`'s page, in the active language, with `{}` for its `key`: a list or
    an export fills in its rows with `str.format` instead of reversing each one."""
    return reverse(view, kwargs={key: "999999999"}).replace("999999999", "{}")


def absolute_template(view, key):
    """`path_template` as an absolute address (`absolute`), for links to the public site."""
    return absolute(path_template(view, key))


def absolute_media(url):
    """A file's address for other sites (Open Graph): storage may already give a full URL."""
    return url if url.startswith(("http://", "https://")) else absolute(url)


def ld_json(data):
    """`data` as a `<script type="application/ld+json">` element, escaped as `json_script` does
    (`<`, `>` and `&` as \\u escapes), so no text in it can close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    text = text.translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
