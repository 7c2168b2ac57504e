"""Pieces of the retrofit admin: the inbox and year filters, a case's next steps, the inlines of a case, and the
person columns of the admins whose records belong to a person."""

from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import DefaultChoiceFilter, ReadOnlyInline

from .. import actions, selectors
from ..forms import RetrofitLineForm, RetrofitLineFormSet, TransitionForm
from ..models import Retrofit, RetrofitLine, RetrofitPhoto, RetrofitStatusChange

Status = Retrofit.Status
TO_DO = "to_do"
ALL = "all"
CHECK_DUE = "check_due"
STEP_LABELS = {
    Status.ASSESSED: _("Record the home assessment"),
    Status.APPROVED: _("Approve"),
    Status.IN_WORKS: _("Start works"),
    Status.ACCEPTED: _("Record the joint acceptance"),
    Status.FOLLOWED_UP: _("Record the check on use"),
    Status.REJECTED: _("Reject"),
    Status.WITHDRAWN: _("Withdraw"),
}
VIEW_PHOTOS = "accessibility.view_retrofitphoto"


@dataclass(frozen=True)
class NextStep:
    """A step the case can go to: what it needs from the case (met or why not), what its page asks, its page."""

    to: str
    label: Any
    url: str
    needs: list[actions.StepNeed]
    asks: list[Any]

    @property
    def ready(self) -> bool:
        return all(need.met for need in self.needs)


def next_steps(retrofit: Retrofit) -> list[NextStep]:
    """The legal next steps of `retrofit`, each checked today against actions.retrofit_step_needs."""
    today = timezone.localdate()
    return [
        NextStep(
            to=to,
            label=STEP_LABELS[to],
            url=reverse("admin:accessibility_retrofit_advance", args=[retrofit.pk, to]),
            needs=actions.retrofit_step_needs(retrofit=retrofit, to=to, on=today),
            asks=TransitionForm(to=to).asks(),
        )
        for to in Retrofit.NEXT.get(retrofit.status, ())
    ]


class PersonColumnsMixin:
    """`person_name` and `masked_id` (never the full number) columns for an admin whose records have a `person`."""

    @admin.display(description=_("person"), ordering="person__name")
    def person_name(self, record: Any) -> str:
        return record.person.name

    @admin.display(description=_("ID number"))
    def masked_id(self, record: Any) -> str:
        return record.person.masked_id_number


class InboxFilter(DefaultChoiceFilter):
    """The cases by status, with how many are in each; opens on the cases that need action."""

    title = _("inbox")
    parameter_name = "inbox"
    default = TO_DO

    def lookups(self, request, model_admin):
        return [(TO_DO, _("Needs action")), (CHECK_DUE, _("Check on use due")), *Status.choices, (ALL, _("All"))]

    def choices(self, changelist):
        counts = selectors.status_counts(changelist.root_queryset, today=timezone.localdate())
        counts[TO_DO] = sum(counts[s] for s in Retrofit.OPEN) + counts[selectors.CHECK_ON_USE_DUE]
        counts[CHECK_DUE] = counts[selectors.CHECK_ON_USE_DUE]
        counts[ALL] = sum(counts[s] for s in Status.values)
        self._counts = counts
        yield from super().choices(changelist)

    def display(self, key, label, changelist):
        return f"{label} ({self._counts[key]})"

    def queryset(self, request, queryset):
        value = self.current()
        due = selectors.check_on_use_due(timezone.localdate())
        if value == TO_DO:
            # Accepted cases wait three months for their check on use: until then nobody can act on them.
            return queryset.filter(Q(status__in=Retrofit.OPEN) | due)
        if value == CHECK_DUE:
            return queryset.filter(due)
        if value == ALL:
            return queryset
        if value in Status.values:
            return queryset.filter(status=value)
        raise IncorrectLookupParameters(value)


class RetrofitLineInline(admin.TabularInline):
    model = RetrofitLine
    form = RetrofitLineForm
    formset = RetrofitLineFormSet
    fields = ["item", "quantity", "unit_cost", "cost"]
    readonly_fields = ["cost"]
    autocomplete_fields = ["item"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")  # each row's form shows its item

    @admin.display(description=_("cost (yuan)"))
    def cost(self, line: RetrofitLine) -> str:
        return f"{line.cost:.2f}" if line.pk else "—"

    def _editable(self, request, obj) -> bool:
        return obj is not None and obj.lines_editable and request.user.has_perm(actions.ADVANCE)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


def photo_preview(photo: RetrofitPhoto) -> str:
    """The photo, served by the staff-only view, with its text alternative; nothing for a row that is no photo.

    (A posted form whose photo id is not a photo of this case shows an empty row, not a server error.)
    """
    if photo.pk is None:
        return ""
    url = reverse("admin:accessibility_retrofitphoto_file", args=[photo.pk])
    return format_html('<a href="{}"><img src="{}" alt="{}" width="160" loading="lazy"></a>', url, url, photo.alt_text)


class RetrofitPhotoInline(ReadOnlyInline):
    """Photos are listed here and added on their own page, where actions.retrofit_photo_add checks them."""

    model = RetrofitPhoto
    fields = ["preview", "stage", "alt_text", "uploaded_by", "created_at"]
    related = ["uploaded_by"]  # named on each row

    @admin.display(description=_("photo"))
    def preview(self, photo: RetrofitPhoto) -> str:
        return photo_preview(photo)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RetrofitStatusChangeInline(ReadOnlyInline):
    model = RetrofitStatusChange
    fields = ["on", "old", "new", "by", "note", "at"]
    related = ["by"]  # named on each row
    verbose_name_plural = _("steps")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


STEP_FIELDS = [
    "assessed_on",
    "assessment_note",
    "approved_on",
    "approved_total",
    "cap_exception_reason",
    "cap_exception_by",
    "works_started_on",
    "accepted_on",
    "accepted_by",
    "household_signatory",
    "contractor_signatory",
    "followed_up_on",
    "follow_up_note",
    "closed_on",
    "closing_reason",
]
