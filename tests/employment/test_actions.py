"""Employment actions: every bad input is refused with its reason and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from employment import actions
from employment.models import Course, Employer, Enrollment, Graduate, Placement, PlacementFollowUp, Referral
from services.models import AuditEntry
from services.visits.actions import follow_up_close
from tests.employment.factories import CourseFactory, EnrollmentFactory, born_on, place, worker
from tests.helpers.concurrency import attempt_at_once
from tests.services.factories import file_visit

pytestmark = pytest.mark.django_db

COURSE_START = datetime.date(2023, 3, 6)


def codes(exc: pytest.ExceptionInfo) -> set[str]:
    return (
        {error.code for error in exc.value.error_list}
        if not hasattr(exc.value, "error_dict")
        else {error.code for errors in exc.value.error_dict.values() for error in errors}
    )


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# Courses and employers


def test_a_course_ending_before_it_starts_is_refused_on_the_last_day(staff_user):
    course = Course(
        title="咖啡制作",
        trade="咖啡师",
        provider="阳光",
        starts_on=COURSE_START,
        ends_on=COURSE_START - datetime.timedelta(days=1),
        capacity=10,
    )
    with pytest.raises(ValidationError) as exc:
        actions.course_save(course=course, by=staff_user)
    assert "ends_on" in exc.value.error_dict
    assert not Course.objects.exists()


def test_places_cannot_drop_below_those_taken(staff_user):
    course = CourseFactory(capacity=3)
    for _ in range(2):
        actions.enrollment_create(person=worker(), course=course, by=staff_user)
    course.capacity = 1
    with pytest.raises(ValidationError) as exc:
        actions.course_save(course=course, by=staff_user)
    assert codes(exc) == {"below_enrolled"}
    assert "2" in messages(exc)
    course.refresh_from_db()
    assert course.capacity == 3
    course.capacity = 2
    actions.course_save(course=course, by=staff_user)
    assert AuditEntry.objects.filter(code="employment.course.updated", object_id=str(course.pk)).exists()


def test_employer_code_is_normalised_and_checked(staff_user):
    employer = actions.employer_save(
        employer=Employer(name="上海测试有限公司", credit_code=" 9131 0106 ma1fl0000j"), by=staff_user
    )
    assert employer.credit_code == "91310106MA1FL0000J"
    with pytest.raises(ValidationError) as exc:
        actions.employer_save(employer=Employer(name="另一家", credit_code="91310106MA1FL0000K"), by=staff_user)
    assert codes(exc) == {"credit_code_checksum"}
    with pytest.raises(ValidationError) as exc:
        actions.employer_save(employer=Employer(name="重复", credit_code="91310106MA1FL0000J"), by=staff_user)
    assert "already recorded" in messages(exc)
    assert Employer.objects.count() == 1


# Enrolments


def test_enrolling_copies_the_street_and_leaves_an_audit_entry(staff_user, other_street):
    person = worker(street=other_street)
    enrollment = actions.enrollment_create(person=person, course=CourseFactory(), by=staff_user)
    assert (enrollment.street, enrollment.status) == (other_street, Enrollment.Status.ENROLLED)
    assert AuditEntry.objects.get(code="employment.enrollment.created").object_id == str(enrollment.pk)
    assert enrollment.history.get().history_user == staff_user


@pytest.mark.parametrize(
    ("born", "age"),
    [(datetime.date(2007, 3, 7), 15), (datetime.date(1963, 3, 6), 60), (datetime.date(1950, 1, 1), 73)],
)
def test_enrolment_outside_working_age_is_refused_naming_the_age(staff_user, born, age):
    with pytest.raises(ValidationError) as exc:
        actions.enrollment_create(person=born_on(born), course=CourseFactory(starts_on=COURSE_START), by=staff_user)
    assert codes(exc) == {"working_age"}
    assert f"is {age} on 2023-03-06" in messages(exc)
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("born", [datetime.date(2007, 3, 6), datetime.date(1963, 3, 7)])
def test_the_first_and_last_days_of_working_age_are_accepted(staff_user, born):
    actions.enrollment_create(person=born_on(born), course=CourseFactory(starts_on=COURSE_START), by=staff_user)


def test_an_inactive_person_cannot_enrol(staff_user):
    person = worker(status="moved_out", status_changed_on=datetime.date(2023, 1, 1))
    with pytest.raises(ValidationError) as exc:
        actions.enrollment_create(person=person, course=CourseFactory(), by=staff_user)
    assert codes(exc) == {"inactive"}


def test_a_second_enrolment_on_the_same_course_is_refused(staff_user):
    person, course = worker(), CourseFactory()
    actions.enrollment_create(person=person, course=course, by=staff_user)
    with pytest.raises(ValidationError) as exc:
        actions.enrollment_create(person=person, course=course, by=staff_user)
    assert codes(exc) == {"duplicate"}
    assert "already enrolled" in messages(exc)
    assert Enrollment.objects.count() == 1


def test_a_full_course_is_refused_until_someone_drops_out(staff_user):
    course = CourseFactory(capacity=2)
    first = actions.enrollment_create(person=worker(), course=course, by=staff_user)
    actions.enrollment_create(person=worker(), course=course, by=staff_user)
    latecomer = worker()
    with pytest.raises(ValidationError) as exc:
        actions.enrollment_create(person=latecomer, course=course, by=staff_user)
    assert codes(exc) == {"full"}
    assert "all 2 places" in messages(exc)
    assert Enrollment.objects.count() == 2
    actions.enrollment_drop(enrollment=first, by=staff_user)
    actions.enrollment_create(person=latecomer, course=course, by=staff_user)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(2))
def test_ten_parallel_attempts_at_the_last_place_give_exactly_one_enrolment(needs_postgres, staff_user, round_):
    course = CourseFactory(capacity=10)
    for _ in range(9):
        actions.enrollment_create(person=worker(), course=course, by=staff_user)
    persons = [worker() for _ in range(10)]
    calls = [lambda p=p: actions.enrollment_create(person=p, course=course, by=staff_user) for p in persons]
    assert attempt_at_once(calls, done="enrolled") == ["enrolled"] + ["full"] * 9
    assert Enrollment.objects.filter(course=course).count() == 10


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_enrolments_of_one_person_give_one(needs_postgres, staff_user):
    course, person = CourseFactory(capacity=30), worker()
    calls = [lambda: actions.enrollment_create(person=person, course=course, by=staff_user)] * 10
    assert attempt_at_once(calls, done="enrolled") == ["duplicate"] * 9 + ["enrolled"]
    assert Enrollment.objects.filter(course=course).count() == 1


def test_completion_waits_for_the_last_day_and_happens_once(staff_user):
    today = timezone.localdate()
    course = CourseFactory(starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=1))
    enrollment = actions.enrollment_create(person=worker(), course=course, by=staff_user)
    with pytest.raises(ValidationError) as exc:
        actions.enrollment_complete(enrollment=enrollment, by=staff_user)
    assert codes(exc) == {"too_early"}
    actions.enrollment_complete(enrollment=enrollment, by=staff_user, today=course.ends_on)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    for action in (actions.enrollment_complete, actions.enrollment_drop):
        with pytest.raises(ValidationError) as exc:
            action(enrollment=enrollment, by=staff_user)
        assert codes(exc) == {"bad_transition"}


# Certificates


@pytest.fixture
def completed(staff_user) -> Enrollment:
    enrollment = actions.enrollment_create(person=worker(), course=CourseFactory(), by=staff_user)
    return actions.enrollment_complete(enrollment=enrollment, by=staff_user)


def record(enrollment, by, **overrides):
    values = {
        "level": "5",
        "number": "S2023310106000001",
        "issuer": "上海市职业技能鉴定中心",
        "issued_on": datetime.date(2023, 5, 20),
    }
    return actions.certificate_record(enrollment=enrollment, by=by, **{**values, **overrides})


def test_a_certificate_is_recorded_on_a_completed_enrolment_once(completed, staff_user):
    certified = record(completed, staff_user, number=" S2023310106000001 ")
    assert (certified.certificate_level, certified.certificate_number) == ("5", "S2023310106000001")
    assert certified.get_certificate_level_display() == "Level 5 / junior worker"
    assert AuditEntry.objects.filter(code="employment.certificate.recorded").count() == 1
    with pytest.raises(ValidationError) as exc:
        record(completed, staff_user, level="4", number="")
    assert codes(exc) == {"already_certified"}


def test_a_certificate_on_an_unfinished_enrolment_is_refused(staff_user):
    enrollment = actions.enrollment_create(person=worker(), course=CourseFactory(), by=staff_user)
    with pytest.raises(ValidationError) as exc:
        record(enrollment, staff_user)
    assert codes(exc) == {"not_completed"}
    enrollment.refresh_from_db()
    assert not enrollment.has_certificate


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"level": "6"}, "level"),
        ({"issuer": " "}, "required"),
        ({"issued_on": None}, "required"),
        ({"issued_on": datetime.date(2023, 3, 5)}, "order"),
        ({"issued_on": datetime.date(2999, 1, 1)}, "future"),
    ],
)
def test_bad_certificate_values_are_refused(completed, staff_user, overrides, code):
    with pytest.raises(ValidationError) as exc:
        record(completed, staff_user, **overrides)
    assert codes(exc) == {code}
    completed.refresh_from_db()
    assert not completed.has_certificate


def test_a_certificate_number_already_recorded_is_refused(completed, staff_user):
    record(completed, staff_user)
    other = actions.enrollment_create(person=worker(), course=CourseFactory(), by=staff_user)
    other = actions.enrollment_complete(enrollment=other, by=staff_user)
    with pytest.raises(ValidationError) as exc:
        record(other, staff_user)
    assert "already recorded" in messages(exc)
    other.refresh_from_db()
    assert not other.has_certificate


# Placements and their follow-ups


def test_a_placement_gets_follow_ups_at_one_three_six_and_twelve_months(staff_user):
    placement = place(staff_user)
    due = dict(placement.follow_ups.values_list("months", "due_on"))
    assert due == {
        1: datetime.date(2023, 2, 28),  # 31 January plus a month: the end of February
        3: datetime.date(2023, 4, 30),
        6: datetime.date(2023, 7, 31),
        12: datetime.date(2024, 1, 31),
    }
    assert placement.street == placement.person.street
    assert AuditEntry.objects.filter(code="employment.placement.created").count() == 1


def test_a_placement_outside_working_age_is_refused(staff_user):
    with pytest.raises(ValidationError) as exc:
        place(staff_user, person=born_on(datetime.date(2008, 6, 1)))
    assert codes(exc) == {"working_age"}
    assert "is 14 on 2023-01-31" in messages(exc)
    assert not Placement.objects.exists()
    assert not PlacementFollowUp.objects.exists()


@pytest.mark.parametrize(
    ("new_graduate", "year", "code"),
    [
        (True, None, "graduation_year_required"),
        (False, 2023, "graduation_year_unexpected"),
        (True, 2021, "graduation_year_range"),
        (True, 2024, "graduation_year_range"),
    ],
)
def test_graduation_year_rules(staff_user, new_graduate, year, code):
    with pytest.raises(ValidationError) as exc:
        place(staff_user, new_graduate=new_graduate, graduation_year=year)
    assert codes(exc) == {code}
    assert not Placement.objects.exists()


def test_a_new_graduate_placement_registers_the_graduate(staff_user):
    placement = place(staff_user, new_graduate=True, graduation_year=2023)
    assert Graduate.objects.get().person == placement.person
    place(staff_user, person=placement.person, new_graduate=True, graduation_year=2022)
    assert Graduate.objects.count() == 2


def test_ending_a_placement_records_later_follow_ups_as_not_employed(staff_user):
    placement = place(staff_user)
    one_month = placement.follow_ups.get(months=1)
    actions.placement_follow_up_record(follow_up=one_month, still_employed=True, by=staff_user)
    actions.placement_end(placement=placement, ended_on=datetime.date(2023, 5, 15), reason="resigned", by=staff_user)
    outcomes = dict(placement.follow_ups.values_list("months", "still_employed"))
    assert outcomes == {1: True, 3: None, 6: False, 12: False}
    with pytest.raises(ValidationError) as exc:
        actions.placement_end(placement=placement, ended_on=datetime.date(2023, 6, 1), reason="other", by=staff_user)
    assert codes(exc) == {"ended"}


@pytest.mark.parametrize(
    ("ended_on", "reason", "code"),
    [
        (datetime.date(2023, 1, 30), "resigned", "order"),
        (datetime.date(2999, 1, 1), "resigned", "future"),
        (datetime.date(2023, 6, 1), "", "required"),
        (None, "resigned", "required"),
    ],
)
def test_bad_placement_ends_are_refused(staff_user, ended_on, reason, code):
    placement = place(staff_user)
    with pytest.raises(ValidationError) as exc:
        actions.placement_end(placement=placement, ended_on=ended_on, reason=reason, by=staff_user)
    assert codes(exc) == {code}
    placement.refresh_from_db()
    assert placement.ended_on is None
    assert not placement.follow_ups.filter(recorded_on__isnull=False).exists()


def test_follow_ups_are_recorded_once_and_not_before_they_are_nearly_due(staff_user):
    placement = place(staff_user, started_on=timezone.localdate())
    one_month = placement.follow_ups.get(months=1)
    with pytest.raises(ValidationError) as exc:
        actions.placement_follow_up_record(follow_up=one_month, still_employed=True, by=staff_user)
    assert codes(exc) == {"too_early"}
    with pytest.raises(ValidationError) as exc:
        actions.placement_follow_up_record(
            follow_up=one_month, still_employed=True, by=staff_user, recorded_on=one_month.due_on
        )
    assert codes(exc) == {"future"}
    old = place(staff_user).follow_ups.get(months=6)
    with pytest.raises(ValidationError) as exc:
        actions.placement_follow_up_record(follow_up=old, still_employed=None, by=staff_user)
    assert codes(exc) == {"required"}
    recorded = actions.placement_follow_up_record(follow_up=old, still_employed=False, note=" 已离职 ", by=staff_user)
    assert (recorded.still_employed, recorded.note, recorded.recorded_by) == (False, "已离职", staff_user)
    with pytest.raises(ValidationError) as exc:
        actions.placement_follow_up_record(follow_up=old, still_employed=True, by=staff_user)
    assert codes(exc) == {"recorded"}


# Referrals from home visits


@pytest.fixture
def visit_needs(member, street):
    """A member's home visit to a working-age person of their street that found training and job needs."""
    visit = file_visit(
        worker(street=street), by=member, needs=["training", "job", "escort"], purpose="needs_assessment"
    )
    return {f.need: f for f in visit.follow_ups.all()}


