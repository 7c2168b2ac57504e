"""Applying for a home retrofit and moving it through its steps."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.concurrency import check_version
from services.models import FollowUp, Household, Person, User
from services.registry.audit import audit_record, history_by
from services.registry.households import household_link, household_of
from services.registry.lifecycle import person_service_refusal
from services.visits.actions import follow_up_close

from ..models import Retrofit, RetrofitLine, RetrofitStatusChange, RetrofitTypeCap
from .common import (
    ADVANCE,
    APPLY,
    MAX_NOTE,
    OVER_CAP,
    Errors,
    Status,
    add_error,
    check_step_date,
    is_retrofit_staff,
    line_total,
    sees_case,
)


def retrofit_person_errors(person: Person, on: datetime.date) -> list[ValidationError]:
    """Why `person`'s household may not apply for a home retrofit on `on`; empty when it may.

    The person must be active and able to get services on that date, have no open case, and their
    household's home must not have an open or a done case. The field app shows these before offering
    an application (services.visits.extensions), and retrofit_apply_errors refuses with them.
    """
    errors: list[ValidationError] = []
    if person.status != Person.Status.ACTIVE:
        errors.append(
            ValidationError(
                _("This person is no longer active in the registry (%(status)s)."),
                code="inactive",
                params={"status": person.get_status_display()},
            )
        )
    refusal = person_service_refusal(person, on)
    if refusal is not None:
        errors.append(refusal)
    open_case = Retrofit.objects.filter(person=person, status__in=Retrofit.OPEN).first()
    if open_case is not None:
        errors.append(
            ValidationError(
                _("This person already has an open home retrofit (#%(number)d, %(status)s)."),
                code="one_open",
                params={"number": open_case.pk, "status": open_case.get_status_display()},
            )
        )
        return errors
    household = household_of(person)
    home_case = (
        Retrofit.objects.filter(household=household, status__in=(*Retrofit.OPEN, *Retrofit.DONE))
        .select_related("person")
        .order_by("-applied_on", "-pk")
        .first()
        if household is not None
        else None
    )
    if home_case is not None:
        errors.append(
            ValidationError(
                _(
                    "This home already has a retrofit: case #%(number)d of %(name)s at %(address)s (%(status)s). "
                    "A household's home is retrofitted once, whichever member applies."
                ),
                code="household_has_retrofit",
                params={
                    "number": home_case.pk,
                    "name": home_case.person.name,
                    "address": household,
                    "status": home_case.get_status_display(),
                },
            )
        )
    return errors


def retrofit_refusal(person: Person, on: datetime.date) -> str:
    """retrofit_person_errors as one sentence for the field app and the admin; "" when the person may apply."""
    return " ".join(message for error in retrofit_person_errors(person, on) for message in error.messages)


def retrofit_apply_errors(
    *,
    person: Person,
    by: User,
    type: str,
    note: str,
    from_follow_up: FollowUp | None,
    applied_on: datetime.date,
    today: datetime.date,
) -> Errors:
    """The rules an application must keep, by field; empty when it may be filed."""
    errors: Errors = {}
    if not (by.is_authenticated and (by.has_perm(APPLY) or by.has_perm(ADVANCE))):
        add_error(errors, NON_FIELD_ERRORS, _("You are not allowed to apply for home retrofits."), "forbidden")
        return errors
    if not Person.objects.visible_to(by).filter(pk=person.pk).exists():
        add_error(errors, NON_FIELD_ERRORS, _("This person is not in your streets."), "not_visible")
        return errors
    if type not in Retrofit.Type.values:
        add_error(errors, "type", _("Choose the standard or the basic type."), "invalid_type")
    if len(note) > MAX_NOTE:
        add_error(errors, "note", _("At most %(max)d characters."), "too_long", max=MAX_NOTE)
    if applied_on > today:
        add_error(errors, "applied_on", _("The date cannot be in the future."), "future")
    if from_follow_up is not None and (
        from_follow_up.person_id != person.pk or from_follow_up.need != FollowUp.Need.RETROFIT
    ):
        add_error(
            errors,
            NON_FIELD_ERRORS,
            _("That home-visit need is not a retrofit need of this person."),
            "wrong_follow_up",
        )
    person_errors = retrofit_person_errors(person, applied_on)
    if person_errors:
        errors.setdefault(NON_FIELD_ERRORS, []).extend(person_errors)
    return errors


@transaction.atomic
def retrofit_apply(
    *,
    person: Person,
    by: User,
    type: str,
    note: str = "",
    from_follow_up: FollowUp | None = None,
    applied_on: datetime.date | None = None,
) -> Retrofit:
    """File an application for a person's household, optionally from a home visit's retrofit need.

    Raises ValidationError if the user may not apply for this person, the data are wrong, the person
    already has an open case, or their household's home has an open or a done case (also when two
    applications arrive at the same moment).
    """
    today = timezone.localdate()
    applied_on = applied_on or today
    note = note.strip()
    # Applications for one home wait for each other here, so two members applying at once file one case.
    # (A refused application leaves no household behind: the raise undoes this atomic block.)
    household = Household.objects.select_for_update().get(pk=household_link(person=person).pk)
    errors = retrofit_apply_errors(
        person=person,
        by=by,
        type=type,
        note=note,
        from_follow_up=from_follow_up,
        applied_on=applied_on,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    retrofit = Retrofit(
        person=person,
        **person.as_served(),
        household=household,
        type=type,
        applied_on=applied_on,
        application_note=note,
        from_follow_up=from_follow_up,
    )
    history_by(retrofit, by)
    try:
        with transaction.atomic():
            retrofit.save()
    except IntegrityError:
        # Another application for the same person was committed between the check and the insert.
        if Retrofit.objects.filter(person=person, status__in=Retrofit.OPEN).exists():
            raise ValidationError(_("This person already has an open home retrofit."), code="one_open") from None
        raise
    RetrofitStatusChange.objects.create(retrofit=retrofit, old="", new=Status.APPLIED, on=applied_on, by=by, note=note)
    audit_record(
        obj=retrofit,
        code="accessibility.retrofit.applied",
        by=by,
        data={"type": type, "street": person.street_id, "from_follow_up": getattr(from_follow_up, "pk", None)},
    )
    if from_follow_up is not None and from_follow_up.status == FollowUp.Status.OPEN:
        # The need is met by the application: its case now has a workflow of its own, as an escort
        # booked from a need closes that need.
        follow_up_close(
            follow_up=from_follow_up,
            outcome=_("Home retrofit application #%(number)d filed.") % {"number": retrofit.pk},
            by=by,
        )
    return retrofit


# --- moving through the workflow ------------------------------------------------------------------


def _may_move(by: User, retrofit: Retrofit, to: str) -> bool:
    if is_retrofit_staff(by):
        return True
    # Committee members may withdraw an application that nobody has assessed yet.
    return bool(
        by.is_authenticated and by.has_perm(APPLY) and retrofit.status == Status.APPLIED and to == Status.WITHDRAWN
    )


@dataclass(frozen=True)
class StepNeed:
    """One thing a step needs the case to hold before it can be taken, and why it is missing (none when met)."""

    label: Any
    problems: tuple[ValidationError, ...] = ()
    field: str = NON_FIELD_ERRORS

    @property
    def met(self) -> bool:
        return not self.problems


def _problem(message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def follow_up_due_on(retrofit: Retrofit) -> datetime.date | None:
    """The first day the check on use of an accepted case may be recorded (three months after acceptance)."""
    if retrofit.accepted_on is None:
        return None
    return retrofit.accepted_on + datetime.timedelta(days=Retrofit.FOLLOW_UP_AFTER_DAYS)


def retrofit_step_needs(*, retrofit: Retrofit, to: str, on: datetime.date) -> list[StepNeed]:
    """What the case itself must hold before it moves to `to` on `on`, each with why it is missing.

    The one definition of these rules: the case page lists them before each step (a step with a need
    unmet is shown with what is missing instead of its button), and retrofit_advance refuses the step
    with the same messages. What the step's own form asks (its date, a note, the sign-offs, a reason
    above the cap) is checked by retrofit_advance_errors.
    """
    if to == Status.APPROVED:
        return _approval_needs(retrofit)
    if to == Status.IN_WORKS:
        problems = (
            ()
            if retrofit.contractor.strip()
            else (_problem(_("Enter the contractor before the works start."), "no_contractor"),)
        )
        return [StepNeed(_("The contractor"), problems)]
    if to == Status.FOLLOWED_UP:
        due = follow_up_due_on(retrofit)
        label = _("Three months since the joint acceptance")
        if due is None or on >= due:
            return [StepNeed(label, field="on")]
        problem = _problem(
            _("The check on use is due from %(date)s, three months after acceptance."),
            "too_early",
            date=date_format(due, "Y-m-d"),
        )
        return [StepNeed(label, (problem,), field="on")]
    return []


def _approval_needs(retrofit: Retrofit) -> list[StepNeed]:
    lines = RetrofitLine.objects.filter(retrofit=retrofit)
    items: list[ValidationError] = []
    if not lines.exists():
        items.append(_problem(_("Choose the items of the works before approval."), "no_items"))
    else:
        allowed = (
            Q(item__allowed_standard=True) if retrofit.type == Retrofit.Type.STANDARD else Q(item__allowed_basic=True)
        )
        items.extend(
            _problem(
                _("“%(item)s” is not allowed in the %(type)s."),
                "item_not_allowed",
                item=name,
                type=retrofit.get_type_display(),
            )
            for name in lines.exclude(allowed).values_list("item__name", flat=True).order_by("item__name")
        )
    cap: list[ValidationError] = []
    if not RetrofitTypeCap.objects.filter(type=retrofit.type).exists():
        cap.append(
            _problem(
                _("No cost cap is set for the %(type)s; set one first."), "no_cap", type=retrofit.get_type_display()
            )
        )
    return [StepNeed(_("The items of the works"), tuple(items)), StepNeed(_("A cost cap for the type"), tuple(cap))]


def retrofit_advance_errors(
    *,
    retrofit: Retrofit,
    to: str,
    by: User,
    on: datetime.date,
    note: str,
    cap_exception_reason: str,
    household_signatory: str,
    contractor_signatory: str,
    today: datetime.date,
) -> Errors:
    """Why the case cannot move to `to` now, by field; empty when it can."""
    errors: Errors = {}
    if not (by.is_authenticated and sees_case(by, retrofit)):
        add_error(errors, NON_FIELD_ERRORS, _("This home retrofit is not in your streets."), "not_visible")
        return errors
    if not retrofit.can_move_to(to):
        current = retrofit.get_status_display()
        target = Status(to).label if to in Status.values else to
        add_error(
            errors,
            NON_FIELD_ERRORS,
            _("A case that is “%(current)s” cannot become “%(target)s”."),
            "bad_transition",
            current=current,
            target=target,
        )
        return errors
    if not _may_move(by, retrofit, to):
        add_error(
            errors,
            NON_FIELD_ERRORS,
            _("You are not allowed to make a case “%(target)s”."),
            "forbidden",
            target=Status(to).label,
        )
        return errors
    check_step_date(errors, on, not_before=retrofit.step_date, today=today)
    if len(note) > MAX_NOTE:
        add_error(errors, "note", _("At most %(max)d characters."), "too_long", max=MAX_NOTE)
    needs = retrofit_step_needs(retrofit=retrofit, to=to, on=on)
    for need in needs:
        errors.setdefault(need.field, []).extend(need.problems)
    if to == Status.ASSESSED and not note:
        add_error(errors, "note", _("Record what the home assessment found."), "required")
    elif to in (Status.REJECTED, Status.WITHDRAWN) and not note:
        add_error(errors, "note", _("Give the reason."), "required")
    elif to == Status.FOLLOWED_UP and not note:
        add_error(errors, "note", _("Record how the household uses the works."), "required")
    elif to == Status.APPROVED and all(need.met for need in needs):
        _cap_errors(errors, retrofit=retrofit, by=by, cap_exception_reason=cap_exception_reason)
    elif to == Status.ACCEPTED:
        if not household_signatory:
            add_error(errors, "household_signatory", _("Who signed for the household?"), "required")
        if not contractor_signatory:
            add_error(errors, "contractor_signatory", _("Who signed for the contractor?"), "required")
    return {field: problems for field, problems in errors.items() if problems}


def _cap_errors(errors: Errors, *, retrofit: Retrofit, by: User, cap_exception_reason: str) -> None:
    """Above the type's cap, the approval needs a reason and the right to approve exceptions."""
    cap = RetrofitTypeCap.objects.get(type=retrofit.type).cap
    total = line_total(retrofit)
    if total <= cap:
        return
    params = {"total": f"{total:.2f}", "cap": f"{cap:.2f}", "type": retrofit.get_type_display()}
    if not cap_exception_reason:
        add_error(
            errors,
            "cap_exception_reason",
            _(
                "The cost of %(total)s yuan is above the %(type)s cap of %(cap)s yuan. "
                "Record the reason for an exception to approve it."
            ),
            "over_cap",
            **params,
        )
    elif not by.has_perm(OVER_CAP):
        add_error(
            errors,
            "cap_exception_reason",
            _("You are not allowed to approve above the cost cap."),
            "over_cap_forbidden",
        )


