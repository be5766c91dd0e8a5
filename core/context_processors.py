from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.urls import translate_url
from django.utils.translation import get_language

# Open Graph locales (language_TERRITORY) of the site's languages.
OG_LOCALES = {"kk": "kk_KZ", "ru": "ru_RU", "en": "en_US"}


def _local(url):
    """Only a path on this site: `//evil.example/…` or `/\\evil.example` would leave it."""
    parts = urlsplit(url)
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
    )


# The query parameter that names a page of its own: a list's page number. Filters, sorting and
# tracking parameters show another view of the same page. The one rule for which addresses with a
# query are canonical: the canonical link, every hreflang link (the page's own included) and
# x-default follow it, and the sitemaps (core/sitemaps.py) list only canonical addresses.
CANONICAL_QUERY = ("page",)


def canonical_path(request):
    """This page's canonical address on the site: its path and only CANONICAL_QUERY (a page
    number past the first)."""
    path = request.path if _local(request.path) else "/"
    try:
        query = request.GET
    except SuspiciousOperation:  # the error page of a query refused as too long: its path only
        return path
    kept = [
        f"{name}={value}"
        for name in CANONICAL_QUERY
        if (value := query.get(name, "")).isdigit() and int(value) > 1
    ]
    return path + ("?" + "&".join(kept) if kept else "")


def _in_each_language(path):
    """(code, name, address) of `path` in each language; a path that cannot be translated (a
    404 for a made-up address) gives each language's home page instead of echoing it back."""
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code) if _local(path) else None
        if not url or not _local(url) or (url == path and not path.startswith(f"/{code}/")):
            url = f"/{code}/"
        links.append((code, name, url))
    return links


def site(request):
    """Links to the same page in each language: the language switcher (no JavaScript, keeping
    the filters), and the canonical and hreflang links that tell search engines the versions
    are one page (by `canonical_path`). Absolute links use SITE_URL, not the request's host:
    pages are cached for every visitor, whatever host name they came by.
    """
    path = request.get_full_path()
    links = _in_each_language(path)
    canonical = canonical_path(request)
    alternates = links if canonical == path else _in_each_language(canonical)
    site = settings.SITE_URL
    default = next(url for code, _n, url in alternates if code == settings.LANGUAGE_CODE)
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    codes = [current, *(code for code, _n in settings.LANGUAGES if code != current)]
    return {
        "language_links": links,
        "og_locales": [OG_LOCALES[code] for code in codes if code in OG_LOCALES],
        "canonical_url": site + canonical,
        "alternate_links": [(code, site + url) for code, _n, url in alternates],
        "default_language_url": site + default,
    }
