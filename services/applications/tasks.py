"""Celery tasks of online applications: the identity code and the applicant's messages (the notify queue)."""

from celery import shared_task
from django.utils import timezone

from core.notify import SmsGatewayError
from services.applications.actions import (
    application_challenge_send,
    application_challenges_purge,
    application_message_send,
)
from services.models import Application, ApplicationChallenge


@shared_task(name="services.send_application_code", autoretry_for=(SmsGatewayError,), retry_backoff=True, max_retries=5)
def send_application_code(*, challenge_id: int) -> bool:
    """Make the identity check's code and text it if the numbers matched someone (application_challenge_send).

    Run by a worker, not in the request, so the public form answers at once and the same way for a match and
    a non-match, whatever the SMS gateway does.
    """
    challenge = ApplicationChallenge.objects.filter(pk=challenge_id).first()
    return application_challenge_send(challenge=challenge) if challenge is not None else False


@shared_task(
    name="services.send_application_message", autoretry_for=(SmsGatewayError,), retry_backoff=True, max_retries=5
)
def send_application_message(*, application_id: int, status: str, link: str = "") -> bool:
    """Text the applicant what happened to their application (application_message_send)."""
    application = Application.objects.filter(pk=application_id).first()
    return application_message_send(application=application, status=status, link=link) if application else False


@shared_task(name="services.purge_application_challenges")
def purge_application_challenges() -> int:
    """Delete the identity checks a day past their expiry (application_challenges_purge)."""
    return application_challenges_purge(now=timezone.now())
