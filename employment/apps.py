"""App configuration: adds courses, certificates and jobs to the person timeline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = _("Employment")

    def ready(self) -> None:
        from services import timeline

        from .timeline import employment_entries

        timeline.register(employment_entries)
