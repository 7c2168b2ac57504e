"""Periodic job: remove expired sessions, so the session table holds only sessions that can still be used."""

from celery import shared_task
from django.utils import timezone

from .models import UserSession


@shared_task(name="accounts.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Delete every session whose expiry has passed (one bulk DELETE); returns how many went."""
    deleted, _by_model = UserSession.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
