"""Writes to events, registrations and awards: row locks, rules, audit entries and fresh public pages."""

import datetime
import hashlib
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from core.notify import notifier
from services.models import Person, User
from services.registry.audit import (
    audit_record,
    audit_saved,
    field_values,
    history_by,
    rows_save,
    save_audited,
    update_audited,
)
from services.registry.lifecycle import person_service_check, person_service_refusal
from services.registry.permissions import action_permission_check
from services.registry.validation import validate_phone

from .caching import public_pages_changed
from .models import Award, Event, EventPhoto, Registration
from .validators import RESERVED_SLUGS

CHANGE_EVENT = "events.change_event"
CHANGE_REGISTRATION = "events.change_registration"
# A made page address leaves room under the field's 80 characters for a "-NN" that makes it unique.
SLUG_BASE_LENGTH = 72


def token_digest(token: str) -> str:
    """What is stored of a cancel token: its SHA-256, so a database copy cannot cancel anyone's place."""
    return hashlib.sha256(token.encode()).hexdigest()


def closed_reason(event: Event, *, now: datetime.datetime, public: bool) -> ValidationError | None:
    """Why `event` takes no registration now, or None."""
    if not event.is_published:
        return ValidationError(_("This event is not open for registration."), code="unpublished")
    if event.is_cancelled:
        return ValidationError(_("This event has been cancelled."), code="cancelled")
    if not event.takes_registrations:
        return ValidationError(_("This event needs no registration: just come along."), code="no_registration")
    if now >= event.starts_at:
        return ValidationError(_("This event has already started or is over."), code="started")
    if public and now >= event.closes_at:
        return ValidationError(
            _("Registration closed on %(date)s."),
            code="deadline",
            params={"date": date_format(timezone.localtime(event.closes_at), "DATETIME_FORMAT")},
        )
    return None


def _fill_from_waiting_list(event: Event, *, by: User | None) -> list[Registration]:
    """Confirm waiting registrations, oldest first, while places are free; the event row must be locked."""
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    free = event.capacity - confirmed
    if free <= 0:
        return []
    waiting = list(
        event.registrations.select_for_update()
        .filter(status=Registration.Status.WAITLISTED)
        .order_by("created_at", "id")[:free]
    )
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        history_by(registration, by)
        registration.save(update_fields=["status", "updated_at"])
        audit_record(obj=registration, code="events.registration.promoted", by=by, data={"event": event.pk})
    return waiting


def _needs_other_folded(needs_other: str) -> tuple[str, list[ValidationError]]:
    """The other needs as written, white space folded, and the error if they are too long (else none)."""
    folded = " ".join((needs_other or "").split())
    if len(folded) > 200:
        return folded, [ValidationError(_("Keep other needs under 200 characters."), code="max_length")]
    return folded, []


def _registration_checked(
    *,
    event: Event,
    by: User | None,
    person: Person | None,
    name: str,
    phone: str,
    needs_other: str,
    consent: bool,
    now: datetime.datetime,
) -> tuple[ValidationError | None, dict[str, Any], str]:
    """The refusal of a registration (or None), the registrant's fields as stored, and the other needs tidied."""
    public = person is None
    closed = closed_reason(event, now=now, public=public)
    if closed is not None:
        return closed, {}, needs_other
    errors: dict[str, list[ValidationError]] = {}
    fields: dict[str, Any] = {}
    if person is None:  # public; spelled out so type checkers narrow `person` below
        name = " ".join((name or "").split())
        if not name:
            errors["name"] = [ValidationError(_("Enter your name."), code="required")]
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.error_list
        if not consent:
            errors["consent"] = [
                ValidationError(_("Agree to how we use your details, or ask us by phone instead."), code="consent")
            ]
        if (
            "phone" not in errors
            and event.registrations.exclude(status=Registration.Status.CANCELLED).filter(phone=phone).exists()
        ):
            errors["phone"] = [
                ValidationError(_("This phone number is already registered for this event."), code="duplicate")
            ]
        fields = {"source": Registration.Source.PUBLIC, "name": name, "phone": phone, "consented_at": now}
    else:
        if by is None or not Person.objects.visible_to(by).filter(pk=person.pk).exists():
            return ValidationError(_("You cannot register this person."), code="not_yours"), {}, needs_other
        if person.status != Person.Status.ACTIVE:
            errors["person"] = [
                ValidationError(
                    _("This person is no longer active in the registry (%(status)s)."),
                    code="inactive",
                    params={"status": person.get_status_display()},
                )
            ]
        elif refusal := person_service_refusal(person, timezone.localtime(event.starts_at).date()):
            errors["person"] = [refusal]
        elif event.registrations.exclude(status=Registration.Status.CANCELLED).filter(person=person).exists():
            errors["person"] = [
                ValidationError(_("This person is already registered for this event."), code="duplicate")
            ]
        fields = {"source": Registration.Source.REGISTRY, "person": person, **person.as_served()}
    needs_other, too_long = _needs_other_folded(needs_other)
    if too_long:
        errors["needs_other"] = too_long
    return (ValidationError(errors) if errors else None), fields, needs_other


