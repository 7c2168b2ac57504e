"""The portal's admin site: every model admin registered on it, ours or a package's, refuses a stale save.

Registering through the site is the one place every admin passes, so a new admin cannot forget the
check and an override of get_fieldsets cannot drop its token (core.concurrency.version_guard).
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from .concurrency import with_version_check


class PortalAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        super().register(model_or_iterable, with_version_check(admin_class or admin.ModelAdmin), **options)


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with PortalAdminSite as admin.site (INSTALLED_APPS names this instead)."""

    default_site = "core.admin_site.PortalAdminSite"
