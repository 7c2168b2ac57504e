"""A visit's rehabilitation need refers the person to a centre from the phone, prefilled, for their own street only."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from services.models import AuditEntry, FollowUp, RehabReferral
from services.rehab import actions as rehab
from tests.services.factories import PersonFactory, file_visit
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(street, member):
    """An open rehabilitation need of a person of the member's street, who has a family doctor."""
    person = PersonFactory(street=street, name="张建华", category=4)
    ContractFactory(person=person, doctor="李医生团队")
    return file_visit(person, by=member, needs=["rehabilitation"]).follow_ups.get()


def test_the_need_links_to_a_prefilled_referral_that_closes_it(client, member, need):
    contract = need.person.family_doctor_contracts.get()
    RehabCentreFactory(street=need.street, name="江宁路另一中心")  # the contract's centre is chosen, not this one
    client.force_login(member)
    url = reverse("field:rehab_refer", args=[need.pk])
    person_page = client.get(reverse("field:person", args=[need.person.pk])).content.decode()
    assert url in person_page
    assert 'id="person-rehab"' in person_page
    assert "李医生团队" in person_page
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["centre"].value() == contract.centre.pk
    response = client.post(url, {"centre": contract.centre.pk, "note": "中风后行走训练"})
    assert response.status_code == 302
    referral = RehabReferral.objects.get()
    assert (referral.person, referral.centre, referral.contract, referral.follow_up) == (
        need.person,
        contract.centre,
        contract,
        need,
    )
    assert (referral.street, referral.referred_by, referral.status) == (need.street, member, "open")
    need.refresh_from_db()
    assert need.status == FollowUp.Status.CLOSED
    assert f"#{referral.pk}" in need.outcome
    assert AuditEntry.objects.filter(code="services.rehab_referral.created", object_id=str(referral.pk)).exists()
    # The need is closed now: a second submission refers nobody twice.
    assert client.post(url, {"centre": contract.centre.pk}).status_code == 404
    assert RehabReferral.objects.count() == 1


def test_without_a_contract_the_streets_rehabilitation_home_is_prefilled(client, member, street):
    RehabCentreFactory(street=street, name="A 未认证中心", certification="applied", accepted_on=None)
    home = RehabCentreFactory(street=street, name="B 康复之家")
    need = file_visit(PersonFactory(street=street), by=member, needs=["rehabilitation"]).follow_ups.get()
    client.force_login(member)
    form = client.get(reverse("field:rehab_refer", args=[need.pk])).context["form"]
    assert form["centre"].value() == home.pk


def test_a_member_cannot_refer_a_person_of_another_street(client, member, other_member, other_street):
    RehabCentreFactory(street=other_street)
    theirs = file_visit(PersonFactory(street=other_street), by=other_member, needs=["rehabilitation"]).follow_ups.get()
    client.force_login(member)
    url = reverse("field:rehab_refer", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"centre": RehabCentreFactory().pk}).status_code == 404
    with pytest.raises(ValidationError) as caught:
        rehab.rehab_referral_create(follow_up=theirs, centre=RehabCentreFactory(), by=member)
    assert caught.value.error_dict["__all__"][0].code == "not_visible"
    assert not RehabReferral.objects.exists()
    theirs.refresh_from_db()
    assert theirs.status == FollowUp.Status.OPEN


def test_other_needs_and_other_roles_cannot_be_referred(client, member, volunteer, auditor, street):
    person = PersonFactory(street=street)
    retrofit = file_visit(person, by=member, needs=["retrofit"]).follow_ups.get()
    rehabilitation = file_visit(person, by=member, needs=["rehabilitation"]).follow_ups.get()
    client.force_login(member)
    assert client.get(reverse("field:rehab_refer", args=[retrofit.pk])).status_code == 404
    for user in (volunteer, auditor):
        client.force_login(user)
        assert client.get(reverse("field:rehab_refer", args=[rehabilitation.pk])).status_code == 403
    client.logout()
    response = client.get(reverse("field:rehab_refer", args=[rehabilitation.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    with pytest.raises(ValidationError) as caught:
        rehab.rehab_referral_create(follow_up=retrofit, centre=RehabCentreFactory(), by=member)
    assert [e.code for e in caught.value.error_dict["__all__"]] == ["wrong_need"]


def test_a_bad_choice_is_refused_with_a_message_and_changes_nothing(client, member, need):
    revoked = RehabCentreFactory(certification="revoked", revoked_on=need.visit.visited_on)
    client.force_login(member)
    url = reverse("field:rehab_refer", args=[need.pk])
    for data in ({"centre": revoked.pk}, {"centre": "999999"}, {"centre": ""}, {"note": "x" * 501}):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert 'id="error-summary"' in response.content.decode()
    assert not RehabReferral.objects.exists()
    need.refresh_from_db()
    assert need.status == FollowUp.Status.OPEN


def test_the_first_session_answering_a_referral_resolves_it(member, staff_user, need):
    contract = need.person.family_doctor_contracts.get()
    referral = rehab.rehab_referral_create(follow_up=need, centre=contract.centre, by=member)
    session = SessionFactory.build(contract=contract, person=need.person, centre=contract.centre, referral=referral)
    session.given_on = need.visit.visited_on
    rehab.home_rehab_session_record(session=session, by=staff_user)
    referral.refresh_from_db()
    assert referral.status == RehabReferral.Status.ASSESSED
    assert referral.resolved_at is not None
    again = SessionFactory.build(contract=contract, person=need.person, centre=contract.centre, referral=referral)
    again.given_on = need.visit.visited_on
    with pytest.raises(ValidationError):
        rehab.home_rehab_session_record(session=again, by=staff_user)
    assert referral.sessions.count() == 1


def test_closing_a_referral_needs_a_reason(member, staff_user, need):
    referral = rehab.rehab_referral_create(
        follow_up=need, centre=need.person.family_doctor_contracts.get().centre, by=member
    )
    with pytest.raises(ValidationError):
        rehab.rehab_referral_close(referral=referral, note=" ", by=staff_user)
    referral = rehab.rehab_referral_close(referral=referral, note="本人婉拒", by=staff_user)
    assert referral.status == RehabReferral.Status.CLOSED
    assert "本人婉拒" in referral.note
    with pytest.raises(ValidationError):
        rehab.rehab_referral_close(referral=referral, note="again", by=staff_user)