def registration_problem(
    *,
    event: Event,
    by: User | None = None,
    person: Person | None = None,
    name: str = "",
    phone: str = "",
    needs_other: str = "",
    consent: bool = False,
    now: datetime.datetime | None = None,
) -> ValidationError | None:
    """Why registration_create would refuse this registration now (checked again under its lock), or None."""
    problem, _fields, _needs = _registration_checked(
        event=event,
        by=by,
        person=person,
        name=name,
        phone=phone,
        needs_other=needs_other,
        consent=consent,
        now=now or timezone.now(),
    )
    return problem


@transaction.atomic
def registration_needs_update(
    *,
    registration: Registration,
    by: User,
    needs_interpreter: bool,
    needs_wheelchair_space: bool,
    needs_companion: bool,
    needs_other: str,
) -> Registration:
    """Change what a registrant needs at the event. Raises ValidationError if `by` may not change registrations."""
    action_permission_check(by, CHANGE_REGISTRATION)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    needs_other, too_long = _needs_other_folded(needs_other)
    if too_long:
        raise ValidationError({"needs_other": too_long})
    # In the order of their names: the audit entry lists the changed ones sorted.
    values = {
        "needs_companion": needs_companion,
        "needs_interpreter": needs_interpreter,
        "needs_other": needs_other,
        "needs_wheelchair_space": needs_wheelchair_space,
    }
    update_audited(registration, values, by=by, code="events.registration.needs_changed")
    return registration


@transaction.atomic
def registration_create(
    *,
    event: Event,
    by: User | None = None,
    person: Person | None = None,
    name: str = "",
    phone: str = "",
    needs_interpreter: bool = False,
    needs_wheelchair_space: bool = False,
    needs_companion: bool = False,
    needs_other: str = "",
    consent: bool = False,
    now: datetime.datetime | None = None,
) -> tuple[Registration, str]:
    """Register a registry person (entered by `by`) or a member of the public (`by` None, with name and phone).

    The place is confirmed while places remain and on the waiting list after that, decided under a
    lock on the event row. Returns the registration and its cancel token, which is stored only hashed.
    Raises ValidationError if registration is closed, the person is not `by`'s to register, the
    input is invalid or the phone number or person is already registered for the event.
    """
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    problem, fields, needs_other = _registration_checked(
        event=event, by=by, person=person, name=name, phone=phone, needs_other=needs_other, consent=consent, now=now
    )
    if problem is not None:
        raise problem
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    status = Registration.Status.CONFIRMED if confirmed < event.capacity else Registration.Status.WAITLISTED
    token = secrets.token_urlsafe(24)
    registration = Registration(
        event=event,
        status=status,
        needs_interpreter=needs_interpreter,
        needs_wheelchair_space=needs_wheelchair_space,
        needs_companion=needs_companion,
        needs_other=needs_other,
        registered_by=by if getattr(by, "pk", None) else None,
        token_hash=token_digest(token),
        **fields,
    )
    history_by(registration, by)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        # The lock serialises registrations of one event, so only a bug gets here; answer clearly all the same.
        raise ValidationError(_("This registration already exists."), code="duplicate") from exc
    audit_record(
        obj=registration,
        code="events.registration.created",
        by=by,
        data={"event": event.pk, "source": registration.source, "status": status},
    )
    public_pages_changed()
    return registration, token


