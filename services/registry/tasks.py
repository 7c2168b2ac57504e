"""Celery tasks of the registry: the heartbeat and the audit-trail purge."""

from celery import shared_task
from django.utils import timezone

from services.models import Street
from services.registry.retention import audit_trail_purge


@shared_task(name="services.heartbeat")
def heartbeat() -> dict[str, object]:
    """Prove a worker can reach the database: used by /healthz/ready?worker=1 and the worker test."""
    return {"streets": Street.objects.count(), "at": timezone.now().isoformat()}


@shared_task(name="services.purge_audit_trails")
def purge_audit_trails() -> dict[str, int]:
    """Delete access-log, audit and history rows past AUDIT_RETENTION_DAYS (never younger than six months)."""
    return audit_trail_purge(now=timezone.now())
