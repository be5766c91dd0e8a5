from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "hearings"
    verbose_name = _("Public hearings")

    def ready(self):
        from hearings import concerned, notifications  # noqa: PLC0415 - models are ready only now

        notifications.connect()  # the notice of organisations' link requests
        concerned.connect()  # the places whose pages show each hearing