def _text_on_commit(*, to: str, message: str) -> None:
    transaction.on_commit(lambda: notifier().send(to=to, message=message))


@transaction.atomic
def registration_request(
    *, event: Event, status_link: Callable[[str], str], now: datetime.datetime | None = None, **details: Any
) -> None:
    """A member of the public asks for a place (`details` as for registration_create, without `by` or
    `person`): registers them and texts the phone its own link (`status_link(token)`); if the phone
    already holds a place for the event, registers nothing and texts that number that it does.

    The caller answers both the same way, so nobody learns whether a number signed up.
    Raises ValidationError if registration is closed or the input is invalid, never for the duplicate.
    """
    try:
        registration, token = registration_create(event=event, now=now, **details)
    except ValidationError as exc:
        errors = dict(getattr(exc, "error_dict", {}))
        phone_errors = errors.get("phone", [])
        others = [error for error in phone_errors if error.code != "duplicate"]
        if len(others) == len(phone_errors):
            raise
        # Any other error is shown without the duplicate one, which would tell who registered.
        if others:
            errors["phone"] = others
        else:
            errors.pop("phone")
        if errors:
            raise ValidationError(errors) from None
        phone, link = validate_phone(details["phone"]), ""
        existing = event.registrations.exclude(status=Registration.Status.CANCELLED).filter(phone=phone).first()
        if existing is not None:
            audit_record(obj=existing, code="events.registration.repeated", by=None, data={"event": event.pk})
        message = gettext(
            "Jing'an Disabled Persons' Federation: this number is already registered for “%(title)s” on "
            "%(date)s, and nothing has changed. To see or cancel the registration, use the link in our "
            "first message, or call us."
        )
    else:
        phone, link = registration.phone, status_link(token)
        message = gettext(
            "Jing'an Disabled Persons' Federation: you are registered for “%(title)s” on %(date)s. "
            "Your own link to see or cancel your registration: %(link)s"
        )
    date = date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")
    _text_on_commit(to=phone, message=message % {"title": event.title, "date": date, "link": link})


@transaction.atomic
def registration_links_resend(
    *, phone: str, status_link: Callable[[str], str], now: datetime.datetime | None = None
) -> int:
    """Text `phone` a new private link for each of its public registrations of events to come (not cancelled):
    each gets a new token, so a lost link stops working. Returns how many were sent; the caller answers the
    same whatever the number, so nobody learns whether a number registered.

    Raises ValidationError if `phone` is not a phone number.
    """
    phone = validate_phone(phone)
    now = now or timezone.now()
    registrations = list(
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .filter(
            source=Registration.Source.PUBLIC,
            phone=phone,
            event__starts_at__gt=now,
            status__in=(Registration.Status.CONFIRMED, Registration.Status.WAITLISTED),
        )
        .order_by("event__starts_at", "pk")
    )
    for registration in registrations:
        token = secrets.token_urlsafe(24)
        registration.token_hash = token_digest(token)
        history_by(registration, None)
        registration.save(update_fields=["token_hash", "updated_at"])
        audit_record(
            obj=registration, code="events.registration.link_resent", by=None, data={"event": registration.event_id}
        )
        event = registration.event
        message = gettext(
            "Jing'an Disabled Persons' Federation: as asked, a new link to see or cancel your registration for "
            "“%(title)s” on %(date)s: %(link)s (the earlier link no longer works)."
        ) % {
            "title": event.title,
            "date": date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT"),
            "link": status_link(token),
        }
        _text_on_commit(to=phone, message=message)
    return len(registrations)


