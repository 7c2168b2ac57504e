"""The person's timeline (一人一档): each app registers a provider of entries about a person.

A provider takes a person and returns entries; apps register theirs in `AppConfig.ready()`, so
the person page never imports them and dependencies keep pointing at `services`.
"""

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.admin_links import admin_links, link_for
from core.i18n import join_list
from core.users import user_display
from services.models import Person


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to or for a person."""

    when: datetime.datetime
    kind: str  # a short translated label, e.g. "Home visit"
    title: str
    detail: str = ""
    url: str = ""
    # The record the entry is about: the page links to its admin page where the viewer may open it
    # (timeline_links); `url` is for a page of its own that needs no such check.
    record: Model | None = None
    # A date without a time of day (a visit, a course's start): shown as the date alone, never "00:00".
    day_only: bool = False


Provider = Callable[[Person], Iterable[TimelineEntry]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider of timeline entries (usable as a decorator); registering twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


SEPARATOR = " · "


def _without_kind(entry: TimelineEntry) -> TimelineEntry:
    """The entry with the parts of its title that only repeat its kind left out ("入户走访 · 入户走访 · ...")."""
    parts = entry.title.split(SEPARATOR)
    kept = [part for part in parts if part.strip() != str(entry.kind)]
    if len(kept) == len(parts) or not kept:
        return entry
    return dataclasses.replace(entry, title=SEPARATOR.join(kept))


def timeline_for(person: Person) -> list[TimelineEntry]:
    """Every registered app's entries about `person`, newest first."""
    entries = [_without_kind(entry) for provider in _providers for entry in provider(person)]
    return sorted(entries, key=lambda e: e.when, reverse=True)


def timeline_links(request: HttpRequest, entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """The entries with a link to each one's record where `request.user` may open its admin page (one query per
    kind of record)."""
    links = admin_links(request, (entry.record for entry in entries if not entry.url))
    return [entry if entry.url else dataclasses.replace(entry, url=link_for(links, entry.record)) for entry in entries]


def as_datetime(day: datetime.date) -> datetime.datetime:
    """Place a date-only event at the start of that day, local time, so it sorts among datetimes (the entry
    says `day_only`, so its page shows the date alone)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_entry(
    day: datetime.date, *, kind: str, title: str, detail: str = "", record: Model | None = None
) -> TimelineEntry:
    """An entry for something dated by the day alone (a visit, a course's start): its page shows the date only."""
    return TimelineEntry(when=as_datetime(day), kind=kind, title=title, detail=detail, record=record, day_only=True)


@register
def registry_changes(person: Person) -> list[TimelineEntry]:
    """The registry record's own history: created, and which fields changed, by whom."""
    records = list(person.history.select_related("history_user").order_by("history_date", "history_id"))
    entries = []
    previous = None
    for record in records:
        who = user_display(record.history_user) if record.history_user else _("the system")
        if previous is None or record.history_type == "+":
            title = _("Record created by %(who)s") % {"who": who}
            detail = ""
        else:
            changed = record.diff_against(previous).changed_fields
            title = _("Record changed by %(who)s") % {"who": who}
            detail = join_list(Person._meta.get_field(name).verbose_name for name in changed)
        entries.append(TimelineEntry(when=record.history_date, kind=_("Registry"), title=title, detail=detail))
        previous = record
    return entries


@register
def home_visits(person: Person) -> list[TimelineEntry]:
    """Visits filed by committee members, with the needs they found."""
    entries = []
    for visit in person.visits.select_related("visitor").prefetch_related("follow_ups"):
        needs = join_list(f.get_need_display() for f in visit.follow_ups.all())
        entries.append(
            day_entry(
                visit.visited_on,
                # How the person was reached is the kind: a phone call is not a home visit.
                kind=str(visit.get_mode_display()),
                title=f"{visit.get_purpose_display()} · {user_display(visit.visitor)}",
                detail=needs,
                record=visit,
            )
        )
    return entries


@register
def clinic_escorts(person: Person) -> list[TimelineEntry]:
    """Clinic escorts booked for the person, with their outcome."""
    return [
        TimelineEntry(
            when=booking.slot.starts_at,
            kind=_("Clinic escort"),
            title=f"{booking.slot.hospital} · {booking.get_status_display()}",
            detail=booking.department,
            record=booking,
        )
        for booking in person.escort_bookings.select_related("slot__hospital")
    ]


@register
def corrections(person: Person) -> list[TimelineEntry]:
    """Corrections of the person's closed records (an escort voided, a retrofit's type changed), by whom and why."""
    entries = []
    for correction in person.corrections.select_related("by"):
        title = _("%(record)s %(what)s by %(who)s") % {
            "record": correction.record_label,
            "what": correction.change_label,
            "who": correction.by_label,
        }
        entries.append(
            TimelineEntry(
                when=correction.at, kind=_("Correction"), title=title, detail=correction.reason, record=correction
            )
        )
    return entries


@register
def merged_records(person: Person) -> list[TimelineEntry]:
    """Duplicate records merged into this one: their services are listed here now."""
    return [
        TimelineEntry(
            when=record.merged_at,
            kind=_("Registry"),
            title=_("Duplicate record %(number)s merged into this one") % {"number": record.masked_id_number},
            url=reverse("admin:services_person_record", args=[record.pk]),
        )
        for record in person.merged_records.exclude(merged_at=None).order_by("merged_at")
    ]
