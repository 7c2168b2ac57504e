"""Admin widgets that say what they are to a screen reader, put on every registered admin (PortalAdminSite).

Django's split date and time inputs show "Date:" and "Time:" as plain text, and the field's label
points at neither input (a MultiWidget has no id for its label): each input gets its own label,
with the field's name (core/templates/admin/widgets/labelled_split_datetime.html).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.http import HttpRequest


class LabelledSplitDateTime(AdminSplitDateTime):
    """AdminSplitDateTime whose two inputs carry the field's name in their labels."""

    template_name = "admin/widgets/labelled_split_datetime.html"
    field_label: Any = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)
        context["field_label"] = self.field_label
        return context


def label_split_datetimes(model_admin: admin.ModelAdmin[Any]) -> None:
    """Give the admin's split date and time inputs the field's name (its own formfield_for_dbfield replaced)."""
    formfield_for_dbfield: Callable[..., forms.Field | None] = model_admin.formfield_for_dbfield

    @functools.wraps(formfield_for_dbfield)
    def wrapper(db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any) -> forms.Field | None:
        formfield = formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if formfield is not None and type(widget) is AdminSplitDateTime:
            widget.__class__ = LabelledSplitDateTime
            cast(LabelledSplitDateTime, widget).field_label = formfield.label
        return formfield

    model_admin.formfield_for_dbfield = wrapper  # type: ignore[method-assign]
