"""Fixtures of the reports tests: the roles' report permissions and a small year counted by hand."""

import datetime

import pytest
from django.utils import timezone

from accessibility.models import Retrofit
from employment.models import Course
from events.models import Event, Registration
from services.models import EscortBooking, EscortSlot, Hospital, User
from services.registry import roles
from tests.accessibility.factories import (
    DeviceIssueFactory,
    RampRetrofitFactory,
    SignLanguagePointFactory,
    make_retrofit,
)
from tests.employment.factories import CourseFactory, EnrollmentFactory, GraduateFactory, PlacementFactory, worker
from tests.events.factories import EventFactory, PublicRegistrationFactory
from tests.services.factories import PersonFactory

# The permissions the reports app asks the lead to add to services.registry.roles.
REPORT_PERMISSIONS = {
    roles.STAFF: [
        "view_annualreport",
        "run_annualreport",
        "freeze_annualreport",
        "view_figure_records",
        "view_annualplan",
        "add_annualplan",
        "change_annualplan",
    ],
    roles.AUDITOR: ["view_annualreport", "view_figure_records", "view_annualplan"],
}

SHANGHAI = timezone.get_default_timezone()


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def _slot(hospital: str, start: datetime.datetime) -> EscortSlot:
    return EscortSlot.objects.create(
        hospital=Hospital.objects.get(name_zh=hospital),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        capacity=9,
    )


def _booking(person, slot, status: str, requested_by: User) -> EscortBooking:
    return EscortBooking.objects.create(
        person=person,
        street=person.street,
        slot=slot,
        need=EscortBooking.Need.DEAF,
        status=status,
        minutes=60 if status == EscortBooking.Status.COMPLETED else None,
        requested_by=requested_by,
    )


