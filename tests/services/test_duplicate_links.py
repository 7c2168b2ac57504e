"""A number already in the registry: the error on the person form and in the import links to the person who holds
it, only for a role that may reveal numbers and open that person's record, and the link is logged (issue #20)."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from services.models import AccessLog, Person
from services.registry import roles
from services.registry.actions import person_merge
from tests.conftest import make_user
from tests.services.factories import PersonFactory
from tests.services.test_admin import _form_data
from tests.services.test_spreadsheets import upload, valid_row, xlsx

pytestmark = pytest.mark.django_db

ADD = reverse("admin:services_person_add")


def record(person: Person) -> str:
    return reverse("admin:services_person_record", args=[person.pk])


def registry_clerk(username: str, *, reveal: bool, streets=()) -> Client:
    """An admin user who may add and change persons, with or without the reveal permission; of every street
    unless `streets` are given."""
    codenames = ["view_person", "add_person", "change_person"]
    codenames += ["reveal_id_number"] if reveal else []
    codenames += [] if streets else ["view_all_streets"]
    user = make_user(username, roles.COMMITTEE_MEMBER, is_staff=True, streets=streets)
    user.groups.clear()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="services", codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def add_twice(client: Client, holder: Person, street) -> str:
    data = _form_data(PersonFactory.build(street=street), id_number=holder.id_number, certificate_number="")
    before = Person.objects.count()
    response = client.post(ADD, data)
    assert response.status_code == 200  # the form again, with its errors
    assert Person.objects.count() == before
    assert "id_number" in response.context["adminform"].form.errors
    return response.content.decode()


def test_staff_adding_a_registered_id_number_get_a_link_to_its_holder_logged_as_a_reveal(client, staff_user, street):
    holder = PersonFactory(street=street)
    client.force_login(staff_user)
    page = add_twice(client, holder, street)
    assert f'href="{record(holder)}"' in page
    assert holder.id_number not in page.replace(f'value="{holder.id_number}"', "")  # only where it was typed
    assert AccessLog.objects.filter(user=staff_user, action="revealed", person=holder).exists()
    assert client.get(record(holder)).status_code == 200


def test_a_role_without_reveal_gets_the_message_and_no_link(street):
    holder = PersonFactory(street=street)
    clerk = registry_clerk("clerk", reveal=False)
    page = add_twice(clerk, holder, street)
    assert record(holder) not in page
    assert holder.name not in page
    assert not AccessLog.objects.filter(action="revealed").exists()


def test_no_link_to_a_holder_the_user_may_not_open(street, other_street):
    holder = PersonFactory(street=other_street)
    clerk = registry_clerk("street_clerk", reveal=True, streets=(street,))
    page = add_twice(clerk, holder, street)
    assert record(holder) not in page
    assert holder.name not in page
    assert not AccessLog.objects.filter(action="revealed").exists()


def test_the_import_links_a_merged_records_number_to_the_record_it_went_into(client, staff_user, street):
    kept = PersonFactory(street=street)
    merged = PersonFactory(street=street)
    person_merge(kept=kept, other=merged, by=staff_user, reason="重复建档")
    rows = [valid_row(**{"身份证号": merged.id_number, "残疾证号": ""})]
    client.force_login(staff_user)
    response = client.post(reverse("admin:services_person_import"), upload(xlsx(rows)))
    assert response.status_code == 400
    assert [link for _error, link in response.context["error_rows"]] == [record(kept)]
    assert f'href="{record(kept)}"' in response.content.decode()
    assert list(AccessLog.objects.filter(action="revealed").values_list("person", flat=True)) == [kept.pk]
    assert client.get(record(kept)).status_code == 200

    importer = registry_clerk("importer", reveal=False)
    response = importer.post(reverse("admin:services_person_import"), upload(xlsx(rows)))
    assert response.status_code == 400
    assert [link for _error, link in response.context["error_rows"]] == [""]
    assert record(kept) not in response.content.decode()
    assert AccessLog.objects.filter(action="revealed").count() == 1