@transaction.atomic
def registration_cancel(
    *, registration: Registration, by: User | None = None, now: datetime.datetime | None = None
) -> Registration:
    """Cancel a registration and give its place to the first on the waiting list.

    Raises ValidationError if `by` may not change registrations (by=None: the registrant's own cancel link),
    it is already cancelled or the event has started.
    """
    action_permission_check(by, CHANGE_REGISTRATION)
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        raise ValidationError(_("This registration is already cancelled."), code="cancelled")
    if now >= event.starts_at:
        raise ValidationError(
            _("The event has started, so the registration can no longer be cancelled."), code="started"
        )
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    history_by(registration, by)
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(obj=registration, code="events.registration.cancelled", by=by, data={"event": event.pk})
    if was_confirmed and not event.is_cancelled:
        _fill_from_waiting_list(event, by=by)
    public_pages_changed()
    return registration


@transaction.atomic
def registration_cancel_by_token(*, token: str, now: datetime.datetime | None = None) -> Registration:
    """Cancel the registration whose cancel link holds `token`. Raises Registration.DoesNotExist or ValidationError."""
    registration = Registration.objects.get(token_hash=token_digest(token))
    return registration_cancel(registration=registration, now=now)


@transaction.atomic
def attendance_record(
    *, registration: Registration, attended: bool, by: User, now: datetime.datetime | None = None
) -> Registration:
    """Record whether a confirmed registrant came.

    Raises ValidationError if `by` may not change registrations, before the event or if not confirmed.
    """
    action_permission_check(by, CHANGE_REGISTRATION)
    now = now or timezone.now()
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    if now < registration.event.starts_at:
        raise ValidationError(_("Attendance can be recorded once the event has started."), code="not_started")
    if registration.event.is_cancelled:
        raise ValidationError(_("This event was cancelled."), code="cancelled")
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Only confirmed registrations have an attendance."), code="not_confirmed")
    registration.attendance = Registration.Attendance.ATTENDED if attended else Registration.Attendance.ABSENT
    registration.attendance_recorded_at = now
    registration.attendance_recorded_by = by
    history_by(registration, by)
    registration.save(update_fields=["attendance", "attendance_recorded_at", "attendance_recorded_by", "updated_at"])
    audit_record(
        obj=registration, code="events.registration.attendance", by=by, data={"attendance": registration.attendance}
    )
    public_pages_changed()
    return registration


