from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The pages and files that gather every app: home, places, organisations, /data/."""

    name = "portal"
    verbose_name = _("Public pages")
