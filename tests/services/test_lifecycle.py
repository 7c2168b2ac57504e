"""A person who died or moved out: what was to come ends with the reason, and no service is dated after it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accessibility.actions import device_issue_save, retrofit_apply
from accessibility.models import DeviceIssue, Retrofit
from employment.actions import enrollment_create, referral_create
from employment.models import Enrollment, Referral
from events.actions import award_save, registration_create
from events.models import Award, Registration
from services.applications import actions as application_actions
from services.escorts import actions as escorts
from services.models import (
    ApplicationChallenge,
    AuditEntry,
    EscortBooking,
    EscortService,
    FamilyDoctorContract,
    FollowUp,
    HomeRehabSession,
    Person,
    RehabReferral,
)
from services.registry import actions
from services.rehab import actions as rehab
from tests.accessibility.factories import RetrofitFactory
from tests.employment.factories import CourseFactory, EnrollmentFactory, PlacementFactory, place, worker
from tests.events.factories import EventFactory, PersonRegistrationFactory
from tests.services.factories import EscortBookingFactory, file_visit, make_slot, visit_written
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory
from tests.services.test_concurrency import page_form_data

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def _need(person: Person, by, need: str) -> FollowUp:
    """An open need of the person, from a visit filed before their status changed."""
    return visit_written(person, by, on=today(), needs=[need]).follow_ups.get()


def _mark(person: Person, by, status: str, on: datetime.date) -> Person:
    person.status, person.status_changed_on = status, on
    return actions.person_save(person=person, by=by)


# Each action that gives a person a new service, called for a service dated today. A foreign key to
# Person added later fails test_every_relation_to_person_is_a_service_or_said_not_to_be until it is
# listed here or in NOT_SERVICES.
def _contract(p, by):
    return rehab.family_doctor_contract_save(
        contract=FamilyDoctorContract(person=p, centre=RehabCentreFactory(), doctor="团队", signed_on=today()), by=by
    )


def _session(p, by):
    contract = FamilyDoctorContract.objects.filter(person=p).first() or ContractFactory(person=p)
    return rehab.home_rehab_session_record(
        session=HomeRehabSession(
            contract=contract,
            person=p,
            centre=contract.centre,
            given_on=today(),
            kind=HomeRehabSession.Kind.TRAINING,
            minutes=60,
            given_by="治疗师",
        ),
        by=by,
    )


def _application(person: Person):
    """Enter the right code of an identity check made while `person` was still active (the code was sent before
    they died or moved out)."""
    challenge = ApplicationChallenge.objects.create(
        person=person,
        service="rehabilitation",
        applicant="family",
        applicant_name="王小红",
        contact="person",
        code_hash="salt$" + application_actions._code_digest("123456", "salt"),
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    return application_actions.application_submit(challenge=challenge, code="123456", site="http://testserver/")


CREATORS = {
    "services.application": lambda p, by: _application(p),
    "services.escortbooking": lambda p, by: escorts.escort_booking_create(
        person=p, slot=make_slot(), need="deaf", services=[EscortService.objects.first()], by=by
    ),
    "services.homevisit": lambda p, by: file_visit(p, by),
    "services.familydoctorcontract": _contract,
    "services.homerehabsession": _session,
    "services.rehabreferral": lambda p, by: rehab.rehab_referral_create(
        follow_up=_need(p, by, "rehabilitation"), centre=RehabCentreFactory(), by=by
    ),
    "accessibility.deviceissue": lambda p, by: device_issue_save(
        device=DeviceIssue(person=p, device_type="smart_wristband", issued_on=today()), by=by
    ),
    "accessibility.retrofit": lambda p, by: retrofit_apply(person=p, by=by, type=Retrofit.Type.STANDARD),
    "employment.enrollment": lambda p, by: enrollment_create(
        person=p,
        course=CourseFactory(starts_on=today() + datetime.timedelta(days=7), ends_on=today() + datetime.timedelta(40)),
        by=by,
    ),
    "employment.placement": lambda p, by: place(by, p, started_on=today()),
    "employment.referral": lambda p, by: referral_create(follow_up=_need(p, by, "job"), kind="job", by=by),
    "events.registration": lambda p, by: registration_create(event=EventFactory(), by=by, person=p),
    "events.award": lambda p, by: award_save(
        award=Award(
            competition="残疾人运动会", awarded_on=today(), kind=Award.Kind.PERSON, person=p, place=Award.Place.SECOND
        ),
        by=by,
    ),
}
NOT_SERVICES = {
    "services.accesslog": "who opened the record: a log, not a service",
    "services.person": "a merged duplicate's pointer",
    "services.followup": "made by the home visit that found the need",
    "services.correction": "a correction of a closed record, with its reason: the record's history, not a service",
    "employment.graduate": "a fact about the person (graduated in a year), registered with a placement",
}


def test_every_relation_to_person_is_a_service_or_said_not_to_be():
    labels = {rel.related_model._meta.label_lower for rel in Person._meta.related_objects}
    assert set(CREATORS) | set(NOT_SERVICES) == labels
    assert not set(CREATORS) & set(NOT_SERVICES)


@pytest.mark.parametrize("label", sorted(CREATORS))
@pytest.mark.parametrize("status", [Person.Status.DECEASED, Person.Status.MOVED_OUT])
def test_no_new_service_is_dated_after_death_or_moving_out(label, status, staff_user):
    person = _mark(worker(), staff_user, status, today() - datetime.timedelta(days=1))
    model = next(r.related_model for r in Person._meta.related_objects if r.related_model._meta.label_lower == label)
    before = model.objects.filter(person=person).count()
    with pytest.raises(ValidationError):
        CREATORS[label](person, staff_user)
    assert model.objects.filter(person=person).count() == before


@pytest.mark.parametrize("label", sorted(CREATORS))
def test_no_new_service_for_a_merged_record(label, staff_user):
    kept, other = worker(), worker()
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same person")
    other.refresh_from_db()
    model = next(r.related_model for r in Person._meta.related_objects if r.related_model._meta.label_lower == label)
    with pytest.raises((ValidationError, PermissionDenied)):
        CREATORS[label](other, staff_user)
    assert not model.objects.filter(person=other).exists()


def test_a_service_dated_before_the_death_may_still_be_recorded(staff_user):
    person = worker()
    contract = ContractFactory(person=person, signed_on=today() - datetime.timedelta(days=90))
    _mark(person, staff_user, Person.Status.DECEASED, today() - datetime.timedelta(days=1))
    session = rehab.home_rehab_session_record(
        session=HomeRehabSession(
            contract=contract,
            person=person,
            centre=contract.centre,
            given_on=today() - datetime.timedelta(days=2),
            kind=HomeRehabSession.Kind.TRAINING,
            minutes=45,
            given_by="治疗师",
        ),
        by=staff_user,
    )
    assert session.pk is not None


def test_refusal_names_the_date(staff_user, in_english):
    died = today() - datetime.timedelta(days=3)
    person = _mark(worker(), staff_user, Person.Status.DECEASED, died)
    with pytest.raises(ValidationError) as exc:
        CREATORS["accessibility.deviceissue"](person, staff_user)
    assert f"died on {died.isoformat()}" in exc.value.messages[0]


@pytest.fixture
def busy_person(staff_user):
    """A person with things to come in every app, and some that must stay as they are."""
    person = worker()
    early = make_slot(days_ahead=-3)
    later = make_slot(days_ahead=3)
    past = EscortBookingFactory(person=person, slot=early, requested_by=staff_user)
    coming = EscortBookingFactory(person=person, slot=later, requested_by=staff_user)
    need = file_visit(person, staff_user, needs=["other"], visited_on=today() - datetime.timedelta(days=10))
    rehab_referral = RehabReferral.objects.create(
        person=person,
        street=person.street,
        centre=RehabCentreFactory(),
        follow_up=_need(person, staff_user, "rehabilitation"),
        referred_by=staff_user,
    )
    event = EventFactory()
    registration = PersonRegistrationFactory(person=person, event=event)
    enrollment = EnrollmentFactory(
        person=person,
        status=Enrollment.Status.ENROLLED,
        course=CourseFactory(starts_on=today() - datetime.timedelta(days=30), ends_on=today() + datetime.timedelta(30)),
    )
    placement = PlacementFactory(person=person, started_on=today() - datetime.timedelta(days=200))
    referral = Referral.objects.create(
        person=person,
        street=person.street,
        kind="job",
        follow_up=_need(person, staff_user, "job"),
        referred_by=staff_user,
    )
    retrofit = RetrofitFactory(person=person, applied_on=today() - datetime.timedelta(days=20))
    return {
        "person": person,
        "past": past,
        "coming": coming,
        "need": need.follow_ups.get(),
        "rehab_referral": rehab_referral,
        "registration": registration,
        "enrollment": enrollment,
        "placement": placement,
        "referral": referral,
        "retrofit": retrofit,
    }


def _fresh(records):
    return {key: type(obj).objects.get(pk=obj.pk) for key, obj in records.items()}


def test_marking_deceased_ends_what_was_to_come_with_the_reason(busy_person, staff_user, in_english):
    died = today() - datetime.timedelta(days=1)
    _mark(busy_person["person"], staff_user, Person.Status.DECEASED, died)
    r = _fresh(busy_person)
    reason = f"Person deceased on {died.isoformat()}"
    assert r["coming"].status == EscortBooking.Status.CANCELLED
    assert r["coming"].changes.latest("pk").note == reason
    assert r["past"].status == EscortBooking.Status.BOOKED  # before the death: left for staff to close
    assert r["need"].status == FollowUp.Status.CLOSED
    assert r["need"].outcome == reason
    assert r["rehab_referral"].status == RehabReferral.Status.CLOSED
    assert reason in r["rehab_referral"].note
    assert r["registration"].status == Registration.Status.CANCELLED
    assert r["enrollment"].status == Enrollment.Status.DROPPED_OUT
    assert r["placement"].ended_on == died
    assert r["referral"].status == Referral.Status.CLOSED
    assert reason in r["referral"].note
    assert r["retrofit"].status == Retrofit.Status.WITHDRAWN
    entry = AuditEntry.objects.get(code="services.person.services_ended")
    assert entry.data["status"] == "deceased"
    assert entry.data["ended"]["services.escortbooking"] == 1


def test_moving_out_ends_services_but_not_the_job(busy_person, staff_user):
    _mark(busy_person["person"], staff_user, Person.Status.MOVED_OUT, today())
    r = _fresh(busy_person)
    assert r["coming"].status == EscortBooking.Status.CANCELLED
    assert r["need"].status == FollowUp.Status.CLOSED
    assert r["registration"].status == Registration.Status.CANCELLED
    assert r["retrofit"].status == Retrofit.Status.WITHDRAWN
    assert r["placement"].ended_on is None  # a job does not end with a move out of the district


def test_an_unchanged_status_ends_nothing_again(busy_person, staff_user):
    person = _mark(busy_person["person"], staff_user, Person.Status.DECEASED, today())
    person.notes = "家属来电告知"
    actions.person_save(person=person, by=staff_user)
    assert AuditEntry.objects.filter(code="services.person.services_ended").count() == 1


def test_marking_deceased_in_the_admin_cancels_the_later_escort(busy_person, staff_user, client):
    """Over HTTP, as staff record it: the person's change form."""
    person = busy_person["person"]
    client.force_login(staff_user)
    url = reverse("admin:services_person_change", args=[person.pk])
    data = page_form_data(client.get(url))
    data.update(status="deceased", status_changed_on=today().isoformat())
    response = client.post(url, data)
    assert response.status_code == 302
    assert EscortBooking.objects.get(pk=busy_person["coming"].pk).status == EscortBooking.Status.CANCELLED