def event_slug_for(*, title: str, pk: int | None = None) -> str:
    """A free page address for an event titled `title`: its pinyin (静安飞镖赛 → jing-an-fei-biao-sai), ASCII only.

    The address of another event or another page of the site gets -2, -3...; a title with nothing to spell
    in Latin letters gets "event".
    """
    base = slugify(" ".join(lazy_pinyin(title)))[:SLUG_BASE_LENGTH].strip("-") or "event"
    others = Event.objects.filter(slug__startswith=base)
    if pk is not None:
        others = others.exclude(pk=pk)
    taken = set(others.values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def event_save(*, event: Event, by: User) -> Event:
    """Create or update an event after full validation; more places go to the waiting list first.

    Raises ValidationError if the event breaks a rule.
    """
    creating = event._state.adding
    before = None if creating else field_values(Event.objects.select_for_update().get(pk=event.pk))
    made_slug = not event.slug.strip()
    if made_slug:
        event.slug = event_slug_for(title=event.title, pk=event.pk)
    event.full_clean()
    history_by(event, by)
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        if not made_slug:
            raise
        # Another event took the made address between the look-up and the insert: it is visible now.
        event.slug = event_slug_for(title=event.title, pk=event.pk)
        event.save()
    changed = audit_saved(
        obj=event,
        by=by,
        before=before,
        created_code="events.event.created",
        created_data={"category": event.category},
        updated_code="events.event.updated",
    )
    if "capacity" in changed and not event.is_cancelled:
        _fill_from_waiting_list(event, by=by)
    public_pages_changed()
    return event


@transaction.atomic
def event_publish(*, event: Event, by: User, published: bool = True) -> Event:
    """Show the event on the public site, or take it off. Raises ValidationError if `by` may not change events."""
    action_permission_check(by, CHANGE_EVENT)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.is_published != published:
        event.is_published = published
        history_by(event, by)
        event.save(update_fields=["is_published", "updated_at"])
        audit_record(obj=event, code="events.event.published" if published else "events.event.unpublished", by=by)
        public_pages_changed()
    return event


@transaction.atomic
def event_mark_held(*, event: Event, by: User, now: datetime.datetime | None = None) -> Event:
    """Record that the event took place: the statistics count it from now on, whether or not it is published.

    Raises ValidationError if `by` may not change events, the event was cancelled, is already held or
    has not started.
    """
    action_permission_check(by, CHANGE_EVENT)
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.is_cancelled:
        raise ValidationError(_("This event was cancelled."), code="cancelled")
    if event.is_held:
        raise ValidationError(_("This event is already recorded as held."), code="held")
    if now < event.starts_at:
        raise ValidationError(_("An event can be recorded as held once it has started."), code="not_started")
    event.status = Event.Status.HELD
    history_by(event, by)
    event.save(update_fields=["status", "updated_at"])
    audit_record(obj=event, code="events.event.held", by=by)
    public_pages_changed()
    return event


@transaction.atomic
def event_cancel(*, event: Event, by: User, now: datetime.datetime | None = None) -> Event:
    """Cancel an event; its registrations stay, so staff can tell the registrants.

    Raises ValidationError if `by` may not change events, the event is cancelled already or over.
    """
    action_permission_check(by, CHANGE_EVENT)
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.is_cancelled:
        raise ValidationError(_("This event is already cancelled."), code="cancelled")
    if event.is_held:
        raise ValidationError(_("This event is recorded as held."), code="held")
    if now >= event.ends_at:
        raise ValidationError(_("An event that is over cannot be cancelled."), code="over")
    event.status = Event.Status.CANCELLED
    event.cancelled_at = now
    history_by(event, by)
    event.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(obj=event, code="events.event.cancelled", by=by)
    public_pages_changed()
    return event


@transaction.atomic
def event_photos_save(
    *, event: Event, by: User, saved: Sequence[EventPhoto], deleted: Sequence[EventPhoto]
) -> list[EventPhoto]:
    """Save an event's new or changed photos and delete the removed ones, then refresh the public pages.

    Raises ValidationError if a photo breaks a rule (its text alternative, its file) or is another event's.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    if any(photo.event_id != event.pk for photo in [*saved, *deleted]):
        raise ValidationError(_("This photo belongs to another event."), code="other_event")
    for photo in saved:
        photo.full_clean()
    rows_save(saved=saved, deleted=deleted, by=by)
    if saved or deleted:
        audit_record(
            obj=event, code="events.event.photos_changed", by=by, data={"saved": len(saved), "deleted": len(deleted)}
        )
        public_pages_changed()
    return list(saved)


@transaction.atomic
def award_save(*, award: Award, by: User) -> Award:
    """Create or update an award after full validation. Raises ValidationError if it breaks a rule."""
    creating = award._state.adding
    if award.person is not None:
        person_service_check(award.person, award.awarded_on)
    award.full_clean()
    save_audited(
        award,
        code="events.award.created" if creating else "events.award.updated",
        by=by,
        data={"place": award.place, "kind": award.kind},
    )
    public_pages_changed()
    return award


@transaction.atomic
def award_delete(*, award: Award, by: User) -> None:
    """Remove an award entered by mistake (its history keeps it)."""
    audit_record(obj=award, code="events.award.deleted", by=by, data={"place": award.place})
    history_by(award, by)
    award.delete()
    public_pages_changed()


@transaction.atomic
def prevention_record_save(*, record: Any, by: User) -> Any:
    """Create or update a prevention material, quiz campaign or research topic after full validation, audited.

    Raises ValidationError if the record breaks a rule.
    """
    creating = record._state.adding
    record.full_clean()
    history_by(record, by)
    record.save()
    name = record._meta.model_name
    audit_record(obj=record, code=f"events.{name}.{'created' if creating else 'updated'}", by=by)
    return record


def registrations_end(*, person: Person, on: datetime.date, reason: str, by: User) -> int:
    """Cancel the person's registrations for events after `on` not yet started (their death or moving out;
    `reason` is recorded on the person's audit entry by services.registry.lifecycle)."""
    later = (
        Registration.objects.filter(person=person, event__starts_at__date__gt=on, event__starts_at__gt=timezone.now())
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("pk")
    )
    return len([registration_cancel(registration=registration, by=by) for registration in later])
