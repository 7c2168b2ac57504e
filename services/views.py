"""The field app for street committee members: their people, home visits and data quality."""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import actions, selectors
from .audit import access_log_record
from .forms import HomeVisitForm
from .models import AccessLog

FIELD_PERMISSION = "services.use_field_app"
PAGE_SIZE = 25


def field_member_required(view):
    """Logged in (else to the login page) and allowed the field app (else 403); never cached."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(FIELD_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@field_member_required
def my_street(request: HttpRequest) -> HttpResponse:
    """The people of the member's streets: search, flags, last visit, the longest unvisited first."""
    search = request.GET.get("q", "")[:50]
    order = "stale" if request.GET.get("order") == "stale" else "name"
    stale_only = request.GET.get("stale") == "1"
    persons = selectors.field_person_list_for(request.user, search=search, order=order, stale_only=stale_only)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(p, selectors.age_on(p.birth_date, today)) for p in page.object_list]
    context = {"page": page, "rows": rows, "search": search, "order": order, "stale_only": stale_only}
    return render(request, "services/field/my_street.html", context)


@field_member_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What a visitor needs to know about one person, their visits and open follow-ups."""
    person = selectors.person_get_for(request.user, pk)
    access_log_record(user=request.user, action=AccessLog.Action.OPENED, person=person, detail="field")
    context = {
        "person": person,
        "age": selectors.age_on(person.birth_date, timezone.localdate()),
        "visits": selectors.person_visits(person),
        "follow_ups": selectors.person_open_follow_ups(person),
    }
    return render(request, "services/field/person_detail.html", context)


@field_member_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """File a home visit; a repeated submission of the same form files it once."""
    person = selectors.person_get_for(request.user, pk)
    if request.method == "POST":
        form = HomeVisitForm(request.POST)
        if form.is_valid():
            try:
                _visit, created = actions.home_visit_record(person=person, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("Visit filed with %(count)d follow-ups.") % {"count": len(form.cleaned_data["needs"])},
                    )
                else:
                    messages.info(request, _("This visit was already filed; nothing was added."))
                return redirect("field:person", pk=person.pk)
        status = 400
    else:
        form = HomeVisitForm(
            initial={"visited_on": timezone.localdate(), "mode": "home", "submission_key": uuid.uuid4()}
        )
        status = 200
    return render(request, "services/field/visit_form.html", {"person": person, "form": form}, status=status)


@login_required
@never_cache
def data_quality(request: HttpRequest) -> HttpResponse:
    """Per street: visit coverage, lost contact, unvisited people, certificates and duplicates."""
    if not (request.user.has_perm(FIELD_PERMISSION) or request.user.has_perm("services.view_all_streets")):
        raise PermissionDenied
    today = timezone.localdate()
    context = {"streets": selectors.data_quality_for(request.user, today=today), "today": today}
    return render(request, "services/field/data_quality.html", context)