def test_a_member_refers_a_person_of_their_street_to_a_course(visit_needs, member):
    today = timezone.localdate()
    course = CourseFactory(starts_on=today + datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=40))
    referral = actions.referral_create(follow_up=visit_needs["training"], kind="course", course=course, by=member)
    assert (referral.status, referral.street, referral.referred_by) == ("open", visit_needs["training"].street, member)
    assert AuditEntry.objects.filter(code="employment.referral.created", user=member).exists()
    job = actions.referral_create(follow_up=visit_needs["job"], kind="job", by=member)
    assert job.course is None


def test_a_member_cannot_refer_a_person_of_another_street(other_member, visit_needs):
    with pytest.raises(ValidationError) as exc:
        actions.referral_create(follow_up=visit_needs["training"], kind="course", by=other_member)
    assert codes(exc) == {"not_visible"}
    assert not Referral.objects.exists()


def test_only_those_allowed_may_refer(volunteer, visit_needs):
    with pytest.raises(ValidationError) as exc:
        actions.referral_create(follow_up=visit_needs["training"], kind="course", by=volunteer)
    assert codes(exc) == {"not_allowed"}


def test_the_referral_must_answer_the_need(visit_needs, member):
    for need, kind in [("training", "job"), ("job", "course"), ("escort", "course")]:
        with pytest.raises(ValidationError) as exc:
            actions.referral_create(follow_up=visit_needs[need], kind=kind, by=member)
        assert codes(exc) == {"wrong_need"}
    assert not Referral.objects.exists()


