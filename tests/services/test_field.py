"""The field app: scoped to the member's streets, visits filed once, follow-ups, data quality."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.models import AccessLog, AuditEntry, FollowUp, HomeVisit, Person
from tests.services.factories import PersonFactory, file_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(street, other_street):
    return PersonFactory(street=street, name="本街道"), PersonFactory(street=other_street, name="外街道")


def visit_data(**overrides) -> dict:
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "mode": "home",
        "purpose": "routine",
        "findings": "家中整洁，行动不便。",
        "needs": ["retrofit", "escort"],
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def field_urls(person: Person) -> list[str]:
    return [reverse("field:person", args=[person.pk]), reverse("field:visit", args=[person.pk])]


def test_anonymous_is_sent_to_log_in(client, pair):
    for url in [reverse("field:home"), reverse("field:quality"), *field_urls(pair[0])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_staff_and_volunteers_cannot_use_the_field_pages(client, staff_user, volunteer, pair):
    for user in (staff_user, volunteer):
        client.force_login(user)
        assert client.get(reverse("field:home")).status_code == 403
        assert client.get(field_urls(pair[0])[0]).status_code == 403


def test_a_member_gets_404_for_a_person_of_another_street(member_client, pair):
    for url in field_urls(pair[1]):
        assert member_client.get(url).status_code == 404
    for url in field_urls(pair[0]):
        assert member_client.get(url).status_code == 200


def test_a_crafted_post_for_another_streets_person_files_nothing(member_client, pair):
    response = member_client.post(reverse("field:visit", args=[pair[1].pk]), visit_data())
    assert response.status_code == 404
    assert not HomeVisit.objects.exists()
    assert not FollowUp.objects.exists()


def test_my_street_lists_only_my_streets_people_with_masked_numbers(member_client, pair):
    html = member_client.get(reverse("field:home")).content.decode()
    assert pair[0].name in html
    assert pair[0].masked_id_number in html
    assert pair[0].id_number not in html
    assert pair[1].name not in html
    pair[0].refresh_from_db()
    assert pair[0].gender_label in ("男", "女")
    assert f"{pair[0].masked_id_number} · {pair[0].gender_label} ·" in html


def test_filing_a_visit_creates_one_follow_up_per_need_with_due_dates(member_client, member, pair):
    person = pair[0]
    response = member_client.post(reverse("field:visit", args=[person.pk]), visit_data())
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    assert (visit.person, visit.street, visit.visitor) == (person, person.street, member)
    follow_ups = {f.need: f for f in FollowUp.objects.all()}
    assert set(follow_ups) == {"retrofit", "escort"}
    assert follow_ups["escort"].due_on == visit.visited_on + datetime.timedelta(days=7)
    assert follow_ups["retrofit"].due_on == visit.visited_on + datetime.timedelta(days=30)
    assert all(f.status == "open" and f.street == person.street for f in follow_ups.values())
    assert AuditEntry.objects.get(code="services.home_visit.recorded").data == {"needs": ["escort", "retrofit"]}
    page = member_client.get(response["Location"]).content.decode()
    assert "陪同就医 · 截止日期" in page


def test_submitting_the_same_form_twice_files_one_visit(member_client, pair):
    data = visit_data()
    url = reverse("field:visit", args=[pair[0].pk])
    assert member_client.post(url, data).status_code == 302
    assert member_client.post(url, data).status_code == 302
    assert HomeVisit.objects.count() == 1
    assert FollowUp.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visited_on": "2999-01-01"}, "visited_on"),
        ({"visited_on": "2001-01-01"}, "visited_on"),
        ({"visited_on": "not a date"}, "visited_on"),
        ({"mode": "teleport"}, "mode"),
        ({"needs": ["flying_car"]}, "needs"),
        ({"mode": "lost_contact"}, "needs"),
        ({"findings": "x" * 4001}, "findings"),
        ({"submission_key": "not-a-uuid"}, "submission_key"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_files_nothing(member_client, pair, overrides, field):
    response = member_client.post(reverse("field:visit", args=[pair[0].pk]), visit_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'id="error-summary"' in response.content.decode()
    assert not HomeVisit.objects.exists()


def test_a_visit_to_a_deceased_person_is_refused(member_client, street):
    person = PersonFactory(street=street, status="deceased", status_changed_on=datetime.date(2024, 1, 1))
    response = member_client.post(reverse("field:visit", args=[person.pk]), visit_data())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not HomeVisit.objects.exists()


def test_hostile_text_is_stored_as_text_and_escaped(member_client, pair):
    script = '<script>alert("x")</script>'
    member_client.post(reverse("field:visit", args=[pair[0].pk]), visit_data(findings=script))
    page = member_client.get(reverse("field:person", args=[pair[0].pk])).content.decode()
    assert script not in page
    assert "&lt;script&gt;" in page


def test_opening_a_person_in_the_field_is_logged(member_client, member, pair):
    member_client.get(reverse("field:person", args=[pair[0].pk]))
    log = AccessLog.objects.get()
    assert (log.user, log.person, log.action) == (member, pair[0], "opened")


def test_list_query_count_is_the_same_for_few_and_many_people(member_client, member, street):
    def count(query: dict) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(reverse("field:home"), query).status_code == 200
        return len(queries)

    PersonFactory.create_batch(3, street=street)
    few = count({})
    people = PersonFactory.create_batch(40, street=street)
    for person in people[:10]:
        file_visit(person, by=member, needs=["job"])
    many = count({})
    assert few == many
    assert count({"order": "stale", "stale": "1", "q": "测试"}) == many


def test_sorting_by_longest_since_last_visit_puts_never_visited_first(member_client, member, street):
    visited = PersonFactory(street=street, name="甲")
    never = PersonFactory(street=street, name="乙")
    file_visit(visited, by=member, mode="phone")
    rows = member_client.get(reverse("field:home"), {"order": "stale"}).context["rows"]
    assert [p for p, _age in rows] == [never, visited]
    stale_rows = member_client.get(reverse("field:home"), {"stale": "1"}).context["rows"]
    assert [p for p, _age in stale_rows] == [never]


def test_data_quality_counts_for_members_and_staff(client, member, staff_user, street, other_street):
    today = timezone.localdate()
    visited = PersonFactory(street=street)
    lost = PersonFactory(street=street, certificate_number="")
    PersonFactory(street=street, certificate_valid_until=today + datetime.timedelta(days=10))
    PersonFactory(street=other_street)
    for person, mode in ((visited, "home"), (lost, "lost_contact")):
        file_visit(person, by=member, mode=mode, visited_on=today)
    client.force_login(member)
    rows = client.get(reverse("field:quality")).context["streets"]
    assert len(rows) == 1
    row = rows[0]
    assert (row.street, row.active, row.visited_this_year, row.lost_contact) == (street, 3, 2, 1)
    assert (row.not_visited_12_months, row.missing_certificate, row.expiring_certificate) == (1, 1, 1)
    assert row.visited_share == 66
    client.force_login(staff_user)
    assert [r.street for r in client.get(reverse("field:quality")).context["streets"]] == [street, other_street]
