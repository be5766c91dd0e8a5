from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = _("Disclosures")

    def ready(self):
        from core.caching import watch
        from disclosures.models import (
            Confirmation,
            Disclosure,
            Document,
            Photo,
            Question,
            ResidentFeedback,
            StatusChange,
        )

        # Public pages (the village page included) are cached by content version.
        watch(Disclosure, StatusChange, Photo, Document, Confirmation, ResidentFeedback, Question)
