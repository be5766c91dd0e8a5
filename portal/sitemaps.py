"""Sitemaps: every page a search engine should find, in each language (with hreflang)."""

from django.db.models import Q

from core.sitemaps import I18nSitemap
from disclosures.models import Disclosure
from hearings.models import Hearing
from projects.models import Place


class PlaceSitemap(I18nSitemap):
    """Places with something on their page: a disclosure or a hearing concerning them."""

    def items(self):
        settlements = Disclosure.settlements.through.objects.filter(
            disclosure__in=Disclosure.objects.published().values("pk")
        ).values("place_id")
        territory = Hearing.territory.through.objects.filter(
            hearing__in=Hearing.objects.published().values("pk")
        ).values("place_id")
        return Place.objects.filter(Q(pk__in=settlements) | Q(pk__in=territory)).order_by(
            "kato_code"
        )
