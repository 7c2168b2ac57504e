"""Rehabilitation rules, writes and reads: centres, family-doctor contracts, home sessions and referrals.

Every write from the admin and the field views goes through here, with its history row and audit entry;
only the demo seeds its records in bulk (services.demo_rehab).
"""

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .actions import follow_up_close
from .audit import audit_record, history_by
from .lifecycle import person_service_check, person_service_refusal
from .models import FamilyDoctorContract, FollowUp, HomeRehabSession, Person, RehabCentre, RehabReferral, User
from .timeline import TimelineEntry, as_datetime

REFER_PERMISSION = "services.add_rehabreferral"
Errors = dict[str, list[ValidationError]]


def _save(obj: Any, *, by: User, code: str, data: dict[str, Any] | None = None) -> None:
    history_by(obj, by)
    obj.save()
    audit_record(obj=obj, code=code, by=by, data=data)


# --- reads ----------------------------------------------------------------------------------------


def rehab_homes_public() -> QuerySet[RehabCentre]:
    """The centres certified as rehabilitation homes today, for the public page (no personal data)."""
    return RehabCentre.objects.certified_now().select_related("street").order_by("street__code", "name")


def running_contract(person: Person) -> FamilyDoctorContract | None:
    """The person's family-doctor contract without an end date, if any."""
    return FamilyDoctorContract.objects.filter(person=person, ended_on__isnull=True).select_related("centre").first()


def referral_centre_for(person: Person, contract: FamilyDoctorContract | None) -> RehabCentre | None:
    """The centre a referral goes to by default: the contract's, else a certified centre of the person's street."""
    if contract is not None:
        return contract.centre
    centres = RehabCentre.objects.filter(street_id=person.street_id).exclude(
        certification=RehabCentre.Certification.REVOKED
    )
    return centres.filter(certification=RehabCentre.Certification.CERTIFIED).order_by("name").first() or (
        centres.order_by("name").first()
    )


def person_rehab_panel(person: Person) -> dict[str, Any]:
    """What the field person page shows about rehabilitation: the contract, recent sessions and referrals."""
    return {
        "contract": running_contract(person),
        "sessions": list(
            HomeRehabSession.objects.filter(person=person).select_related("centre").order_by("-given_on", "-id")[:5]
        ),
        "referrals": list(RehabReferral.objects.filter(person=person).select_related("centre").order_by("-id")[:5]),
    }


def _session_detail(session: HomeRehabSession) -> str:
    # ngettext outside an f-string: makemessages cannot find a call inside one.
    minutes = ngettext("%(n)d minute", "%(n)d minutes", session.minutes) % {"n": session.minutes}
    return f"{minutes} · {session.given_by}"


def timeline_entries(person: Person) -> list[TimelineEntry]:
    """The person's family-doctor contracts, home sessions and referrals for the full record (three queries)."""
    entries = [
        TimelineEntry(
            when=as_datetime(c.signed_on),
            kind=gettext("Family doctor"),
            title=f"{c.centre.name} · {c.doctor}",
            detail=f"{c.signed_on} – {c.ended_on or ''}",
            url=reverse("admin:services_familydoctorcontract_change", args=[c.pk]),
        )
        for c in FamilyDoctorContract.objects.filter(person=person).select_related("centre")
    ]
    entries += [
        TimelineEntry(
            when=as_datetime(s.given_on),
            kind=gettext("Home rehabilitation"),
            title=f"{s.get_kind_display()} · {s.centre.name}",
            detail=_session_detail(s),
            url=reverse("admin:services_homerehabsession_change", args=[s.pk]),
        )
        for s in HomeRehabSession.objects.filter(person=person).select_related("centre")
    ]
    entries += [
        TimelineEntry(
            when=r.created_at,
            kind=gettext("Rehabilitation referral"),
            title=f"{r.centre.name} · {r.get_status_display()}",
            detail=r.note,
            url=reverse("admin:services_rehabreferral_change", args=[r.pk]),
        )
        for r in RehabReferral.objects.filter(person=person).select_related("centre")
    ]
    return entries


# --- writes ---------------------------------------------------------------------------------------


@transaction.atomic
def rehab_centre_save(*, centre: RehabCentre, by: User) -> RehabCentre:
    """Create or update a centre and its certification. Raises ValidationError if a rule is broken."""
    creating = centre._state.adding
    centre.full_clean()
    _save(
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
            _save(
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
    _save(
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

    Raises ValidationError if a rule is broken, e.g. the same session (person, centre, kind, day) recorded twice.
    """
    creating = session._state.adding
    # One writer per person at a time, so the same session saved twice at once is seen as a twin.
    Person.objects.select_for_update().filter(pk=session.person_id).first()
    session.street_id = session.person.street_id
    person_service_check(session.person, session.given_on)
    if session.referral_id is not None and creating:
        referral = RehabReferral.objects.select_for_update().get(pk=session.referral_id)
        if referral.status != RehabReferral.Status.OPEN:
            raise ValidationError({"referral": _("This referral is no longer open.")}, code="not_open")
    session.full_clean()
    _save(
        session,
        by=by,
        code="services.home_rehab_session.recorded" if creating else "services.home_rehab_session.updated",
        data={"kind": session.kind, "minutes": session.minutes},
    )
    if creating and session.referral is not None:
        _resolve(session.referral, status=RehabReferral.Status.ASSESSED, by=by)
    return session
