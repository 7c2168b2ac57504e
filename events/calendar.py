"""iCalendar (RFC 5545) files of events, for one event and for the whole calendar feed."""

import datetime

import icalendar
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.i18n import localized

from .models import Event

PRODUCT_ID = "-//Jing'an District Disabled Persons' Federation//Events//ZH"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def event_component(request: HttpRequest, event: Event) -> icalendar.Event:
    """One VEVENT: times in UTC, the page's address, and the status (a cancelled event stays, marked)."""
    url = request.build_absolute_uri(reverse("events:detail", args=[event.slug]))
    component = icalendar.Event()
    component.add("uid", f"event-{event.pk}@{request.get_host().split(':')[0]}")
    component.add("dtstamp", _utc(event.updated_at))
    component.add("dtstart", _utc(event.starts_at))
    component.add("dtend", _utc(event.ends_at))
    component.add("summary", localized(event, "title"))
    component.add("description", f"{localized(event, 'summary')}\n\n{url}")
    component.add("location", f"{localized(event, 'venue')} {event.address}")
    component.add("url", url)
    component.add("categories", [str(event.get_category_display())])
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    component.add("transp", "OPAQUE")
    return component


def calendar_response(
    request: HttpRequest, events: list[Event], *, filename: str, inline: bool = False
) -> HttpResponse:
    """An .ics response holding `events`."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", gettext("Jing'an federation events"))
    calendar.add("x-wr-timezone", timezone.get_default_timezone_name())
    for event in events:
        calendar.add_component(event_component(request, event))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
