from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "hearings"
    verbose_name = _("Public hearings")

    def ready(self):
        from core.caching import watch
        from hearings.models import (
            DayTransfer,
            Hearing,
            HearingComment,
            HearingDocument,
            HearingPromise,
            LearnedOf,
            Rule,
            RuleSet,
        )

        # Public pages (the village page included) are cached by content version; the legal
        # clock on them reads the rule sets and the moved working days.
        watch(
            Hearing,
            HearingComment,
            HearingDocument,
            HearingPromise,
            LearnedOf,
            RuleSet,
            Rule,
            DayTransfer,
        )
