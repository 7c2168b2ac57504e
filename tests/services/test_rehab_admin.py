"""The rehabilitation admin: staff edit, auditors read, street scoping, masked numbers, constant queries."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from reports import figures
from services.models import AuditEntry, FamilyDoctorContract, HomeRehabSession, RehabCentre, RehabReferral
from services.registry.actions import person_save
from services.rehab import actions as rehab_actions
from services.rehab import selectors as rehab_selectors
from tests.services.factories import PersonFactory, file_visit
from tests.services.rehab_factories import ContractFactory, SessionFactory
from tests.services.test_concurrency import page_form_data, version_token

pytestmark = pytest.mark.django_db

MODELS = ["rehabcentre", "familydoctorcontract", "homerehabsession", "rehabreferral"]


def changelist(model: str) -> str:
    return reverse(f"admin:services_{model}_changelist")


def as_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_records(street, member, n: int) -> None:
    """n of each record, each about a new person of `street`."""
    for _ in range(n):
        contract = ContractFactory(person=PersonFactory(street=street))
        SessionFactory(contract=contract)
        need = file_visit(contract.person, by=member, needs=["rehabilitation"]).follow_ups.get()
        rehab_actions.rehab_referral_create(follow_up=need, centre=contract.centre, by=member)


@pytest.mark.parametrize("model", MODELS)
def test_each_changelist_keeps_its_query_count_however_many_rows(model, staff_user, member, street):
    client = as_client(staff_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(changelist(model)).status_code == 200
        return len(queries)

    add_records(street, member, 1)
    few = count()
    add_records(street, member, 6)
    assert count() == few
    assert few <= 12, few


def test_lists_show_masked_numbers_only(staff_user, member, street):
    add_records(street, member, 1)
    person = FamilyDoctorContract.objects.get().person
    client = as_client(staff_user)
    for model in ["familydoctorcontract", "homerehabsession", "rehabreferral"]:
        html = client.get(changelist(model)).content.decode()
        assert person.masked_id_number in html, model
        assert person.id_number not in html, model


def test_a_member_with_admin_access_sees_only_their_street(member, other_member, street, other_street):
    add_records(street, member, 1)
    add_records(other_street, other_member, 1)
    member.is_staff = True
    member.save()
    client = as_client(member)
    mine = FamilyDoctorContract.objects.get(street=street)
    theirs = FamilyDoctorContract.objects.get(street=other_street)
    html = client.get(changelist("rehabreferral")).content.decode()
    assert mine.person.name in html
    assert theirs.person.name not in html
    theirs_referral = RehabReferral.objects.get(street=other_street)
    assert client.get(reverse("admin:services_rehabreferral_change", args=[theirs_referral.pk])).status_code == 404
    contracts = client.get(changelist("familydoctorcontract")).content.decode()
    assert mine.person.name in contracts
    assert theirs.person.name not in contracts
    assert client.get(reverse("admin:services_familydoctorcontract_change", args=[theirs.pk])).status_code == 404
    # Members read; they change nothing here.
    assert client.get(reverse("admin:services_familydoctorcontract_add")).status_code == 403


def test_the_auditor_reads_and_cannot_change(auditor, staff_user, member, street):
    add_records(street, member, 1)
    client = as_client(auditor)
    for model in MODELS:
        assert client.get(changelist(model)).status_code == 200, model
        assert client.get(reverse(f"admin:services_{model}_add")).status_code == 403, model
    centre = RehabCentre.objects.first()
    response = client.post(reverse("admin:services_rehabcentre_change", args=[centre.pk]), {"name": "改名"})
    assert response.status_code == 403
    centre.refresh_from_db()
    assert centre.name != "改名"


def centre_form(street, **changes) -> dict:
    data = {
        "name": "曹家渡街道社区卫生服务中心",
        "street": street.pk,
        "address": "静安区万航渡路",
        "phone": "021-60000014",
        "contact": "康复科",
        "opening_hours": "周一至周五 8:00–16:30",
        "offers_physiotherapy": "on",
        "step_free": "on",
        "certification": "certified",
        "applied_on": "2023-03-01",
        "accepted_on": "2023-09-12",
        "revoked_on": "",
    }
    return {**data, **changes}


def test_staff_add_a_centre_and_a_bad_one_is_refused_with_a_message(staff_user, street):
    client = as_client(staff_user)
    add = reverse("admin:services_rehabcentre_add")
    response = client.post(add, centre_form(street, accepted_on=""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["accepted_on"]
    assert not RehabCentre.objects.exists()
    assert client.post(add, centre_form(street)).status_code == 302
    centre = RehabCentre.objects.get()
    assert (centre.certification, centre.accepted_on) == ("certified", datetime.date(2023, 9, 12))
    assert centre.history.get().history_user == staff_user


def test_staff_record_the_assessment_from_the_referral_queue(staff_user, member, street):
    add_records(street, member, 1)
    referral = RehabReferral.objects.get()
    client = as_client(staff_user)
    html = client.get(changelist("rehabreferral")).content.decode()
    add_url = reverse("admin:services_homerehabsession_add")
    assert f"{add_url}?person={referral.person_id}" in html.replace("&amp;", "&")
    form = client.get(add_url, {"person": referral.person_id, "referral": referral.pk, "centre": referral.centre_id})
    assert form.status_code == 200
    response = client.post(
        add_url,
        {
            "person": referral.person_id,
            "centre": referral.centre_id,
            "contract": referral.contract_id,
            "referral": referral.pk,
            "given_on": "2023-06-01",
            "kind": "assessment",
            "minutes": "45",
            "given_by": "康复治疗师",
            "note": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    referral.refresh_from_db()
    assert referral.status == RehabReferral.Status.ASSESSED
    assert HomeRehabSession.objects.filter(referral=referral, street=street).count() == 1


def test_staff_close_a_referral_only_with_a_reason(staff_user, member, street):
    add_records(street, member, 1)
    referral = RehabReferral.objects.get()
    client = as_client(staff_user)
    url = reverse("admin:services_rehabreferral_change", args=[referral.pk])
    token = version_token(client, url)
    response = client.post(url, {**token, "close": "on", "reason": ""})
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == "open"
    assert client.post(url, {**token, "close": "on", "reason": "已由医院康复科接收"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert "已由医院康复科接收" in referral.note


def test_the_persons_full_record_shows_their_rehabilitation(staff_user, member, street):
    add_records(street, member, 1)
    person = FamilyDoctorContract.objects.get().person
    html = as_client(staff_user).get(reverse("admin:services_person_record", args=[person.pk])).content.decode()
    session = HomeRehabSession.objects.get()
    assert reverse("admin:services_familydoctorcontract_change", args=[person.family_doctor_contracts.get().pk]) in html
    assert reverse("admin:services_homerehabsession_change", args=[session.pk]) in html
    assert reverse("admin:services_rehabreferral_change", args=[RehabReferral.objects.get().pk]) in html


def test_the_record_says_a_sessions_minutes_in_the_readers_language(member, street):
    add_records(street, member, 1)
    session = HomeRehabSession.objects.get()
    with translation.override("en"):
        details = [entry.detail for entry in rehab_selectors.timeline_entries(session.person)]
    assert f"{session.minutes} minutes · {session.given_by}" in details
    assert not any(" min · " in detail for detail in details)


def test_the_record_says_a_sessions_minutes_in_chinese_too():
    """The minutes are found by makemessages (an ngettext inside an f-string was not)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.ngettext("%(n)d minute", "%(n)d minutes", 60) % {"n": 60} == "60 分钟"


