"""Fixtures of the events tests: role permissions of this app, a clean cache, a place for photos."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from events import caching
from services import roles

# The permissions this app asks services.roles to give (see the report of issue 8).
EVENT_PERMISSIONS = {
    roles.STAFF: [
        "view_event",
        "add_event",
        "change_event",
        "view_eventphoto",
        "add_eventphoto",
        "change_eventphoto",
        "delete_eventphoto",
        "view_registration",
        "add_registration",
        "change_registration",
        "view_award",
        "add_award",
        "change_award",
        "delete_award",
    ],
    roles.COMMITTEE_MEMBER: ["view_event", "view_registration", "add_registration", "change_registration"],
    roles.AUDITOR: ["view_event", "view_eventphoto", "view_registration", "view_award"],
    roles.VOLUNTEER: [],
}


def grant_event_permissions() -> None:
    for role, codenames in EVENT_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="events", codename__in=codenames))


@pytest.fixture(autouse=True)
def event_roles(db):
    grant_event_permissions()


@pytest.fixture(autouse=True)
def clean_cache():
    """Cached pages and rate-limit counters of one test never reach another."""
    cache.clear()
    caching.forget_local()
    yield
    cache.clear()
    caching.forget_local()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def in_english(settings):
    """For tests that read messages in English: the portal's default language is Chinese."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
