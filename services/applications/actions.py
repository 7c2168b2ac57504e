"""Writes of online applications: the identity check's code, submitting, the staff's steps, withdrawing.

Every step locks the application, checks Application.NEXT, writes its ApplicationStatusChange and audit entry,
and queues the applicant's message after the commit. An application that closes closes its follow-up too.
"""

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.notify import notifier
from core.workdays import add_working_days
from services.models import (
    Application,
    ApplicationChallenge,
    ApplicationStatusChange,
    EscortSlot,
    FollowUp,
    Person,
    User,
)
from services.registry import eligibility, lifecycle
from services.registry.audit import audit_record, history_by
from services.registry.permissions import action_permission_check
from services.visits.actions import follow_up_close

Status = Application.Status
CODE_SCOPE = "services.application.code"
NUMBER_SCOPE = "services.application.number"
FIELD_PERMISSIONS = ("services.change_application",)
DECIDE_PERMISSIONS = ("services.decide_application",)


def number_digest(id_number: str) -> str:
    """A keyed digest of an ID number: what rate limits count by, so no cache holds the number itself."""
    return salted_hmac(NUMBER_SCOPE, id_number).hexdigest()


def token_digest(token: str) -> str:
    """What is stored of a status link's token: its SHA-256, so a database copy opens no link."""
    return hashlib.sha256(token.encode()).hexdigest()


def _code_digest(code: str, salt: str) -> str:
    return salted_hmac(CODE_SCOPE, f"{salt}:{code}").hexdigest()


def code_matches(challenge: ApplicationChallenge, code: str) -> bool:
    """Whether `code` is the challenge's code (compared in constant time); never for a code not yet made."""
    salt, _sep, digest = challenge.code_hash.partition("$")
    # The comparison runs even for an empty digest, so an unsent code takes the time a sent one takes.
    return hmac.compare_digest(_code_digest(code, salt), digest) and bool(digest)


def _contact_phone(person: Person | None, contact: str) -> str:
    if person is None:
        return ""
    return person.guardian_phone if contact == Application.Contact.GUARDIAN else person.phone


@transaction.atomic
def application_challenge_start(
    *,
    id_number: str,
    certificate_number: str,
    contact: str,
    service: str,
    applicant: str,
    applicant_name: str,
    escort_slot: EscortSlot | None,
    note: str,
    language: str,
    now: datetime.datetime | None = None,
) -> ApplicationChallenge:
    """Start an identity check: a row for the request and a queued code, the same whether or not the numbers
    match an active person (the task sends only when they do and the contact has a phone)."""
    from services.applications.tasks import send_application_code

    now = now or timezone.now()
    person = Person.objects.filter(
        id_number=id_number, certificate_number=certificate_number, status=Person.Status.ACTIVE
    ).first()
    challenge = ApplicationChallenge.objects.create(
        person=person,
        service=service,
        applicant=applicant,
        applicant_name=applicant_name if applicant != Application.Applicant.SELF else "",
        escort_slot=escort_slot if service == Application.Service.ESCORT else None,
        note=note,
        contact=contact,
        language=language,
        expires_at=now + datetime.timedelta(minutes=settings.APPLICATION_CODE_MINUTES),
        created_at=now,
    )
    audit_record(obj=challenge, code="services.application.code_requested", by=None, data={"service": service})
    send_application_code.delay_on_commit(challenge_id=challenge.pk)
    return challenge


def _challenge_locked(pk: int) -> ApplicationChallenge:
    return ApplicationChallenge.objects.select_for_update(of=("self",)).select_related("person").get(pk=pk)


@transaction.atomic
def application_challenge_send(*, challenge: ApplicationChallenge) -> bool:
    """Make the challenge's 6-digit code, store its digest and text it to the contact on file if the numbers
    matched; once only (a repeated task finds the digest and does nothing). Returns whether a message went.
    Raises SmsGatewayError when the gateway refuses, keeping nothing."""
    challenge = _challenge_locked(challenge.pk)
    if challenge.code_hash:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    challenge.code_hash = f"{salt}${_code_digest(code, salt)}"
    challenge.save(update_fields=["code_hash", "updated_at"])
    phone = _contact_phone(challenge.person, challenge.contact)
    if not phone:
        return False
    with translation.override(challenge.language):
        message = gettext(
            "Jing'an Disabled Persons' Federation: your code to apply online is %(code)s. It works once, for "
            "%(minutes)d minutes. If you did not ask for it, ignore this message."
        ) % {"code": code, "minutes": settings.APPLICATION_CODE_MINUTES}
    # Sent inside the transaction: if the gateway refuses (SmsGatewayError), the digest is not kept either, so
    # the task's retry makes and sends a code, rather than finding one that never reached anybody.
    notifier().send(to=phone, message=message)
    return True


