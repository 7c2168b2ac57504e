"""The portal's admin site: every model admin registered on it, ours or a package's, refuses a stale save
and malformed input.

Registering through the site is the one place every admin passes, so a new admin cannot forget the
check and an override of get_fieldsets cannot drop its token (core.concurrency.version_guard),
and each gets the input guards of core.admin_filters.harden_model_admin and the labelled date and time
inputs of core.admin_widgets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import models
from django.db.models.base import ModelBase

from .concurrency import with_version_check


class PortalAdminSite(admin.AdminSite):
    def register(
        self,
        model_or_iterable: type[models.Model] | Iterable[type[models.Model]],
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        # Imported here: INSTALLED_APPS loads this module (PortalAdminConfig) before any model exists.
        from .admin_filters import harden_model_admin
        from .admin_widgets import label_split_datetimes

        super().register(model_or_iterable, with_version_check(admin_class or admin.ModelAdmin), **options)
        registered: Iterable[type[models.Model]] = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        for model in registered:
            if model in self._registry:  # a swapped-out model (auth.User) is not registered
                harden_model_admin(self._registry[model])
                label_split_datetimes(self._registry[model])


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with PortalAdminSite as admin.site (INSTALLED_APPS names this instead)."""

    default_site = "core.admin_site.PortalAdminSite"
