"""The portal's admin site: every model admin registered on it, ours or a package's, refuses a stale save
and malformed input.

Registering through the site is the one place every admin passes, so a new admin cannot forget the
check and an override of get_fieldsets cannot drop its token (core.concurrency.with_version_check),
and each gets the input guards of core.admin_filters.harden_model_admin and the labelled date and time
inputs of core.admin_widgets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db import models
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse

from .concurrency import with_version_check


class PortalAutocompleteJsonView(AutocompleteJsonView):
    """An option's text from the searched admin's `autocomplete_text(obj, source_field)` where it has one.

    So a person picked for an escort, a retrofit or a placement shows what decides whether they may have
    it (the persons' admin says what), not only a name.
    """

    source_field: Any  # set by get() (django-stubs leaves it and serialize_result out)

    def serialize_result(self, obj: models.Model, to_field_name: str) -> dict[str, str]:
        result: dict[str, str] = super().serialize_result(obj, to_field_name)  # type: ignore[misc]
        text = getattr(self.model_admin, "autocomplete_text", None)
        if text is not None:
            result["text"] = str(text(obj, self.source_field))
        return result


class PortalAdminSite(admin.AdminSite):
    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return cast(HttpResponse, PortalAutocompleteJsonView.as_view(admin_site=self)(request))

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