@transaction.atomic
def retrofit_advance(
    *,
    retrofit: Retrofit,
    to: str,
    by: User,
    on: datetime.date | None = None,
    note: str = "",
    cap_exception_reason: str = "",
    household_signatory: str = "",
    contractor_signatory: str = "",
    seen_version: str = "",
    seen_history: str = "",
) -> Retrofit:
    """Move a case one step to `to`, recording the step's data, who and when.

    `seen_version` (with `seen_history`), when given, is the version of the case the user's form
    showed: a case changed since is refused (core.concurrency).
    Raises ValidationError (and changes nothing) if the move, the user or the data break a rule.
    """
    retrofit = Retrofit.objects.select_for_update().select_related("person").get(pk=retrofit.pk)
    if seen_version:
        try:
            check_version(record=retrofit, seen_version=seen_version, seen_history=seen_history)
        except ValidationError as exc:
            raise ValidationError({NON_FIELD_ERRORS: [exc]}) from None
    today = timezone.localdate()
    on = on or today
    note, cap_exception_reason = note.strip(), cap_exception_reason.strip()
    household_signatory, contractor_signatory = household_signatory.strip(), contractor_signatory.strip()
    errors = retrofit_advance_errors(
        retrofit=retrofit,
        to=to,
        by=by,
        on=on,
        note=note,
        cap_exception_reason=cap_exception_reason,
        household_signatory=household_signatory,
        contractor_signatory=contractor_signatory,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    old = retrofit.status
    changed = ["status", "updated_at"]
    if to == Status.ASSESSED:
        retrofit.assessed_on, retrofit.assessment_note = on, note
        changed += ["assessed_on", "assessment_note"]
    elif to == Status.APPROVED:
        retrofit.approved_on, retrofit.approved_total = on, line_total(retrofit)
        cap = RetrofitTypeCap.objects.get(type=retrofit.type).cap
        if retrofit.approved_total > cap:
            retrofit.cap_exception_reason, retrofit.cap_exception_by = cap_exception_reason, by
        changed += ["approved_on", "approved_total", "cap_exception_reason", "cap_exception_by"]
    elif to == Status.IN_WORKS:
        retrofit.works_started_on = on
        changed += ["works_started_on"]
    elif to == Status.ACCEPTED:
        retrofit.accepted_on, retrofit.accepted_by = on, by
        retrofit.household_signatory, retrofit.contractor_signatory = household_signatory, contractor_signatory
        changed += ["accepted_on", "accepted_by", "household_signatory", "contractor_signatory"]
    elif to == Status.FOLLOWED_UP:
        retrofit.followed_up_on, retrofit.follow_up_note = on, note
        changed += ["followed_up_on", "follow_up_note"]
    else:
        retrofit.closed_on, retrofit.closing_reason = on, note
        changed += ["closed_on", "closing_reason"]
    retrofit.status = to
    history_by(retrofit, by)
    retrofit.save(update_fields=changed)
    RetrofitStatusChange.objects.create(retrofit=retrofit, old=old, new=to, on=on, by=by, note=note)
    data: dict[str, Any] = {"from": old, "to": to}
    if retrofit.cap_exception_reason and to == Status.APPROVED:
        data["cap_exception"] = True
    audit_record(obj=retrofit, code="accessibility.retrofit.advanced", by=by, data=data)
    return retrofit


def retrofits_end(*, person: Person, on: datetime.date, reason: str, by: User) -> int:
    """Withdraw the person's home retrofit applications not yet in works, with `reason` (their death or moving
    out); works in progress go on, for staff to settle."""
    waiting = Retrofit.objects.filter(person=person, status__in=(Status.APPLIED, Status.ASSESSED, Status.APPROVED))
    return len([retrofit_advance(retrofit=r, to=Status.WITHDRAWN, by=by, note=reason) for r in waiting])
