from core.sitemaps import I18nSitemap
from disclosures.models import Disclosure


class DisclosureSitemap(I18nSitemap):
    """Every disclosure with a public page (withdrawn ones keep theirs, marked)."""

    def items(self):
        return Disclosure.objects.published().order_by("pk")

    def lastmod(self, disclosure):
        return disclosure.updated_at
