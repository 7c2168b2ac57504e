"""Corrections in the admin: the reason page every correction action goes through, and the read-only list of them."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyLogAdmin
from core.admin_filters import DateRangeFilter
from core.forms import add_action_errors
from services.models import Correction
from services.registry.corrections import CORRECT, MAX_REASON, correction_check

# The page posts back with this field naming its action, so the admin runs the action rather than show the page.
STEP_FIELD = "correction"


class CorrectionForm(forms.Form):
    """The reason every correction needs, plus the fields of its kind (a new type)."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,  # the action refuses a blank reason, with the message it gives every caller
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. Shown with the correction on the person's record and in the next annual report."),
    )

    def __init__(self, *args: Any, extra: dict[str, forms.Field] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in (extra or {}).items():
            self.fields[name] = field
        self.order_fields([*(extra or {}), "reason"])


def correction_step(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    title: Any,
    correct: Callable[[Any, dict[str, Any]], Any],
    extra: dict[str, forms.Field] | None = None,
) -> HttpResponse | None:
    """An admin action in two steps: a page asking the reason (and `extra` fields), then `correct(record, data)`
    for each selected record, each refusal told on its own. A blank reason shows the page again with the message."""
    action = request.POST.get("action", "")
    form = CorrectionForm(request.POST if request.POST.get(STEP_FIELD) == action else None, extra=extra)
    records = list(queryset.order_by("pk"))
    if form.is_bound and form.is_valid():
        try:
            correction_check(by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise PermissionDenied from None  # the action list already hid it: a forged post
            add_action_errors(form, exc)
        else:
            done = 0
            for record in records:
                try:
                    correct(record, form.cleaned_data)
                except ValidationError as exc:
                    model_admin.message_user(request, f"{record}: {' '.join(exc.messages)}", messages.ERROR)
                else:
                    done += 1
            if done:
                model_admin.message_user(request, _("%(count)d records corrected.") % {"count": done}, messages.SUCCESS)
            return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "form": form,
        "records": records,
        "action_name": action,
        "step_field": STEP_FIELD,
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/correction.html", context, status=400 if form.is_bound else 200)


def correction_action(
    description: Any,
    *,
    title: Any,
    correct: Callable[[Any, Any, dict[str, Any]], Any],
    related: tuple[str, ...] = (),
    extra: Callable[[], dict[str, forms.Field]] | None = None,
) -> Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]:
    """An admin correction action (correction_step) that calls `correct(record, user, data)` for each selected
    record, their `related` rows read with them; `extra()` gives the fields it asks besides the reason (new
    ones each time: a form field keeps state). It needs the `correct` permission (CorrectionActionsMixin)."""

    @admin.action(description=description, permissions=["correct"])
    def action(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        return correction_step(
            model_admin,
            request,
            queryset.select_related(*related),
            title=title,
            extra=extra() if extra else None,
            correct=lambda record, data: correct(record, request.user, data),
        )

    return action


class CorrectionActionsMixin:
    """Gives an admin the `correct` permission its correction actions declare (permissions=["correct"])."""

    def has_correct_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CORRECT)


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyLogAdmin):
    """Every correction of a closed record: when, by whom, what, why, and what it moved in the year's figures."""

    list_display = ["at", "by", "model", "object_id", "kind", "old", "new", "year", "reason"]
    list_filter = ["kind", "model", "year", ("at", DateRangeFilter)]
    list_select_related = ["by"]
    search_fields = ["=object_id", "reason", "by__username"]
    search_help_text = _("Record id, words of the reason, or user name.")
    fields = ["at", "by", "model", "object_id", "person", "kind", "old", "new", "year", "reason", "effects"]
    readonly_fields = fields
    date_hierarchy = "at"
    list_per_page = 50
