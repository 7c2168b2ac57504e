"""Clinic escort rules and writes: eligibility, booking, matching volunteers, outcomes, reminders."""

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.i18n import join_list
from core.notify import mask_address, notifier
from services.models import (
    Correction,
    EscortBooking,
    EscortService,
    EscortSlot,
    EscortStatusChange,
    FollowUp,
    Person,
    Reminder,
    TeamService,
    User,
    Volunteer,
    VolunteerDecline,
)
from services.registry import corrections
from services.registry.audit import audit_record, history_by, save_audited
from services.registry.lifecycle import person_service_refusal
from services.registry.permissions import action_permission_check
from services.registry.selectors import age_on
from services.registry.validation import phone_as_stored, phone_is_valid
from services.visits import actions as visit_actions

logger = logging.getLogger("portal.escorts")


OVERRIDE_PERMISSION = "services.override_escort_eligibility"


# Who may cancel an escort: staff in the admin, or a committee member (the street scope narrows it further).
CANCEL_PERMISSIONS = ("services.change_escortbooking", "services.use_field_app")


# A no-show took a place too; only a cancelled booking frees it.
TAKES_A_PLACE = (EscortBooking.Status.BOOKED, EscortBooking.Status.COMPLETED, EscortBooking.Status.NO_SHOW)


ELDERLY_VISUAL_AGE = 70


MAX_MINUTES = 600


REMINDER_WINDOW = datetime.timedelta(hours=36)


def escort_ineligibility(person: Person, on: datetime.date) -> str:
    """Why `person` may not use the escort clinics on `on`; empty when they may.

    Eligible: a hearing or speech disability (also within a multiple one), or a visual
    disability of grade 1 or 2 at age 70 or over on the day of the visit.
    """
    if person.has_category(Person.Category.HEARING) or person.has_category(Person.Category.SPEECH):
        return ""
    if (
        person.has_category(Person.Category.VISUAL)
        and person.grade <= 2
        and age_on(person.birth_date, on) >= ELDERLY_VISUAL_AGE
    ):
        return ""
    return _(
        "The escort clinics serve people with a hearing or speech disability, and visually disabled people "
        "of grade 1 or 2 aged 70 or over. This person does not qualify on %(date)s."
    ) % {"date": on.isoformat()}


def default_need(person: Person) -> str:
    """What the escort is for, from the person's disability: deaf, blind or other."""
    if person.has_category(Person.Category.HEARING) or person.has_category(Person.Category.SPEECH):
        return EscortBooking.Need.DEAF
    if person.has_category(Person.Category.VISUAL):
        return EscortBooking.Need.BLIND
    return EscortBooking.Need.OTHER


def _overlapping(queryset: QuerySet[EscortBooking], slot: EscortSlot) -> QuerySet[EscortBooking]:
    return queryset.filter(
        slot__starts_at__lt=slot.ends_at, slot__ends_at__gt=slot.starts_at, status__in=EscortBooking.ACTIVE
    )


def _change(booking: EscortBooking, old: str, by: User, note: str = "") -> None:
    EscortStatusChange.objects.create(booking=booking, old=old, new=booking.status, by=by, note=note[:200])


def _move(booking: EscortBooking, to: str, *, by: User, note: str = "", fields: tuple[str, ...] = ()) -> None:
    """Move a locked booking to `to` and record the change. Raises ValidationError if EscortBooking.NEXT forbids it."""
    if not booking.can_move_to(to):
        raise ValidationError(_("This escort is already closed."), code="closed")
    old, booking.status = booking.status, to
    history_by(booking, by)
    booking.save(update_fields=["status", *fields, "updated_at"])
    _change(booking, old, by, note)


def escort_booking_problem(
    *, person: Person, slot: EscortSlot, services: list[EscortService], by: User, override_reason: str = ""
) -> ValidationError | None:
    """The first rule a new booking would break, or None. Forms call it to show the reason early;
    escort_booking_create calls it again under the row locks, where it is final."""
    if slot.cancelled:
        return ValidationError(_("This clinic session was cancelled."), code="slot_cancelled")
    if slot.starts_at <= timezone.now():
        return ValidationError(_("This clinic session has already started or passed."), code="slot_past")
    if person.status != Person.Status.ACTIVE:
        return ValidationError(_("This person is no longer active in the registry."), code="inactive")
    refusal = person_service_refusal(person, timezone.localtime(slot.starts_at).date())
    if refusal is not None:
        return refusal
    if not services:
        return ValidationError(_("Choose at least one service."), code="no_services")
    reason = escort_ineligibility(person, timezone.localtime(slot.starts_at).date())
    if reason:
        if not override_reason.strip():
            return ValidationError(reason, code="ineligible")
        if not by.has_perm(OVERRIDE_PERMISSION):
            return ValidationError(
                _("Only federation staff may book a person outside the rules."), code="override_not_allowed"
            )
    if _overlapping(EscortBooking.objects.filter(person=person), slot).exists():
        return ValidationError(_("This person already has an escort at an overlapping time."), code="double_booked")
    if EscortBooking.objects.filter(slot=slot, status__in=TAKES_A_PLACE).count() >= slot.capacity:
        return ValidationError(_("This clinic session is full."), code="slot_full")
    return None


