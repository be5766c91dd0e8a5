from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
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


def _in_each_language(path, is_page):
    """(code, name, address) of `path` in each language: the same path under each language's
    prefix, as no URL pattern is translated (tests/pages/test_language_links.py) — Django's
    `translate_url` resolved and reversed the path again for each language, about a
    hundredth of an uncached village page. An address that is no page (`is_page` false: a
    404 for a made-up address) stays as it is in its own language and gives each other
    language's home page; a path without a language prefix gives every language's home page."""
    prefix = next(
        (f"/{code}/" for code, _name in settings.LANGUAGES if path.startswith(f"/{code}/")), None
    )
    links = []
    for code, name in settings.LANGUAGES:
        own = f"/{code}/"
        url = own + path[len(prefix) :] if prefix and (is_page or prefix == own) else own
        links.append((code, name, url if _local(url) else own))
    return links


def site(request):
    """Links to the same page in each language: the language switcher (no JavaScript, keeping
    the filters), and the canonical and hreflang links that tell search engines the versions
    are one page (by `canonical_path`). Absolute links use SITE_URL, not the request's host:
    pages are cached for every visitor, whatever host name they came by.
    """
    path = request.get_full_path()
    is_page = getattr(request, "resolver_match", None) is not None
    links = _in_each_language(path, is_page)
    canonical = canonical_path(request)
    alternates = links if canonical == path else _in_each_language(canonical, is_page)
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