def test_an_excel_import_marking_deceased_cancels_the_later_escort(busy_person, staff_user):
    from services.models import Street
    from tests.services.test_spreadsheets import person_row, run_import, xlsx

    person = busy_person["person"]
    person.status, person.status_changed_on = Person.Status.DECEASED, today()
    result = run_import(xlsx([person_row(person, dict(Street.objects.values_list("pk", "name_zh")))]), staff_user)
    assert result.errors == []
    assert result.updated == 1
    assert EscortBooking.objects.get(pk=busy_person["coming"].pk).status == EscortBooking.Status.CANCELLED
    assert FollowUp.objects.get(pk=busy_person["need"].pk).status == FollowUp.Status.CLOSED
    assert AuditEntry.objects.filter(code="services.person.services_ended", object_id=str(person.pk)).exists()


def test_merging_a_duplicate_into_a_deceased_record_ends_what_the_duplicate_had_to_come(busy_person, staff_user):
    from services.registry.actions import person_merge

    kept = worker()
    died = today() - datetime.timedelta(days=1)
    _mark(kept, staff_user, Person.Status.DECEASED, died)
    person_merge(kept=kept, other=busy_person["person"], by=staff_user, reason="entered twice")
    r = _fresh(busy_person)
    assert r["coming"].person == kept
    assert r["coming"].status == EscortBooking.Status.CANCELLED
    assert r["retrofit"].status == Retrofit.Status.WITHDRAWN
    assert r["past"].status == EscortBooking.Status.BOOKED  # before the death: left for staff to close