def build_year(street, other_street) -> dict:
    """Records of 2023 (and some that must not count), and the figures they give, counted by hand."""
    requester = User.objects.create_user(username="requester", password="pw-for-tests-only")
    S = EscortBooking.Status
    slot_2023 = _slot("华东医院", at(2023, 6, 1, 8))
    slot_2023_b = _slot("市北医院", at(2023, 12, 31, 23))  # the last hour of the year in Shanghai
    slot_2022 = _slot("华东医院", at(2022, 12, 31, 8))
    slot_2024 = _slot("华东医院", at(2024, 1, 1, 0))  # 2023-12-31 16:00 UTC: Shanghai's 2024
    here = [PersonFactory(street=street) for _i in range(3)]
    there = PersonFactory(street=other_street, category=1)
    _booking(here[0], slot_2023, S.COMPLETED, requester)
    _booking(here[1], slot_2023, S.COMPLETED, requester)
    _booking(there, slot_2023_b, S.COMPLETED, requester)
    # Never counted for 2023:
    _booking(here[2], slot_2023, S.CANCELLED, requester)
    _booking(here[2], slot_2023_b, S.NO_SHOW, requester)
    _booking(here[0], slot_2022, S.COMPLETED, requester)
    _booking(here[1], slot_2024, S.COMPLETED, requester)
    # Counted apart: a person outside the escort rules, booked by a staff exception.
    outside = _booking(PersonFactory(street=street, category=4), slot_2023, S.COMPLETED, requester)
    EscortBooking.objects.filter(pk=outside.pk).update(eligibility_override="行动不便，家属无法陪同，经主任批准")

    R = Retrofit.Status
    make_retrofit(R.ACCEPTED, type=Retrofit.Type.STANDARD, person=PersonFactory(street=street))
    make_retrofit(R.ACCEPTED, type=Retrofit.Type.STANDARD, person=PersonFactory(street=other_street))
    make_retrofit(R.FOLLOWED_UP, type=Retrofit.Type.BASIC, person=PersonFactory(street=street))
    make_retrofit(R.REJECTED, type=Retrofit.Type.BASIC, person=PersonFactory(street=street))
    make_retrofit(R.IN_WORKS, type=Retrofit.Type.BASIC, person=PersonFactory(street=street))
    make_retrofit(
        R.ACCEPTED,
        type=Retrofit.Type.BASIC,
        person=PersonFactory(street=street),
        dates={
            R.APPLIED: datetime.date(2022, 1, 10),
            R.ASSESSED: datetime.date(2022, 1, 20),
            R.APPROVED: datetime.date(2022, 2, 1),
            R.IN_WORKS: datetime.date(2022, 2, 10),
            R.ACCEPTED: datetime.date(2022, 12, 20),
        },
    )

    RampRetrofitFactory(street=street, completed_on=datetime.date(2023, 1, 1))
    RampRetrofitFactory(street=street, completed_on=datetime.date(2023, 12, 31))
    RampRetrofitFactory(street=other_street, completed_on=datetime.date(2023, 7, 1))
    RampRetrofitFactory(street=other_street, completed_on=datetime.date(2024, 1, 1))  # not 2023

    SignLanguagePointFactory(in_service_from=datetime.date(2022, 5, 1))
    SignLanguagePointFactory(in_service_from=datetime.date(2023, 12, 31), street=other_street)
    SignLanguagePointFactory(in_service_from=datetime.date(2022, 5, 1), in_service_to=datetime.date(2023, 6, 30))
    SignLanguagePointFactory(in_service_from=datetime.date(2024, 1, 1))

    DeviceIssueFactory(person=PersonFactory(street=street, category=5), issued_on=datetime.date(2023, 2, 1))
    DeviceIssueFactory(person=PersonFactory(street=street, category=5), issued_on=datetime.date(2023, 3, 1))
    DeviceIssueFactory(person=PersonFactory(street=street, category=5), issued_on=datetime.date(2022, 3, 1))
    DeviceIssueFactory(
        person=PersonFactory(street=street), device_type="hearing_aid", issued_on=datetime.date(2023, 3, 1)
    )

    course = CourseFactory()  # ends 2023-04-28
    old_course = CourseFactory(starts_on=datetime.date(2022, 3, 1), ends_on=datetime.date(2022, 4, 1))
    trainee = worker(street=street)
    EnrollmentFactory(person=trainee, course=course)
    EnrollmentFactory(person=trainee, course=CourseFactory())  # the same person twice: one person trained
    EnrollmentFactory(person=worker(street=other_street), course=course)
    EnrollmentFactory(person=worker(street=street), course=course, status="dropped_out")
    EnrollmentFactory(person=worker(street=street), course=old_course)
    EnrollmentFactory(
        person=worker(street=street),
        course=course,
        certificate_level="4",
        certificate_number="C-1",
        certificate_issuer="上海市职业技能鉴定中心",
        certificate_issued_on=datetime.date(2023, 5, 20),
    )

    PlacementFactory(person=worker(street=street))
    PlacementFactory(person=worker(street=other_street))
    PlacementFactory(person=worker(street=street), recommended=False)
    PlacementFactory(person=worker(street=street), started_on=datetime.date(2022, 11, 1))
    graduate = GraduateFactory(person=worker(street=street))
    GraduateFactory(person=worker(street=street))
    GraduateFactory(person=worker(street=street), graduation_year=2022)
    PlacementFactory(person=graduate.person, new_graduate=True, graduation_year=2023, recommended=False)

    C = Event.Category
    for category, start, came in [(C.CULTURE, at(2023, 3, 1, 9), 3), (C.ESPORTS, at(2023, 12, 31, 20), 2)]:
        event = EventFactory(category=category, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        PublicRegistrationFactory.create_batch(came, event=event, attendance=Registration.Attendance.ATTENDED)
        PublicRegistrationFactory(event=event, attendance=Registration.Attendance.ABSENT)
    # Never counted: unpublished, another category, another year.
    EventFactory(category=C.CULTURE, starts_at=at(2023, 5, 1, 9), ends_at=at(2023, 5, 1, 11), is_published=False)
    EventFactory(category=C.PREVENTION, starts_at=at(2023, 5, 2, 9), ends_at=at(2023, 5, 2, 11))
    EventFactory(category=C.SPORTS, starts_at=at(2022, 5, 2, 9), ends_at=at(2022, 5, 2, 11))
    assert Course.objects.count() == 3

    return {
        "escort_person_visits": 3,
        "escort_by_exception": 1,
        "home_retrofits": 3,
        "ramp_passages": 3,
        "ramp_streets": 2,
        "sign_language_points": 2,
        "smart_wristbands": 2,
        "trained": 3,
        "certified": 1,
        "placed": 2,
        "new_graduates": 2,
        "new_graduates_placed": 1,
        "culture_events": 2,
        "culture_participants": 5,
        # Issue 12's figures are counted against their own records in tests/services/test_rehab_stats.py
        # and tests/events/test_prevention_stats.py; this year has none of them.
        "rehab_homes": 0,
        "home_rehab_people": 0,
        "home_rehab_sessions": 0,
        "prevention_videos": 0,
        "quiz_participants": 0,
        "campaign_visits_helped": 0,
    }


@pytest.fixture
def year_2023(street, other_street) -> dict:
    return build_year(street, other_street)