def test_a_need_is_referred_once_while_open_and_not_after_it_closed(visit_needs, member, staff_user):
    actions.referral_create(follow_up=visit_needs["training"], kind="course", by=member)
    with pytest.raises(ValidationError) as exc:
        actions.referral_create(follow_up=visit_needs["training"], kind="course", by=member)
    assert codes(exc) == {"duplicate"}
    follow_up_close(follow_up=visit_needs["job"], outcome="已推荐岗位", by=staff_user)
    with pytest.raises(ValidationError) as exc:
        actions.referral_create(follow_up=visit_needs["job"], kind="job", by=member)
    assert codes(exc) == {"closed"}
    assert Referral.objects.count() == 1


def test_a_referral_names_a_course_only_for_training_and_not_an_ended_one(visit_needs, member):
    with pytest.raises(ValidationError) as exc:
        actions.referral_create(follow_up=visit_needs["job"], kind="job", course=CourseFactory(), by=member)
    assert "course" in codes(exc)
    with pytest.raises(ValidationError) as exc:
        actions.referral_create(follow_up=visit_needs["training"], kind="course", course=CourseFactory(), by=member)
    assert codes(exc) == {"course_ended"}
    assert not Referral.objects.exists()


def test_a_person_past_working_age_is_not_referred(member, street):
    visit = file_visit(born_on(datetime.date(1950, 1, 1), street=street), by=member, needs=["job"])
    with pytest.raises(ValidationError) as exc:
        actions.referral_create(follow_up=visit.follow_ups.get(), kind="job", by=member)
    assert codes(exc) == {"working_age"}


