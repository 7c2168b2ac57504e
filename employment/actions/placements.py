"""Employers, graduates, placements and their follow-ups."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import Person, User
from services.registry.audit import audit_record, audit_records, history_by, save_audited
from services.registry.lifecycle import person_service_check

from ..models import (
    Employer,
    Graduate,
    Placement,
    PlacementFollowUp,
    Referral,
)
from ..validation import normalise_credit_code, working_age_error
from .base import Errors, add_error, add_months, inactive_error, raise_if, validate
from .referrals import check_referral, resolve_referral

FOLLOW_UP_MONTHS = (1, 3, 6, 12)
# A follow-up may be recorded this many days before it is due (a call in the week before counts).
FOLLOW_UP_EARLY_DAYS = 7


@transaction.atomic
def employer_save(*, employer: Employer, by: User) -> Employer:
    """Create or change an employer after validation (the credit code is normalised and checked).

    Raises ValidationError if it breaks a rule.
    """
    creating = employer._state.adding
    employer.credit_code = normalise_credit_code(employer.credit_code)
    validate(employer)
    save_audited(employer, by=by, code="employment.employer.created" if creating else "employment.employer.updated")
    return employer


@transaction.atomic
def graduate_update(*, graduate: Graduate, by: User) -> Graduate:
    """Save changes to a graduate's university and subject. Raises ValidationError if a value is wrong."""
    Graduate.objects.select_for_update().get(pk=graduate.pk)
    validate(graduate)
    save_audited(graduate, by=by, code="employment.graduate.updated")
    return graduate


@transaction.atomic
def graduate_register(*, person: Person, graduation_year: int, by: User, school: str = "", major: str = "") -> Graduate:
    """Register a person as a new graduate of a year; registering again returns the first record.

    Raises ValidationError if the year is implausible.
    """
    existing = Graduate.objects.filter(person=person, graduation_year=graduation_year).first()
    if existing is not None:
        return existing
    graduate = Graduate(
        person=person, **person.as_served(), graduation_year=graduation_year, school=school, major=major
    )
    validate(graduate)
    save_audited(graduate, by=by, code="employment.graduate.registered", data={"year": graduation_year})
    return graduate


def graduate_years(started_on: datetime.date) -> tuple[int, int]:
    """The graduation years a new graduate starting a job on `started_on` may have: that year or the one before."""
    return (started_on.year - 1, started_on.year)


def placement_errors(
    *, person: Person, started_on: datetime.date, new_graduate: bool, graduation_year: int | None
) -> Errors:
    """The rules a placement must keep beyond the model's, by field; empty when it may be recorded."""
    errors: Errors = {}
    if person.status != Person.Status.ACTIVE:
        add_error(errors, "person", inactive_error(person))
    age_error = working_age_error(person.birth_date, started_on)
    if age_error is not None:
        add_error(errors, "person", age_error)
    if new_graduate and graduation_year is None:
        add_error(
            errors,
            "graduation_year",
            ValidationError(_("Give the year a new graduate graduated."), code="graduation_year_required"),
        )
    elif not new_graduate and graduation_year is not None:
        add_error(
            errors,
            "graduation_year",
            ValidationError(
                _("Only a new graduate has a graduation year here; tick “new graduate” or clear the year."),
                code="graduation_year_unexpected",
            ),
        )
    elif new_graduate and graduation_year not in graduate_years(started_on):
        add_error(
            errors,
            "graduation_year",
            ValidationError(
                _("A new graduate graduates in the year the job starts or the year before (%(years)s)."),
                code="graduation_year_range",
                params={"years": " / ".join(str(y) for y in graduate_years(started_on))},
            ),
        )
    return errors


