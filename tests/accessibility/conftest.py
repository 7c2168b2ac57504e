"""Fixtures of the accessibility tests: the roles' permissions for this app, a catalogue and cost caps."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation

from services import roles
from tests.browser.conftest import browser, logged_in  # noqa: F401 - Chromium fixtures for test_browser.py

from .factories import RetrofitItemFactory

# What services.roles.PERMISSIONS should grant for this app (reported to the lead; granted here meanwhile).
ROLE_PERMISSIONS = {
    roles.STAFF: [
        "view_retrofit",
        "add_retrofit",
        "change_retrofit",
        "advance_retrofit",
        "apply_retrofit",
        "approve_over_cap",
        "view_retrofitline",
        "add_retrofitline",
        "change_retrofitline",
        "delete_retrofitline",
        "view_retrofitstatuschange",
        "view_retrofitphoto",
        "add_retrofitphoto",
        "view_retrofititem",
        "add_retrofititem",
        "change_retrofititem",
        "view_retrofittypecap",
        "add_retrofittypecap",
        "change_retrofittypecap",
        "view_rampretrofit",
        "add_rampretrofit",
        "change_rampretrofit",
        "view_signlanguagepoint",
        "add_signlanguagepoint",
        "change_signlanguagepoint",
        "view_deviceissue",
        "add_deviceissue",
        "change_deviceissue",
    ],
    roles.AUDITOR: [
        "view_retrofit",
        "view_retrofitline",
        "view_retrofitstatuschange",
        "view_retrofititem",
        "view_retrofittypecap",
        "view_rampretrofit",
        "view_signlanguagepoint",
        "view_deviceissue",
    ],
    roles.COMMITTEE_MEMBER: ["view_retrofit", "apply_retrofit"],
    roles.VOLUNTEER: [],
}


@pytest.fixture(autouse=True)
def in_english():
    """Messages are matched in English, so the tests hold whatever the Chinese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def accessibility_role_permissions(db):
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="accessibility", codename__in=codenames)
        )


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
