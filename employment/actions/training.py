"""Courses, enrolments and the certificates they earn."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import Person, User
from services.registry.audit import audit_record, history_by, save_audited
from services.registry.lifecycle import person_service_check
from services.registry.permissions import action_permission_check

from ..models import (
    CertificateLevel,
    Course,
    Enrollment,
    Referral,
)
from ..validation import working_age_error
from .base import Errors, add_error, inactive_error, raise_if, validate
from .referrals import check_referral, resolve_referral

CHANGE_ENROLLMENT = "employment.change_enrollment"


def course_errors(*, course: Course, capacity: int | None) -> Errors:
    """Rules of a course that need the database: it keeps room for everyone already enrolled."""
    errors: Errors = {}
    if course.pk and capacity:
        taken = seats_taken(course)
        if capacity < taken:
            add_error(
                errors,
                "capacity",
                ValidationError(
                    _("%(taken)d people are already enrolled; the course needs at least that many places."),
                    code="below_enrolled",
                    params={"taken": taken},
                ),
            )
    return errors


@transaction.atomic
def course_save(*, course: Course, by: User) -> Course:
    """Create or change a course after validation. Raises ValidationError if it breaks a rule."""
    creating = course._state.adding
    if not creating:
        Course.objects.select_for_update().get(pk=course.pk)  # enrolments wait while places change
    validate(course)
    raise_if(course_errors(course=course, capacity=course.capacity))
    save_audited(course, by=by, code="employment.course.created" if creating else "employment.course.updated")
    return course


def seats_taken(course: Course) -> int:
    """Places taken on a course: everyone enrolled who has not dropped out."""
    return Enrollment.objects.filter(course=course).exclude(status=Enrollment.Status.DROPPED_OUT).count()


def enrollment_errors(*, person: Person, course: Course) -> Errors:
    """The rules an enrolment must keep that the model cannot check alone, by field; empty when allowed."""
    errors: Errors = {}
    if person.status != Person.Status.ACTIVE:
        add_error(errors, "person", inactive_error(person))
    age_error = working_age_error(person.birth_date, course.starts_on)
    if age_error is not None:
        add_error(errors, "person", age_error)
    if Enrollment.objects.filter(person=person, course=course).exists():
        add_error(
            errors,
            "person",
            ValidationError(_("This person is already enrolled on this course."), code="duplicate"),
        )
    taken = seats_taken(course)
    if taken >= course.capacity:
        add_error(
            errors,
            "course",
            ValidationError(
                _("This course is full: all %(capacity)d places are taken."),
                code="full",
                params={"capacity": course.capacity},
            ),
        )
    return errors


@transaction.atomic
def enrollment_create(*, person: Person, course: Course, by: User, referral: Referral | None = None) -> Enrollment:
    """Enrol a person of working age on a course with a free place, under a lock on the course.

    Marks `referral` enrolled when given. Raises ValidationError if a rule is broken (code "full" when no place).
    """
    course = Course.objects.select_for_update().get(pk=course.pk)
    person = Person.objects.get(pk=person.pk)
    if referral is not None:
        check_referral(referral, person=person, kind=Referral.Kind.COURSE, course=course)
    raise_if(enrollment_errors(person=person, course=course))
    person_service_check(person, max(course.starts_on, timezone.localdate()))
    enrollment = Enrollment(person=person, **person.as_served(), course=course)
    validate(enrollment)
    save_audited(enrollment, by=by, code="employment.enrollment.created", data={"course": course.pk})
    if referral is not None:
        resolve_referral(referral, status=Referral.Status.ENROLLED, by=by, enrollment=enrollment)
    return enrollment


def _set_status(enrollment: Enrollment, *, to: str, by: User) -> Enrollment:
    old = enrollment.status
    enrollment.status = to
    history_by(enrollment, by)
    enrollment.save(update_fields=["status", "updated_at"])
    audit_record(obj=enrollment, code=f"employment.enrollment.{to}", by=by, data={"from": old})
    return enrollment


@transaction.atomic
def enrollment_complete(*, enrollment: Enrollment, by: User, today: datetime.date | None = None) -> Enrollment:
    """Mark an enrolment completed, from the course's last day on.

    Raises ValidationError if `by` may not change enrolments, it is not in progress or the course has not
    reached its last day.
    """
    action_permission_check(by, CHANGE_ENROLLMENT)
    enrollment = Enrollment.objects.select_for_update().select_related("course").get(pk=enrollment.pk)
    today = today or timezone.localdate()
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise ValidationError(
            _("Only an enrolment in progress can be completed (this one is %(status)s)."),
            code="bad_transition",
            params={"status": enrollment.get_status_display()},
        )
    if today < enrollment.course.ends_on:
        raise ValidationError(
            _("A course can be marked completed from its last day (%(date)s)."),
            code="too_early",
            params={"date": enrollment.course.ends_on.isoformat()},
        )
    return _set_status(enrollment, to=Enrollment.Status.COMPLETED, by=by)


@transaction.atomic
def enrollment_drop(*, enrollment: Enrollment, by: User) -> Enrollment:
    """Mark an enrolment dropped out, which frees its place.

    Raises ValidationError if `by` may not change enrolments or it is not in progress.
    """
    action_permission_check(by, CHANGE_ENROLLMENT)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise ValidationError(
            _("Only an enrolment in progress can be dropped (this one is %(status)s)."),
            code="bad_transition",
            params={"status": enrollment.get_status_display()},
        )
    return _set_status(enrollment, to=Enrollment.Status.DROPPED_OUT, by=by)


def certificate_errors(
    *, enrollment: Enrollment, level: str, issuer: str, issued_on: datetime.date | None, today: datetime.date
) -> Errors:
    """The rules a certificate must keep beyond the model's, by field; empty when it may be recorded."""
    errors: Errors = {}
    if enrollment.status != Enrollment.Status.COMPLETED:
        add_error(
            errors,
            NON_FIELD_ERRORS,
            ValidationError(_("A certificate can only be recorded for a completed course."), code="not_completed"),
        )
    if level not in CertificateLevel.values:
        add_error(
            errors, "certificate_level", ValidationError(_("Choose a certificate level from 5 to 1."), code="level")
        )
    if not issuer.strip():
        add_error(errors, "certificate_issuer", ValidationError(_("Name the body that issued it."), code="required"))
    if issued_on is None:
        add_error(errors, "certificate_issued_on", ValidationError(_("Give the certificate's date."), code="required"))
    elif issued_on > today:
        add_error(
            errors,
            "certificate_issued_on",
            ValidationError(_("The certificate's date is in the future."), code="future"),
        )
    elif issued_on < enrollment.course.starts_on:
        add_error(
            errors,
            "certificate_issued_on",
            ValidationError(
                _("The certificate is dated before the course started (%(date)s)."),
                code="order",
                params={"date": enrollment.course.starts_on.isoformat()},
            ),
        )
    return errors


