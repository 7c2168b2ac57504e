"""Admin of courses, enrolments and the certificate register."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.admin import ActionErrorsMixin, NoDeleteMixin, adopt, bulk_action
from core.admin_filters import choice_filter, year_filter
from services.registry.admin import StreetScopedAdmin

from .. import actions, exports, selectors
from ..forms import (
    CERTIFICATE_FIELDS,
    CertificateForm,
    CourseForm,
    EnrollmentAddForm,
)
from ..models import Certificate, Course, Enrollment
from .base import CATEGORY, ExcelExportMixin


def _running() -> Q:
    today = timezone.localdate()
    return Q(starts_on__lte=today, ends_on__gte=today)


CourseStateFilter = choice_filter(
    _("status"),
    "state",
    {
        "upcoming": (_("Not started"), lambda: Q(starts_on__gt=timezone.localdate())),
        "running": (_("In progress"), _running),
        "ended": (_("Ended"), lambda: Q(ends_on__lt=timezone.localdate())),
    },
)


@admin.register(Course)
class CourseAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = CourseForm
    list_display = ["title", "trade", "provider", "starts_on", "ends_on", "places", "place"]
    list_filter = [year_filter("starts_on", _("year")), CourseStateFilter, "trade"]
    search_fields = ["title", "trade", "provider"]
    date_hierarchy = "starts_on"
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return selectors.course_list()

    @admin.display(description=_("places taken"), ordering="enrolled")
    def places(self, course: Course) -> str:
        url = reverse("admin:employment_enrollment_changelist") + f"?course__id__exact={course.pk}"
        return format_html('<a href="{}">{} / {}</a>', url, course.enrolled, course.capacity)

    def save_model(self, request, obj, form, change):
        actions.course_save(course=obj, by=request.user)


# Enrolments and the certificate register


class EnrollmentAdmin(ActionErrorsMixin, ExcelExportMixin, NoDeleteMixin, StreetScopedAdmin):
    list_display = ["person", "course", "street", "status", "certificate_level"]
    list_filter = ["street", CATEGORY, year_filter("course__starts_on", _("year")), "status", "certificate_level"]
    list_select_related = ["person", "street", "course"]
    search_fields = ["person__name", "course__title", "course__trade"]
    autocomplete_fields = ["person", "course"]
    actions = ["export_xlsx", "mark_completed", "mark_dropped_out"]
    export_columns = exports.ENROLLMENT_COLUMNS
    export_filename = "enrollments.xlsx"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CertificateForm if obj is not None else EnrollmentAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["person", "course"]
        return ["person", "street", "course", "status", *CERTIFICATE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.status == Enrollment.Status.COMPLETED and not obj.has_certificate:
            return ["person", "street", "course", "status"]
        return ["person", "street", "course", "status", *CERTIFICATE_FIELDS]

    def save_model(self, request, obj, form, change):
        if not change:
            created = actions.enrollment_create(person=obj.person, course=obj.course, by=request.user)
            adopt(obj, created)
        elif form.cleaned_data.get("certificate_level"):
            actions.certificate_record(
                enrollment=obj,
                level=form.cleaned_data["certificate_level"],
                number=form.cleaned_data.get("certificate_number") or "",
                issuer=form.cleaned_data.get("certificate_issuer") or "",
                issued_on=form.cleaned_data.get("certificate_issued_on"),
                by=request.user,
            )

    mark_completed = bulk_action(
        _("Mark selected enrolments completed"),
        do=lambda enrollment, by: actions.enrollment_complete(enrollment=enrollment, by=by),
        done=ngettext_lazy("%(count)d enrolment marked completed.", "%(count)d enrolments marked completed.", "count"),
    )
    mark_dropped_out = bulk_action(
        _("Mark selected enrolments dropped out"),
        do=lambda enrollment, by: actions.enrollment_drop(enrollment=enrollment, by=by),
        done=ngettext_lazy(
            "%(count)d enrolment marked dropped out.", "%(count)d enrolments marked dropped out.", "count"
        ),
    )


admin.site.register(Enrollment, EnrollmentAdmin)


@admin.register(Certificate)
class CertificateAdmin(ExcelExportMixin, StreetScopedAdmin):
    """The certificate register: read-only, searchable by name, number, trade, course or issuer."""

    list_display = [
        "person",
        "certificate_level",
        "trade",
        "certificate_issuer",
        "certificate_issued_on",
        "certificate_number",
        "street",
    ]
    list_filter = ["street", CATEGORY, year_filter("certificate_issued_on", _("year")), "certificate_level"]
    list_select_related = ["person", "street", "course"]
    search_fields = ["person__name", "=certificate_number", "course__trade", "course__title", "certificate_issuer"]
    search_help_text = _("Name, whole certificate number, trade, course or issuer.")
    fields = ["person", "street", "course", "trade", *CERTIFICATE_FIELDS]
    readonly_fields = fields
    actions = ["export_xlsx"]
    export_columns = exports.CERTIFICATE_COLUMNS
    export_filename = "certificates.xlsx"

    @admin.display(description=_("trade"), ordering="course__trade")
    def trade(self, certificate: Certificate) -> str:
        return certificate.course.trade

    def has_add_permission(self, request) -> bool:
        return False  # certificates are recorded on the enrolment they were earned by

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
