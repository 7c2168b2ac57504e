"""A person who died or moved out of the district: what of theirs ends, and which new services are refused.

When person_save records a person deceased (or moved out) on a date, `person_services_end` runs every
registered ending: each app registers, in its AppConfig.ready(), how its open records of a person end
(services does not import the other apps). Every action that gives a person a new service calls
`person_service_check` with the service's date; a merged record takes no new service at all.

What ends (README "The deceased and moved out"): bookings and registrations dated after the date are
cancelled, open follow-ups and referrals closed, enrolments in progress dropped, applications for a home
retrofit not yet in works withdrawn, online applications not yet decided refused, each with the reason
("person deceased on 2026-03-01"). A job
placement ends on the date of death; moving out does not end a job. Works already in progress,
devices on loan and completed records stay as they are, for staff to see to.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from services.models import Person, User
from services.registry.audit import audit_record


@dataclass(frozen=True)
class Ending:
    """How one kind of record of a person ends: `end` returns how many it ended."""

    key: str  # the model's label, e.g. "events.registration"; the audit entry counts by it
    end: Callable[..., int]  # (*, person, on, reason, by) -> int


_endings: dict[str, Ending] = {}


def register_ending(ending: Ending) -> None:
    """Add (or replace) an app's ending; registering twice is harmless."""
    _endings[ending.key] = ending


def endings() -> list[Ending]:
    return list(_endings.values())


def ended_on(person: Person) -> datetime.date | None:
    """The date the person's services end (death or moving out), or None while they are active."""
    if person.status == Person.Status.ACTIVE:
        return None
    return person.status_changed_on


def end_reason(person: Person) -> str:
    """Why the person's services end, as recorded on each record ended."""
    day = person.status_changed_on.isoformat() if person.status_changed_on else ""
    if person.status == Person.Status.DECEASED:
        return _("Person deceased on %(date)s") % {"date": day}
    return _("Person moved out of the district on %(date)s") % {"date": day}


def person_service_refusal(person: Person, on: datetime.date) -> ValidationError | None:
    """Why `person` can get no new service dated `on`, or None when they can."""
    if person.merged_into_id is not None:
        return ValidationError(_("This record was merged into another record: record services there."), code="merged")
    end = ended_on(person)
    if end is None or on <= end:
        return None
    if person.status == Person.Status.DECEASED:
        message = _("This person died on %(date)s: no service can be dated after that.")
    else:
        message = _("This person moved out of the district on %(date)s: no service can be dated after that.")
    return ValidationError(message, code=person.status, params={"date": end.isoformat()})


def person_service_check(person: Person, on: datetime.date) -> None:
    """Raise ValidationError if `person` can get no new service dated `on` (see person_service_refusal)."""
    refusal = person_service_refusal(person, on)
    if refusal is not None:
        raise refusal


def person_services_end(*, person: Person, by: User | None) -> dict[str, int]:
    """End every app's records of `person` dated after their death or moving out; how many, per kind.

    Called inside the transaction that recorded the status (person_save, the Excel import), which also
    writes the audit entry of the ending with these counts.
    """
    on = ended_on(person)
    if on is None:
        return {}
    reason = end_reason(person)
    counts = {ending.key: ending.end(person=person, on=on, reason=reason, by=by) for ending in endings()}
    ended = {key: count for key, count in counts.items() if count}
    audit_record(
        obj=person, code="services.person.services_ended", by=by, data={"status": person.status, "ended": ended}
    )
    return ended