class CodeRefused(ValidationError):
    """The code was wrong, expired, already used or tried too often (the challenge records the try)."""


def _code_check(challenge: ApplicationChallenge, code: str, now: datetime.datetime) -> CodeRefused | None:
    """Whether the code opens the challenge; a wrong code counts a try. Runs in its own transaction, so the try
    is kept even when the caller's transaction is rolled back."""
    with transaction.atomic():
        locked = ApplicationChallenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.used_at is not None:
            return CodeRefused(_("This code has already been used. Start again to get a new code."), code="used")
        if locked.expires_at <= now:
            return CodeRefused(_("This code has expired. Start again to get a new code."), code="expired")
        if locked.attempts >= settings.APPLICATION_CODE_TRIES:
            return CodeRefused(
                _("The code was entered wrongly too many times. Start again to get a new code."), code="tries"
            )
        if not code_matches(locked, code) or locked.person_id is None:
            locked.attempts += 1
            locked.save(update_fields=["attempts", "updated_at"])
            left = settings.APPLICATION_CODE_TRIES - locked.attempts
            if left <= 0:
                return CodeRefused(
                    _("The code was entered wrongly too many times. Start again to get a new code."), code="tries"
                )
            return CodeRefused(
                _("This code is not right. Check the 6 digits in the message and try again (%(left)d tries left)."),
                code="wrong",
                params={"left": left},
            )
    return None


def eligible_services(person: Person, on: datetime.date) -> list[Any]:
    """The labels of the application services `person` may have on `on`, in the form's order."""
    return [label for value, label in Application.Service.choices if not eligibility.ineligibility(person, value, on)]


class NotEligible(ValidationError):
    """The person may not have the service asked for; `alternatives` are what they may ask for instead."""

    def __init__(self, reason: str, alternatives: list[Any]) -> None:
        super().__init__(reason, code="not_eligible")
        self.reason = reason
        self.alternatives = alternatives


def application_submit(
    *, challenge: ApplicationChallenge, code: str, site: str, now: datetime.datetime | None = None
) -> tuple[Application, str]:
    """Check the code and create the application, its follow-up in the street's queue, its first step and audit
    entry; queue the "received" message with the private status link (`site` is the scheme and host it starts
    with). Returns (application, token).

    Raises CodeRefused for a wrong, expired, used or over-tried code (a wrong one counts a try), NotEligible
    when the person may not have the service (nothing is created), ValidationError if the clinic session asked
    for is no longer open.
    """
    now = now or timezone.now()
    refused = _code_check(challenge, code, now)
    if refused is not None:
        raise refused
    return _application_create(challenge=challenge, site=site, now=now)


def status_path(token: str) -> str:
    from django.urls import reverse

    return reverse("applications:status", args=[token])


@transaction.atomic
def _application_create(
    *, challenge: ApplicationChallenge, site: str, now: datetime.datetime
) -> tuple[Application, str]:
    from services.applications.tasks import send_application_message

    challenge = _challenge_locked(challenge.pk)
    if challenge.used_at is not None:  # the same code sent twice at once: the other request used it
        raise CodeRefused(_("This code has already been used. Start again to get a new code."), code="used")
    person = challenge.person
    assert person is not None  # _code_check refuses a challenge without a person
    today = timezone.localdate(now)
    lifecycle.person_service_check(person, today)  # died, moved out or merged since the code was sent
    reason = eligibility.ineligibility(person, challenge.service, today)
    if reason:
        raise NotEligible(reason, eligible_services(person, today))
    if challenge.service == Application.Service.ESCORT:
        from services.escorts.selectors import escort_slots_open_for_booking

        if (
            challenge.escort_slot_id is None
            or not escort_slots_open_for_booking(now=now).filter(pk=challenge.escort_slot_id).exists()
        ):
            raise ValidationError(
                _("The clinic session you chose is no longer open. Start again and choose another one."),
                code="slot_closed",
            )
    challenge.used_at = now
    challenge.save(update_fields=["used_at", "updated_at"])
    follow_up = FollowUp.objects.create(
        visit=None,
        person=person,
        street_id=person.street_id,
        need=challenge.service,
        due_on=add_working_days(today, settings.APPLICATION_DUE_WORKING_DAYS),
    )
    token = secrets.token_urlsafe(32)
    application = Application(
        person=person,
        street_id=person.street_id,
        service=challenge.service,
        applicant=challenge.applicant,
        applicant_name=challenge.applicant_name,
        escort_slot_id=challenge.escort_slot_id,
        note=challenge.note,
        contact=challenge.contact,
        language=challenge.language,
        token_hash=token_digest(token),
        follow_up=follow_up,
        submitted_at=now,
    )
    history_by(application, None)
    application.save()
    ApplicationStatusChange.objects.create(application=application, old="", new=Status.RECEIVED, by=None, at=now)
    audit_record(
        obj=application,
        code="services.application.submitted",
        by=None,
        data={"service": application.service, "applicant": application.applicant},
    )
    send_application_message.delay_on_commit(
        application_id=application.pk, status=Status.RECEIVED, link=site.rstrip("/") + status_path(token)
    )
    return application, token


