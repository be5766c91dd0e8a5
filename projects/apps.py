from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Places, organisations and projects")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the deploy checks)
            lookups,
        )
        from .caching import watch
        from .models import Organisation, Place, Project, ProjectSettlement

        watch(Place, Organisation, Project, ProjectSettlement)
        lookups.register()