@transaction.atomic
def certificate_record(
    *,
    enrollment: Enrollment,
    level: str,
    number: str,
    issuer: str,
    issued_on: datetime.date | None,
    by: User,
) -> Enrollment:
    """Record the certificate a completed enrolment earned; a certificate is recorded once.

    Raises ValidationError if the enrolment is not completed, already has one, or a value is wrong.
    """
    enrollment = Enrollment.objects.select_for_update().select_related("course", "person").get(pk=enrollment.pk)
    if enrollment.has_certificate:
        raise ValidationError(_("This enrolment already has a certificate."), code="already_certified")
    raise_if(
        certificate_errors(
            enrollment=enrollment, level=level, issuer=issuer, issued_on=issued_on, today=timezone.localdate()
        )
    )
    enrollment.certificate_level = level
    enrollment.certificate_number = number.strip()
    enrollment.certificate_issuer = issuer.strip()
    enrollment.certificate_issued_on = issued_on
    validate(enrollment)
    save_audited(enrollment, by=by, code="employment.certificate.recorded", data={"level": level})
    return enrollment


def enrollments_end(*, person: Person, on: datetime.date, reason: str, by: User) -> int:
    """Drop the person's enrolments in progress on courses that run past `on` (their death or moving out)."""
    later = Enrollment.objects.filter(person=person, status=Enrollment.Status.ENROLLED, course__ends_on__gt=on)
    return len([enrollment_drop(enrollment=enrollment, by=by) for enrollment in later])
