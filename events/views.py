"""The public site: home, events and their pages, registration, calendars, results and the accessibility statement.

No page here shows who registered: only numbers of places. Anonymous pages are cached (events.caching).
"""

import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core import ratelimit
from core.forms import add_action_errors
from core.http import client_bucket, confirmed_post, private_page
from core.i18n import localized
from core.input import parse_int, parse_year
from core.pagination import page_links

from . import actions, caching, selectors
from .calendar import calendar_response
from .forms import EventFilterForm, PublicRegistrationForm, ResendLinkForm, upcoming_month_values
from .models import NEEDS, PROVISION_NAMES, Event, Registration
from .richtext import render_markdown
from .tasks import resend_registration_links

PAGE_SIZE = 10
HOME_EVENTS = 4
PAST_PAGE_SIZE = 10
# Characters that must not appear raw inside a <script> element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


STATEMENT_REVIEWED = datetime.date(2026, 11, 29)

# At most 5 registrations, and 20 attempts of any kind, from one client address in 10 minutes.
RATE_WINDOW_SECONDS = 10 * 60
REGISTRATIONS_PER_WINDOW = 5
ATTEMPTS_PER_WINDOW = 20
REGISTRATION_SCOPE = "events.registration"
ATTEMPT_SCOPE = "events.attempt"
# A lost link is sent again at most 3 times a number an hour, and asked for at most 5 times an address in
# 10 minutes: nobody fills a phone with texts, nor tries numbers one after another.
RESEND_SCOPE = "events.resend"
RESEND_PER_WINDOW = 5
RESEND_PHONE_SCOPE = "events.resend.phone"
RESEND_PHONE_WINDOW_SECONDS = 60 * 60
RESENDS_PER_PHONE = 3
# Where the accommodations just asked for wait for the "check your messages" page, per event.
ASKED_SESSION_KEY = "events.asked"


def _rows(events: list[Event], now: datetime.datetime) -> list[dict[str, Any]]:
    """Each event with what a reader can do about it now and its places left (numbers only)."""
    return [
        {
            "event": event,
            "state": selectors.registration_state(event, now=now),
            "places_left": max(0, event.capacity - event.confirmed_count),
        }
        for event in events
    ]


def _page_number(request: HttpRequest) -> int | None:
    """The requested page as a positive number, 1 when absent, None when malformed."""
    return parse_int(request.GET.get("page", "1"), maximum=99999)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The public home page: how to ask for a service, contact, and the next events."""
    now = timezone.now()

    def render_page(extra: dict[str, Any]):
        events = list(selectors.upcoming_event_list(now=now)[:HOME_EVENTS])
        response = render(request, "home.html", {"rows": _rows(events, now), "nav": "home", **extra})
        return response, selectors.next_change(events, now=now)

    return caching.cached_page(request, caching.reader_key(request, "home"), render_page)


LIST_PARAMETERS = frozenset({"category", "month", "provision", "page"})


def _list_filters(request: HttpRequest, today: datetime.date) -> dict[str, Any] | None:
    """The list's filters read straight from the query (before any form is built, so a cached page is
    served cheaply), or None when anything is unknown or invalid: the form then says what."""
    query = request.GET
    if not set(query) <= LIST_PARAMETERS:
        return None
    category = query.get("category", "")
    if category and category not in Event.Category.values:
        return None
    month = None
    if raw_month := query.get("month", ""):
        allowed = {value for value, _label in upcoming_month_values(today)}
        if raw_month not in allowed:
            return None
        month = datetime.date.fromisoformat(f"{raw_month}-01")
    provisions = query.getlist("provision")
    if not set(provisions) <= set(PROVISION_NAMES):
        return None
    return {"category": category, "month": month, "provision": sorted(set(provisions))}


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Events to come, filtered by category, month and accessibility provisions, ten a page."""
    now = timezone.now()
    today = timezone.localdate(now)
    data = _list_filters(request, today)
    number = _page_number(request)
    if data is None or number is None:
        # Refused filters are shown with their errors, never cached.
        form = EventFilterForm(request.GET, today=today)
        form.is_valid()
        context = {"form": form, "page": None, "filtered": True, "nav": "events"}
        return render(request, "events/public/event_list.html", context, status=400)
    key = caching.reader_key(
        request, "list", data["category"], data["month"] or "", ",".join(data["provision"]), number
    )

    def render_page(extra: dict[str, Any]):
        form = EventFilterForm(request.GET or None, today=today)
        form.is_valid()
        events = selectors.upcoming_event_list(
            now=now, category=data["category"], month=data["month"], provisions=data["provision"]
        )
        try:
            page_obj = Paginator(events, PAGE_SIZE).page(number)
        except EmptyPage:
            raise Http404 from None
        rows = list(page_obj.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page_obj,
            "page_links": page_links(page_obj),
            "rows": _rows(rows, now),
            "query": query.urlencode(),
            "filtered": any(data.values()),
            "category_label": Event.Category(data["category"]).label if data["category"] else "",
            "nav": "events",
            **extra,
        }
        return render(request, "events/public/event_list.html", context), selectors.next_change(rows, now=now)

    return caching.cached_page(request, key, render_page)


