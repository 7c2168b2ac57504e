"""The person timeline shows courses, certificates and jobs, in two queries whatever their number."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from employment.timeline import employment_entries
from services.registry.timeline import timeline_for
from tests.employment.factories import CourseFactory, EmployerFactory, EnrollmentFactory, PlacementFactory, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    person = worker()
    EnrollmentFactory(
        person=person,
        course=CourseFactory(title="咖啡制作", trade="咖啡师"),
        certified=True,
        certificate_level="4",
        certificate_number="S2023001",
    )
    PlacementFactory(
        person=person,
        employer=EmployerFactory(name="上海石门二路咖啡有限公司"),
        job_title="咖啡师",
        started_on=datetime.date(2023, 6, 1),
        ended_on=datetime.date(2023, 12, 31),
        end_reason="contract_ended",
    )
    PlacementFactory(person=person, started_on=datetime.date(2024, 2, 1), recommended=False)
    return person


def test_courses_certificates_and_jobs_are_on_the_timeline(person):
    entries = [e for e in timeline_for(person) if e.record is not None]
    assert [e.kind for e in entries] == ["Job", "Job ended", "Job", "Certificate", "Skills training"]
    certificate = entries[3]
    assert certificate.title == "咖啡师 · Level 4 / intermediate worker"
    assert "S2023001" in certificate.detail
    assert "on the federation's recommendation" in entries[2].detail
    assert "found independently" in entries[0].detail
    assert entries[1].detail == "Contract ended"


def test_the_provider_uses_two_queries_however_many_records(person, django_assert_num_queries):
    for _ in range(5):
        EnrollmentFactory(person=person)
        PlacementFactory(person=person, employer=EmployerFactory())
    with django_assert_num_queries(2):
        entries = employment_entries(person)
    assert len(entries) == 6 + 1 + 7 + 1  # enrolments, a certificate, placements, an end


def test_the_person_record_page_shows_them(person, staff_user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(staff_user)
    page = client.get(reverse("admin:services_person_record", args=[person.pk])).content.decode()
    assert "上海石门二路咖啡有限公司 · 咖啡师" in page
    assert (
        reverse("admin:employment_enrollment_change", args=[person.enrollments.get(course__title="咖啡制作").pk])
        in page
    )
