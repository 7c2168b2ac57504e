"""Writes to home visits and follow-ups, each with its history row (history_by) and audit entry."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import Application, DigestSent, FollowUp, HomeVisit, Person, User
from services.registry import eligibility, lifecycle, roles
from services.registry.audit import audit_record, history_by
from services.registry.permissions import action_permission_check

# Days from the visit until a need's follow-up is due, by need.
FOLLOW_UP_DAYS: dict[str, int] = {
    FollowUp.Need.ESCORT: 7,
    FollowUp.Need.REHABILITATION: 14,
    FollowUp.Need.SUBSIDY: 14,
    FollowUp.Need.DEVICE: 14,
    FollowUp.Need.OTHER: 14,
    FollowUp.Need.RETROFIT: 30,
    FollowUp.Need.TRAINING: 30,
    FollowUp.Need.JOB: 30,
}


OLDEST_VISIT_DAYS = 365


def home_visit_errors(
    *, person: Person, visited_on: datetime.date, mode: str, needs: list[str], today: datetime.date
) -> dict[str, list[ValidationError]]:
    """The rules a visit must keep, by field; empty when it may be filed."""
    errors: dict[str, list[ValidationError]] = {}
    if visited_on > today:
        errors["visited_on"] = [ValidationError(_("A visit cannot be in the future."), code="future")]
    elif visited_on < today - datetime.timedelta(days=OLDEST_VISIT_DAYS):
        errors["visited_on"] = [ValidationError(_("File visits within a year of the day."), code="too_old")]
    elif visited_on < person.birth_date:
        errors["visited_on"] = [ValidationError(_("This date is before the person was born."), code="order")]
    if mode == HomeVisit.Mode.LOST_CONTACT and needs:
        errors["needs"] = [
            ValidationError(_("No needs can be recorded when the person could not be reached."), code="lost_contact")
        ]
    if person.status != Person.Status.ACTIVE:
        errors[NON_FIELD_ERRORS] = [
            ValidationError(
                _("This person is no longer active in the registry (%(status)s)."),
                code="inactive",
                params={"status": person.get_status_display()},
            )
        ]
    return errors


@transaction.atomic
def home_visit_record(
    *,
    person: Person,
    by: User,
    visited_on: datetime.date,
    mode: str,
    purpose: str,
    findings: str,
    needs: list[str],
    submission_key: uuid.UUID,
) -> tuple[HomeVisit, bool]:
    """File a visit and one follow-up per need; a repeated submission returns the first visit.

    Returns (visit, created). Raises ValidationError if the visit breaks a rule.
    """
    existing = HomeVisit.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    errors = home_visit_errors(person=person, visited_on=visited_on, mode=mode, needs=needs, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    lifecycle.person_service_check(person, visited_on)
    try:
        with transaction.atomic():
            visit = HomeVisit.objects.create(
                person=person,
                **person.as_served(),
                visited_on=visited_on,
                visitor=by,
                mode=mode,
                purpose=purpose,
                findings=findings,
                submission_key=submission_key,
            )
    except IntegrityError:
        # The same form was submitted twice at once: the other request filed it.
        return HomeVisit.objects.get(submission_key=submission_key), False
    FollowUp.objects.bulk_create(
        FollowUp(
            visit=visit,
            person=person,
            street_id=person.street_id,
            need=need,
            due_on=visited_on + datetime.timedelta(days=FOLLOW_UP_DAYS[need]),
        )
        for need in dict.fromkeys(needs)
    )
    audit_record(obj=visit, code="services.home_visit.recorded", by=by, data={"needs": sorted(set(needs))})
    return visit, True


@transaction.atomic
def follow_up_close(*, follow_up: FollowUp, outcome: str, by: User) -> FollowUp:
    """Close an open follow-up with its outcome. Raises ValidationError if closed or no outcome."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status == FollowUp.Status.CLOSED:
        raise ValidationError(_("This follow-up is already closed."), code="closed")
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write what was done before closing.")}, code="required")
    follow_up.status = FollowUp.Status.CLOSED
    follow_up.outcome = outcome.strip()
    follow_up.closed_at = timezone.now()
    follow_up.closed_by = by
    history_by(follow_up, by)
    follow_up.save(update_fields=["status", "outcome", "closed_at", "closed_by", "updated_at"])
    audit_record(obj=follow_up, code="services.follow_up.closed", by=by, data={"need": follow_up.need})
    return follow_up


