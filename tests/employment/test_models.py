"""The database keeps the rules even when code forgets them: every named constraint refuses a bad row."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from employment.models import Certificate, Enrollment, Placement, PlacementFollowUp, Referral
from tests.employment.factories import (
    CourseFactory,
    EmployerFactory,
    EnrollmentFactory,
    GraduateFactory,
    PlacementFactory,
    worker,
)
from tests.services.factories import file_visit

pytestmark = pytest.mark.django_db


def refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_course_cannot_end_before_it_starts_or_have_no_places():
    refused(lambda: CourseFactory(starts_on=datetime.date(2023, 5, 1), ends_on=datetime.date(2023, 4, 30)))
    refused(lambda: CourseFactory(capacity=0))
    CourseFactory(starts_on=datetime.date(2023, 5, 1), ends_on=datetime.date(2023, 5, 1))  # a one-day course


def test_a_person_is_enrolled_once_per_course():
    enrollment = EnrollmentFactory()
    refused(lambda: EnrollmentFactory(person=enrollment.person, course=enrollment.course))


def test_a_certificate_needs_a_completed_enrolment():
    refused(lambda: EnrollmentFactory(status=Enrollment.Status.ENROLLED, certified=True))
    refused(lambda: EnrollmentFactory(status=Enrollment.Status.DROPPED_OUT, certified=True))
    assert EnrollmentFactory(status=Enrollment.Status.COMPLETED, certified=True).has_certificate


def test_a_certificate_is_whole_or_absent():
    refused(lambda: EnrollmentFactory(certified=True, certificate_issuer=""))
    refused(lambda: EnrollmentFactory(certified=True, certificate_issued_on=None))
    refused(lambda: EnrollmentFactory(certificate_number="S2023001"))  # a number without a certificate
    refused(lambda: EnrollmentFactory(certified=True, certificate_level="6"))


def test_certificate_numbers_are_unique_when_given():
    EnrollmentFactory(certified=True, certificate_number="S2023001")
    EnrollmentFactory(certified=True)
    EnrollmentFactory(certified=True)  # several without a number are fine
    refused(lambda: EnrollmentFactory(certified=True, certificate_number="S2023001"))


def test_the_certificate_register_holds_only_certified_enrolments():
    certified = EnrollmentFactory(certified=True)
    EnrollmentFactory()
    assert list(Certificate.objects.values_list("pk", flat=True)) == [certified.pk]


def test_employer_credit_codes_are_unique():
    employer = EmployerFactory()
    refused(lambda: EmployerFactory(credit_code=employer.credit_code))


def test_placement_cannot_end_before_it_starts_and_an_end_needs_its_reason():
    refused(lambda: PlacementFactory(ended_on=datetime.date(2023, 5, 7), end_reason="resigned"))
    refused(lambda: PlacementFactory(ended_on=datetime.date(2023, 6, 1)))
    refused(lambda: PlacementFactory(end_reason="resigned"))
    PlacementFactory(ended_on=datetime.date(2023, 5, 8), end_reason="resigned")  # the same day is allowed


def test_a_new_graduate_placement_needs_its_graduation_year_and_only_then():
    refused(lambda: PlacementFactory(new_graduate=True))
    refused(lambda: PlacementFactory(graduation_year=2023))
    PlacementFactory(new_graduate=True, graduation_year=2023)


def test_a_placement_is_recorded_once():
    placement = PlacementFactory()
    refused(lambda: PlacementFactory(person=placement.person, employer=placement.employer))


def test_follow_ups_are_at_the_four_points_once_and_recorded_whole():
    placement = PlacementFactory()
    due = datetime.date(2023, 6, 8)
    PlacementFollowUp.objects.create(placement=placement, months=1, due_on=due)
    refused(lambda: PlacementFollowUp.objects.create(placement=placement, months=1, due_on=due))
    refused(lambda: PlacementFollowUp.objects.create(placement=placement, months=2, due_on=due))
    refused(lambda: PlacementFollowUp.objects.create(placement=placement, months=3, due_on=due, recorded_on=due))
    refused(lambda: PlacementFollowUp.objects.create(placement=placement, months=6, due_on=due, still_employed=True))


def test_a_graduate_is_registered_once_a_year_with_a_plausible_year():
    graduate = GraduateFactory()
    refused(lambda: GraduateFactory(person=graduate.person))
    refused(lambda: GraduateFactory(graduation_year=1900))
    GraduateFactory(person=graduate.person, graduation_year=2024)


@pytest.fixture
def need(member, street):
    """An open skills-training need from a member's home visit."""
    visit = file_visit(worker(street=street), by=member, needs=["training", "job"], purpose="needs_assessment")
    return visit.follow_ups.get(need="training")


def make_referral(need, member, **kwargs):
    values = {"person": need.person, "street": need.street, "kind": "course", "follow_up": need, "referred_by": member}
    return Referral.objects.create(**{**values, **kwargs})


def test_a_need_has_one_open_referral_at_a_time(need, member):
    make_referral(need, member, status="closed", resolved_at=timezone.now())
    make_referral(need, member)
    refused(lambda: make_referral(need, member))


def test_referral_status_needs_its_record(need, member):
    now = timezone.now()
    refused(lambda: make_referral(need, member, kind="job", course=CourseFactory()))
    refused(lambda: make_referral(need, member, status="enrolled", resolved_at=now))
    refused(lambda: make_referral(need, member, kind="job", status="placed", resolved_at=now))
    refused(lambda: make_referral(need, member, status="closed"))
    enrollment = EnrollmentFactory(person=need.person, status=Enrollment.Status.ENROLLED)
    refused(lambda: make_referral(need, member, kind="job", status="enrolled", enrollment=enrollment, resolved_at=now))
    make_referral(need, member, status="enrolled", enrollment=enrollment, resolved_at=now)


def test_placement_street_scoping_reaches_follow_ups(street, other_street, member):
    mine = PlacementFactory(person=worker(street=street))
    PlacementFollowUp.objects.create(placement=mine, months=1, due_on=datetime.date(2023, 6, 8))
    assert PlacementFollowUp.objects.visible_to(member).count() == 1
    theirs = PlacementFactory(person=mine.person, street=other_street, employer=EmployerFactory())
    PlacementFollowUp.objects.create(placement=theirs, months=1, due_on=datetime.date(2023, 6, 8))
    assert PlacementFollowUp.objects.visible_to(member).count() == 1
    assert Placement.objects.visible_to(member).get() == mine
