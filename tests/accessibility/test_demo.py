"""seed_demo on a small registry: the whole accessibility demo still fits without breaking a rule.

The demo year itself is checked once for every app in tests/demo/."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings

from accessibility.models import DeviceIssue, Retrofit
from reports.figures import get

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_a_small_registry_still_gets_the_whole_demo_without_breaking_a_rule():
    call_command("seed_demo", persons=60, stdout=io.StringIO())
    # A home is retrofitted once: 60 persons cannot give the article's 450 homes, and no home gets two cases.
    homes = Retrofit.objects.filter(status__in=(*Retrofit.OPEN, *Retrofit.DONE)).values("household")
    assert homes.annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert 0 < get("home_retrofits").compute(2023) < 60
    # Wristbands only for people with an intellectual disability, each returned before the next.
    assert get("smart_wristbands").compute(2023) == 249
    assert not DeviceIssue.objects.filter(device_type="smart_wristband").exclude(person__category=5).exists()
    assert (
        DeviceIssue.objects.filter(returned_on__isnull=True)
        .values("person", "device_type")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        == 0
    )
