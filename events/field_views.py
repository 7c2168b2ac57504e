"""Committee members register the people of their streets for events and record who came."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import add_action_errors
from core.guards import page_required
from core.input import parse_int

from . import actions, selectors
from .forms import FieldRegistrationForm
from .models import Event, Registration

REGISTER_PERMISSION = "events.add_registration"
FIELD_LIST_SIZE = 30


# Logged in (else to the login page) and allowed to register persons (else 403); never cached.
registrar_required = page_required(REGISTER_PERMISSION)


@registrar_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Published events to come, soonest first, and those of the past 60 days for recording attendance."""
    now = timezone.now()
    events = list(
        selectors.public_events()
        .filter(ends_at__gt=now - datetime.timedelta(days=60))
        .exclude(status=Event.Status.CANCELLED)
        .defer(*selectors.PUBLIC_FIELDS_DEFERRED)
        .order_by("starts_at", "id")[:FIELD_LIST_SIZE]
    )
    return render(request, "events/field/event_list.html", {"events": events, "now": now})


@registrar_required
def event_registrations(request: HttpRequest, slug: str) -> HttpResponse:
    """One event: register a person of the member's streets; after it starts, record who came."""
    now = timezone.now()
    event = get_object_or_404(selectors.public_events(), slug=slug)
    form = FieldRegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST" and "attendance" in request.POST:
        pk = parse_int(request.POST.get("registration", ""))
        registration = (
            None if pk is None else selectors.registration_list_for(request.user).filter(event=event, pk=pk).first()
        )
        if registration is None:
            raise Http404
        try:
            actions.attendance_record(
                registration=registration, attended=request.POST["attendance"] == "attended", by=request.user
            )
            messages.success(request, _("Attendance recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("field_events:event", slug=event.slug)
    if request.method == "POST" and form.is_valid():
        try:
            registration, _token = actions.registration_create(event=event, by=request.user, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("Registered: %(name)s has a place.") % {"name": registration.person.name})
            else:
                messages.success(request, _("%(name)s is on the waiting list.") % {"name": registration.person.name})
            return redirect("field_events:event", slug=event.slug)
    registrations = list(
        selectors.registration_list_for(request.user)
        .filter(event=event)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("created_at", "id")
    )
    context = {
        "event": event,
        "form": form,
        "registrations": registrations,
        "open": now < event.starts_at and event.takes_registrations,
        "started": now >= event.starts_at,
        "places_left": max(0, event.capacity - event.confirmed_count),
    }
    return render(request, "events/field/event_registrations.html", context, status=400 if form.errors else 200)
