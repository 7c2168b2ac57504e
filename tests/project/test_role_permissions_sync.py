"""Role groups get exactly their listed permissions, in a handful of queries (this runs after every migrate)."""

import pytest
from django.contrib.auth.models import Group, Permission

from services.registry import roles
from services.registry.roles import sync_role_permissions

pytestmark = pytest.mark.django_db


def permission_names(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_each_role_gets_exactly_its_listed_permissions_in_a_few_queries(django_assert_max_num_queries):
    staff = Group.objects.get(name=roles.STAFF)
    staff.permissions.remove(Permission.objects.get(content_type__app_label="services", codename="view_person"))
    staff.permissions.add(Permission.objects.get(content_type__app_label="services", codename="delete_person"))
    # Was one query per listed permission (206); post_migrate runs it once per app.
    with django_assert_max_num_queries(12):
        sync_role_permissions()
    existing = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    for role, names in roles.PERMISSIONS.items():
        assert permission_names(Group.objects.get(name=role)) == set(names) & existing, role
    assert "services.view_person" in permission_names(staff)
    assert "services.delete_person" not in permission_names(staff)
