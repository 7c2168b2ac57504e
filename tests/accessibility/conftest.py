"""Fixtures of the accessibility tests: the roles' permissions for this app, a catalogue and cost caps."""

from decimal import Decimal

import pytest

from tests.browser.conftest import browser, logged_in  # noqa: F401 - Chromium fixtures for test_browser.py

from .factories import RetrofitItemFactory

# What services.registry.roles.PERMISSIONS should grant for this app (reported to the lead; granted here meanwhile).


@pytest.fixture(autouse=True)
def _in_english(in_english):
    """Every test here reads messages in English (tests/conftest.py: in_english)."""


@pytest.fixture
def catalogue(db):
    """A small catalogue: items for both types, standard-only items, and caps of 8000 and 3000 yuan."""
    from accessibility.models import RetrofitTypeCap

    RetrofitTypeCap.objects.create(type="standard", cap=Decimal(8000))
    RetrofitTypeCap.objects.create(type="basic", cap=Decimal(3000))
    return {
        "grab_bar": RetrofitItemFactory(name="扶手", reference_cost=Decimal(300), allowed_basic=True),
        "doorbell": RetrofitItemFactory(name="闪光振动门铃", reference_cost=Decimal(400), allowed_basic=True),
        "bathroom": RetrofitItemFactory(name="卫生间改造", reference_cost=Decimal(4000), allowed_basic=False),
        "kitchen": RetrofitItemFactory(name="厨房低位操作台", reference_cost=Decimal(3500), allowed_basic=False),
        "retired": RetrofitItemFactory(
            name="旧式报警器", reference_cost=Decimal(200), allowed_basic=True, active=False
        ),
    }


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads go to a temporary folder, never the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def english_client(client, user):
    """The test client logged in as `user`, asking for English pages."""
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client
