"""Celery tasks of the events app."""

from celery import shared_task
from django.urls import reverse

from .actions import registration_links_resend


@shared_task(name="events.resend_registration_links")
def resend_registration_links(*, phone: str, site: str) -> int:
    """Text `phone` a new private link for each of its registrations to come (registration_links_resend).

    Run by a worker, not in the request: the page that asked answers at once and the same way whether the
    number registered or not, so neither its time nor a failing SMS gateway tells. `site` is the scheme and
    host the links start with.
    """
    return registration_links_resend(
        phone=phone, status_link=lambda token: site.rstrip("/") + reverse("events:registration", args=[token])
    )
