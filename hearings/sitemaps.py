from core.sitemaps import I18nSitemap
from hearings.models import Hearing


class HearingSitemap(I18nSitemap):
    """Every published hearing, cancelled ones included."""

    def items(self):
        return Hearing.objects.published().order_by("pk")

    def lastmod(self, hearing):
        return hearing.updated_at
