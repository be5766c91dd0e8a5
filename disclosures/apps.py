from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = _("Disclosures")

    def ready(self):
        from disclosures import figures, listed  # noqa: PLC0415 - models are ready only now

        figures.connect()  # the places' headline figures
        listed.connect()  # the places whose pages list each contribution
