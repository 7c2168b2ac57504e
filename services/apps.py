"""App configuration: syncs role permissions after every migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Registry and services")

    def ready(self) -> None:
        from .roles import sync_role_permissions

        # Permissions exist only after migrate has run for every app, so roles get theirs here.
        post_migrate.connect(sync_role_permissions, dispatch_uid="services.sync_role_permissions")
