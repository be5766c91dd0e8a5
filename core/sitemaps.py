"""Sitemaps: every page a search engine should find, in each language (with hreflang)."""

from django.contrib.sitemaps import Sitemap


class I18nSitemap(Sitemap):
    """Each item once per language, linked to its other languages and an x-default."""

    i18n = True
    alternates = True
    x_default = True
    # 50,000 URLs per sitemap file at most: each item is one URL per language.
    limit = 15000
