"""Staff admin of events, their photos, registrations (staff only: registrants' details) and awards."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import ActionErrorsMixin, DefaultChoiceFilter, NoDeleteMixin, adopt, bulk_action
from core.admin_filters import year_filter
from core.i18n import join_list
from services.registry.admin import StreetScopedAdmin

from . import actions
from .forms import AwardAdminForm, EventAdminForm, EventPhotoForm, RegistrationAddForm
from .models import (
    NEEDS,
    PROVISIONS,
    Award,
    Event,
    EventPhoto,
    PreventionMaterial,
    QuizCampaign,
    Registration,
    ResearchTopic,
)


def _event_title(event: Event) -> str:
    return event.title  # names a refused event in a bulk action's message


def _registrant(registration: Registration) -> str:
    return registration.who


class WhenFilter(DefaultChoiceFilter):
    """Events to come by default: the work at hand."""

    title = _("when")
    parameter_name = "when"
    default = "upcoming"

    def lookups(self, request, model_admin):
        return [("upcoming", _("To come")), ("past", _("Past")), ("all", _("All"))]

    def queryset(self, request, queryset):
        value = self.current()
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gt=now)
        if value == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


class EventPhotoInline(admin.TabularInline):
    model = EventPhoto
    form = EventPhotoForm
    extra = 1
    fields = ["image", "alt_text", "caption", "position"]


@admin.register(Event)
class EventAdmin(ActionErrorsMixin, admin.ModelAdmin):
    form = EventAdminForm
    list_display = [
        "title",
        "category",
        "starts_at",
        "status",
        "is_published",
        "capacity",
        "confirmed",
        "waiting",
        "attended",
    ]
    list_filter = [WhenFilter, "category", "is_published", "status"]
    search_fields = ["title", "venue", "slug"]
    date_hierarchy = "starts_at"
    ordering = ["starts_at"]
    readonly_fields = ["status", "cancelled_at", "created_at", "updated_at"]
    inlines = [EventPhotoInline]
    actions = ["publish", "unpublish", "mark_held", "cancel"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "title_en",
                    "slug",
                    "category",
                    "summary",
                    "summary_en",
                    "description",
                    "organiser",
                    "performers",
                ]
            },
        ),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "venue", "venue_en", "address"]}),
        (
            _("Accessibility"),
            {"fields": [name for name, _label in PROVISIONS] + ["easy_read_text", "sign_language_video_url"]},
        ),
        (_("Registration"), {"fields": ["capacity", "takes_registrations", "registration_deadline"]}),
        (
            _("Publication and outcome"),
            {"fields": ["is_published", "status", "cancelled_at", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
                n_waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
                n_attended=Count("registrations", filter=Q(registrations__attendance=Registration.Attendance.ATTENDED)),
            )
        )

    @admin.display(description=_("confirmed"), ordering="n_confirmed")
    def confirmed(self, event: Event) -> int:
        return event.n_confirmed

    @admin.display(description=_("waiting"), ordering="n_waiting")
    def waiting(self, event: Event) -> int:
        return event.n_waiting

    @admin.display(description=_("attended"), ordering="n_attended")
    def attended(self, event: Event) -> int:
        return event.n_attended

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an event is cancelled or unpublished, never deleted: registrations point at it

    def save_model(self, request, obj, form, change):
        actions.event_save(event=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        photos = formset.save(commit=False)
        actions.event_photos_save(event=form.instance, by=request.user, saved=photos, deleted=formset.deleted_objects)

    publish = bulk_action(
        _("Publish the selected events"),
        do=lambda event, by: actions.event_publish(event=event, by=by, published=True),
        done=_("%(count)d events published."),
        label=_event_title,
    )
    unpublish = bulk_action(
        _("Take the selected events off the public site"),
        do=lambda event, by: actions.event_publish(event=event, by=by, published=False),
        done=_("%(count)d events taken off the public site."),
        label=_event_title,
    )
    mark_held = bulk_action(
        _("Record: the selected events were held"),
        do=lambda event, by: actions.event_mark_held(event=event, by=by),
        done=_("%(count)d events recorded as held."),
        label=_event_title,
    )
    cancel = bulk_action(
        _("Cancel the selected events"),
        do=lambda event, by: actions.event_cancel(event=event, by=by),
        done=_("%(count)d events cancelled."),
        label=_event_title,
    )


@admin.register(Registration)
class RegistrationAdmin(ActionErrorsMixin, StreetScopedAdmin):
    """Registrants' names, phones and needs: seen by federation staff (all) and no public page."""

    list_display = ["event", "who", "phone", "source", "status", "attendance", "needs_summary", "created_at"]
    list_filter = ["status", "attendance", "source", "needs_interpreter", "needs_wheelchair_space", "event__category"]
    list_select_related = ["event", "person", "street"]
    search_fields = ["name", "phone", "person__name", "event__title"]
    autocomplete_fields = ["event", "person"]
    actions = ["mark_attended", "mark_absent", "cancel"]
    readonly_fields = [
        "event",
        "person",
        "street",
        "name",
        "phone",
        "source",
        "status",
        "attendance",
        "attendance_recorded_at",
        "attendance_recorded_by",
        "registered_by",
        "consented_at",
        "cancelled_at",
        "created_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RegistrationAddForm
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # a new class per request (modelform_factory), so this stays this user's
        return form

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(RegistrationAddForm._meta.fields)
        return [*self.readonly_fields, *(name for name, _label in NEEDS), "needs_other"]

    @admin.display(description=_("registrant"))
    def who(self, registration: Registration) -> str:
        return registration.who

    @admin.display(description=_("needs"))
    def needs_summary(self, registration: Registration) -> str:
        return join_list(registration.needs) or "—"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancelled, never deleted: attendance figures are counted from these rows

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        needs = {name: data.get(name, False) for name, _label in NEEDS}
        if change:
            actions.registration_needs_update(
                registration=obj, by=request.user, needs_other=data.get("needs_other", ""), **needs
            )
            return
        created, _token = actions.registration_create(
            event=data["event"],
            by=request.user,
            person=data.get("person"),
            name=data.get("name", ""),
            phone=data.get("phone", ""),
            consent=True,  # staff taking a registration by phone ask for consent on the call
            needs_other=data.get("needs_other", ""),
            **needs,
        )
        adopt(obj, created)

    mark_attended = bulk_action(
        _("Record: attended"),
        do=lambda registration, by: actions.attendance_record(registration=registration, attended=True, by=by),
        done=_("%(count)d attendances recorded."),
        label=_registrant,
    )
    mark_absent = bulk_action(
        _("Record: did not attend"),
        do=lambda registration, by: actions.attendance_record(registration=registration, attended=False, by=by),
        done=_("%(count)d absences recorded."),
        label=_registrant,
    )
    cancel = bulk_action(
        _("Cancel the selected registrations"),
        do=lambda registration, by: actions.registration_cancel(registration=registration, by=by),
        done=_("%(count)d registrations cancelled."),
        label=_registrant,
    )


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    form = AwardAdminForm
    list_display = ["awarded_on", "competition", "place", "kind", "winner", "event"]
    list_filter = ["place", "kind", ("awarded_on", admin.DateFieldListFilter)]
    list_select_related = ["event", "person"]
    search_fields = ["competition", "team_name", "person__name", "event__title"]
    autocomplete_fields = ["event", "person"]
    date_hierarchy = "awarded_on"

    @admin.display(description=_("winner"))
    def winner(self, award: Award) -> str:
        return award.team_name if award.kind == Award.Kind.TEAM else award.person.name

    def save_model(self, request, obj, form, change):
        actions.award_save(award=obj, by=request.user)

    def delete_model(self, request, obj):
        actions.award_delete(award=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for award in queryset:
            actions.award_delete(award=award, by=request.user)


class PreventionAdmin(admin.ModelAdmin):
    """Links are https only; the campaign is chosen among the prevention-campaign events; a stale save is refused."""

    def save_model(self, request, obj, form, change):
        actions.prevention_record_save(record=obj, by=request.user)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = Event.objects.filter(category=Event.Category.PREVENTION).order_by("-starts_at")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PreventionMaterial)
class PreventionMaterialAdmin(PreventionAdmin):
    """Prevention videos and articles as published; the report counts the videos."""

    list_display = ["published_on", "title", "kind", "captioned", "signed", "campaign"]
    list_filter = ["kind", "captioned", "signed", ("published_on", admin.DateFieldListFilter)]
    list_select_related = ["campaign"]
    search_fields = ["title", "url"]
    date_hierarchy = "published_on"
    fields = ["kind", "title", "url", "published_on", "captioned", "signed", "campaign"]


@admin.register(QuizCampaign)
class QuizCampaignAdmin(PreventionAdmin):
    list_display = ["title", "starts_on", "ends_on", "participants", "prize_winners", "campaign"]
    list_filter = [("ends_on", admin.DateFieldListFilter)]
    list_select_related = ["campaign"]
    search_fields = ["title"]
    date_hierarchy = "starts_on"
    fields = ["title", "starts_on", "ends_on", "url", "participants", "prize_winners", "campaign"]


@admin.register(ResearchTopic)
class ResearchTopicAdmin(NoDeleteMixin, admin.ModelAdmin):
    """The party group's research topics; the report counts those whose report was done in the year."""

    list_display = ["title", "started_on", "reported_on"]
    list_filter = [year_filter("reported_on", _("year of the report"))]
    search_fields = ["title"]
    date_hierarchy = "started_on"
    fields = ["title", "started_on", "reported_on"]

    def save_model(self, request, obj, form, change):
        actions.prevention_record_save(record=obj, by=request.user)