def event_json_ld(request: HttpRequest, event: Event) -> str:
    """schema.org Event data of the page, safe to place inside a <script> element."""
    url = request.build_absolute_uri(reverse("events:detail", args=[event.slug]))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": localized(event, "title"),
        "description": localized(event, "summary"),
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if event.is_cancelled
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": True,
        "url": url,
        "location": {
            "@type": "Place",
            "name": localized(event, "venue"),
            "address": {
                "@type": "PostalAddress",
                "streetAddress": event.address,
                "addressLocality": "上海市静安区",
                "addressRegion": "上海市",
                "addressCountry": "CN",
            },
        },
        "organizer": {"@type": "Organization", "name": event.organiser},
        "maximumAttendeeCapacity": event.capacity,
    }
    photos = [request.build_absolute_uri(photo.image.url) for photo in event.photos.all()]
    if photos:
        data["image"] = photos
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One event: when, where, what is provided for access, places left, results; with schema.org data."""
    now = timezone.now()

    def render_page(extra: dict[str, Any]):
        event = selectors.event_get_public(slug)
        context = {
            "event": event,
            "description_html": render_markdown(event.description),
            "json_ld": event_json_ld(request, event),
            "state": selectors.registration_state(event, now=now),
            "places_left": max(0, event.capacity - event.confirmed_count),
            "is_past": event.ends_at <= now,
            "nav": "events",
            **extra,
        }
        response = render(request, "events/public/event_detail.html", context)
        return response, selectors.next_change([event], now=now)

    return caching.cached_page(request, caching.reader_key(request, "event", slug), render_page)


def _over_limit(ip: str, scope: str, allowed: int) -> bool:
    """Count this attempt from `ip`; whether it is one too many, of any kind or of `scope`'s `allowed` in the window."""
    return (
        ratelimit.hit(ATTEMPT_SCOPE, ip, window=RATE_WINDOW_SECONDS) > ATTEMPTS_PER_WINDOW
        or ratelimit.count(scope, ip, window=RATE_WINDOW_SECONDS) >= allowed
    )


def _too_many(request: HttpRequest, event: Event) -> HttpResponse:
    return ratelimit.refused_page(
        request, "events/public/too_many_requests.html", {"event": event, "nav": "events"}, window=RATE_WINDOW_SECONDS
    )


