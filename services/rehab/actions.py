"""Rehabilitation writes: centres, family-doctor contracts, referrals and home sessions, each audited."""

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.models import FamilyDoctorContract, FollowUp, HomeRehabSession, Person, RehabCentre, RehabReferral, User
from services.registry.audit import audit_record, history_by, save_audited
from services.registry.lifecycle import person_service_check, person_service_refusal
from services.rehab.selectors import running_contract
from services.visits.actions import follow_up_close

REFER_PERMISSION = "services.add_rehabreferral"


Errors = dict[str, list[ValidationError]]


@transaction.atomic
def rehab_centre_save(*, centre: RehabCentre, by: User) -> RehabCentre:
    """Create or update a centre and its certification. Raises ValidationError if a rule is broken."""
    creating = centre._state.adding
    centre.full_clean()
    save_audited(
        centre,
        by=by,
        code="services.rehab_centre.created" if creating else "services.rehab_centre.updated",
        data={"certification": centre.certification},
    )
    return centre


@transaction.atomic
def family_doctor_contract_save(*, contract: FamilyDoctorContract, by: User) -> FamilyDoctorContract:
    """Create or update a family-doctor contract; its street is the person's. Raises ValidationError."""
    creating = contract._state.adding
    Person.objects.select_for_update().filter(pk=contract.person_id).first()  # one writer per person at a time
    contract.street_id = contract.person.street_id
    if creating:
        person_service_check(contract.person, contract.signed_on)
    contract.full_clean()
    try:
        with transaction.atomic():
            save_audited(
                contract,
                by=by,
                code="services.family_doctor_contract.created"
                if creating
                else "services.family_doctor_contract.updated",
                data={"centre": contract.centre_id},
            )
    except IntegrityError:
        raise ValidationError(
            _("This person already has a running family-doctor contract: give it an end date first."), code="running"
        ) from None
    return contract


def referral_errors(*, follow_up: FollowUp, centre: RehabCentre | None, by: User) -> Errors:
    """The rules a rehabilitation referral must keep, by field; empty when `by` may make it."""
    if not by.has_perm(REFER_PERMISSION):
        return {NON_FIELD_ERRORS: [ValidationError(_("You may not make referrals."), code="not_allowed")]}
    if not Person.objects.visible_to(by).filter(pk=follow_up.person_id).exists():
        return {
            NON_FIELD_ERRORS: [ValidationError(_("You can only refer people of your own street."), code="not_visible")]
        }
    errors: Errors = {}
    if follow_up.need != FollowUp.Need.REHABILITATION:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            ValidationError(_("Only a rehabilitation need is referred to a centre."), code="wrong_need")
        )
    if follow_up.status != FollowUp.Status.OPEN:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            ValidationError(_("This need has already been closed."), code="closed")
        )
    if follow_up.person.status != Person.Status.ACTIVE:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            ValidationError(
                _("This person is no longer active in the registry (%(status)s)."),
                code="inactive",
                params={"status": follow_up.person.get_status_display()},
            )
        )
    refusal = person_service_refusal(follow_up.person, timezone.localdate())
    if refusal is not None:
        errors.setdefault(NON_FIELD_ERRORS, []).append(refusal)
    if centre is None:
        errors["centre"] = [ValidationError(_("Choose the centre to refer the person to."), code="required")]
    elif centre.certification == RehabCentre.Certification.REVOKED:
        errors["centre"] = [ValidationError(_("This centre's certification was revoked."), code="revoked")]
    return errors


