"""Sitemaps: every page a search engine should find, in each language (with hreflang)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Q

from .models import Place


class I18nSitemap(Sitemap):
    """Each item once per language, linked to its other languages and an x-default."""

    i18n = True
    alternates = True
    x_default = True
    # 50,000 URLs per sitemap file at most: each item is one URL per language.
    limit = 15000


class PlaceSitemap(I18nSitemap):
    """Places with something on their page: a disclosure or a hearing concerning them."""

    def items(self):
        from disclosures.models import Disclosure
        from hearings.models import Hearing

        settlements = Disclosure.settlements.through.objects.filter(
            disclosure__in=Disclosure.objects.public().values("pk")
        ).values("place_id")
        territory = Hearing.territory.through.objects.filter(
            hearing__in=Hearing.objects.published().values("pk")
        ).values("place_id")
        return Place.objects.filter(Q(pk__in=settlements) | Q(pk__in=territory)).order_by(
            "kato_code"
        )
