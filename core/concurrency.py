"""Optimistic locking: a form carries the version of the record it showed, and a save from a stale form is refused.

The version is the record's `updated_at` (every save moves it), so no model needs a new column; a model
without one (the users, groups and the periodic jobs' schedules) is versioned by a keyed digest of its
editable fields, so the admin's check covers it too.
The check runs on the row locked with SELECT ... FOR UPDATE inside the saving transaction, so two
simultaneous saves from forms that showed the same version cannot both pass: the second waits for
the first to commit, then sees a newer version. The refused user gets their input back with a
message naming who changed the record, when, and which fields (from the simple-history rows);
in the admin's change form the fields they left alone show the record as it is now.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import add_action_errors
from core.i18n import join_list
from core.users import user_display

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin
    from django.http import HttpRequest
    from django.utils.datastructures import MultiValueDict

    # The admin guard goes in front of a ModelAdmin: mypy reads it as one, at run time it is a plain class.
    _AdminMixin = ModelAdmin[Any]
else:
    _AdminMixin = object

CONFLICT = "edit_conflict"
NOT_FROM_PAGE = "version_missing"
VERSION_FIELDS = ("seen_version", "seen_history")


class _Stamped(Protocol):
    """A record whose model has an `updated_at` field (_has_updated_at)."""

    updated_at: datetime.datetime | None


def _has_updated_at(model: type[models.Model]) -> bool:
    try:
        model._meta.get_field("updated_at")
    except FieldDoesNotExist:
        return False
    return True


def _content_digest(record: models.Model) -> str:
    """A keyed digest of `record`'s editable fields as stored (keyed: the page shows no hash of a number)."""
    values: dict[str, Any] = {}
    for field in [*record._meta.concrete_fields, *record._meta.many_to_many]:
        if not field.editable:
            continue  # e.g. a periodic job's run count: its worker moves it, the form never shows it
        if field.many_to_many:
            values[field.name] = sorted(str(pk) for pk in getattr(record, field.attname).values_list("pk", flat=True))
        else:
            values[field.attname] = getattr(record, field.attname)
    payload = json.dumps(values, sort_keys=True, default=str)
    # The key keeps its first module's name: a changed key would refuse every form open during a deploy.
    return salted_hmac("services.concurrency.version", payload, algorithm="sha256").hexdigest()


def version_of(record: models.Model) -> str:
    """The version token of `record`: its last save time to the microsecond, else a digest of its fields."""
    if _has_updated_at(type(record)):
        updated = cast("_Stamped", record).updated_at
        return updated.isoformat() if updated else ""
    return _content_digest(record) if record.pk is not None else ""


def history_mark(record: models.Model) -> str:
    """The id of the record's latest history row ("" without history): what the form's user had seen."""
    history = getattr(record, "history", None)
    if history is None or record.pk is None:
        return ""
    latest = history.order_by("-history_id").values_list("history_id", flat=True).first()
    return "" if latest is None else str(latest)


def _changes_since(record: models.Model, seen_history: str) -> tuple[list[str], list[str]]:
    """The labels of the fields changed after history row `seen_history`, and who changed them."""
    history = getattr(record, "history", None)
    if history is None or not seen_history.isdigit():
        return [], []
    seen = int(seen_history)
    previous = history.filter(history_id__lte=seen).order_by("-history_id").first()
    fields: list[str] = []
    users: list[str] = []
    for row in history.filter(history_id__gt=seen).select_related("history_user").order_by("history_id"):
        if previous is not None:
            for name in row.diff_against(previous).changed_fields:
                try:
                    # A name from the history diff is a tracked field, never a relation's other side.
                    label = str(cast("models.Field[Any, Any]", record._meta.get_field(name)).verbose_name)
                except FieldDoesNotExist:
                    label = name
                if label not in fields:
                    fields.append(label)
        who = user_display(row.history_user) if row.history_user else ""
        if who and who not in users:
            users.append(who)
        previous = row
    return fields, users


