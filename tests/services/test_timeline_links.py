"""The person timeline (issue #20): each entry links to its record where the viewer may open it, a date-only entry
shows its date alone, and no title repeats its kind."""

import datetime
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.admin_links import admin_url
from tests.accessibility.factories import DeviceIssueFactory
from tests.employment.factories import EnrollmentFactory, PlacementFactory
from tests.events.factories import AwardFactory, PersonRegistrationFactory
from tests.services.factories import PersonFactory, file_visit
from tests.services.rehab_factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(street, other_street, member):
    """A person of street A with one record of each kind the timeline shows; one device was issued while they
    lived in street B (the record keeps that street)."""
    person = PersonFactory(street=street, category=5, name="周档案")
    today = timezone.localdate()
    file_visit(person, by=member, needs=["escort"], visited_on=today - datetime.timedelta(days=20))
    file_visit(person, by=member, mode="phone", visited_on=today - datetime.timedelta(days=19))
    DeviceIssueFactory(person=person, issued_on=datetime.date(2023, 4, 1))
    person.issued_elsewhere = DeviceIssueFactory(
        person=person, street=other_street, issued_on=datetime.date(2022, 4, 1), returned_on=datetime.date(2022, 9, 1)
    )
    EnrollmentFactory(person=person)
    PlacementFactory(person=person, ended_on=datetime.date(2023, 9, 1), end_reason="resigned")
    PersonRegistrationFactory(person=person)
    AwardFactory(kind="person", person=person, team_name="")
    SessionFactory(contract__person=person)
    return person


def record_page(client: Client, person) -> tuple[list, str]:
    response = client.get(reverse("admin:services_person_record", args=[person.pk]))
    assert response.status_code == 200
    return response.context["timeline"], response.content.decode()


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["staff_user", "auditor", "street_admin"])
def test_every_timeline_entry_links_to_its_record_exactly_where_the_viewer_may_open_it(request, person, role):
    """Generated over every entry of every registered provider: a link opens (200); no link only where the
    record's admin page would refuse the viewer (403 or 404)."""
    user = request.getfixturevalue("member" if role == "street_admin" else role)
    if role == "street_admin":
        user.is_staff = True  # a committee member of street A given the admin: scoped to street A
        user.save()
    client = admin_client(user)
    entries, page = record_page(client, person)
    about_records = [e for e in entries if e.record is not None]
    assert {type(e.record).__name__ for e in about_records} >= {
        "HomeVisit",
        "DeviceIssue",
        "Enrollment",
        "Placement",
        "Registration",
        "Award",
        "HomeRehabSession",
        "FamilyDoctorContract",
    }
    for entry in about_records:
        target = admin_url(admin.site._registry[type(entry.record)], entry.record.pk)
        if entry.url:
            assert entry.url == target
            assert f'href="{entry.url}"' in page
            assert client.get(entry.url).status_code == 200, (role, entry.kind, entry.url)
        else:
            assert client.get(target).status_code in (403, 404), (role, entry.kind, target)
    linked = [e for e in about_records if e.url]
    assert linked, role
    elsewhere = [e for e in about_records if e.record == person.issued_elsewhere]
    assert elsewhere
    # The wristband issued in street B: not the street-A member's to open, so not linked for them.
    assert all(bool(e.url) == (role != "street_admin") for e in elsewhere)


def test_date_only_entries_show_no_midnight_and_no_title_repeats_its_kind(client, staff_user, person):
    client.force_login(staff_user)
    entries, page = record_page(client, person)
    timeline = page[page.index('id="timeline-heading"') :]
    days = [e for e in entries if e.day_only]
    assert {e.kind for e in days} >= {"入户走访", "电话"}
    for entry in days:
        day = entry.when.date().isoformat()
        assert f'<time datetime="{day}">{day}</time>' in timeline
    assert " 00:00<" not in timeline
    for entry in entries:
        assert str(entry.kind) not in entry.title.split(" · "), entry
    assert not re.search(r"(入户走访|电话) · \1", timeline)
    visit = next(e for e in entries if e.kind == "入户走访")
    assert visit.title.startswith("日常走访 · ")
