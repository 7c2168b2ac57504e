"""Each figure counts what its sentence says: small years built by hand, with the records the sentence excludes."""

import datetime
import itertools
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from employment.models import Enrollment
from reports import figures
from services.models import EscortBooking, FollowUp, HomeVisit, User
from tests.accessibility.factories import DeviceIssueFactory
from tests.employment.factories import CourseFactory, EnrollmentFactory, PlacementFactory, worker
from tests.reports.conftest import _booking, _slot, at
from tests.services.factories import PersonFactory, id_number_for
from tests.services.rehab_factories import SessionFactory

pytestmark = pytest.mark.django_db
_sequence = itertools.count(2, 2)


def value(key: str, year: int = 2023) -> int:
    return figures.get(key).compute(year, None)


def woman_born(day: datetime.date) -> object:
    """A woman (an even sequence digit in her ID number) born on `day`."""
    return PersonFactory(id_number=id_number_for(0, born=day, sequence=next(_sequence)))


def campaign_visit(person, by, *, need: str, mode: str = HomeVisit.Mode.HOME, on=datetime.date(2023, 4, 3)):
    """A 2023 campaign visit that found `need` (written directly: the filing action wants recent dates)."""
    visit = HomeVisit.objects.create(
        person=person,
        **person.as_served(),
        visited_on=on,
        visitor=by,
        mode=mode,
        purpose=HomeVisit.Purpose.CAMPAIGN,
        submission_key=uuid.uuid4(),
    )
    FollowUp.objects.create(visit=visit, person=person, street=person.street, need=need, due_on=on)


def test_the_campaign_figure_counts_people_visited_at_home_once_each(member, street):
    twice = PersonFactory(street=street)
    campaign_visit(twice, member, need="subsidy")
    campaign_visit(twice, member, need="retrofit", on=datetime.date(2023, 5, 3))
    campaign_visit(PersonFactory(street=street), member, need="job", mode=HomeVisit.Mode.IN_PERSON)
    campaign_visit(PersonFactory(street=street), member, need="subsidy", mode=HomeVisit.Mode.PHONE)
    assert value("campaign_visits_helped") == 1
    figure = figures.get("campaign_visits_helped")
    assert list(figure.drilldown(2023)) == [twice]
    assert figures.counted(2023, [figure])[figure.key].breakdowns["street"] == {street.code: 1}
    with translation.override("zh-hans"):
        assert str(figure.unit) == "人"


def test_home_rehabilitation_counts_only_sessions_under_a_family_doctor_contract(street):
    under = SessionFactory(given_on=datetime.date(2023, 5, 10))
    SessionFactory(contract=None, person=PersonFactory(street=street), centre=under.centre, given_on=under.given_on)
    assert (value("home_rehab_people"), value("home_rehab_sessions")) == (1, 1)
    assert list(figures.get("home_rehab_people").drilldown(2023)) == [under.person]


def test_certified_counts_only_people_among_the_years_trained():
    trained = EnrollmentFactory(
        course=CourseFactory(),
        certificate_level="5",
        certificate_number="C-1",
        certificate_issuer="上海市职业技能鉴定中心",
        certificate_issued_on=datetime.date(2023, 5, 20),
    )
    # Certified in 2023 for a course that ended in 2022: not among 2023's trained.
    EnrollmentFactory(
        course=CourseFactory(starts_on=datetime.date(2022, 9, 1), ends_on=datetime.date(2022, 12, 20)),
        certificate_level="5",
        certificate_number="C-2",
        certificate_issuer="上海市职业技能鉴定中心",
        certificate_issued_on=datetime.date(2023, 1, 10),
    )
    assert value("trained") == 1
    assert value("certified") == 1
    assert [p.pk for p in figures.get("certified").drilldown(2023)] == [trained.person_id]  # each person once


def test_wristbands_count_those_issued_to_people_with_an_intellectual_disability(street):
    day = datetime.date(2023, 3, 1)
    DeviceIssueFactory(person=PersonFactory(street=street, category=5), issued_on=day)
    DeviceIssueFactory(person=PersonFactory(street=street, category=7, multiple_categories="45"), issued_on=day)
    DeviceIssueFactory(person=PersonFactory(street=street, category=7, multiple_categories="24"), issued_on=day)
    DeviceIssueFactory(person=PersonFactory(street=street, category=4), issued_on=day)
    assert value("smart_wristbands") == 2
    with translation.override("zh-hans"):
        assert "智力残疾" in str(figures.get("smart_wristbands").sentence)
    with translation.override("en"):
        assert "intellectual" in str(figures.get("smart_wristbands").sentence)


def test_an_escort_given_by_staff_exception_is_counted_apart(street):
    requester = User.objects.create_user(username="requester", password="pw-for-tests-only")
    slot = _slot("华东医院", at(2023, 6, 1, 8))
    _booking(PersonFactory(street=street), slot, EscortBooking.Status.COMPLETED, requester)
    outside = _booking(PersonFactory(street=street, category=4), slot, EscortBooking.Status.COMPLETED, requester)
    EscortBooking.objects.filter(pk=outside.pk).update(eligibility_override="肢体残疾，家属陪同不便，经主任批准")
    assert value("escort_person_visits") == 1
    assert value("escort_by_exception") == 1
    assert list(figures.get("escort_by_exception").drilldown(2023)) == [outside]
    assert not figures.get("escort_by_exception").has_plan


def test_working_age_of_women_is_a_setting_defaulting_to_the_national_statistics(settings):
    course = CourseFactory()  # starts 2023-03-06
    EnrollmentFactory(person=woman_born(datetime.date(1966, 1, 1)), course=course)  # 57 when it starts
    EnrollmentFactory(person=worker(), course=course)
    assert settings.WORKING_AGE_WOMEN_OLDEST == 59
    assert value("trained") == 2
    settings.WORKING_AGE_WOMEN_OLDEST = 54
    assert value("trained") == 1
    assert Enrollment.objects.count() == 2


def test_a_placements_least_duration_is_a_setting_defaulting_to_none(settings):
    started = datetime.date(2023, 5, 8)
    PlacementFactory(started_on=started)  # still running
    PlacementFactory(started_on=started, ended_on=started + datetime.timedelta(days=30), end_reason="resigned")
    PlacementFactory(started_on=started, ended_on=started + datetime.timedelta(days=200), end_reason="resigned")
    assert settings.PLACEMENT_MIN_DAYS == 0
    assert value("placed") == 3
    settings.PLACEMENT_MIN_DAYS = 90
    assert value("placed") == 2


def test_the_report_page_shows_the_counting_rules_with_their_values(client, staff_user, settings, in_english):
    settings.WORKING_AGE_WOMEN_OLDEST = 54
    settings.PLACEMENT_MIN_DAYS = 90
    client.force_login(staff_user)
    text = client.get(reverse("reports:dashboard", kwargs={"year": 2023})).content.decode()
    assert "WORKING_AGE_WOMEN_OLDEST" in text
    assert "16 to 54" in text
    assert "PLACEMENT_MIN_DAYS" in text
    assert "90 days" in text
