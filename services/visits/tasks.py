"""Celery tasks of home visits: the overdue follow-up digest."""

from celery import shared_task
from django.utils import timezone

from services.visits.actions import overdue_digest_send


@shared_task(name="services.send_overdue_follow_up_digest")
def send_overdue_follow_up_digest() -> int | None:
    """Send today's digest of overdue follow-ups to staff; a second run the same day sends nothing."""
    sent = overdue_digest_send(today=timezone.localdate())
    return sent.follow_ups if sent else None