@transaction.atomic
def escort_booking_create(
    *,
    person: Person,
    slot: EscortSlot,
    need: str,
    services: Iterable[EscortService],
    by: User,
    department: str = "",
    override_reason: str = "",
    from_follow_up: FollowUp | None = None,
) -> EscortBooking:
    """Book `person` into a clinic session, closing the visit's escort need it answers if given.

    The session row is locked, so parallel requests for its last place give exactly one booking; the
    booking and the closed need commit together or not at all. Raises ValidationError naming the broken rule.
    """
    if not Person.objects.visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied
    if from_follow_up is not None and (
        from_follow_up.person_id != person.pk or from_follow_up.need != FollowUp.Need.ESCORT
    ):
        raise ValidationError(_("This need is not an escort need of this person."), code="wrong_need")
    slot = EscortSlot.objects.select_for_update().get(pk=slot.pk)
    person = Person.objects.select_for_update().get(pk=person.pk)
    services = list(services)
    problem = escort_booking_problem(
        person=person, slot=slot, services=services, by=by, override_reason=override_reason
    )
    if problem is not None:
        raise problem
    reason = escort_ineligibility(person, timezone.localtime(slot.starts_at).date())
    override_reason = override_reason.strip()
    booking = EscortBooking.objects.create(
        person=person,
        **person.as_served(),
        slot=slot,
        need=need,
        department=department.strip(),
        eligibility_override=override_reason if reason else "",
        requested_by=by,
    )
    booking.services.set(services)
    _change(booking, "", by, override_reason if reason else "")
    audit_record(
        obj=booking,
        code="services.escort.booked",
        by=by,
        data={"slot": slot.pk, "override": bool(reason)},
    )
    if from_follow_up is not None:
        visit_actions.follow_up_close(
            follow_up=from_follow_up, outcome=_("Escort booked: %(slot)s") % {"slot": slot}, by=by
        )
    return booking


@transaction.atomic
def escort_booking_assign(*, booking: EscortBooking, volunteer: Volunteer, by: User) -> EscortBooking:
    """Assign a volunteer who has the skills asked and is free then. Raises ValidationError."""
    booking = EscortBooking.objects.select_for_update().select_related("slot").get(pk=booking.pk)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not booking.is_open:
        raise ValidationError(_("Only a booked escort can be assigned."), code="not_booked")
    if not volunteer.active:
        raise ValidationError(_("This volunteer is not active."), code="inactive_volunteer")
    skills = booking.required_skills()
    if "signs" in skills and not volunteer.signs:
        raise ValidationError(_("This patient needs a volunteer who signs fluently."), code="needs_signing")
    if "guides" in skills and not volunteer.guide_trained:
        raise ValidationError(_("This patient needs a volunteer trained to guide."), code="needs_guiding")
    if booking.declines.filter(volunteer=volunteer).exists():
        raise ValidationError(_("This volunteer declined this escort."), code="declined")
    if _overlapping(EscortBooking.objects.filter(volunteer=volunteer).exclude(pk=booking.pk), booking.slot).exists():
        raise ValidationError(_("This volunteer is escorting someone else at that time."), code="volunteer_busy")
    booking.volunteer = volunteer
    history_by(booking, by)
    booking.save(update_fields=["volunteer", "updated_at"])
    audit_record(obj=booking, code="services.escort.assigned", by=by, data={"volunteer": volunteer.pk})
    return booking


def _assigned_booking(booking: EscortBooking, user: User) -> EscortBooking:
    booking = (
        EscortBooking.objects.select_for_update(of=("self",)).select_related("slot", "volunteer").get(pk=booking.pk)
    )
    if booking.volunteer is None or booking.volunteer.user_id != user.pk:
        raise PermissionDenied
    if not booking.is_open:
        raise ValidationError(_("This escort is already closed."), code="closed")
    return booking


