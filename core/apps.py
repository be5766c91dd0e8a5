from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The machinery every app uses; it imports no app of ours."""

    name = "core"
    verbose_name = _("Site machinery")

    def ready(self):
        from core import caching, checks, lookups, opendata  # noqa: F401, PLC0415 - models ready now

        lookups.register()
        caching.connect()
        opendata.connect()
