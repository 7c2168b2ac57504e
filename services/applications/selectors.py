"""Reads of online applications: by status link, the street's queue, the overdue ones, the sessions to choose."""

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from core.workdays import working_days_between
from services.applications.actions import token_digest
from services.escorts.selectors import escort_slots_open_for_booking
from services.models import Application, ApplicationChallenge, ApplicationStatusChange, EscortSlot, User


def application_get_by_token(token: str, *, now: datetime.datetime | None = None) -> Application | None:
    """The application a status link opens; None for an unknown token or one closed too long ago."""
    if not token or len(token) > 100:
        return None
    application = (
        Application.objects.select_related("street", "escort_slot__hospital")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if application is None:
        return None
    now = now or timezone.now()
    if application.closed_at and application.closed_at < now - datetime.timedelta(
        days=settings.APPLICATION_LINK_DAYS_AFTER_CLOSE
    ):
        return None
    return application


def application_steps(application: Application) -> list[ApplicationStatusChange]:
    """The application's steps so far, oldest first."""
    return list(application.changes.order_by("at", "pk"))


def application_list_for(user: User, *, open_only: bool = True) -> QuerySet[Application]:
    """The applications of the user's streets, oldest first (the queue's order), open ones only by default."""
    applications = Application.objects.visible_to(user).select_related("street", "person", "assigned_to")
    if open_only:
        applications = applications.exclude(status__in=Application.CLOSED)
    return applications.order_by("submitted_at", "pk")


def application_age(application: Application, *, today: datetime.date | None = None) -> int:
    """Working days since the application was submitted (until it closed, for a closed one)."""
    end = timezone.localdate(application.closed_at) if application.closed_at else (today or timezone.localdate())
    return working_days_between(timezone.localdate(application.submitted_at), end)


def applications_overdue(*, today: datetime.date) -> list[Application]:
    """Open applications waiting more than APPLICATION_OVERDUE_WORKING_DAYS working days on `today`, by street."""
    days = settings.APPLICATION_OVERDUE_WORKING_DAYS
    # A working-day age is never above the calendar one: the database narrows by calendar days, the rest here.
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.min))
    candidates = (
        Application.objects.exclude(status__in=Application.CLOSED)
        .filter(submitted_at__lt=cutoff)
        .select_related("person", "street")
        .order_by("street__code", "submitted_at", "pk")
    )
    return [application for application in candidates if application_age(application, today=today) > days]


def escort_sessions_to_choose(*, now: datetime.datetime) -> QuerySet[EscortSlot]:
    """The clinic sessions an applicant may ask for: those open for booking."""
    return escort_slots_open_for_booking(now=now)


def challenge_get(pk: object) -> ApplicationChallenge | None:
    """The identity check a session points at, if it still exists."""
    return ApplicationChallenge.objects.filter(pk=pk).first() if isinstance(pk, int) else None