def test_correcting_a_moved_persons_session_keeps_the_street_and_category_it_was_given_in(
    staff_user, street, other_street
):
    person = PersonFactory(street=street, category=4)
    contract = ContractFactory(person=person)
    session = rehab_actions.home_rehab_session_record(
        session=HomeRehabSession(
            person=person,
            centre=contract.centre,
            contract=contract,
            given_on=datetime.date(2023, 6, 12),
            kind=HomeRehabSession.Kind.TRAINING,
            minutes=45,
            given_by="康复治疗师",
        ),
        by=staff_user,
    )
    assert (session.street, session.category) == (street, 4)
    person.street, person.category = other_street, 7  # moved and reassessed in 2026
    person.certificate_number = f"{person.id_number}{person.category}{person.grade}"
    person_save(person=person, by=staff_user)
    client = as_client(staff_user)
    url = reverse("admin:services_homerehabsession_change", args=[session.pk])
    data = page_form_data(client.get(url))
    response = client.post(url, {**data, "minutes": "60"})
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert (session.minutes, session.street, session.category) == (60, street, 4)
    people = figures.counted(2023, [figures.get("home_rehab_people")])["home_rehab_people"]
    assert people.breakdowns == {"street": {street.code: 1}, "category": {"4": 1}}


def test_correcting_whose_session_it_was_gives_it_that_persons_street_and_category(staff_user, street, other_street):
    session = SessionFactory(contract=ContractFactory(person=PersonFactory(street=street, category=4)))
    recorded_for = session.person
    right = PersonFactory(street=other_street, category=5)
    client = as_client(staff_user)
    url = reverse("admin:services_homerehabsession_change", args=[session.pk])
    data = page_form_data(client.get(url))
    response = client.post(url, {**data, "person": right.pk, "contract": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert (session.person, session.street, session.category) == (right, other_street, 5)
    entry = AuditEntry.objects.get(code="services.home_rehab_session.updated")
    assert entry.data["person_corrected_from"] == recorded_for.pk


def test_staff_enter_a_centres_english_hours_and_services_in_the_admin(staff_user, street):
    client = as_client(staff_user)
    form = centre_form(street, opening_hours_en="Mon–Fri 8:00–16:30", services_note_en="Chinese massage")
    assert client.post(reverse("admin:services_rehabcentre_add"), form).status_code == 302
    centre = RehabCentre.objects.get()
    assert (centre.opening_hours_en, centre.services_note_en) == ("Mon–Fri 8:00–16:30", "Chinese massage")
    page = client.get(reverse("admin:services_rehabcentre_change", args=[centre.pk])).content.decode()
    assert 'name="opening_hours_en"' in page
    assert 'name="services_note_en"' in page
