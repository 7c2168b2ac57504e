"""Admin of employers, placements, their follow-ups and new graduates."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.admin import ActionErrorsMixin, DefaultChoiceFilter, NoDeleteMixin, adopt
from core.admin_filters import choice_filter, year_filter
from services.registry.admin import StreetScopedAdmin

from .. import actions, exports, selectors
from ..forms import (
    EmployerForm,
    FollowUpRecordForm,
    GraduateForm,
    PlacementAddForm,
    PlacementEndForm,
)
from ..models import Employer, Graduate, Placement, PlacementFollowUp
from ..validation import normalise_credit_code
from .base import CATEGORY, ExcelExportMixin


@admin.register(Employer)
class EmployerAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = EmployerForm
    list_display = ["name", "credit_code", "district", "counts_toward_quota", "current_placements"]
    list_filter = ["counts_toward_quota", "district"]
    search_fields = ["name", "=credit_code"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return selectors.employer_list()

    @admin.display(description=_("current placements"), ordering="current_placements")
    def current_placements(self, employer: Employer) -> int:
        return employer.current_placements

    def get_search_results(self, request, queryset, search_term):
        code = normalise_credit_code(search_term)
        if len(code) == 18:
            return queryset.filter(Q(credit_code=code) | Q(name__icontains=search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        actions.employer_save(employer=obj, by=request.user)


PlacementStateFilter = choice_filter(
    _("status"),
    "state",
    {
        "current": (_("Current"), lambda: Q(ended_on__isnull=True)),
        "ended": (_("Ended"), lambda: Q(ended_on__isnull=False)),
    },
)


# The fields a placement is added with; its change form adds the end and the follow-ups.
PLACEMENT_FIELDS = list(PlacementAddForm._meta.fields)


@admin.register(Placement)
class PlacementAdmin(ActionErrorsMixin, ExcelExportMixin, NoDeleteMixin, StreetScopedAdmin):
    list_display = [
        "person",
        "employer",
        "job_title",
        "started_on",
        "contract_type",
        "recommended",
        "new_graduate",
        "ended_on",
        "street",
    ]
    list_filter = [
        "street",
        CATEGORY,
        year_filter("started_on", _("year")),
        PlacementStateFilter,
        "recommended",
        "new_graduate",
        "contract_type",
    ]
    list_select_related = ["person", "street", "employer"]
    search_fields = ["person__name", "employer__name", "job_title"]
    autocomplete_fields = ["person", "employer"]
    date_hierarchy = "started_on"
    actions = ["export_xlsx"]
    export_columns = exports.PLACEMENT_COLUMNS
    export_filename = "placements.xlsx"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = PlacementEndForm if obj is not None else PlacementAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return PLACEMENT_FIELDS
        return [*PLACEMENT_FIELDS, "street", "follow_up_summary", "ended_on", "end_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.ended_on is None:
            return [*PLACEMENT_FIELDS, "street", "follow_up_summary"]
        return [*PLACEMENT_FIELDS, "street", "follow_up_summary", "ended_on", "end_reason"]

    @admin.display(description=_("follow-ups"))
    def follow_up_summary(self, placement: Placement) -> str:
        """One line per follow-up, each linking to the page where it is recorded."""
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> · {} · {}',
            (
                (
                    reverse("admin:employment_placementfollowup_change", args=[f.pk]),
                    f.get_months_display(),
                    f.due_on,
                    _("not recorded")
                    if f.recorded_on is None
                    else (_("still employed") if f.still_employed else _("no longer employed")),
                )
                for f in placement.follow_ups.order_by("months")
            ),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            created = actions.placement_create(
                person=data["person"],
                employer=data["employer"],
                job_title=data["job_title"],
                started_on=data["started_on"],
                contract_type=data["contract_type"],
                recommended=data["recommended"],
                new_graduate=data["new_graduate"],
                graduation_year=data["graduation_year"],
                by=request.user,
            )
            adopt(obj, created)
        elif form.cleaned_data.get("ended_on"):
            actions.placement_end(
                placement=obj,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
                by=request.user,
            )


class FollowUpStateFilter(DefaultChoiceFilter):
    """Overdue follow-ups by default: the work queue."""

    title = _("status")
    parameter_name = "state"
    default = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("pending", _("Not recorded")),
            ("recorded", _("Recorded")),
            ("all", _("All")),
        ]

    def queryset(self, request, queryset):
        value = self.current()
        if value == "overdue":
            return selectors.overdue_follow_ups(queryset, timezone.localdate())
        if value == "pending":
            return selectors.pending_follow_ups(queryset)
        if value == "recorded":
            return queryset.filter(recorded_on__isnull=False)
        return queryset


@admin.register(PlacementFollowUp)
class PlacementFollowUpAdmin(ActionErrorsMixin, ExcelExportMixin, NoDeleteMixin, StreetScopedAdmin):
    """Follow-ups at 1, 3, 6 and 12 months; the list opens on the overdue ones."""

    form = FollowUpRecordForm
    list_display = ["due_on", "months", "person", "employer", "street", "recorded_on", "still_employed", "overdue"]
    list_filter = [
        FollowUpStateFilter,
        "months",
        ("placement__street", admin.RelatedOnlyFieldListFilter),
        "placement__person__category",
        year_filter("due_on", _("year")),
    ]
    list_select_related = ["placement__person", "placement__street", "placement__employer"]
    search_fields = ["placement__person__name", "placement__employer__name"]
    actions = ["export_xlsx"]
    export_columns = exports.FOLLOW_UP_COLUMNS
    export_filename = "placement-follow-ups.xlsx"

    @admin.display(description=_("person"), ordering="placement__person__name")
    def person(self, follow_up: PlacementFollowUp):
        return follow_up.placement.person

    @admin.display(description=_("employer"), ordering="placement__employer__name")
    def employer(self, follow_up: PlacementFollowUp):
        return follow_up.placement.employer

    @admin.display(description=_("street"), ordering="placement__street__code")
    def street(self, follow_up: PlacementFollowUp):
        return follow_up.placement.street

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, follow_up: PlacementFollowUp) -> bool:
        return follow_up.recorded_on is None and follow_up.due_on < timezone.localdate()

    def get_fields(self, request, obj=None):
        base = ["placement", "months", "due_on"]
        if obj is not None and obj.recorded_on is None:
            return [*base, "answer", "note"]
        return [*base, "recorded_on", "still_employed", "note", "recorded_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.recorded_on is None:
            return ["placement", "months", "due_on"]
        return ["placement", "months", "due_on", "recorded_on", "still_employed", "note", "recorded_by"]

    def has_add_permission(self, request) -> bool:
        return False  # made by the placement action

    def save_model(self, request, obj, form, change):
        if "still_employed" in form.cleaned_data:
            actions.placement_follow_up_record(
                follow_up=obj,
                still_employed=form.cleaned_data["still_employed"],
                note=form.cleaned_data.get("note") or "",
                by=request.user,
            )


GraduatePlacedFilter = choice_filter(
    _("placed"),
    "placed",
    {"yes": (_("Placed"), lambda: Q(is_placed=True)), "no": (_("Not placed yet"), lambda: Q(is_placed=False))},
)


@admin.register(Graduate)
class GraduateAdmin(ActionErrorsMixin, ExcelExportMixin, NoDeleteMixin, StreetScopedAdmin):
    form = GraduateForm
    list_display = ["person", "graduation_year", "school", "major", "placed", "street"]
    list_filter = ["street", CATEGORY, year_filter("graduation_year", _("graduation year")), GraduatePlacedFilter]
    list_select_related = ["person", "street"]
    search_fields = ["person__name", "school", "major"]
    autocomplete_fields = ["person"]
    actions = ["export_xlsx"]
    export_columns = exports.GRADUATE_COLUMNS
    export_filename = "graduates.xlsx"

    def get_queryset(self, request):
        return selectors.graduate_list_for(request.user)

    @admin.display(description=_("placed"), boolean=True, ordering="is_placed")
    def placed(self, graduate: Graduate) -> bool:
        return graduate.is_placed

    def get_readonly_fields(self, request, obj=None):
        return ["person", "graduation_year"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            actions.graduate_update(graduate=obj, by=request.user)
        else:
            created = actions.graduate_register(
                person=obj.person,
                graduation_year=obj.graduation_year,
                school=obj.school,
                major=obj.major,
                by=request.user,
            )
            adopt(obj, created)
