"""Admin building blocks every app shares: read-only logs, no delete, refused saves, bulk actions, default filters."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Rows only the portal writes (logs, photos filed from their case, computed reports): nobody adds, changes or
    deletes them here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class NoDeleteMixin:
    """Records about people are never deleted here: they end by a status, so history stays whole."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RefusableSaveMixin:
    """A save the service refuses under its lock (a race the form could not see) is told, not logged as done.

    Subclasses write through the service in `write`.
    """

    def write(self, request, obj, form) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            self.write(request, obj, form)
        except ValidationError as exc:
            obj._refused = True
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def log_addition(self, request, obj, message):
        return None if getattr(obj, "_refused", False) else super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        return None if getattr(obj, "_refused", False) else super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "_refused", False):
            return redirect(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist")
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(obj, "_refused", False):
            return redirect(request.path)
        return super().response_change(request, obj)


class ActionErrorsMixin:
    """Forms check the rules first; an action that still refuses (another user took the last place a moment
    earlier) rolls the whole save back, and the page says why."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def run_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    action: Any,
    done: Any,
    *,
    label: Callable[[Any], str] = str,
) -> None:
    """Call `action` for each selected record; report how many succeeded and each refusal.

    `done(count)` gives the success message; `label(record)` names a refused record (default: str).
    """
    succeeded = 0
    for obj in queryset:
        try:
            action(obj)
        except ValidationError as exc:
            model_admin.message_user(request, f"{label(obj)}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, done(succeeded), messages.SUCCESS)


def adopt(obj: Any, created: Any) -> None:
    """Give the admin's form object the row an action created: the admin goes on to log and redirect with it."""
    for field in created._meta.concrete_fields:
        setattr(obj, field.attname, getattr(created, field.attname))
    obj._state.adding = False


class DefaultChoiceFilter(admin.SimpleListFilter):
    """A list filter that opens on `default` (the work at hand) rather than on everything.

    Subclasses set `default` and filter in `queryset` on `self.current()`.
    """

    default = ""

    def current(self) -> str:
        return self.value() or self.default

    def display(self, key: str, label: Any, changelist: Any) -> Any:
        return label

    def choices(self, changelist):
        current = self.current()
        for key, label in self.lookup_choices:
            yield {
                "selected": current == key,
                "query_string": changelist.get_query_string({self.parameter_name: key}),
                "display": self.display(key, label, changelist),
            }
