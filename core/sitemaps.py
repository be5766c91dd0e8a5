"""Sitemaps: every page a search engine should find, in each language (with hreflang)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap


class I18nSitemap(Sitemap):
    """Each item once per language, linked to its other languages and an x-default."""

    i18n = True
    alternates = True
    x_default = True
    # 50,000 URLs per sitemap file at most: each item is one URL per language.
    limit = 15000

    # Addresses on the public site (SITE_URL), whatever host name the request came through: a
    # forged Host header must not put another site's name into what search engines keep.
    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_urls(self, page=1, site=None, protocol=None):
        """Django's URLs, with x-default as every page says it (core/context_processors.py):
        the address in the default language, not the address without a language prefix."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            by_language = {item["lang_code"]: item for item in url["alternates"]}
            if "x-default" in by_language and settings.LANGUAGE_CODE in by_language:
                default = by_language[settings.LANGUAGE_CODE]["location"]
                by_language["x-default"]["location"] = default
        return urls
