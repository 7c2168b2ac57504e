"""Celery tasks of clinic escorts: reminders."""

from celery import shared_task
from django.utils import timezone

from services.escorts.actions import escort_reminders_send


@shared_task(name="services.send_escort_reminders")
def send_escort_reminders() -> int:
    """Send the day-before escort reminders not sent yet; a repeated run sends nothing new."""
    return escort_reminders_send(now=timezone.now())