@transaction.atomic
def escort_booking_decline(*, booking: EscortBooking, by: User, reason: str) -> EscortBooking:
    """The assigned volunteer declines; the booking goes back to the queue. Raises ValidationError."""
    booking = _assigned_booking(booking, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, so staff can find someone else.")}, code="required")
    assert booking.volunteer is not None  # _assigned_booking refused a booking with none
    VolunteerDecline.objects.create(booking=booking, volunteer=booking.volunteer, reason=reason.strip()[:200])
    booking.volunteer = None
    history_by(booking, by)
    booking.save(update_fields=["volunteer", "updated_at"])
    audit_record(obj=booking, code="services.escort.declined", by=by)
    return booking


@transaction.atomic
def escort_booking_complete(*, booking: EscortBooking, by: User, minutes: int) -> EscortBooking:
    """The assigned volunteer records the escort as given. Raises ValidationError."""
    booking = _assigned_booking(booking, by)
    if booking.slot.starts_at > timezone.now():
        raise ValidationError(_("An escort cannot be completed before its session starts."), code="future")
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationError({"minutes": _("Give the minutes spent, from 1 to 600.")}, code="minutes")
    booking.minutes = minutes
    _move(booking, EscortBooking.Status.COMPLETED, by=by, fields=("minutes",))
    audit_record(obj=booking, code="services.escort.completed", by=by, data={"minutes": minutes})
    return booking


@transaction.atomic
def escort_booking_no_show(*, booking: EscortBooking, by: User) -> EscortBooking:
    """The assigned volunteer records that the patient did not come. Raises ValidationError."""
    booking = _assigned_booking(booking, by)
    if booking.slot.starts_at > timezone.now():
        raise ValidationError(_("A no-show cannot be recorded before the session starts."), code="future")
    _move(booking, EscortBooking.Status.NO_SHOW, by=by)
    audit_record(obj=booking, code="services.escort.no_show", by=by)
    return booking


@transaction.atomic
def escort_booking_cancel(*, booking: EscortBooking, by: User, reason: str = "") -> EscortBooking:
    """Cancel a booked escort (staff, or a committee member of the person's street); the status change names `by`.

    Raises PermissionDenied if `by` is no one or does not see the booking; ValidationError if `by` may not
    change escorts or the escort is no longer booked.
    """
    if by is None:
        raise PermissionDenied  # the status history records who cancelled: the system never does
    action_permission_check(by, *CANCEL_PERMISSIONS)
    if not EscortBooking.objects.visible_to(by).filter(pk=booking.pk).exists():
        raise PermissionDenied
    booking = EscortBooking.objects.select_for_update().get(pk=booking.pk)
    if not booking.can_move_to(EscortBooking.Status.CANCELLED):
        raise ValidationError(_("Only a booked escort can be cancelled."), code="not_booked")
    _move(booking, EscortBooking.Status.CANCELLED, by=by, note=reason)
    audit_record(obj=booking, code="services.escort.cancelled", by=by)
    return booking


@transaction.atomic
def escort_booking_correct(*, booking: EscortBooking, by: User, reason: str) -> EscortBooking:
    """Void a closed escort (completed or no-show) entered in error: it leaves the figures of its year.

    The booking moves to "voided" with the reason on its status change; the correction, with what it moved
    in the figures, is recorded (services.corrections) and audited as services.escort_booking.corrected.
    Raises ValidationError if `by` may not correct closed records, gives no reason, or the escort is not
    completed or no-show; PermissionDenied if `by` does not see the booking.
    """
    reason = corrections.correction_check(by=by, reason=reason)
    if not EscortBooking.objects.visible_to(by).filter(pk=booking.pk).exists():
        raise PermissionDenied
    booking = EscortBooking.objects.select_for_update(of=("self",)).select_related("slot", "person").get(pk=booking.pk)
    if booking.status not in EscortBooking.CORRECTABLE:
        raise ValidationError(
            _("Only a completed or no-show escort can be voided; cancel a booked one instead."), code="not_closed"
        )
    year = timezone.localtime(booking.slot.starts_at).year
    before = corrections.figures_of(EscortBooking, year)
    old, booking.status = booking.status, EscortBooking.Status.VOIDED
    history_by(booking, by)
    booking.save(update_fields=["status", "updated_at"])
    _change(booking, old, by, reason)
    corrections.correction_record(
        obj=booking,
        person=booking.person,
        kind=Correction.Kind.VOIDED,
        old=old,
        new=booking.status,
        year=year,
        reason=reason,
        by=by,
        before=before,
        code="services.escort_booking.corrected",
    )
    return booking


def escort_bookings_end(*, person: Person, on: datetime.date, reason: str, by: User) -> int:
    """Cancel the person's booked escorts dated after `on` (their death or moving out), noting `reason`."""
    later = EscortBooking.objects.select_for_update(of=("self",)).filter(
        person=person, status=EscortBooking.Status.BOOKED, slot__starts_at__date__gt=on
    )
    cancelled = 0
    for booking in later:
        _move(booking, EscortBooking.Status.CANCELLED, by=by, note=reason)
        audit_record(obj=booking, code="services.escort.cancelled", by=by, data={"person_status": person.status})
        cancelled += 1
    return cancelled


def _reminder_text(booking: EscortBooking, recipient: str) -> str:
    local = timezone.localtime(booking.slot.starts_at)
    services = join_list(booking.services.all())
    if recipient == Reminder.Recipient.VOLUNTEER:
        return _(
            "Jing'an Disabled Persons' Federation: escort tomorrow %(time)s at %(hospital)s, %(clinic)s. "
            "Patient %(name)s; needs: %(services)s."
        ) % {
            "time": f"{local:%m-%d %H:%M}",
            "hospital": booking.slot.hospital,
            "clinic": booking.slot.hospital.clinic,
            "name": booking.person.name,
            "services": services,
        }
    return _(
        "Jing'an Disabled Persons' Federation: your escort at %(hospital)s is on %(time)s; a volunteer will "
        "meet you at the %(clinic)s. To cancel, call your street's committee member."
    ) % {"time": f"{local:%m-%d %H:%M}", "hospital": booking.slot.hospital, "clinic": booking.slot.hospital.clinic}


def _reminder_phone(booking: EscortBooking, recipient: str, numbers: Iterable[str]) -> str | None:
    """The first number that passes the phone rule; one that fails it is skipped and logged, without the number."""
    for raw in numbers:
        number = phone_as_stored(raw)
        if phone_is_valid(number):
            return number
        if number:
            # The booking id only: the number itself is personal and stays out of the log.
            logger.warning("escort booking %s: the %s's number fails the phone rule; skipped", booking.pk, recipient)
    return None


def _contacts(booking: EscortBooking) -> list[tuple[str, str]]:
    person = booking.person
    contacts: list[tuple[str, str]] = []
    patient_phone = _reminder_phone(booking, Reminder.Recipient.PATIENT, (person.phone, person.guardian_phone))
    if patient_phone:
        contacts.append((Reminder.Recipient.PATIENT, patient_phone))
    if booking.volunteer is not None:
        volunteer_phone = _reminder_phone(booking, Reminder.Recipient.VOLUNTEER, (booking.volunteer.phone,))
        if volunteer_phone:
            contacts.append((Reminder.Recipient.VOLUNTEER, volunteer_phone))
    return contacts


def escort_reminders_send(*, now: datetime.datetime) -> int:
    """Send the day-before reminders not yet sent for sessions starting within 36 hours; return how many.

    Each (booking, recipient) is sent at most once: the row is locked and a Reminder row marks it.
    """
    due = EscortBooking.objects.filter(
        status=EscortBooking.Status.BOOKED, slot__starts_at__gt=now, slot__starts_at__lte=now + REMINDER_WINDOW
    ).values_list("pk", flat=True)
    sent = 0
    backend = notifier()
    for pk in list(due):
        with transaction.atomic():
            booking = (
                EscortBooking.objects.select_for_update(of=("self",))
                .select_related("person", "slot__hospital", "volunteer")
                .get(pk=pk)
            )
            done = set(booking.reminders.values_list("recipient", flat=True))
            for recipient, address in _contacts(booking):
                if recipient in done:
                    continue
                message = _reminder_text(booking, recipient)
                backend.send(to=address, message=message)
                Reminder.objects.create(
                    booking=booking,
                    recipient=recipient,
                    channel=backend.channel,
                    address=mask_address(address),
                    message=message,
                )
                sent += 1
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at", "updated_at"])
    return sent


@transaction.atomic
def team_service_save(*, service: TeamService, by: User) -> TeamService:
    """Record or correct a volunteer service a team gave, audited. Raises ValidationError if `by` may not or
    the record breaks a rule."""
    creating = service._state.adding
    action_permission_check(by, "services.add_teamservice" if creating else "services.change_teamservice")
    if not creating:
        TeamService.objects.select_for_update().get(pk=service.pk)  # the row being corrected
    service.full_clean()
    save_audited(
        service,
        code="services.team_service.created" if creating else "services.team_service.updated",
        by=by,
        data={"team": service.team_id, "person_times": service.person_times},
    )
    return service