@never_cache
@require_http_methods(["GET", "POST"])
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    """The registration form of a member of the public: rate limited per address; the private link goes to the
    phone, and the answer does not say whether the phone had registered already."""
    now = timezone.now()
    event = selectors.event_get_public(slug)
    form = PublicRegistrationForm(request.POST or None)
    if request.method == "POST":
        ip = client_bucket(request)
        if _over_limit(ip, REGISTRATION_SCOPE, REGISTRATIONS_PER_WINDOW):
            return _too_many(request, event)
        if form.is_valid():
            try:
                actions.registration_request(
                    event=event,
                    now=now,
                    status_link=lambda token: request.build_absolute_uri(reverse("events:registration", args=[token])),
                    **form.action_arguments(),
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                # Counted and answered the same whether or not the phone had registered already.
                ratelimit.hit(REGISTRATION_SCOPE, ip, window=RATE_WINDOW_SECONDS)
                # What this form asked for, repeated on the next page: the visitor's own words, whatever was stored.
                arguments = form.action_arguments()
                request.session[ASKED_SESSION_KEY] = {
                    "event": event.pk,
                    "needs": [name for name, _label in NEEDS if arguments[name]],
                    "other": arguments["needs_other"],
                }
                return redirect("events:registration_sent", slug=event.slug)
    closed = actions.closed_reason(event, now=now, public=True)
    context = {
        "event": event,
        "form": form,
        "closed": " ".join(closed.messages) if closed else "",
        "places_left": max(0, event.capacity - event.confirmed_count),
        "nav": "events",
    }
    return render(request, "events/public/event_register.html", context, status=400 if form.errors else 200)


@never_cache
@require_GET
def registration_sent(request: HttpRequest, slug: str) -> HttpResponse:
    """What every accepted registration form leads to, registered just now or already: check your messages."""
    event = selectors.event_get_public(slug)
    # Shown once: on a shared computer the next visitor must not find this one's needs and note again.
    asked = request.session.pop(ASKED_SESSION_KEY, None) or {}
    context: dict[str, Any] = {"event": event, "nav": "events", "asked_known": asked.get("event") == event.pk}
    if context["asked_known"]:
        context["asked"] = asked_needs(asked.get("needs", []))
        context["asked_other"] = str(asked.get("other", ""))[:200]
    response = render(request, "events/public/registration_sent.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def asked_needs(names: Any) -> list[str]:
    """The labels of the accommodations named (field names of NEEDS), in the form's order; unknown names dropped."""
    chosen = set(names) if isinstance(names, list) else set()
    return [str(label) for name, label in NEEDS if name in chosen]


@never_cache
@require_http_methods(["GET", "POST"])
def registration_status(request: HttpRequest, token: str) -> HttpResponse:
    """What the registrant's link shows: the place or waiting position, what happens next, and cancelling."""
    registration = selectors.registration_get_by_token(token)
    error = ""
    just_cancelled = False
    # Cancelling is asked first (?cancel=1, or a post without confirm=yes) and done only once confirmed.
    confirming = request.GET.get("cancel") == "1"
    if request.method == "POST":
        asked, cancelled, error = confirmed_post(
            request, lambda: actions.registration_cancel(registration=registration)
        )
        confirming = confirming or asked
        if cancelled is not None:
            registration, just_cancelled = cancelled, True
    can_cancel = registration.status != Registration.Status.CANCELLED and timezone.now() < registration.event.starts_at
    context = {
        "registration": registration,
        "event": registration.event,
        "waiting_position": selectors.waiting_position(registration),
        "can_cancel": can_cancel,
        "confirming": confirming and can_cancel,
        "asked": [str(label) for name, label in NEEDS if getattr(registration, name)],
        "error": error,
        "just_cancelled": just_cancelled,
        "status_url": request.build_absolute_uri(request.path),
    }
    # The address holds the cancel token: a private page (core.http.private_page), never cached.
    response = render(request, "events/public/registration_status.html", context, status=400 if error else 200)
    return private_page(response)


def _resend_refused(request: HttpRequest) -> HttpResponse:
    return ratelimit.refused_page(
        request,
        "events/public/too_many_requests.html",
        {"event": None, "nav": "events", "resend": True},
        window=RATE_WINDOW_SECONDS,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def registration_link_resend(request: HttpRequest) -> HttpResponse:
    """Someone who lost their private link asks for it again: each registration of that number for an event to
    come gets a new link by text message. Answered the same whether or not the number registered; limited per
    address and per number."""
    form = ResendLinkForm(request.POST or None)
    if request.method == "POST":
        ip = client_bucket(request)
        if _over_limit(ip, RESEND_SCOPE, RESEND_PER_WINDOW):
            return _resend_refused(request)
        if form.is_valid():
            ratelimit.hit(RESEND_SCOPE, ip, window=RATE_WINDOW_SECONDS)
            phone = form.cleaned_data["phone"]
            # Counted by a keyed digest: the cache holds no phone number, nor one a list of numbers would reveal.
            key = salted_hmac(RESEND_PHONE_SCOPE, phone).hexdigest()
            if ratelimit.hit(RESEND_PHONE_SCOPE, key, window=RESEND_PHONE_WINDOW_SECONDS) <= RESENDS_PER_PHONE:
                # Queued, never done here: a registered number would otherwise wait for the SMS gateway (or
                # meet its failure) where an unknown one does not.
                resend_registration_links.delay_on_commit(phone=phone, site=request.build_absolute_uri("/"))
            # The same answer for a registered number, an unknown one and one asked for too often.
            return redirect("events:resend_link_sent")
    response = render(
        request,
        "events/public/resend_link.html",
        {"form": form, "nav": "events"},
        status=400 if form.errors else 200,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def registration_link_resent(request: HttpRequest) -> HttpResponse:
    """What every accepted request for a lost link leads to: check your messages."""
    response = render(request, "events/public/resend_link_sent.html", {"nav": "events"})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def past_events(request: HttpRequest) -> HttpResponse:
    """Events that took place, latest first, with how many came and the results; by year."""
    now = timezone.now()
    raw_year = request.GET.get("year", "")
    number = _page_number(request)

    def render_page(extra: dict[str, Any]):
        years = selectors.past_years(now=now)
        year = parse_year(raw_year)
        if (raw_year and year not in years) or number is None:
            context = {"years": years, "invalid": True, "page": None, "nav": "past", **extra}
            return render(request, "events/public/past_events.html", context, status=400), None
        year = year if raw_year else (years[0] if years else None)
        try:
            page_obj = Paginator(selectors.past_event_list(now=now, year=year), PAST_PAGE_SIZE).page(number)
        except EmptyPage:
            raise Http404 from None
        context = {
            "years": years,
            "year": year,
            "page": page_obj,
            "page_links": page_links(page_obj),
            "events": list(page_obj.object_list),
            "awards_elsewhere": list(selectors.awards_elsewhere(year=year)) if year else [],
            "year_query": f"year={year}" if year else "",
            "nav": "past",
            **extra,
        }
        return render(request, "events/public/past_events.html", context), None

    if number is None or (raw_year and not raw_year.isdigit()):
        response, _changes_at = render_page({})
        return response
    return caching.cached_page(request, caching.reader_key(request, "past", raw_year, number), render_page)


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """How the public site is made accessible, how it was tested, what is known not to work, whom to tell."""

    def render_page(extra: dict[str, Any]):
        context = {"reviewed": STATEMENT_REVIEWED, "nav": "accessibility", **extra}
        return render(request, "events/public/accessibility_statement.html", context), None

    return caching.cached_page(request, caching.reader_key(request, "statement"), render_page)


@require_GET
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """One event as an .ics file to add to a calendar."""
    event = selectors.event_get_public(slug)
    return calendar_response(request, [event], filename=f"{event.slug}.ics")


@require_GET
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """Every published event of the past year and to come, as an iCalendar feed to subscribe to."""
    events = list(selectors.feed_events(now=timezone.now()))
    return calendar_response(request, events, filename="jingan-federation-events.ics", inline=True)
