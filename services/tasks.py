"""Celery tasks of the registry."""

from celery import shared_task
from django.utils import timezone

from .actions import overdue_digest_send
from .escorts import escort_reminders_send
from .models import Street
from .retention import audit_trail_purge


@shared_task(name="services.heartbeat")
def heartbeat() -> dict[str, object]:
    """Prove a worker can reach the database: used by /healthz/ready?worker=1 and the worker test."""
    return {"streets": Street.objects.count(), "at": timezone.now().isoformat()}


@shared_task(name="services.send_overdue_follow_up_digest")
def send_overdue_follow_up_digest() -> int | None:
    """Send today's digest of overdue follow-ups to staff; a second run the same day sends nothing."""
    sent = overdue_digest_send(today=timezone.localdate())
    return sent.follow_ups if sent else None


@shared_task(name="services.send_escort_reminders")
def send_escort_reminders() -> int:
    """Send the day-before escort reminders not sent yet; a repeated run sends nothing new."""
    return escort_reminders_send(now=timezone.now())


@shared_task(name="services.purge_audit_trails")
def purge_audit_trails() -> dict[str, int]:
    """Delete access-log, audit and history rows past AUDIT_RETENTION_DAYS (never younger than six months)."""
    return audit_trail_purge(now=timezone.now())
