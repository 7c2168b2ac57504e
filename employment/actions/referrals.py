"""Referrals of a person to a course or to job matching, from a need found on a home visit."""

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import FollowUp, Person, User
from services.registry.audit import audit_record, history_by, save_audited
from services.registry.lifecycle import person_service_check
from services.registry.permissions import action_permission_check

from ..models import (
    Course,
    Referral,
)
from ..validation import working_age_error
from .base import Errors, add_error, inactive_error, raise_if, validate

# The need on a home visit that each kind of referral answers.
REFERRAL_NEED = {Referral.Kind.COURSE: FollowUp.Need.TRAINING, Referral.Kind.JOB: FollowUp.Need.JOB}


def check_referral(referral: Referral, *, person: Person, kind: str, course: Course | None = None) -> None:
    """Raise ValidationError unless `referral` is open and is for this person, kind of help and course."""
    if referral.status != Referral.Status.OPEN:
        raise ValidationError(_("This referral is no longer open."), code="referral_not_open")
    if referral.person_id != person.pk or referral.kind != kind:
        raise ValidationError(_("This referral is for another person or another kind of help."), code="referral_other")
    if course is not None and referral.course_id not in (None, course.pk):
        raise ValidationError(_("This referral names another course."), code="referral_other")


def resolve_referral(referral: Referral, *, status: str, by: User, **changes: Any) -> Referral:
    """Move an open referral to `status` under a row lock. Raises ValidationError if it is no longer open."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Referral.Status.OPEN:
        raise ValidationError(_("This referral is no longer open."), code="referral_not_open")
    referral.status = status
    referral.resolved_at = timezone.now()
    for name, value in changes.items():
        setattr(referral, name, value)
    history_by(referral, by)
    referral.save(update_fields=["status", "resolved_at", *changes, "updated_at"])
    audit_record(obj=referral, code=f"employment.referral.{status}", by=by, data={"kind": referral.kind})
    return referral


def referral_errors(*, follow_up: FollowUp, kind: str, course: Course | None, by: User, today: datetime.date) -> Errors:
    """The rules a referral must keep, by field; empty when `by` may make it."""
    errors: Errors = {}
    if not by.has_perm("employment.add_referral"):
        add_error(errors, NON_FIELD_ERRORS, ValidationError(_("You may not make referrals."), code="not_allowed"))
        return errors
    person = follow_up.person
    if not Person.objects.visible_to(by).filter(pk=person.pk).exists():
        add_error(
            errors,
            "follow_up",
            ValidationError(_("You can only refer people of your own street."), code="not_visible"),
        )
        return errors
    if kind not in Referral.Kind.values:
        add_error(errors, "kind", ValidationError(_("Choose training or job matching."), code="kind"))
    elif follow_up.need != REFERRAL_NEED[Referral.Kind(kind)]:
        add_error(
            errors,
            "kind",
            ValidationError(
                _("This need is “%(need)s”: a referral to %(kind)s answers the need “%(wanted)s”."),
                code="wrong_need",
                params={
                    "need": follow_up.get_need_display(),
                    "kind": Referral.Kind(kind).label,
                    "wanted": FollowUp.Need(REFERRAL_NEED[Referral.Kind(kind)]).label,
                },
            ),
        )
    if follow_up.status != FollowUp.Status.OPEN:
        add_error(errors, "follow_up", ValidationError(_("This need has already been closed."), code="closed"))
    elif Referral.objects.filter(follow_up=follow_up, status=Referral.Status.OPEN).exists():
        add_error(errors, "follow_up", ValidationError(_("This need already has an open referral."), code="duplicate"))
    if person.status != Person.Status.ACTIVE:
        add_error(errors, "follow_up", inactive_error(person))
    if course is not None:
        if kind != Referral.Kind.COURSE:
            add_error(
                errors, "course", ValidationError(_("Only a referral to training names a course."), code="course")
            )
        elif course.ends_on < today:
            add_error(errors, "course", ValidationError(_("This course has already ended."), code="course_ended"))
    age_error = working_age_error(person.birth_date, max(course.starts_on, today) if course else today)
    if age_error is not None:
        add_error(errors, "follow_up", age_error)
    return errors


@transaction.atomic
def referral_create(
    *, follow_up: FollowUp, kind: str, by: User, course: Course | None = None, note: str = ""
) -> Referral:
    """Refer the person of a home visit's training or job need to a course or to job matching.

    `by` must hold employment.add_referral and see the person (Person.objects.visible_to).
    Raises ValidationError if a rule is broken.
    """
    follow_up = FollowUp.objects.select_for_update().select_related("person").get(pk=follow_up.pk)
    raise_if(referral_errors(follow_up=follow_up, kind=kind, course=course, by=by, today=timezone.localdate()))
    person_service_check(follow_up.person, timezone.localdate())
    referral = Referral(
        person=follow_up.person,
        street_id=follow_up.person.street_id,
        kind=kind,
        course=course,
        follow_up=follow_up,
        note=note.strip(),
        referred_by=by,
    )
    validate(referral)
    save_audited(referral, by=by, code="employment.referral.created", data={"kind": kind, "follow_up": follow_up.pk})
    return referral


@transaction.atomic
def referral_close(*, referral: Referral, by: User, note: str = "") -> Referral:
    """Close an open referral without an enrolment or placement.

    Raises ValidationError if `by` may not change referrals or it is not open.
    """
    action_permission_check(by, "employment.change_referral")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    changes = {"note": f"{referral.note}\n{note.strip()}".strip()} if note.strip() else {}
    return resolve_referral(referral, status=Referral.Status.CLOSED, by=by, **changes)


def referrals_end(*, person: Person, on: datetime.date, reason: str, by: User) -> int:
    """Close the person's open referrals, noting `reason` (their death or moving out)."""
    open_referrals = Referral.objects.filter(person=person, status=Referral.Status.OPEN)
    return len(
        [
            resolve_referral(r, status=Referral.Status.CLOSED, by=by, note=f"{r.note}\n{reason}".strip())
            for r in open_referrals
        ]
    )
