from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "hearings"
    verbose_name = _("Public hearings")

    def ready(self):
        from projects.caching import watch

        from .models import Hearing, HearingComment, HearingDocument, HearingPromise, LearnedOf

        # Public pages (the village page included) are cached by content version.
        watch(Hearing, HearingComment, HearingDocument, HearingPromise, LearnedOf)
