"""Selectors: street-scoped reads for the field app and the reports, in a fixed number of queries."""

import datetime

import pytest

from employment import selectors
from employment.models import PlacementFollowUp
from tests.employment.factories import CourseFactory, EnrollmentFactory, GraduateFactory, PlacementFactory, worker

pytestmark = pytest.mark.django_db

CERT = {"certificate_level": "4", "certificate_issuer": "静安区职业技能鉴定所"}


def test_the_certificate_register_is_scoped_searched_and_newest_first(member, street, other_street):
    older = EnrollmentFactory(
        person=worker(street=street, name="张三"), certificate_issued_on=datetime.date(2023, 5, 1), **CERT
    )
    newer = EnrollmentFactory(
        person=worker(street=street, name="李四"),
        course=CourseFactory(trade="咖啡师"),
        certificate_issued_on=datetime.date(2023, 9, 1),
        certificate_number="S2023009",
        **CERT,
    )
    EnrollmentFactory(person=worker(street=other_street), certificate_issued_on=datetime.date(2023, 6, 1), **CERT)
    EnrollmentFactory(person=worker(street=street))  # no certificate
    assert list(selectors.certificate_register_for(member)) == [newer, older]
    assert list(selectors.certificate_register_for(member, search=" 咖啡 ")) == [newer]
    assert list(selectors.certificate_register_for(member, search="s2023009")) == [newer]
    assert list(selectors.certificate_register_for(member, search="张")) == [older]


def test_overdue_follow_ups_are_the_unrecorded_past_due_ones_of_visible_streets(member, street, other_street):
    today = datetime.date(2024, 3, 1)
    mine = PlacementFactory(person=worker(street=street))
    theirs = PlacementFactory(person=worker(street=other_street))
    due = PlacementFollowUp.objects.create(placement=mine, months=1, due_on=datetime.date(2024, 2, 1))
    PlacementFollowUp.objects.create(placement=mine, months=3, due_on=datetime.date(2024, 3, 1))  # due today
    PlacementFollowUp.objects.create(
        placement=mine,
        months=6,
        due_on=datetime.date(2024, 1, 1),
        recorded_on=datetime.date(2024, 1, 2),
        still_employed=True,
    )
    PlacementFollowUp.objects.create(placement=theirs, months=1, due_on=datetime.date(2024, 2, 1))
    assert list(selectors.overdue_follow_ups_for(member, today=today)) == [due]


def test_graduates_know_whether_they_were_placed_as_graduates_of_their_year(staff_user):
    placed = GraduateFactory()
    PlacementFactory(person=placed.person, new_graduate=True, graduation_year=2023)
    other_year = GraduateFactory()
    PlacementFactory(
        person=other_year.person, new_graduate=True, graduation_year=2022, started_on=datetime.date(2023, 1, 3)
    )
    result = {g.pk: g.is_placed for g in selectors.graduate_list_for(staff_user)}
    assert result == {placed.pk: True, other_year.pk: False}


def test_course_and_employer_lists_count_in_one_query(django_assert_num_queries):
    course = CourseFactory(capacity=5)
    EnrollmentFactory(course=course)
    EnrollmentFactory(course=course, status="dropped_out")
    EnrollmentFactory(course=course, status="enrolled")
    placement = PlacementFactory()
    PlacementFactory(employer=placement.employer, ended_on=datetime.date(2023, 6, 1), end_reason="resigned")
    with django_assert_num_queries(1):
        assert [c.enrolled for c in selectors.course_list()] == [2]
    with django_assert_num_queries(1):
        assert [e.current_placements for e in selectors.employer_list()] == [1]
