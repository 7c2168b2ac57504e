"""Fixtures of the reports tests: the roles' report permissions and a small year counted by hand."""

import datetime

import pytest
from django.utils import timezone

from accessibility.models import Retrofit
from employment.models import Course
from events.models import Event, Registration, ResearchTopic
from services.models import EscortBooking, EscortSlot, Hospital, TeamService, User, VolunteerTeam
from services.registry import roles
from tests.accessibility.factories import (
    DeviceIssueFactory,
    RampRetrofitFactory,
    SignLanguagePointFactory,
    make_retrofit,
)
from tests.employment.factories import CourseFactory, EnrollmentFactory, GraduateFactory, PlacementFactory, worker
from tests.events.factories import AwardFactory, EventFactory, PublicRegistrationFactory
from tests.services.factories import EscortBookingFactory, PersonFactory

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
    return EscortBookingFactory(person=person, slot=slot, status=status, requested_by=requested_by)


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
        event = EventFactory(
            category=category, starts_at=start, ends_at=start + datetime.timedelta(hours=2), status=Event.Status.HELD
        )
        PublicRegistrationFactory.create_batch(came, event=event, attendance=Registration.Attendance.ATTENDED)
        PublicRegistrationFactory(event=event, attendance=Registration.Attendance.ABSENT)
    # Never counted: not recorded as held, another category, another year.
    EventFactory(category=C.CULTURE, starts_at=at(2023, 5, 1, 9), ends_at=at(2023, 5, 1, 11))
    EventFactory(category=C.PREVENTION, starts_at=at(2023, 5, 2, 9), ends_at=at(2023, 5, 2, 11), status="held")
    EventFactory(category=C.SPORTS, starts_at=at(2022, 5, 2, 9), ends_at=at(2022, 5, 2, 11), status="held")
    assert Course.objects.count() == 3

    # Issue 19: awards, the party vanguard teams' services, party days and research topics.
    AwardFactory(awarded_on=datetime.date(2023, 8, 12))
    AwardFactory(awarded_on=datetime.date(2022, 8, 12))
    vanguard = VolunteerTeam.objects.create(name="党员先锋队", party_vanguard=True)
    other_team = VolunteerTeam.objects.create(name="医院志愿队")
    TeamService.objects.create(team=vanguard, served_on=datetime.date(2023, 3, 1), place="华东医院", person_times=25)
    TeamService.objects.create(team=vanguard, served_on=datetime.date(2023, 4, 1), place="市北医院", person_times=5)
    TeamService.objects.create(team=vanguard, served_on=datetime.date(2022, 4, 1), place="市北医院", person_times=9)
    TeamService.objects.create(team=other_team, served_on=datetime.date(2023, 4, 1), place="市北医院", person_times=7)
    party_day = at(2023, 7, 1, 9)
    EventFactory(
        category=C.PARTY_BUILDING,
        starts_at=party_day,
        ends_at=party_day + datetime.timedelta(hours=2),
        status="held",
        is_published=False,
    )
    ResearchTopic.objects.create(
        title="智慧助残", started_on=datetime.date(2023, 9, 1), reported_on=datetime.date(2023, 12, 1)
    )
    ResearchTopic.objects.create(title="队伍建设", started_on=datetime.date(2023, 9, 1))

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
        "awards": 1,
        "vanguard_services": 2,
        "vanguard_person_times": 30,
        "party_days": 1,
        "research_topics": 1,
    }


@pytest.fixture
def year_2023(street, other_street) -> dict:
    return build_year(street, other_street)


@pytest.fixture
def year_with_repeats(year_2023, street) -> dict:
    """The year of `year_2023` plus what makes a figure's records outnumber it: a person certified twice,
    and two quiz campaigns whose participants are summed. Returns the figures counted by hand."""
    from employment.models import Enrollment
    from events.models import QuizCampaign

    certified = Enrollment.objects.exclude(certificate_level="").get()
    EnrollmentFactory(
        person=certified.person,
        course=CourseFactory(),
        certificate_level="5",
        certificate_number="C-2",
        certificate_issuer="上海市职业技能鉴定中心",
        certificate_issued_on=datetime.date(2023, 6, 2),
    )
    for title, ends_on, participants in [("A", (2023, 3, 31), 100), ("B", (2023, 9, 30), 50), ("C", (2024, 1, 5), 9)]:
        QuizCampaign.objects.create(
            title=title,
            starts_on=datetime.date(ends_on[0], ends_on[1], 1),
            ends_on=datetime.date(*ends_on),
            participants=participants,
            prize_winners=1,
        )
    return {**year_2023, "quiz_participants": 150}


def check_published(counts: dict[str, int], published: dict[str, int | None], figure: int) -> None:
    """Assert that nobody can work out a hidden count of a breakdown from what is published of it.

    `counts` are the breakdown's true counts, `published` what the public sees (None: hidden; an empty
    breakdown is not published at all), `figure` the published figure the breakdown belongs to. The
    reader knows every hidden count is at least 1 and at most the smallest count shown; when the
    breakdown adds up to the figure, the figure minus the counts shown is the sum of the hidden ones.
    """
    if not published:
        return
    assert set(published) == set(counts)
    shown = {key: n for key, n in published.items() if n is not None}
    hidden = [key for key, n in published.items() if n is None]
    assert all(counts[key] == n for key, n in shown.items())
    assert all(n >= 5 for n in shown.values()), "a count under 5 is shown"
    if not hidden:
        return
    assert len(hidden) >= 2, f"one hidden count: {hidden}"
    rest = sum(counts[key] for key in hidden)
    if sum(counts.values()) == figure:
        assert figure - sum(shown.values()) == rest
        assert all(rest != counts[key] for key in hidden)
    # Whatever the hidden counts add up to, each could still be at least two values.
    others, top = len(hidden) - 1, min(shown.values(), default=rest)
    possible = [v for v in range(1, top + 1) if others <= rest - v <= others * top]
    assert len(possible) >= 2, f"hidden counts {[counts[key] for key in hidden]} worked out from their sum {rest}"


def check_public_rows(rows, report) -> int:
    """Check every breakdown of a public page's rows against the report's true counts; returns how many
    breakdowns hide something."""
    hiding = 0
    for row in rows:
        stored = report.figures[row.figure.key]
        for view in row.breakdowns:
            published = {bar.key: int(bar.shown) if bar.shown.isdigit() else None for bar in view.bars}
            assert all(bar.value == published[bar.key] for bar in view.bars)  # no true value behind a hidden bar
            check_published(stored["breakdowns"][view.name], published, stored["value"])
            hiding += None in published.values()
    return hiding
