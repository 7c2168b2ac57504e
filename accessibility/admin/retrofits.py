"""The retrofit inbox and case pages: steps through actions.retrofit_advance, photos, the export."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import ActionErrorsMixin, BoundedCountAdminMixin, adopt
from core.admin_filters import year_filter
from core.forms import add_action_errors
from core.input import parse_year
from exports.views import export_response
from services.models import AccessLog
from services.registry.access_log import access_log_record
from services.registry.admin import StreetScopedAdmin
from services.registry.admin_corrections import CorrectionActionsMixin, correction_action

from .. import actions, selectors, spreadsheets
from ..forms import PhotoForm, RetrofitAddForm, RetrofitChangeForm, TransitionForm
from ..models import Retrofit, RetrofitLine, RetrofitTypeCap
from ..photos import sniff
from .parts import (
    STEP_FIELDS,
    STEP_LABELS,
    VIEW_PHOTOS,
    InboxFilter,
    PersonColumnsMixin,
    RetrofitLineInline,
    RetrofitPhotoInline,
    RetrofitStatusChangeInline,
    Status,
    next_steps,
)

# A case's own facts, shown first on its page and never edited there: the workflow's actions set them.
CASE_FIELDS = ["person_name", "masked_id", "street", "household", "status", "applied_on", "from_follow_up"]


def _step_action(to: str, description: Any) -> Any:
    """An admin action that moves the selected cases to status `to`, asking the step's date first (_bulk)."""

    @admin.action(description=description, permissions=["advance"])
    def step(model_admin: "RetrofitAdmin", request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return model_admin._bulk(request, queryset, to)

    return step


@admin.register(Retrofit)
class RetrofitAdmin(
    CorrectionActionsMixin, BoundedCountAdminMixin, ActionErrorsMixin, PersonColumnsMixin, StreetScopedAdmin
):
    list_display = [
        "number",
        "person_name",
        "masked_id",
        "street",
        "household",
        "type",
        "status",
        "applied_on",
        "cost",
        "contractor",
        "accepted_on",
    ]
    list_display_links = ["number", "person_name"]
    # The inbox is the status filter, with counts; a second plain status filter would contradict it.
    list_filter = [InboxFilter, "street", "type", year_filter("applied_on", _("year of application"))]
    list_select_related = ["person", "street", "household"]
    search_fields = ["person__name", "contractor", "household__address"]
    search_help_text = _("Name of the person or of the contractor, or the household's address.")
    autocomplete_fields = ["person"]
    list_per_page = 50  # counted up to a bound (BoundedCountAdminMixin): the inbox's counts say how many in all
    inlines = [RetrofitLineInline, RetrofitPhotoInline, RetrofitStatusChangeInline]
    change_form_template = "admin/accessibility/retrofit/change_form.html"
    change_list_template = "admin/accessibility/retrofit/change_list.html"
    actions = [
        "mark_assessed",
        "approve",
        "start_works",
        "accept",
        "follow_up",
        "reject",
        "withdraw",
        "correct_type",
        "void_selected",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(items_total=selectors.items_total())

    @admin.display(description=_("case"), ordering="pk")
    def number(self, retrofit: Retrofit) -> str:
        return f"#{retrofit.pk}"

    @admin.display(description=_("cost (yuan)"), ordering="items_total")
    def cost(self, retrofit: Retrofit) -> str:
        return f"{retrofit.items_total:.2f}"

    @admin.display(description=_("cost cap"))
    def cap(self, retrofit: Retrofit) -> str:
        cap = RetrofitTypeCap.objects.filter(type=retrofit.type).values_list("cap", flat=True).first()
        return "—" if cap is None else f"{cap:.2f}"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = RetrofitChangeForm if obj is not None else RetrofitAddForm
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return WithUser

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["person", "type", "applied_on", "application_note"]})]
        return [
            (None, {"fields": CASE_FIELDS}),
            (_("Application"), {"fields": ["type", "contractor", "application_note", "cost", "cap"]}),
            (_("Steps"), {"fields": [f for f in STEP_FIELDS if getattr(obj, f) not in (None, "")]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = [*CASE_FIELDS, "cost", "cap", *STEP_FIELDS]
        if not obj.lines_editable:
            readonly.append("type")
        if not obj.contractor_editable:
            readonly.append("contractor")
        return readonly

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a case ends by rejection or withdrawal, never by deletion

    def save_model(self, request, obj, form, change):
        if change:
            actions.retrofit_edit(
                retrofit=obj,
                by=request.user,
                type=obj.type,
                contractor=obj.contractor,
                application_note=obj.application_note,
            )
            return
        created = actions.retrofit_apply(
            person=obj.person,
            by=request.user,
            type=obj.type,
            note=obj.application_note,
            applied_on=obj.applied_on,
        )
        # The admin redirects to the object it handed in: point it at the case the action filed.
        adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RetrofitLine:
            return super().save_formset(request, form, formset, change)
        lines = formset.save(commit=False)
        actions.retrofit_lines_save(
            retrofit=form.instance, by=request.user, saved=lines, deleted=formset.deleted_objects
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        retrofit = self.get_object(request, object_id)
        if retrofit is not None:
            extra_context["steps"] = next_steps(retrofit)
        extra_context["can_add_photo"] = request.user.has_perm(actions.ADD_PHOTO)
        response = super().change_view(request, object_id, form_url, extra_context)
        if retrofit is not None and request.method == "GET" and response.status_code == 200:
            access_log_record(
                user=request.user,
                action=AccessLog.Action.OPENED,
                person=retrofit.person,
                detail=f"retrofit {retrofit.pk}",
            )
        return response

    # --- own pages ---------------------------------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "<int:pk>/advance/<str:to>/",
                self.admin_site.admin_view(self.advance_view),
                name="accessibility_retrofit_advance",
            ),
            path(
                "<int:pk>/photos/add/",
                self.admin_site.admin_view(self.photo_add_view),
                name="accessibility_retrofit_photo_add",
            ),
            path(
                "photos/<int:pk>/",
                self.admin_site.admin_view(self.photo_view),
                name="accessibility_retrofitphoto_file",
            ),
            path("export.xlsx", self.admin_site.admin_view(self.export_view), name="accessibility_retrofit_export"),
        ]
        return own + super().get_urls()

    def _context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}

    def advance_view(self, request: HttpRequest, pk: int, to: str) -> HttpResponse:
        """One step of one case: a form for the step's data, then actions.retrofit_advance decides."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        retrofit = selectors.retrofit_get_for(request.user, pk)
        change_url = reverse("admin:accessibility_retrofit_change", args=[retrofit.pk])
        status = 200
        form = TransitionForm(request.POST or None, to=to, retrofit=retrofit)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    actions.retrofit_advance(retrofit=retrofit, to=to, by=request.user, **form.action_kwargs(retrofit))
                except ValidationError as exc:
                    # After a conflict, the case as it is now.
                    retrofit = form.show_refusal(exc, lambda: selectors.retrofit_get_for(request.user, pk)) or retrofit
                else:
                    self.message_user(
                        request,
                        _("Case #%(number)d is now “%(status)s”.")
                        % {"number": retrofit.pk, "status": Status(to).label},
                        messages.SUCCESS,
                    )
                    return redirect(change_url)
        elif not retrofit.can_move_to(to):
            self.message_user(
                request,
                _("A case that is “%(current)s” cannot become “%(target)s”.")
                % {"current": retrofit.get_status_display(), "target": dict(Status.choices).get(to, to)},
                messages.ERROR,
            )
            return redirect(change_url)
        context = self._context(
            request,
            str(STEP_LABELS.get(to, to)),
            form=form,
            needs=(
                actions.retrofit_step_needs(retrofit=retrofit, to=to, on=timezone.localdate())
                if retrofit.can_move_to(to)
                else []
            ),
            retrofits=[retrofit],
            to=to,
            original=retrofit,
            change_url=change_url,
        )
        return TemplateResponse(request, "admin/accessibility/retrofit/transition.html", context, status=status)

    def _bulk(self, request: HttpRequest, queryset, to: str) -> HttpResponse | None:
        """Apply one step to each selected case through actions.retrofit_advance, reporting each refusal."""
        bulk = True
        form = TransitionForm(request.POST if request.POST.get("step") == to else None, to=to, bulk=bulk)
        retrofits = list(queryset.select_related("person").order_by("pk"))
        if form.is_bound and form.is_valid():
            done = 0
            for retrofit in retrofits:
                try:
                    actions.retrofit_advance(retrofit=retrofit, to=to, by=request.user, **form.action_kwargs(retrofit))
                except ValidationError as exc:
                    self.message_user(
                        request,
                        _("Case #%(number)d (%(name)s) was not changed: %(reason)s")
                        % {"number": retrofit.pk, "name": retrofit.person.name, "reason": " ".join(exc.messages)},
                        messages.ERROR,
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    _("%(count)d cases are now “%(status)s”.") % {"count": done, "status": Status(to).label},
                    messages.SUCCESS,
                )
            return None
        context = self._context(
            request,
            str(STEP_LABELS[to]),
            form=form,
            retrofits=retrofits,
            to=to,
            bulk=bulk,
            action_name=request.POST.get("action", ""),
            selected=request.POST.getlist(ACTION_CHECKBOX_NAME),
            action_checkbox_name=ACTION_CHECKBOX_NAME,
        )
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, "admin/accessibility/retrofit/transition.html", context, status=status)

    mark_assessed = _step_action(Status.ASSESSED, _("Record the home assessment of the selected cases"))
    approve = _step_action(Status.APPROVED, _("Approve the selected cases"))
    start_works = _step_action(Status.IN_WORKS, _("Start works on the selected cases"))
    accept = _step_action(Status.ACCEPTED, _("Record the joint acceptance of the selected cases"))
    follow_up = _step_action(Status.FOLLOWED_UP, _("Record the check on use of the selected cases"))
    reject = _step_action(Status.REJECTED, _("Reject the selected cases"))
    withdraw = _step_action(Status.WITHDRAWN, _("Withdraw the selected cases"))

    correct_type = correction_action(
        _("Correct the type of the selected accepted cases (with a reason)"),
        title=_("Correct the retrofit type"),
        related=("person",),
        extra=lambda: {
            "type": forms.ChoiceField(label=_("The type the works really were"), choices=Retrofit.Type.choices)
        },
        correct=lambda retrofit, by, data: actions.retrofit_correct(
            retrofit=retrofit, by=by, reason=data["reason"], type=data["type"]
        ),
    )
    void_selected = correction_action(
        _("Void the selected accepted cases (a correction, with a reason)"),
        title=_("Void home retrofits entered in error"),
        related=("person",),
        correct=lambda retrofit, by, data: actions.retrofit_correct(
            retrofit=retrofit, by=by, reason=data["reason"], void=True
        ),
    )

    def has_advance_permission(self, request) -> bool:
        return request.user.has_perm(actions.ADVANCE)

    def photo_add_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm(actions.ADD_PHOTO):
            raise PermissionDenied
        retrofit = selectors.retrofit_get_for(request.user, pk)
        change_url = reverse("admin:accessibility_retrofit_change", args=[retrofit.pk])
        form = PhotoForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    actions.retrofit_photo_add(retrofit=retrofit, by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    add_action_errors(form, exc)
                else:
                    self.message_user(request, _("The photo was added."), messages.SUCCESS)
                    return redirect(change_url)
        context = self._context(request, str(_("Add a photo")), form=form, original=retrofit, change_url=change_url)
        return TemplateResponse(request, "admin/accessibility/retrofit/photo_add.html", context, status=status)

    def photo_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Stream a photo from storage to federation staff; it has no public URL."""
        if not request.user.has_perm(VIEW_PHOTOS):
            raise PermissionDenied
        photo = selectors.photo_get_for(request.user, pk)
        try:
            file = default_storage.open(photo.image.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        kind = sniff(file)
        access_log_record(
            user=request.user,
            action=AccessLog.Action.OPENED,
            person=photo.retrofit.person,
            detail=f"retrofit photo {photo.pk}",
        )
        response = FileResponse(file, content_type=kind[0] if kind else "application/octet-stream")
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, no-store"
        return response

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The cases accepted in ?year=, masked, as .xlsx."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = parse_year(request.GET.get("year", ""))
        if year is None or year > timezone.localdate().year:
            self.message_user(request, _("Give a year from 2000 to this year."), messages.ERROR)
            return redirect("admin:accessibility_retrofit_changelist")
        retrofits = selectors.accepted_in_year_for(request.user, year)
        count = retrofits.count()
        access_log_record(
            user=request.user,
            action=AccessLog.Action.EXPORTED,
            detail=f"{count} accepted home retrofits of {year}",
        )
        kind = spreadsheets.ACCEPTED_EXPORT.kind
        return export_response(request, kind=kind, params={"year": year}, records=retrofits, rows=count)
