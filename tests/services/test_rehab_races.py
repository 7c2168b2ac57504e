"""Admin saves of rehabilitation records that lose a race: the loser is told why, nothing breaks, nothing is saved."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse

from core.concurrency import CONFLICT
from services.models import FamilyDoctorContract, Person, RehabReferral
from services.rehab import actions as rehab
from tests.services.factories import PersonFactory, file_visit
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory
from tests.services.test_concurrency import _in_thread, _waiting_for_a_row_lock, english_staff, version_token


@pytest.mark.django_db(transaction=True)
def test_a_contract_added_while_another_is_signed_is_refused_with_a_message(needs_postgres, street, staff_user):
    """The form saw no running contract; the service, once it has the person's lock, does: a message, no 500."""
    person = PersonFactory(street=street)
    centre = RehabCentreFactory(street=street)
    li = english_staff("staff_li")
    data = {"person": person.pk, "centre": centre.pk, "doctor": "家庭医生团队02", "signed_on": "2023-04-01"}
    results: dict = {}
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        rehab.family_doctor_contract_save(
            contract=FamilyDoctorContract(
                person=person, centre=centre, doctor="家庭医生团队01", signed_on="2023-03-01"
            ),
            by=staff_user,
        )
        thread = _in_thread(lambda: li.post(reverse("admin:services_familydoctorcontract_add"), data), results, "li")
        assert _waiting_for_a_row_lock(), "Li's save did not wait for the person's lock"
    thread.join(timeout=30)
    response = results["li"]
    assert response.status_code == 302
    assert response.url == reverse("admin:services_familydoctorcontract_changelist")
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "This person already has a running family-doctor contract: give it an end date first."
    ]
    assert list(FamilyDoctorContract.objects.values_list("doctor", flat=True)) == ["家庭医生团队01"]
    assert not LogEntry.objects.filter(content_type__model="familydoctorcontract").exists()  # no "added" entry


@pytest.mark.django_db(transaction=True)
def test_closing_a_referral_that_another_save_resolves_meanwhile_is_refused_with_a_message(
    needs_postgres, street, staff_user, member
):
    contract = ContractFactory(person=PersonFactory(street=street))
    need = file_visit(contract.person, by=member, needs=["rehabilitation"]).follow_ups.get()
    referral = rehab.rehab_referral_create(follow_up=need, centre=contract.centre, by=member)
    li = english_staff("staff_li")
    url = reverse("admin:services_rehabreferral_change", args=[referral.pk])
    token = version_token(li, url)  # Li opened the referral before the other close
    results: dict = {}
    with transaction.atomic():
        rehab.rehab_referral_close(referral=referral, note="已由医院康复科接收", by=staff_user)
        thread = _in_thread(lambda: li.post(url, {**token, "close": "on", "reason": "联系不上"}), results, "li")
        assert _waiting_for_a_row_lock(), "Li's close did not wait for the referral's lock"
    thread.join(timeout=30)
    response = results["li"]
    # The change form's version check, made under the same lock, now refuses it first: Li's page is stale.
    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.non_field_errors().as_data()] == [CONFLICT]
    referral.refresh_from_db()
    assert referral.status == RehabReferral.Status.CLOSED
    assert "联系不上" not in referral.note
    assert not LogEntry.objects.filter(content_type__model="rehabreferral").exists()  # no "changed" entry
