"""Each count of the data-quality page links to the list of exactly the persons it counted (issue #20)."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.models import Person
from services.registry.selectors import QUALITY_CHECKS
from tests.services.factories import PersonFactory, file_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(member, street, other_street):
    """Persons of two streets that each check counts, and some no check may count (moved out)."""
    today = timezone.localdate()
    visited = PersonFactory(street=street, name="走访甲")
    lost = PersonFactory(street=street, certificate_number="", name="失联乙")
    PersonFactory(street=street, certificate_valid_until=today + datetime.timedelta(days=10), name="到期丙")
    twin = PersonFactory(street=street, name="重名丁")
    PersonFactory(street=street, name="重名丁", birth_date=twin.birth_date)
    PersonFactory(street=street, phone="13800138000", name="同号戊")
    PersonFactory(street=street, phone="13800138000", name="同号己")
    PersonFactory(
        street=street,
        status=Person.Status.MOVED_OUT,
        status_changed_on=datetime.date(2024, 1, 1),
        certificate_number="",
        name="迁出庚",
    )
    PersonFactory(street=other_street, name="他街辛")
    PersonFactory(street=other_street, certificate_number="", name="他街壬")
    for person, mode in ((visited, "home"), (lost, "lost_contact")):
        file_visit(person, by=member, mode=mode, visited_on=today)


@pytest.mark.parametrize("role", ["member", "staff_user", "auditor"])
def test_every_count_links_to_a_list_of_exactly_the_persons_it_counted(request, registry, role):
    """Generated over every count of every street on the page, for each role that has the page."""
    client = Client()
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("field:quality"))
    page = response.content.decode()
    rows = response.context["streets"]
    assert rows
    checked = 0
    for row in rows:
        assert [key for key, _label, _n in row.counts()] == list(QUALITY_CHECKS)
        for key, _label, count in row.counts():
            url = reverse("field:quality_persons", args=[key, row.street.code])
            if not count:
                assert f'href="{url}"' not in page
            else:
                link = rf'<a href="{re.escape(url)}" aria-label="{count} [^"]+">{count}</a>'
                assert re.search(link, page), (key, url)
            listed = client.get(url)
            assert listed.status_code == 200
            names = [person.name for person, _link in listed.context["rows"]]
            assert listed.context["page"].paginator.count == len(names) == count, (role, key, row.street)
            assert all(person.street == row.street for person, _link in listed.context["rows"])
            assert all(person.status == Person.Status.ACTIVE for person, _link in listed.context["rows"])
            for person, link in listed.context["rows"]:
                assert person.masked_id_number in listed.content.decode()
                assert person.id_number not in listed.content.decode()
                if link:
                    assert client.get(link).status_code == 200
            checked += 1
    assert checked == len(rows) * len(QUALITY_CHECKS)


def test_the_lists_hold_the_persons_of_each_check(client, staff_user, registry, street):
    client.force_login(staff_user)

    def names(check: str) -> set[str]:
        response = client.get(reverse("field:quality_persons", args=[check, street.code]))
        return {person.name for person, _link in response.context["rows"]}

    assert names("lost_contact") == {"失联乙"}
    assert names("missing_certificate") == {"失联乙"}  # the moved-out person is not counted
    assert names("expiring_certificate") == {"到期丙"}
    assert names("likely_duplicates") == {"重名丁", "同号戊", "同号己"}
    assert names("visited_this_year") == {"走访甲", "失联乙"}
    rows = client.get(reverse("field:quality_persons", args=["active", street.code])).context["rows"]
    assert all(link.endswith("/record/") for _person, link in rows)  # staff: the full record in the admin


def test_a_member_cannot_list_another_streets_persons_nor_an_unknown_check(client, member, registry, other_street):
    client.force_login(member)
    assert client.get(reverse("field:quality_persons", args=["active", other_street.code])).status_code == 404
    assert client.get(reverse("field:quality_persons", args=["nope", other_street.code])).status_code == 404
    assert client.get(reverse("field:quality_persons", args=["active", "999999999"])).status_code == 404
    rows = client.get(reverse("field:quality_persons", args=["active", member.street_assignments.get().street.code]))
    assert all(link == reverse("field:person", args=[p.pk]) for p, link in rows.context["rows"])


def test_a_count_list_takes_the_same_queries_for_few_and_many_persons(client, member, street):
    client.force_login(member)
    url = reverse("field:quality_persons", args=["active", street.code])
    PersonFactory.create_batch(2, street=street)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    PersonFactory.create_batch(30, street=street)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 25
    assert len(many) == len(few)
