"""How many failed log-ins django-axes allows (AXES_FAILURE_LIMIT): per user name and address, with a
higher ceiling per address against password spraying."""

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from core.http import client_ip


def address_failures(request: HttpRequest) -> int:
    """Failed log-ins from the request's client address, over every user name, within the cool-off."""
    address = client_ip(request)
    if address is None:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def failure_limit(request: HttpRequest, credentials: Any = None) -> int:
    """LOGIN_FAILURE_LIMIT failures for one user name from one address (AXES_LOCKOUT_PARAMETERS pairs them,
    so wrong passwords typed elsewhere never lock the real user out); 0, which pauses every user name, once
    the address has failed LOGIN_ADDRESS_FAILURE_LIMIT times in all."""
    if address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return 0
    return settings.LOGIN_FAILURE_LIMIT
