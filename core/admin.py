"""Admin building blocks every app shares: read-only logs, no delete, refused saves, bounded counts, bulk actions,
default filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from core.pagination import COUNT_BOUND, BoundedCountPaginator

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices
    from django.contrib.admin.models import LogEntry

    # django-stubs makes ModelAdmin generic, Django's class takes no subscript. The mixins below go in front
    # of a ModelAdmin: mypy reads them as one, at run time they stay plain classes.
    _ModelAdmin = admin.ModelAdmin[Any]
    _AdminMixin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin
    _AdminMixin = object


if TYPE_CHECKING:
    _TabularInline = admin.TabularInline[Any, Any]
else:
    _TabularInline = admin.TabularInline


class ReadOnlyInline(_TabularInline):
    """Rows listed under their record, every field read-only, never added or deleted here (an action or their
    own page writes them). `related`: the rows each line names, loaded with them rather than one query each."""

    extra = 0
    can_delete = False
    related: Sequence[str] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(name) for name in self.fields or ()]  # a flat list of names here, no layout rows

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.related) if self.related else queryset

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyLogAdmin(_ModelAdmin):
    """Rows only the portal writes (logs, photos filed from their case, computed reports): nobody adds, changes or
    deletes them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class NoDeleteMixin(_AdminMixin):
    """Records about people are never deleted here: they end by a status, so history stays whole."""

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class RefusableSaveMixin(_AdminMixin):
    """A save the service refuses under its lock (a race the form could not see) is told, not logged as done.

    Subclasses write through the service in `write`. `obj` is the admin's own model (Any, as in ModelAdmin[Any]),
    so a subclass names its model and the refused one carries its `_refused` mark.
    """

    def write(self, request: HttpRequest, obj: Any, form: Any) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            self.write(request, obj, form)
        except ValidationError as exc:
            obj._refused = True
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    # A refused save logs nothing, so None where django-stubs says LogEntry (the admin never reads the result).
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> LogEntry | None:  # type: ignore[override]
        return None if getattr(obj, "_refused", False) else super().log_addition(request, obj, message)

    # As log_addition.
    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> LogEntry | None:  # type: ignore[override]
        return None if getattr(obj, "_refused", False) else super().log_change(request, obj, message)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> HttpResponse:
        if getattr(obj, "_refused", False):
            return redirect(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist")
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if getattr(obj, "_refused", False):
            return redirect(request.path)
        return super().response_change(request, obj)


class ActionErrorsMixin(_AdminMixin):
    """Forms check the rules first; an action that still refuses (another user took the last place a moment
    earlier) rolls the whole save back, and the page says why."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class BoundedCountAdminMixin(_AdminMixin):
    """A list that may hold a district's whole registry counts its rows only up to a bound (core.pagination): its
    pages cost the same at any size, and past the bound the list says "more than N" (templates/admin/
    pagination.html and search_form.html) instead of a total it did not count."""

    show_full_result_count = False  # the unfiltered total would be a full count again
    list_count_bound = COUNT_BOUND

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> BoundedCountPaginator:
        return BoundedCountPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            wanted_page=request.GET.get(PAGE_VAR),
            bound=self.list_count_bound,
        )


def run_each(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[Any],
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


def bulk_action(
    description: Any,
    *,
    do: Callable[[Any, Any], object],
    done: Any,
    label: Callable[[Any], str] = str,
    permissions: tuple[str, ...] = ("change",),
) -> Callable[[Any, HttpRequest, QuerySet[Any]], None]:
    """An admin action that calls `do(record, user)` for each selected record, through run_each.

    `done` is the success message with a %(count)d placeholder (ngettext_lazy(..., "count") where it has a
    plural); `label(record)` names a refused record. Name the result in a ModelAdmin's body and its `actions`.
    """

    @admin.action(description=description, permissions=list(permissions))
    def action(model_admin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> None:
        run_each(
            model_admin,
            request,
            queryset,
            lambda record: do(record, request.user),
            lambda count: done % {"count": count},
            label=label,
        )

    return action


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
    parameter_name: str  # Django's SimpleListFilter refuses a filter without one

    def current(self) -> str:
        return self.value() or self.default

    def display(self, key: str, label: Any, changelist: Any) -> Any:
        return label

    def choices(self, changelist: ChangeList) -> Iterator[_ListFilterChoices]:
        current = self.current()
        for key, label in self.lookup_choices:
            yield {
                "selected": current == key,
                "query_string": changelist.get_query_string({self.parameter_name: key}),
                "display": self.display(key, label, changelist),
            }


# Packages' admins re-registered with declared permissions; Django's autodiscovery imports this module.
from core import admin_axes, admin_schedules  # noqa: E402, F401


def changelist_queryset(model_admin: _ModelAdmin, user: AbstractBaseUser, query: str) -> QuerySet[Any]:
    """The rows `model_admin`'s list shows `user` for the query string `query` (filters, search, ordering).

    For work done later without the request (an export job in a worker): the list is rebuilt for the
    same user and query, so it is scoped exactly as the page was. Raises IncorrectLookupParameters for a
    query the list refuses.
    """
    opts = model_admin.model._meta
    request = HttpRequest()
    request.method = "GET"
    request.user = user  # type: ignore[assignment]  # the project's User, which core (no domain import) cannot name
    request.GET = QueryDict(query)
    request.path = request.path_info = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return model_admin.get_changelist_instance(request).get_queryset(request)
