from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Places, organisations and projects")

    def ready(self):
        from core.caching import watch
        from projects.models import Organisation, Place, Project, ProjectSettlement

        watch(Place, Organisation, Project, ProjectSettlement)
