"""The rules of rehabilitation records: certification dates, contract dates, one running contract, sane sessions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from services.models import AuditEntry, FamilyDoctorContract, HomeRehabSession, RehabCentre
from services.rehab import actions as rehab_actions
from services.rehab import selectors as rehab_selectors
from tests.services.factories import PersonFactory
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory, SessionFactory

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def test_a_certified_centre_needs_its_date_of_municipal_acceptance(street, staff_user):
    centre = RehabCentreFactory.build(street=street, accepted_on=None)
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        rehab_actions.rehab_centre_save(centre=centre, by=staff_user)
    assert codes(caught.value) == {"accepted_on": ["required"]}
    with translation.override("en"):
        assert "municipal acceptance" in caught.value.message_dict["accepted_on"][0]
    assert not RehabCentre.objects.exists()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"certification": "none", "accepted_on": datetime.date(2023, 1, 1)}, {"accepted_on": ["not_certified"]}),
        ({"certification": "revoked"}, {"revoked_on": ["required"]}),
        ({"revoked_on": datetime.date(2024, 1, 1)}, {"revoked_on": ["not_revoked"]}),
        ({"applied_on": datetime.date(2023, 10, 1)}, {"accepted_on": ["order"]}),
        ({"accepted_on": datetime.date(2999, 1, 1)}, {"accepted_on": ["future"]}),
    ],
)
def test_certification_dates_must_agree_with_the_status(street, staff_user, fields, expected):
    centre = RehabCentreFactory.build(street=street, **fields)
    with pytest.raises(ValidationError) as caught:
        rehab_actions.rehab_centre_save(centre=centre, by=staff_user)
    assert codes(caught.value) == expected
    assert not RehabCentre.objects.exists()


def test_the_database_refuses_a_certified_centre_without_acceptance(street):
    with pytest.raises(IntegrityError), transaction.atomic():
        RehabCentreFactory(street=street, accepted_on=None)


def test_saving_a_centre_keeps_history_and_an_audit_entry(street, staff_user):
    centre = rehab_actions.rehab_centre_save(centre=RehabCentreFactory.build(street=street), by=staff_user)
    assert centre.history.get().history_user == staff_user
    assert AuditEntry.objects.get(code="services.rehab_centre.created").object_id == str(centre.pk)


def test_a_contract_cannot_end_before_it_was_signed(street, staff_user):
    person = PersonFactory(street=street)
    centre = RehabCentreFactory(street=street)
    contract = FamilyDoctorContract(
        person=person,
        centre=centre,
        doctor="王医生",
        signed_on=datetime.date(2023, 5, 1),
        ended_on=datetime.date(2023, 4, 1),
    )
    with pytest.raises(ValidationError) as caught:
        rehab_actions.family_doctor_contract_save(contract=contract, by=staff_user)
    assert codes(caught.value) == {"ended_on": ["order"]}
    assert not FamilyDoctorContract.objects.exists()


def test_a_person_has_one_running_contract_at_a_time(street, staff_user):
    first = ContractFactory(person=PersonFactory(street=street))
    second = FamilyDoctorContract(
        person=first.person, centre=first.centre, doctor="李医生", signed_on=datetime.date(2023, 6, 1)
    )
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        rehab_actions.family_doctor_contract_save(contract=second, by=staff_user)
    with translation.override("en"):
        assert "already has a running family-doctor contract" in " ".join(caught.value.messages)
    assert FamilyDoctorContract.objects.count() == 1
    first.ended_on = datetime.date(2023, 5, 31)
    rehab_actions.family_doctor_contract_save(contract=first, by=staff_user)
    rehab_actions.family_doctor_contract_save(contract=second, by=staff_user)
    assert second.street == street  # taken from the person
    assert FamilyDoctorContract.objects.count() == 2


@pytest.mark.parametrize("minutes", [0, 241])
def test_a_session_lasts_from_one_to_240_minutes(staff_user, minutes):
    contract = ContractFactory()
    session = SessionFactory.build(contract=contract, person=contract.person, centre=contract.centre, minutes=minutes)
    with pytest.raises(ValidationError) as caught:
        rehab_actions.home_rehab_session_record(session=session, by=staff_user)
    assert codes(caught.value) == {"minutes": ["minutes"]}
    assert not HomeRehabSession.objects.exists()


def test_the_database_refuses_an_insane_session():
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(minutes=600)


def test_a_session_must_match_its_contract(street, other_street, staff_user):
    contract = ContractFactory(person=PersonFactory(street=street))
    someone_else = PersonFactory(street=street)
    other_centre = RehabCentreFactory(street=other_street)
    cases = [
        ({"person": someone_else}, {"contract": ["other_person"]}),
        ({"centre": other_centre}, {"contract": ["other_centre"]}),
        ({"given_on": datetime.date(2022, 1, 5)}, {"given_on": ["outside_contract"]}),
        ({"given_on": datetime.date(2999, 1, 5)}, {"given_on": ["future"]}),
    ]
    for change, expected in cases:
        fields = {"person": contract.person, "centre": contract.centre, **change}
        session = SessionFactory.build(contract=contract, **fields)
        with pytest.raises(ValidationError) as caught:
            rehab_actions.home_rehab_session_record(session=session, by=staff_user)
        assert codes(caught.value) == expected, change
    assert not HomeRehabSession.objects.exists()
    session = rehab_actions.home_rehab_session_record(
        session=SessionFactory.build(contract=contract, person=contract.person, centre=contract.centre), by=staff_user
    )
    assert session.street == street
    assert AuditEntry.objects.filter(code="services.home_rehab_session.recorded").count() == 1


def test_the_public_listing_holds_only_centres_certified_now(street):
    listed = RehabCentreFactory(street=street)
    RehabCentreFactory(street=street, certification="applied", accepted_on=None)
    RehabCentreFactory(
        street=street,
        accepted_on=datetime.date(2021, 1, 1),
        certification="revoked",
        revoked_on=datetime.date(2022, 1, 1),
    )
    assert list(rehab_selectors.rehab_homes_public()) == [listed]


def test_the_same_session_recorded_twice_is_refused(staff_user):
    contract = ContractFactory()
    same = {"contract": contract, "person": contract.person, "centre": contract.centre, "kind": "training"}
    first = rehab_actions.home_rehab_session_record(session=SessionFactory.build(**same), by=staff_user)
    with pytest.raises(ValidationError) as caught:
        rehab_actions.home_rehab_session_record(session=SessionFactory.build(**same, minutes=30), by=staff_user)
    assert codes(caught.value) == {"given_on": ["duplicate"]}
    # Another kind that day, or the same kind another day, is another session; correcting the first is no twin.
    rehab_actions.home_rehab_session_record(
        session=SessionFactory.build(**{**same, "kind": "assessment"}), by=staff_user
    )
    later = first.given_on + datetime.timedelta(days=7)
    rehab_actions.home_rehab_session_record(session=SessionFactory.build(**same, given_on=later), by=staff_user)
    first.minutes = 90
    rehab_actions.home_rehab_session_record(session=first, by=staff_user)
    assert HomeRehabSession.objects.count() == 3


def test_a_double_submitted_session_form_saves_one_session(client, staff_user):
    from django.urls import reverse

    contract = ContractFactory()
    data = {
        "person": contract.person_id,
        "centre": contract.centre_id,
        "contract": contract.pk,
        "given_on": "2023-06-01",
        "kind": "training",
        "minutes": "45",
        "given_by": "康复治疗师",
        "note": "",
    }
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    add = reverse("admin:services_homerehabsession_add")
    assert client.post(add, data).status_code == 302
    again = client.post(add, data)
    assert again.status_code == 200
    assert again.context["adminform"].form.errors["given_on"] == [
        "This session is already recorded: same person, centre, kind and date."
    ]
    assert HomeRehabSession.objects.count() == 1