def _move(
    *,
    application: Application,
    to: str,
    by: User | None,
    note: str = "",
    now: datetime.datetime | None = None,
    notify: bool = True,
    **fields: Any,
) -> Application:
    """The one way an application changes state (inside the caller's transaction); the applicant is told unless
    `notify` is False. Raises ValidationError."""
    from services.applications.tasks import send_application_message

    now = now or timezone.now()
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.can_move_to(to):
        raise ValidationError(
            _("An application that is “%(status)s” cannot become “%(to)s”."),
            code="bad_transition",
            # Both read now, in the language of the moment, so the message never mixes two.
            params={"status": str(application.get_status_display()), "to": str(Status(to).label)},
        )
    old = application.status
    application.status = to
    for name, value in fields.items():
        setattr(application, name, value)
    if to in Application.CLOSED:
        application.closed_at = now
    history_by(application, by)
    application.save()
    ApplicationStatusChange.objects.create(application=application, old=old, new=to, by=by, at=now, note=note)
    audit_record(
        obj=application, code=f"services.application.{to}", by=by, data={"from": old, "to": to, **_audit(fields)}
    )
    if to in Application.CLOSED and application.follow_up_id is not None:
        follow_up = FollowUp.objects.get(pk=application.follow_up_id)
        if follow_up.status == FollowUp.Status.OPEN:
            outcome = {
                Status.DONE: gettext("Online application done."),
                Status.REFUSED: gettext("Online application refused: %(reason)s") % {"reason": note},
                Status.WITHDRAWN: gettext("Online application withdrawn by the applicant."),
            }[Status(to)]
            follow_up_close(follow_up=follow_up, outcome=outcome[:2000], by=by)  # type: ignore[arg-type]
    if notify:
        send_application_message.delay_on_commit(application_id=application.pk, status=to, link="")
    return application


def applications_end(*, person: Person, on: datetime.date, reason: str, by: User | None) -> int:
    """Close the person's applications not yet decided, with `reason` (their death or moving out); an approved
    one stays for staff to see to, like works in progress. No message goes out: staff reach the family."""
    open_ones = Application.objects.filter(
        person=person, status__in=[Status.RECEIVED, Status.ASSIGNED, Status.VISIT_SCHEDULED]
    )
    return len(
        [
            _move(application=application, to=Status.REFUSED, by=by, note=reason, notify=False, reason=reason)
            for application in open_ones
        ]
    )


def _audit(fields: dict[str, Any]) -> dict[str, Any]:
    """Field names and plain values for the audit entry: a user as its id, a date as text."""
    return {
        name: getattr(value, "pk", None) if hasattr(value, "pk") else str(value)
        for name, value in fields.items()
        if name != "reason"
    }


@transaction.atomic
def application_assign(*, application: Application, by: User, to_user: User) -> Application:
    """Give the application to a committee member of its street. Raises ValidationError if `by` may not, the
    member does not work in the application's street or the step is not allowed."""
    action_permission_check(by, *FIELD_PERMISSIONS)
    if not Application.objects.visible_to(to_user).filter(pk=application.pk).exists() or not to_user.has_perm(
        "services.change_application"
    ):
        raise ValidationError(
            {"to_user": _("Choose a committee member who works in the application's street.")}, code="not_street"
        )
    return _move(application=application, to=Status.ASSIGNED, by=by, assigned_to=to_user)


