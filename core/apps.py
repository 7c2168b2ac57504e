"""App configuration of core: no models, only the helpers every app shares."""

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared helpers")

    def ready(self) -> None:
        from .checks import messages_reach_people

        checks.register(messages_reach_people, checks.Tags.security, deploy=True)
