"""core.db without a replica configured: the router's rules, reads on the primary, the pin after a save.

The replica itself (reads there, lag and outage fallback, the page after a save) is tested against a real
streaming standby in tests/integration/test_replica.py.
"""

import logging

import pytest
from django.db import DEFAULT_DB_ALIAS, router
from django.http import HttpResponse
from django.test import RequestFactory

from core.db import PIN_COOKIE, REPLICA, PrimaryAfterWriteMiddleware, ReplicaRouter, reading_from, replica_reads
from services.models import Person, Street

pytestmark = pytest.mark.django_db


def test_the_replica_is_never_migrated():
    assert ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "services")
    assert not ReplicaRouter().allow_migrate(REPLICA, "services")


def test_an_object_read_from_the_replica_is_written_to_the_primary(street):
    street._state.db = REPLICA
    assert router.db_for_write(Street, instance=street) == DEFAULT_DB_ALIAS
    # ... and may point to one read from the primary (one database under two aliases).
    assert router.allow_relation(street, Person(street=street))


def test_without_a_replica_the_scope_reads_the_primary_and_logs_nothing(caplog, street):
    with caplog.at_level(logging.INFO, logger="portal.db"), replica_reads():
        assert reading_from() == DEFAULT_DB_ALIAS
        assert Street.objects.all().db == DEFAULT_DB_ALIAS
        assert Street.objects.get(pk=street.pk) == street
    assert caplog.records == []


def test_a_decorated_function_reads_in_the_scope():
    @replica_reads()
    def inside() -> str:
        return reading_from()

    assert inside() == DEFAULT_DB_ALIAS


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_save_pins_the_browser_to_the_primary_for_the_longest_lag_and_a_check(settings, method):
    settings.REPLICA_MAX_LAG_SECONDS, settings.REPLICA_CHECK_SECONDS = 30, 5
    response = PrimaryAfterWriteMiddleware(lambda request: HttpResponse())(getattr(RequestFactory(), method)("/"))
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 35
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_a_read_does_not_pin_the_browser(method):
    response = PrimaryAfterWriteMiddleware(lambda request: HttpResponse())(getattr(RequestFactory(), method)("/"))
    assert PIN_COOKIE not in response.cookies


def test_a_forged_pin_is_ignored():
    request = RequestFactory().get("/", HTTP_COOKIE=f"{PIN_COOKIE}=not-a-time")
    assert PrimaryAfterWriteMiddleware(lambda request: HttpResponse())(request).status_code == 200
