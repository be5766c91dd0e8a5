from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

# Open Graph locales (language_TERRITORY) of the site's languages.
OG_LOCALES = {"kk": "kk_KZ", "ru": "ru_RU", "en": "en_US"}
# Each language's name in itself, for the language switcher.
NATIVE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


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
    """(code, name in itself, address) of `path` in each language: the same path under each
    language's prefix, as no URL pattern is translated (tests/pages/test_language_links.py) —
    Django's `translate_url` resolved and reversed the path again for each language, about a
    hundredth of an uncached village page. An address that is no page (`is_page` false: a
    404 for a made-up address) stays as it is in its own language and gives each other
    language's home page; a path without a language prefix gives every language's home page."""
    prefix = next(
        (f"/{code}/" for code, _name in settings.LANGUAGES if path.startswith(f"/{code}/")), None
    )
    links = []
    for code, _name in settings.LANGUAGES:
        own = f"/{code}/"
        url = own + path[len(prefix) :] if prefix and (is_page or prefix == own) else own
        links.append((code, NATIVE_NAMES.get(code, code), url if _local(url) else own))
    return links


# The pages every page's head, header and footer link to (templates/base.html), and the other
# addresses without arguments that the public pages give (lists, feeds, exports, the
# subscription form, the map's files), by the name it gives them: {{ site_urls.home }}.
SITE_PAGES = {
    "home": "home",
    "place_search": "portal:place_search",
    "disclosures": "disclosures:list",
    "hearings": "hearings:list",
    "projects": "projects:project_list",
    "open_data": "portal:open_data",
    "disclosures_feed": "disclosures:feed",
    "hearings_feed": "hearings:feed",
    "hearings_calendar": "hearings:calendar",
    "disclosures_csv": "disclosures:export_csv",
    "disclosures_json": "disclosures:export_json",
    "legal": "legal",
    "dashboard": "portal:dashboard",
    "login": "login",
    "logout": "logout",
    "hearing_subscribe": "hearings:subscribe",
}
SITE_FILES = {
    "css": "css/site.css",
    "favicon": "favicon.svg",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "leaflet_js": "vendor/leaflet/leaflet.js",
    "map_js": "js/map.js",
}


@lru_cache(maxsize=16)
def site_urls(language, _script_prefix):
    """The addresses of SITE_PAGES and SITE_FILES in the active `language` under the active
    script prefix (`reverse()` puts it in front; `_script_prefix` only keys the cache): the
    same for every request of that language for the life of the process (its URLconf and its
    static files' manifest are read once), so looked up once instead of by eleven `{% url %}`
    and two `{% static %}` on every page (a third of the base template's cost). At most 16
    kept, whatever prefixes requests come with."""
    return {
        **{name: reverse(view) for name, view in SITE_PAGES.items()},
        **{name: static(path) for name, path in SITE_FILES.items()},
    }


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
    language = get_language()
    current = (language or settings.LANGUAGE_CODE)[:2]
    codes = [current, *(code for code, _n in settings.LANGUAGES if code != current)]
    locales = [OG_LOCALES[code] for code in codes if code in OG_LOCALES]
    return {
        # The page's language, for `<html lang>` and the language switcher: what Django's i18n
        # context processor gave with two more lookups no template reads (LANGUAGES, _BIDI).
        "LANGUAGE_CODE": language,
        "language_links": links,
        # The page's own Open Graph locale, then the others' (og:locale:alternate).
        "og_locale": locales[0],
        "og_alternate_locales": locales[1:],
        "canonical_url": site + canonical,
        "alternate_links": [(code, site + url) for code, _n, url in alternates],
        "default_language_url": site + default,
        "site_urls": site_urls(language, get_script_prefix()),
    }
