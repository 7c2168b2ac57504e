"""Pieces of the retrofit admin: the inbox and year filters, and the inlines of a case."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import DefaultChoiceFilter

from .. import actions, selectors
from ..forms import RetrofitLineForm, RetrofitLineFormSet
from ..models import Retrofit, RetrofitLine, RetrofitPhoto, RetrofitStatusChange

Status = Retrofit.Status
TO_DO = "to_do"
ALL = "all"
# The statuses that still need someone to act: the inbox opens on these.
NEEDS_ACTION = (*Retrofit.OPEN, Status.ACCEPTED)
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


class InboxFilter(DefaultChoiceFilter):
    """The cases by status, with how many are in each; opens on the cases that need action."""

    title = _("inbox")
    parameter_name = "inbox"
    default = TO_DO

    def lookups(self, request, model_admin):
        return [(TO_DO, _("Needs action")), *Status.choices, (ALL, _("All"))]

    def choices(self, changelist):
        counts = selectors.status_counts(changelist.root_queryset)
        counts[TO_DO] = sum(counts[s] for s in NEEDS_ACTION)
        counts[ALL] = sum(counts[s] for s in Status.values)
        self._counts = counts
        yield from super().choices(changelist)

    def display(self, key, label, changelist):
        return f"{label} ({self._counts[key]})"

    def queryset(self, request, queryset):
        value = self.current()
        if value == TO_DO:
            return queryset.filter(status__in=NEEDS_ACTION)
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


class RetrofitPhotoInline(admin.TabularInline):
    """Photos are listed here and added on their own page, where actions.retrofit_photo_add checks them."""

    model = RetrofitPhoto
    fields = ["preview", "stage", "alt_text", "uploaded_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")  # named on each row

    @admin.display(description=_("photo"))
    def preview(self, photo: RetrofitPhoto) -> str:
        return photo_preview(photo)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RetrofitStatusChangeInline(admin.TabularInline):
    model = RetrofitStatusChange
    fields = ["on", "old", "new", "by", "note", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("steps")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")  # named on each row

    def has_add_permission(self, request, obj=None) -> bool:
        return False

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
