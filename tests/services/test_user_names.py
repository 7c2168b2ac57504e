"""A visit's author, and every other account shown to people, is named by name (core.users), not by login."""

import pytest
from django.urls import reverse

from services.models import User
from services.registry import roles
from tests.conftest import make_user
from tests.services.factories import PersonFactory, file_visit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [("秀英", "王", "王秀英"), ("Ming", "Li", "Ming Li"), ("", "", "login_only"), ("  秀英 ", "", "秀英")],
)
def test_user_display_names_people_as_they_are_called(first, last, shown):
    from core.users import user_display

    assert user_display(User(username="login_only", first_name=first, last_name=last)) == shown
    assert user_display(None) == ""


@pytest.fixture
def named_member(street) -> User:
    user = make_user("member_login_7", roles.COMMITTEE_MEMBER, streets=(street,))
    user.first_name, user.last_name = "秀英", "王"
    user.save()
    return user


def test_the_visit_author_is_a_name_in_the_admin_list_and_change_page(client, staff_user, street, named_member):
    visit = file_visit(PersonFactory(street=street), named_member)
    client.force_login(staff_user)
    listing = client.get(reverse("admin:services_homevisit_changelist")).content.decode()
    assert "王秀英" in listing
    assert "member_login_7" not in listing
    change = client.get(reverse("admin:services_homevisit_change", args=[visit.pk])).content.decode()
    assert "王秀英" in change
    assert "member_login_7" not in change
    found = client.get(reverse("admin:services_homevisit_changelist"), {"q": "王"}).content.decode()
    assert "王秀英" in found


def test_the_visit_author_is_a_name_on_the_field_page_and_the_person_timeline(client, staff_user, street, named_member):
    person = PersonFactory(street=street)
    file_visit(person, named_member)
    client.force_login(named_member)
    field_page = client.get(reverse("field:person", args=[person.pk])).content.decode()
    assert "王秀英" in field_page
    assert "member_login_7" not in field_page
    client.force_login(staff_user)
    record = client.get(reverse("admin:services_person_record", args=[person.pk]))
    titles = [entry.title for entry in record.context["timeline"]]
    assert any("王秀英" in title for title in titles)
    assert not any("member_login_7" in title for title in titles)


def test_the_visits_admin_list_keeps_its_query_count(client, staff_user, street, named_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:services_homevisit_changelist")).status_code == 200
        return len(queries)

    file_visit(PersonFactory(street=street), named_member)
    few = count()
    for _ in range(4):
        file_visit(PersonFactory(street=street), named_member)
    assert count() == few
