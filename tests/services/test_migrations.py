"""The data migrations: the 14 streets and the role groups with their permissions."""

import pytest
from django.contrib.auth.models import Group

from services.models import Street
from services.registry import roles

pytestmark = pytest.mark.django_db


def test_fourteen_streets_of_jingan_are_loaded():
    streets = Street.objects.all()
    assert streets.count() == 14
    assert all(s.code.startswith("310106") and len(s.code) == 9 for s in streets)
    assert Street.objects.get(code="310106100").name_zh == "彭浦镇"
    assert Street.objects.get(code="310106022").name_zh == "芷江西路街道"
    assert Street.objects.filter(name_zh__endswith="街道").count() == 13


def test_street_name_follows_the_active_language():
    from django.utils import translation

    street = Street.objects.get(code="310106013")
    with translation.override("zh-hans"):
        assert str(street) == "静安寺街道"
    with translation.override("en"):
        assert str(street) == "Jing'an Temple Subdistrict"


def perms(role: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


def test_the_four_roles_exist_with_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        roles.STAFF,
        roles.COMMITTEE_MEMBER,
        roles.VOLUNTEER,
        roles.AUDITOR,
    }
    assert {"services.view_all_streets", "services.change_person", "services.reveal_id_number"} <= perms(roles.STAFF)
    assert "services.view_accesslog" in perms(roles.AUDITOR)
    assert not any(p.startswith(("services.change", "services.add", "services.delete")) for p in perms(roles.AUDITOR))
    assert "services.view_all_streets" not in perms(roles.COMMITTEE_MEMBER)
    assert perms(roles.VOLUNTEER) == set()


def test_role_permissions_are_exactly_the_declared_ones():
    for role, names in roles.PERMISSIONS.items():
        assert perms(role) == set(names), role
