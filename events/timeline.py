"""The person page's entries from events: registrations, attendance and awards."""

from django.utils import timezone
from django.utils.translation import gettext as _

from services.models import Person
from services.registry.timeline import TimelineEntry, day_entry


def person_entries(person: Person) -> list[TimelineEntry]:
    """Each event the person was registered for (with status and attendance) and each award won."""
    entries = []
    for registration in person.event_registrations.select_related("event").order_by("event__starts_at"):
        detail = registration.get_status_display()
        if registration.attendance != registration.Attendance.PENDING:
            detail = f"{detail} · {registration.get_attendance_display()}"
        entries.append(
            TimelineEntry(
                when=registration.event.starts_at,
                kind=_("Event"),
                title=f"{registration.event.title} ({timezone.localtime(registration.event.starts_at):%Y-%m-%d})",
                detail=str(detail),
                record=registration,
            )
        )
    for award in person.awards.all():
        entries.append(
            day_entry(
                award.awarded_on,
                kind=_("Award"),
                title=f"{award.competition}: {award.get_place_display()}",
                record=award,
            )
        )
    return entries
