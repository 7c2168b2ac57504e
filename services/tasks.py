"""Celery tasks of the registry."""

from celery import shared_task
from django.utils import timezone

from .models import Street


@shared_task(name="services.heartbeat")
def heartbeat() -> dict[str, object]:
    """Prove a worker can reach the database: used by /healthz?worker=1 and the worker test."""
    return {"streets": Street.objects.count(), "at": timezone.now().isoformat()}
