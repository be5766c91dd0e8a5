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
