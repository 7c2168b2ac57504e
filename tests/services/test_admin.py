"""The registry admin: scoped to the street, masked, logged, never deleting, constant queries."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.models import AccessLog, AuditEntry, Person
from tests.services.factories import PersonFactory
from tests.services.test_concurrency import version_token

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:services_person_changelist"


def url(name: str, *args) -> str:
    return reverse(f"admin:services_person_{name}", args=args)


@pytest.fixture
def staff_member(member):
    """A committee member of street A who was given access to the admin (a client of their own)."""
    member.is_staff = True
    member.save()
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def pair(street, other_street):
    return PersonFactory(street=street, name="甲方"), PersonFactory(street=other_street, name="乙方")


def test_anonymous_is_sent_to_log_in(client, pair):
    for target in [reverse(CHANGELIST), url("change", pair[0].pk), url("record", pair[0].pk), url("export")]:
        response = client.get(target)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_changelist_shows_masked_numbers_only(staff_client, pair):
    response = staff_client.get(reverse(CHANGELIST))
    html = response.content.decode()
    assert response.status_code == 200
    for person in pair:
        assert person.masked_id_number in html
        assert person.id_number not in html


def test_member_sees_only_their_street_in_every_admin_view(staff_member, pair):
    mine, theirs = pair
    html = staff_member.get(reverse(CHANGELIST)).content.decode()
    assert mine.name in html
    assert theirs.name not in html
    assert staff_member.get(url("change", theirs.pk)).status_code == 404
    assert staff_member.get(url("record", theirs.pk)).status_code == 404
    mine_page = staff_member.get(url("change", mine.pk))
    assert mine_page.status_code == 200
    assert mine.id_number not in mine_page.content.decode()
    assert staff_member.get(url("record", mine.pk)).status_code == 200
    autocomplete = staff_member.get(
        "/admin/autocomplete/",
        {"app_label": "services", "model_name": "streetassignment", "field_name": "street", "term": ""},
    )
    assert autocomplete.status_code in (403, 404)  # members have no street-assignment admin


def test_member_cannot_count_other_streets_through_filters(staff_member, pair, other_street):
    response = staff_member.get(reverse(CHANGELIST), {"street__id__exact": other_street.pk})
    assert response.context["cl"].result_count == 0


def test_changelist_query_count_does_not_grow_with_page_size(staff_client, street, other_street):
    from services.registry.sample import sample_persons

    Person.objects.bulk_create(sample_persons(210, street_ids=[street.pk, other_street.pk], seed=11))
    person_admin = admin.site._registry[Person]
    counts = {}
    for per_page in (20, 200):
        person_admin.list_per_page = per_page
        try:
            with CaptureQueriesContext(connection) as queries:
                response = staff_client.get(reverse(CHANGELIST), {"street__id__exact": street.pk, "q": "王"})
            assert response.status_code == 200
            counts[per_page] = len(queries)
        finally:
            person_admin.list_per_page = 50
    assert counts[20] == counts[200]
    assert counts[20] <= 8, counts


def test_search_finds_a_whole_id_typed_with_copying_mistakes(staff_client, street):
    person = PersonFactory(id_number="11010519491231002X", certificate_number="")
    PersonFactory()
    response = staff_client.get(reverse(CHANGELIST), {"q": "110105 19491231 002x"})
    assert list(response.context["cl"].result_list) == [person]


def test_age_band_filter(staff_client, street):
    old = PersonFactory(id_number="11010519491231002X", certificate_number="")
    PersonFactory(id_number=_id("19900615"), certificate_number="")
    response = staff_client.get(reverse(CHANGELIST), {"age": "70-79"})
    assert list(response.context["cl"].result_list) == [old]


def _id(birth: str) -> str:
    from services.registry.identity import check_character

    first17 = f"310106{birth}123"
    return first17 + check_character(first17)


def test_opening_a_record_is_logged_and_shows_masked_numbers(staff_client, staff_user, pair):
    person = pair[0]
    response = staff_client.get(url("record", person.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert person.masked_id_number in html
    assert person.id_number not in html
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.user, log.person, log.action) == (staff_user, person, AccessLog.Action.OPENED)


def test_reveal_shows_full_numbers_and_is_logged(staff_client, pair):
    person = pair[0]
    response = staff_client.post(url("record", person.pk), {"reveal": "1"})
    html = response.content.decode()
    assert person.id_number in html
    assert person.certificate_number in html
    assert AccessLog.objects.filter(person=person, action=AccessLog.Action.REVEALED).count() == 1


def test_auditor_can_read_but_not_reveal_or_change(client, auditor, pair):
    person = pair[0]
    client.force_login(auditor)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    assert client.post(url("record", person.pk), {"reveal": "1"}).status_code == 403
    assert AccessLog.objects.filter(action=AccessLog.Action.REVEALED).count() == 0
    response = client.post(url("change", person.pk), {"name": "改名"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.name == "甲方"


def test_the_change_page_never_shows_the_full_number_and_blank_keeps_it(staff_client, pair):
    person = pair[0]
    response = staff_client.get(url("change", person.pk))
    assert person.id_number not in response.content.decode()
    assert AccessLog.objects.filter(person=person, action=AccessLog.Action.OPENED).exists()
    data = _form_data(person, name="甲方新名", id_number="", certificate_number="")
    data.update(version_token(staff_client, url("change", person.pk)))
    response = staff_client.post(url("change", person.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.name == "甲方新名"
    assert person.id_number == pair[0].id_number
    assert AuditEntry.objects.get(code="services.person.updated").data == {"fields": ["name"]}


def test_an_invalid_edit_shows_the_reason_and_changes_nothing(staff_client, pair):
    person = pair[0]
    data = _form_data(person, id_number="110105194912310021", category="4")
    response = staff_client.post(url("change", person.pk), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "id_number" in errors
    person.refresh_from_db()
    assert person.category == 2
    assert not AuditEntry.objects.exists()


def test_adding_a_person_records_who_took_consent(staff_client, staff_user, street):
    data = _form_data(PersonFactory.build(street=street), id_number=" 11010519491231002x ", certificate_number="")
    response = staff_client.post(url("add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get()
    assert person.id_number == "11010519491231002X"
    assert person.consent_recorded_by == staff_user
    assert person.history.get().history_user == staff_user


def test_persons_cannot_be_deleted_through_the_admin(staff_client, pair):
    assert staff_client.get(url("delete", pair[0].pk)).status_code == 403
    assert staff_client.post(url("delete", pair[0].pk), {"post": "yes"}).status_code == 403
    assert Person.objects.count() == 2


def test_logs_are_read_only_for_everyone(client, auditor, staff_user):
    entry = AccessLog.objects.create(user=staff_user, action=AccessLog.Action.OPENED)
    client.force_login(auditor)
    assert client.get(reverse("admin:services_accesslog_changelist")).status_code == 200
    assert client.post(reverse("admin:services_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:services_accesslog_add")).status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_committee_members_cannot_read_the_logs(staff_member):
    assert staff_member.get(reverse("admin:services_accesslog_changelist")).status_code == 403


def test_timeline_lists_registry_changes_newest_first(staff_client, staff_user, street):
    from services.registry.actions import person_save

    person = person_save(person=PersonFactory.build(street=street), by=staff_user)
    person.phone = "13700000000"
    person_save(person=person, by=staff_user)
    response = staff_client.get(url("record", person.pk))
    timeline = response.context["timeline"]
    assert [e.title for e in timeline] == ["staff 修改档案", "staff 建档"]
    assert timeline[0].detail == "联系电话"


def test_likely_duplicates_are_listed_and_scoped(staff_client, staff_member, street, other_street):
    a = PersonFactory(name="王芳", id_number="11010519491231002X", certificate_number="", street=street)
    b = PersonFactory(name="王芳", id_number=_id("19491231"), certificate_number="", street=street)
    c = PersonFactory(phone="13911112222", street=street)
    d = PersonFactory(phone="13911112222", street=other_street)
    PersonFactory(name="李明", street=street)
    response = staff_client.get(url("duplicates"))
    groups = response.context["groups"]
    assert {frozenset(g.persons) for g in groups} == {frozenset({a, b}), frozenset({c, d})}
    assert "1949-12-31" not in response.content.decode()
    member_groups = staff_member.get(url("duplicates")).context["groups"]
    assert {frozenset(g.persons) for g in member_groups} == {frozenset({a, b})}


def _form_data(person: Person, **overrides) -> dict:
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "certificate_number": person.certificate_number,
        "certificate_valid_until": "",
        "category": str(person.category),
        "grade": str(person.grade),
        "street": str(person.street_id),
        "address": person.address,
        "phone": person.phone,
        "guardian_name": "",
        "guardian_relation": "",
        "guardian_phone": "",
        "status": person.status,
        "status_changed_on": "",
        "consent_basis": person.consent_basis,
        "consent_given_on": person.consent_given_on.isoformat()
        if isinstance(person.consent_given_on, datetime.date)
        else person.consent_given_on,
        "notes": "",
    }
    data.update(overrides)
    return data


def test_member_without_view_permission_is_refused(staff_member, member, pair):
    member.groups.clear()
    member.user_permissions.remove(*Permission.objects.all())
    # Removing a role ends the member's sessions (accounts.receivers): log in again without it.
    assert staff_member.get(reverse(CHANGELIST)).status_code == 302
    staff_member.force_login(member)
    assert staff_member.get(reverse(CHANGELIST)).status_code == 403


def test_no_admin_page_shows_the_birth_date_that_the_mask_hides(staff_client, staff_member, street):
    person = PersonFactory(id_number="11010519491231002X", certificate_number="", street=street)
    pages = [
        staff_client.get(url("change", person.pk)),
        staff_member.get(url("change", person.pk)),
        staff_client.get(url("record", person.pk)),
        staff_client.get(reverse(CHANGELIST)),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "110105************" in html
        assert "1949-12-31" not in html
        assert "1949年12月31日" not in html
        assert "19491231" not in html


def test_search_by_phone_is_an_exact_match(staff_client, street):
    person = PersonFactory(phone="13912345678")
    PersonFactory(phone="13912345679")
    response = staff_client.get(reverse(CHANGELIST), {"q": "139 1234 5678"})
    assert list(response.context["cl"].result_list) == [person]