def test_enrolling_or_placing_resolves_the_referral(visit_needs, member, staff_user):
    today = timezone.localdate()
    course = CourseFactory(starts_on=today, ends_on=today + datetime.timedelta(days=30))
    to_course = actions.referral_create(follow_up=visit_needs["training"], kind="course", by=member)
    to_job = actions.referral_create(follow_up=visit_needs["job"], kind="job", by=member)
    person = to_course.person
    with pytest.raises(ValidationError) as exc:
        actions.enrollment_create(person=person, course=course, by=staff_user, referral=to_job)
    assert codes(exc) == {"referral_other"}
    enrollment = actions.enrollment_create(person=person, course=course, by=staff_user, referral=to_course)
    to_course.refresh_from_db()
    assert (to_course.status, to_course.enrollment) == ("enrolled", enrollment)
    placement = place(staff_user, person=person, started_on=today, referral=to_job)
    to_job.refresh_from_db()
    assert (to_job.status, to_job.placement) == ("placed", placement)
    with pytest.raises(ValidationError) as exc:
        actions.referral_close(referral=to_job, by=staff_user)
    assert codes(exc) == {"referral_not_open"}


def test_closing_a_referral_keeps_the_note(visit_needs, member, staff_user):
    referral = actions.referral_create(follow_up=visit_needs["job"], kind="job", by=member, note="想做文员")
    closed = actions.referral_close(referral=referral, by=staff_user, note="本人暂不求职")
    assert (closed.status, closed.note) == ("closed", "想做文员\n本人暂不求职")
    assert closed.resolved_at is not None
    # A closed referral frees the need for a new one.
    actions.referral_create(follow_up=visit_needs["job"], kind="job", by=member)