@transaction.atomic
def application_schedule_visit(
    *, application: Application, by: User, visit_on: datetime.date, today: datetime.date | None = None
) -> Application:
    """Set the day of the home visit. Raises ValidationError if `by` may not, the day is past or the step is
    not allowed (the application must be assigned)."""
    action_permission_check(by, *FIELD_PERMISSIONS)
    if visit_on < (today or timezone.localdate()):
        raise ValidationError({"visit_on": _("Choose today or a day to come.")}, code="past")
    return _move(application=application, to=Status.VISIT_SCHEDULED, by=by, visit_on=visit_on)


@transaction.atomic
def application_approve(*, application: Application, by: User) -> Application:
    """Approve the application. Raises ValidationError if `by` may not decide or the step is not allowed."""
    action_permission_check(by, *DECIDE_PERMISSIONS)
    return _move(application=application, to=Status.APPROVED, by=by)


@transaction.atomic
def application_refuse(*, application: Application, by: User, reason: str) -> Application:
    """Refuse the application with its reason (told to the applicant). Raises ValidationError if `by` may not
    decide, the reason is empty or the step is not allowed."""
    action_permission_check(by, *DECIDE_PERMISSIONS)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason: the applicant is told it.")}, code="required")
    return _move(application=application, to=Status.REFUSED, by=by, note=reason[:1000], reason=reason[:1000])


@transaction.atomic
def application_complete(*, application: Application, by: User) -> Application:
    """Mark an approved application done. Raises ValidationError if `by` may not decide or it is not approved."""
    action_permission_check(by, *DECIDE_PERMISSIONS)
    return _move(application=application, to=Status.DONE, by=by)


@transaction.atomic
def application_withdraw(*, application: Application) -> Application:
    """The applicant withdraws from their status page. Raises ValidationError once a decision is taken."""
    return _move(application=application, to=Status.WITHDRAWN, by=None)


def _message(application: Application, status: str, link: str) -> str:
    texts = {
        Status.RECEIVED: gettext(
            "Jing'an Disabled Persons' Federation: your application for %(service)s is received. Follow it "
            "here: %(link)s (keep this link private)."
        ),
        Status.ASSIGNED: gettext(
            "Jing'an Disabled Persons' Federation: your application for %(service)s is with your street "
            "committee member, who will contact you."
        ),
        Status.VISIT_SCHEDULED: gettext(
            "Jing'an Disabled Persons' Federation: a home visit for your application for %(service)s is "
            "planned on %(date)s."
        ),
        Status.APPROVED: gettext("Jing'an Disabled Persons' Federation: your application for %(service)s is approved."),
        Status.REFUSED: gettext(
            "Jing'an Disabled Persons' Federation: your application for %(service)s is refused. The reason: %(reason)s"
        ),
        Status.DONE: gettext("Jing'an Disabled Persons' Federation: your application for %(service)s is done."),
        Status.WITHDRAWN: gettext(
            "Jing'an Disabled Persons' Federation: your application for %(service)s is withdrawn, as you asked."
        ),
    }
    return texts[Status(status)] % {
        "service": application.get_service_display(),
        "link": link,
        "date": date_format(application.visit_on, "DATE_FORMAT") if application.visit_on else "",
        "reason": application.reason,
    }


def application_message_send(*, application: Application, status: str, link: str = "") -> bool:
    """Text the applicant's contact on file what happened (`status`), in the language they applied in.

    Returns False when there is no number on file to send to.
    """
    application = Application.objects.select_related("person").get(pk=application.pk)
    phone = _contact_phone(application.person, application.contact)
    if not phone:
        return False
    with translation.override(application.language):
        message = _message(application, status, link)
    notifier().send(to=phone, message=message)
    return True


# An identity check's row (which person the numbers matched, tries, when used) is kept a day past its expiry,
# for the rate limits' and support's sake, then deleted: it is no record of a service.
CHALLENGE_KEEP = datetime.timedelta(days=1)


def application_challenges_purge(*, now: datetime.datetime) -> int:
    """Delete the identity checks expired more than a day ago, used or not; returns how many."""
    deleted, _per_model = ApplicationChallenge.objects.filter(expires_at__lt=now - CHALLENGE_KEEP).delete()
    return deleted