FIELD_CLOSE_PERMISSIONS = ("services.use_field_app", "services.change_followup")


def follow_up_close_ineligible(*, follow_up: FollowUp, by: User, note: str = "") -> FollowUp:
    """Close a need the person may not have (the service's own rule says why), the reason and `note` its outcome.

    What a committee member can do for a need that nothing would be offered for. Raises PermissionDenied if
    `by` does not see the follow-up; ValidationError if `by` may not close follow-ups, the follow-up is
    closed, an open online application is behind it, or the person may have the service after all (then book
    or apply instead).
    """
    action_permission_check(by, *FIELD_CLOSE_PERMISSIONS)
    if not FollowUp.objects.visible_to(by).filter(pk=follow_up.pk).exists():
        raise PermissionDenied
    if Application.objects.filter(follow_up=follow_up).exclude(status__in=Application.CLOSED).exists():
        # Closed alone, the need would leave its application open and the applicant never told why.
        raise ValidationError(
            _(
                "This need is an online application: have the application refused with the reason (the applicant "
                "is told it), which closes the need too."
            ),
            code="application",
        )
    reason = eligibility.ineligibility(follow_up.person, follow_up.need, timezone.localdate())
    if not reason:
        raise ValidationError(
            _("This person may have this service: book it or apply for it instead of closing the need."),
            code="eligible",
        )
    outcome = str(_("Not eligible: %(reason)s") % {"reason": reason})
    if note.strip():
        outcome = f"{outcome} {note.strip()}"
    return follow_up_close(follow_up=follow_up, outcome=outcome[:2000], by=by)


def follow_ups_end(*, person: Person, on: datetime.date, reason: str, by: User) -> int:
    """Close the person's open follow-ups with `reason` as the outcome (their death or moving out)."""
    open_needs = FollowUp.objects.filter(person=person, status=FollowUp.Status.OPEN)
    return len([follow_up_close(follow_up=f, outcome=reason, by=by) for f in open_needs])


@transaction.atomic
def follow_up_outcome_save(*, follow_up: FollowUp, outcome: str, by: User) -> FollowUp:
    """Write down what was done so far on a follow-up, leaving it open or closed as it is."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    outcome = outcome.strip()
    if outcome != follow_up.outcome:
        follow_up.outcome = outcome
        history_by(follow_up, by)
        follow_up.save(update_fields=["outcome", "updated_at"])
        audit_record(
            obj=follow_up,
            code="services.follow_up.outcome_changed",
            by=by,
            data={"need": follow_up.need, "status": follow_up.status},
        )
    return follow_up


@transaction.atomic
def overdue_digest_send(*, today: datetime.date) -> DigestSent | None:
    """Email staff the open follow-ups past due and the online applications waiting too long, once a day; None if
    today's was already sent."""
    from services.applications.selectors import application_age, applications_overdue

    if DigestSent.objects.select_for_update().filter(sent_on=today).exists():
        return None
    applications = [(a, application_age(a, today=today)) for a in applications_overdue(today=today)]
    overdue = list(
        FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_on__lt=today)
        # An overdue application is listed (and counted) once, as an application, not again as its follow-up.
        .exclude(pk__in=[a.follow_up_id for a, _age in applications if a.follow_up_id is not None])
        .select_related("person", "street")
        .order_by("street__code", "due_on")
    )
    recipients = list(
        User.objects.filter(is_active=True, groups__name=roles.STAFF)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if (overdue or applications) and recipients:
        body = render_to_string(
            "services/email/overdue_digest.txt",
            {
                "follow_ups": overdue,
                "applications": applications,
                "application_days": settings.APPLICATION_OVERDUE_WORKING_DAYS,
                "today": today,
            },
        )
        send_mail(
            subject=str(
                _("Overdue follow-ups: %(count)d; online applications waiting: %(applications)d")
                % {"count": len(overdue), "applications": len(applications)}
            ),
            message=body,
            from_email=None,
            recipient_list=recipients,
        )
    return DigestSent.objects.create(sent_on=today, follow_ups=len(overdue), recipients=len(recipients))