def edit_conflict(record: models.Model, seen_history: str = "") -> ValidationError:
    """The error a stale save gets: who changed `record`, when, and which fields."""
    fields, users = _changes_since(record, seen_history)
    updated = getattr(record, "updated_at", None)
    when = date_format(timezone.localtime(updated), "Y-m-d H:i:s") if updated else "—"
    params = {"who": join_list(users) or _("another user"), "when": when, "fields": join_list(fields)}
    if fields:
        message = _(
            "%(who)s saved this record at %(when)s while you were editing it, changing: %(fields)s. "
            "Nothing of yours was saved yet: your changes are still in the form below. Check them "
            "against the record as it is now and save again."
        )
    else:
        message = _(
            "%(who)s saved this record at %(when)s while you were editing it. Nothing of yours was "
            "saved yet: your changes are still in the form below. Check them against the record as it "
            "is now and save again."
        )
    return ValidationError(message, code=CONFLICT, params=params)


def not_from_page() -> ValidationError:
    """The error a save without the version token gets."""
    return ValidationError(
        _(
            "This save did not come from this record's page in the portal, so nothing was saved. "
            "Your changes are in the form below: check them against the record as it is now and save again."
        ),
        code=NOT_FROM_PAGE,
    )


def check_version(*, record: models.Model, seen_version: str, seen_history: str = "") -> None:
    """Refuse a save from a form that showed an older version of `record`, which must be locked already.

    Raises ValidationError with code "edit_conflict".
    """
    if seen_version != version_of(record):
        raise edit_conflict(record, seen_history)


def lock_and_check(*, record: models.Model, seen_version: str, seen_history: str = "") -> models.Model:
    """Lock `record`'s row until the transaction ends and check the form's version. Raises ValidationError."""
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    check_version(record=locked, seen_version=seen_version, seen_history=seen_history)
    return locked


def is_conflict(exc: ValidationError) -> bool:
    errors = exc.error_dict.get(NON_FIELD_ERRORS, []) if hasattr(exc, "error_dict") else exc.error_list
    return any(getattr(error, "code", None) == CONFLICT for error in errors)


def bump_version(record: models.Model) -> None:
    """Mark `record` as changed (a save of its inline rows leaves its own fields as they were)."""
    if not _has_updated_at(type(record)):
        return  # versioned by its own fields, which inline rows do not change
    now = timezone.now()
    type(record)._default_manager.filter(pk=record.pk).update(updated_at=now)
    cast("_Stamped", record).updated_at = now


R = TypeVar("R", bound=models.Model)


class VersionFieldsMixin(forms.Form):
    """Two hidden fields: the version of the record the form showed and the latest history row then."""

    seen_version = forms.CharField(label=_("version seen"), widget=forms.HiddenInput, required=False)
    seen_history = forms.CharField(label=_("history seen"), widget=forms.HiddenInput, required=False)

    def show_version_of(self, record: models.Model) -> None:
        """Carry `record`'s current version; on a bound form (after a conflict), the next save is from here."""
        values = {"seen_version": version_of(record), "seen_history": history_mark(record)}
        for name, value in values.items():
            self.fields[name].initial = value
        if self.is_bound:
            data = cast("dict[str, Any]", self.data).copy()  # the posted QueryDict, or a test's dict
            for name, value in values.items():
                data[self.add_prefix(name)] = value
            self.data = data

    def show_refusal(self, exc: ValidationError, current: Callable[[], R]) -> R | None:
        """Show an action's refusal `exc` on this form; after an edit conflict, also carry the record as it is now
        (`current()`, read again) and return it, for the page to show it; else None."""
        add_action_errors(self, exc)
        if not is_conflict(exc):
            return None
        record = current()
        self.show_version_of(record)
        return record

    def seen(self) -> dict[str, str]:
        """The version arguments for an action: what this form showed."""
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or "" for name in VERSION_FIELDS}