def test_a_hand_built_enrolment_is_counted_against_capacity(staff_user):
    course = CourseFactory(capacity=1)
    EnrollmentFactory(course=course, status=Enrollment.Status.ENROLLED)
    with pytest.raises(ValidationError) as exc:
        actions.enrollment_create(person=worker(), course=course, by=staff_user)
    assert codes(exc) == {"full"}


def test_an_implausible_graduation_year_is_refused(staff_user):
    with pytest.raises(ValidationError) as exc:
        actions.graduate_register(person=worker(), graduation_year=1900, by=staff_user)
    assert codes(exc) == {"range"}
    assert not Graduate.objects.exists()


def test_many_follow_ups_are_recorded_at_once_with_history_and_audit_each(staff_user):
    old, older = place(staff_user), place(staff_user)
    answers = [
        (old.follow_ups.get(months=3), datetime.date(2023, 5, 6)),
        (old.follow_ups.get(months=6), datetime.date(2023, 8, 7)),
        (older.follow_ups.get(months=1), datetime.date(2023, 3, 1)),
    ]
    recorded = actions.placement_follow_ups_record(
        answers=answers, still_employed=True, note=" 电话回访 ", by=staff_user
    )
    assert len(recorded) == 3
    stored = PlacementFollowUp.objects.filter(recorded_on__isnull=False).order_by("pk")
    assert [(f.pk, f.recorded_on) for f in stored] == sorted((f.pk, on) for f, on in answers)
    assert {(f.still_employed, f.note, f.recorded_by_id) for f in stored} == {(True, "电话回访", staff_user.pk)}
    for follow_up in stored:
        latest = follow_up.history.latest()
        assert (latest.history_type, latest.history_user) == ("~", staff_user)
        assert latest.recorded_on == follow_up.recorded_on
    entries = AuditEntry.objects.filter(code="employment.placement_follow_up.recorded").order_by("object_id")
    assert sorted(int(e.object_id) for e in entries) == [f.pk for f in stored]
    assert {e.user for e in entries} == {staff_user}
    assert entries.get(object_id=str(answers[0][0].pk)).data == {"months": 3, "still_employed": True}


def test_many_follow_ups_follow_the_rules_of_one_and_none_is_recorded_if_one_breaks_them(staff_user):
    placement = place(staff_user)
    early = place(staff_user, started_on=timezone.localdate()).follow_ups.get(months=1)
    answers = [(placement.follow_ups.get(months=3), datetime.date(2023, 5, 6)), (early, timezone.localdate())]
    with pytest.raises(ValidationError) as exc:
        actions.placement_follow_ups_record(answers=answers, still_employed=True, by=staff_user)
    assert codes(exc) == {"too_early"}
    assert not PlacementFollowUp.objects.filter(recorded_on__isnull=False).exists()
    assert not AuditEntry.objects.filter(code="employment.placement_follow_up.recorded").exists()
