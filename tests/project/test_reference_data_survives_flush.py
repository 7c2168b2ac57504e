"""A transactional test (TransactionTestCase, `django_db(transaction=True)`, live_server) empties every table
when it ends; what the data migrations seeded (streets, role groups and their permissions, hospitals, escort
services, the report schedules) must be back before the next test of the worker, which on pytest-xdist may be
any test, not only another transactional one (tests/conftest.py, reload_reference_data)."""

import unittest

import pytest
from django.contrib.auth.models import Group
from django.test import TransactionTestCase
from django_celery_beat.models import PeriodicTask

from services.models import EscortService, Hospital, Street, User
from services.registry import roles


def reference_data() -> dict[str, object]:
    return {
        "streets": sorted(Street.objects.values_list("code", "name_zh", "name_en")),
        "roles": {
            group.name: sorted(group.permissions.values_list("content_type__app_label", "codename"))
            for group in Group.objects.filter(name__in=roles.PERMISSIONS)
        },
        "hospitals": sorted(Hospital.objects.values_list("name_zh", "hours__weekday")),
        "escort services": sorted(EscortService.objects.values_list("code", flat=True)),
        "schedules": sorted(PeriodicTask.objects.values_list("name", "task", "crontab__hour", "crontab__minute")),
    }


def run_a_transactional_test() -> unittest.TestResult:
    """One TransactionTestCase that writes a row, run the way a test runner runs it: it flushes when it ends."""

    class WritesAndIsFlushed(TransactionTestCase):
        def test_writes(self) -> None:
            User.objects.create_user(username="flushed", password="pw-for-tests-only")
            Street.objects.filter(code="310106006").update(name_en="renamed")

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(WritesAndIsFlushed).run(result)
    return result


@pytest.mark.django_db(transaction=True)  # no transaction around the test: the one it runs flushes for real
def test_a_transactional_test_leaves_the_reference_data_as_it_found_it():
    before = reference_data()
    result = run_a_transactional_test()
    after = reference_data()
    flushed = not User.objects.filter(username="flushed").exists()
    assert result.wasSuccessful(), result.errors + result.failures
    assert flushed  # the test did flush: what it wrote is gone
    assert len(before["streets"]) == 14
    assert set(before["roles"]) == set(roles.PERMISSIONS)
    assert before["roles"][roles.STAFF]
    assert before["hospitals"]
    assert before["schedules"]
    assert after == before