class VersionedModelFormMixin(VersionFieldsMixin):
    """A ModelForm that refuses to save over a newer version of its instance.

    The check locks the row, so it must run inside the transaction that saves (the admin's change
    view is one). Put it first in the bases: class F(VersionedModelFormMixin, forms.ModelForm).
    A post without the token did not come from a page the portal rendered (a script, or a page
    that lost the token): it is refused too, since nobody can tell what it would overwrite.
    """

    instance: models.Model  # from the ModelForm it is put in front of

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.show_version_of(self.instance)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.instance.pk is not None and not self.seen()["seen_version"]:
            self.add_error(None, not_from_page())
            # The page sent back carries the token: saving it as it stands is checked as usual.
            self.show_version_of(type(self.instance)._default_manager.get(pk=self.instance.pk))
        elif self.instance.pk is not None:
            seen = self.seen()
            try:
                lock_and_check(record=self.instance, **seen)
            except ValidationError as exc:
                self.add_error(None, exc)
                current = type(self.instance)._default_manager.get(pk=self.instance.pk)
                self._show_current_with_their_edits(current, seen["seen_history"])
                self.show_version_of(current)
        return cleaned

    def _show_current_with_their_edits(self, current: models.Model, seen_history: str) -> None:
        """After a conflict, the fields this user left alone show the record as it is now; their edits stay.

        What the user saw is the history row `seen_history`; without history, the form is left as posted.
        """
        history = getattr(current, "history", None)
        if history is None or not seen_history.isdigit():
            return
        seen = history.filter(history_id__lte=int(seen_history)).order_by("-history_id").first()
        if seen is None:
            return
        now = type(self)(instance=current)
        data = cast("MultiValueDict[str, Any]", self.data).copy()  # the posted QueryDict
        for name, field in self.fields.items():
            try:
                model_field = current._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.disabled or not isinstance(model_field, models.Field) or not model_field.concrete:
                continue  # a relation's other side or a generic key is never concrete
            if not hasattr(seen, model_field.attname):
                continue
            if field.has_changed(getattr(seen, model_field.attname), self[name].data):
                continue  # their edit
            value = now[name].value()
            key = self.add_prefix(name)
            if isinstance(value, list | tuple):
                data.setlist(key, [str(v) for v in value])
            elif value is None or value is False:
                data.pop(key, None)
            else:
                data[key] = "on" if value is True else str(value)
        self.data = data


def versioned_form(form: type[forms.ModelForm[Any]]) -> type[forms.ModelForm[Any]]:
    """`form` with the version token and the stale-save check (itself if it has them already)."""
    if issubclass(form, VersionedModelFormMixin):
        return form
    return type(f"Versioned{form.__name__}", (VersionedModelFormMixin, form), {"__module__": form.__module__})


class OptimisticLockAdminMixin(_AdminMixin):
    """The guard PortalAdminSite puts in front of every ModelAdmin: its change form refuses a stale save.

    No admin names it in its bases: registering through the site is the one place every admin passes
    (core.admin_site). The admin saves in one transaction (changeform_view), so the form's check under
    the row lock and the save are atomic. A save of inlines alone moves the version too.
    """

    version_checked = True

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        if obj is None:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = versioned_form(kwargs.get("form", self.form))
        if kwargs.get("fields") is not None:
            # An override below may swap in its own form: the token is added back after it, not asked of it.
            kwargs["fields"] = [f for f in kwargs["fields"] if f not in VERSION_FIELDS]
        return versioned_form(super().get_form(request, obj, change=change, **kwargs))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # Without declared fieldsets the admin lists the form's fields, the hidden ones included: place them once.
        fieldsets: list[tuple[Any, dict[str, Any]]] = [
            (name, {**options, "fields": [f for f in options.get("fields", ()) if f not in VERSION_FIELDS]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and fieldsets and self.has_change_permission(request, obj):
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], *VERSION_FIELDS]})
        return fieldsets

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and any(formset.has_changed() for formset in formsets):
            bump_version(form.instance)


def with_version_check(admin_class: type) -> type:
    """`admin_class` with the guard in front: what PortalAdminSite registers for every model.

    The guard is a fresh subclass each time, so it can stand in front of an admin class that already has
    one further down (a subclass of a registered admin): the front one runs first and last, so no override
    of get_form or get_fieldsets below it can drop the token. Its methods are idempotent.
    """
    guard = type("OptimisticLockAdminMixin", (OptimisticLockAdminMixin,), {"__module__": __name__})
    return type(
        admin_class.__name__,
        (guard, admin_class),
        {name: getattr(admin_class, name) for name in ("__module__", "__qualname__", "__doc__")},
    )