@transaction.atomic
def placement_create(
    *,
    person: Person,
    employer: Employer,
    job_title: str,
    started_on: datetime.date,
    contract_type: str,
    recommended: bool,
    by: User,
    new_graduate: bool = False,
    graduation_year: int | None = None,
    referral: Referral | None = None,
) -> Placement:
    """Record a job a person of working age started, with its follow-ups at 1, 3, 6 and 12 months.

    A new graduate is registered as a graduate of their year; `referral` is marked placed when given.
    Raises ValidationError if a rule is broken.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    person_service_check(person, started_on)
    if referral is not None:
        check_referral(referral, person=person, kind=Referral.Kind.JOB)
    raise_if(
        placement_errors(
            person=person, started_on=started_on, new_graduate=new_graduate, graduation_year=graduation_year
        )
    )
    placement = Placement(
        person=person,
        **person.as_served(),
        employer=employer,
        job_title=job_title.strip(),
        started_on=started_on,
        contract_type=contract_type,
        recommended=recommended,
        new_graduate=new_graduate,
        graduation_year=graduation_year,
    )
    validate(placement)
    save_audited(
        placement,
        by=by,
        code="employment.placement.created",
        data={"employer": employer.pk, "recommended": recommended, "new_graduate": new_graduate},
    )
    PlacementFollowUp.objects.bulk_create(
        PlacementFollowUp(placement=placement, months=months, due_on=add_months(started_on, months))
        for months in FOLLOW_UP_MONTHS
    )
    if new_graduate and graduation_year is not None:
        graduate_register(person=person, graduation_year=graduation_year, by=by)
    if referral is not None:
        resolve_referral(referral, status=Referral.Status.PLACED, by=by, placement=placement)
    return placement


def placement_end_errors(
    *, placement: Placement, ended_on: datetime.date | None, reason: str, today: datetime.date
) -> Errors:
    """The rules for ending a placement, by field; empty when it may end."""
    errors: Errors = {}
    if placement.ended_on is not None:
        add_error(errors, NON_FIELD_ERRORS, ValidationError(_("This placement has already ended."), code="ended"))
    if ended_on is None:
        add_error(errors, "ended_on", ValidationError(_("Give the end date."), code="required"))
    elif ended_on < placement.started_on:
        add_error(
            errors,
            "ended_on",
            ValidationError(
                _("The end date is before the start date (%(date)s)."),
                code="order",
                params={"date": placement.started_on.isoformat()},
            ),
        )
    elif ended_on > today:
        add_error(errors, "ended_on", ValidationError(_("The end date cannot be in the future."), code="future"))
    if reason not in Placement.EndReason.values:
        add_error(errors, "end_reason", ValidationError(_("Choose why the placement ended."), code="required"))
    return errors


@transaction.atomic
def placement_end(*, placement: Placement, ended_on: datetime.date, reason: str, by: User) -> Placement:
    """End a placement; its follow-ups due after the end are recorded as no longer employed.

    Raises ValidationError if it has ended already, the date is wrong or the reason is missing.
    """
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    raise_if(placement_end_errors(placement=placement, ended_on=ended_on, reason=reason, today=timezone.localdate()))
    placement.ended_on = ended_on
    placement.end_reason = reason
    validate(placement)
    save_audited(placement, by=by, code="employment.placement.ended", data={"reason": reason})
    later = PlacementFollowUp.objects.select_for_update().filter(
        placement=placement, recorded_on__isnull=True, due_on__gt=ended_on
    )
    for follow_up in later:
        follow_up.recorded_on = ended_on
        follow_up.still_employed = False
        follow_up.note = str(Placement.EndReason(reason).label)
        follow_up.recorded_by = by
        history_by(follow_up, by)
        follow_up.save(update_fields=["recorded_on", "still_employed", "note", "recorded_by", "updated_at"])
    return placement


def follow_up_errors(
    *, follow_up: PlacementFollowUp, still_employed: bool | None, recorded_on: datetime.date, today: datetime.date
) -> Errors:
    """The rules for recording a placement follow-up, by field; empty when it may be recorded."""
    errors: Errors = {}
    if follow_up.recorded_on is not None:
        add_error(errors, NON_FIELD_ERRORS, ValidationError(_("This follow-up is already recorded."), code="recorded"))
    if still_employed is None:
        add_error(
            errors,
            "still_employed",
            ValidationError(_("Say whether the person is still employed."), code="required"),
        )
    if recorded_on > today:
        future = ValidationError(_("A follow-up cannot be recorded in the future."), code="future")
        add_error(errors, NON_FIELD_ERRORS, future)
    elif recorded_on < follow_up.due_on - datetime.timedelta(days=FOLLOW_UP_EARLY_DAYS):
        add_error(
            errors,
            NON_FIELD_ERRORS,
            ValidationError(
                _("This follow-up is due on %(date)s; it can be recorded from a week before."),
                code="too_early",
                params={"date": follow_up.due_on.isoformat()},
            ),
        )
    return errors


@transaction.atomic
def placement_follow_up_record(
    *,
    follow_up: PlacementFollowUp,
    still_employed: bool | None,
    by: User,
    note: str = "",
    recorded_on: datetime.date | None = None,
) -> PlacementFollowUp:
    """Record whether the person is still employed at a follow-up point, once.

    Raises ValidationError if already recorded, too early, in the future, or the answer is missing.
    """
    follow_up = PlacementFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    today = timezone.localdate()
    recorded_on = recorded_on or today
    raise_if(follow_up_errors(follow_up=follow_up, still_employed=still_employed, recorded_on=recorded_on, today=today))
    follow_up.recorded_on = recorded_on
    follow_up.still_employed = still_employed
    follow_up.note = note.strip()
    follow_up.recorded_by = by
    history_by(follow_up, by)
    follow_up.save(update_fields=["recorded_on", "still_employed", "note", "recorded_by", "updated_at"])
    audit_record(
        obj=follow_up,
        code="employment.placement_follow_up.recorded",
        by=by,
        data={"months": follow_up.months, "still_employed": still_employed},
    )
    return follow_up


@transaction.atomic
def placement_follow_ups_record(
    *, answers: Sequence[tuple[PlacementFollowUp, datetime.date]], still_employed: bool, by: User, note: str = ""
) -> list[PlacementFollowUp]:
    """Record many follow-ups at once, each on its date, under the rules of `placement_follow_up_record`.

    One UPDATE per date, one INSERT of their history rows and one of their audit entries. Raises
    ValidationError (and records none) if any of them breaks a rule.
    """
    recorded = {follow_up.pk: on for follow_up, on in answers}
    follow_ups = list(PlacementFollowUp.objects.select_for_update().filter(pk__in=recorded).order_by("pk"))
    today, now = timezone.localdate(), timezone.now()
    by_date: dict[datetime.date, list[int]] = {}
    for follow_up in follow_ups:
        on = recorded[follow_up.pk]
        raise_if(follow_up_errors(follow_up=follow_up, still_employed=still_employed, recorded_on=on, today=today))
        follow_up.recorded_on, follow_up.still_employed, follow_up.note = on, still_employed, note.strip()
        follow_up.recorded_by, follow_up.updated_at = by, now
        by_date.setdefault(on, []).append(follow_up.pk)
    # Grouped by date rather than bulk_update's CASE per row and field, which cost seconds for a thousand rows.
    for on, pks in by_date.items():
        PlacementFollowUp.objects.filter(pk__in=pks).update(
            recorded_on=on, still_employed=still_employed, note=note.strip(), recorded_by=by, updated_at=now
        )
    PlacementFollowUp.history.bulk_history_create(follow_ups, update=True, default_user=by)
    audit_records(
        entries=[(f, {"months": f.months, "still_employed": still_employed}) for f in follow_ups],
        code="employment.placement_follow_up.recorded",
        by=by,
    )
    return follow_ups


def placements_end(*, person: Person, on: datetime.date, reason: str, by: User) -> int:
    """End the deceased person's running placements on the day they died; moving out of the district ends no job."""
    if person.status != Person.Status.DECEASED:
        return 0
    running = Placement.objects.filter(person=person, ended_on__isnull=True, started_on__lte=on)
    return len([placement_end(placement=p, ended_on=on, reason=Placement.EndReason.OTHER, by=by) for p in running])