@transaction.atomic
def rehab_referral_create(
    *, follow_up: FollowUp, centre: RehabCentre | None, by: User, note: str = ""
) -> RehabReferral:
    """Refer the person of a visit's rehabilitation need to a centre, and close the need with the referral.

    The person's running family-doctor contract is attached. `by` must hold services.add_rehabreferral
    and see the person. Raises ValidationError if a rule is broken.
    """
    follow_up = FollowUp.objects.select_for_update().select_related("person").get(pk=follow_up.pk)
    errors = referral_errors(follow_up=follow_up, centre=centre, by=by)
    if errors:
        raise ValidationError(errors)
    assert centre is not None  # referral_errors refused a missing centre
    person = follow_up.person
    referral = RehabReferral(
        person=person,
        street_id=person.street_id,
        centre=centre,
        contract=running_contract(person),
        follow_up=follow_up,
        note=note.strip(),
        referred_by=by,
    )
    save_audited(
        referral, by=by, code="services.rehab_referral.created", data={"centre": centre.pk, "follow_up": follow_up.pk}
    )
    # The need is met by the referral: the case goes on in the centre's referral queue, as an escort
    # booked from a need closes that need.
    follow_up_close(
        follow_up=follow_up,
        outcome=gettext("Referred to %(centre)s for rehabilitation (referral #%(number)d).")
        % {"centre": centre.name, "number": referral.pk},
        by=by,
    )
    return referral


def _resolve(referral: RehabReferral, *, status: str, by: User, note: str = "") -> RehabReferral:
    referral = RehabReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != RehabReferral.Status.OPEN:
        raise ValidationError(_("This referral is no longer open."), code="not_open")
    referral.status = status
    referral.resolved_at = timezone.now()
    if note.strip():
        referral.note = f"{referral.note}\n{note.strip()}".strip()
    history_by(referral, by)
    referral.save(update_fields=["status", "resolved_at", "note", "updated_at"])
    audit_record(obj=referral, code=f"services.rehab_referral.{status}", by=by)
    return referral


@transaction.atomic
def rehab_referral_close(*, referral: RehabReferral, by: User, note: str) -> RehabReferral:
    """Close an open referral without a session, saying why. Raises ValidationError if not open or no reason."""
    if not note.strip():
        raise ValidationError({"note": _("Write why the referral is closed.")}, code="required")
    return _resolve(referral, status=RehabReferral.Status.CLOSED, by=by, note=note)


def rehab_referrals_end(*, person: Person, on: datetime.date, reason: str, by: User) -> int:
    """Close the person's open rehabilitation referrals, noting `reason` (their death or moving out)."""
    open_referrals = RehabReferral.objects.filter(person=person, status=RehabReferral.Status.OPEN)
    return len([_resolve(r, status=RehabReferral.Status.CLOSED, by=by, note=reason) for r in open_referrals])


@transaction.atomic
def home_rehab_session_record(*, session: HomeRehabSession, by: User) -> HomeRehabSession:
    """Record (or correct) a session given at home; the first one answering an open referral resolves it.

    Recording it keeps the person's street and category on the session. A correction keeps them, so
    a person who moved or was reassessed since leaves the session where it was counted; only a
    correction of whose session it was gives it the street and category that person has now.
    Raises ValidationError if a rule is broken, e.g. the same session (person, centre, kind, day) recorded twice.
    """
    creating = session._state.adding
    # One writer per person at a time, so the same session saved twice at once is seen as a twin.
    Person.objects.select_for_update().filter(pk=session.person_id).first()
    person_service_check(session.person, session.given_on)
    recorded_for = None
    if not creating:
        recorded_for = HomeRehabSession.objects.select_for_update().values_list("person", flat=True).get(pk=session.pk)
    data: dict[str, Any] = {"kind": session.kind, "minutes": session.minutes}
    if session.person_id != recorded_for:
        for name, value in session.person.as_served().items():
            setattr(session, name, value)
        if not creating:
            data["person_corrected_from"] = recorded_for
    if session.referral_id is not None and creating:
        referral = RehabReferral.objects.select_for_update().get(pk=session.referral_id)
        if referral.status != RehabReferral.Status.OPEN:
            raise ValidationError({"referral": _("This referral is no longer open.")}, code="not_open")
    session.full_clean()
    save_audited(
        session,
        by=by,
        code="services.home_rehab_session.recorded" if creating else "services.home_rehab_session.updated",
        data=data,
    )
    if creating and session.referral is not None:
        _resolve(session.referral, status=RehabReferral.Status.ASSESSED, by=by)
    return session
