from urllib.parse import urlsplit

from django.conf import settings
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


def site(request):
    """Links to the same page in each language: the language switcher (no JavaScript), and
    the canonical and hreflang links that tell search engines the versions are one page.

    A path that cannot be translated (a 404 for a made-up address) links to each language's home
    page instead of echoing the address back. Absolute links use SITE_URL, not the request's
    host: pages are cached for every visitor, whatever host name they came by.
    """
    path = request.get_full_path()
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code) if _local(path) else None
        if not url or not _local(url) or (url == path and not path.startswith(f"/{code}/")):
            url = f"/{code}/"
        links.append((code, name, url))
    site = settings.SITE_URL
    default = next(url for code, _n, url in links if code == settings.LANGUAGE_CODE)
    here = request.path if _local(request.path) else "/"
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    codes = [current, *(code for code, _n in settings.LANGUAGES if code != current)]
    return {
        "language_links": links,
        "og_locales": [OG_LOCALES[code] for code in codes if code in OG_LOCALES],
        "canonical_url": site + here,
        "alternate_links": [(code, site + url) for code, _n, url in links],
        "default_language_url": site + default,
    }
