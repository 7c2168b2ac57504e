"""Two staff saving the same person from stale forms: one save wins, the other is told and keeps their input."""

import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse

from core.concurrency import CONFLICT, VERSION_FIELDS
from services.models import AuditEntry, Person
from services.registry import roles
from services.registry.actions import person_save
from tests.conftest import make_user

from .factories import PersonFactory


def change_url(person: Person) -> str:
    return reverse("admin:services_person_change", args=[person.pk])


def _put(data: dict, name: str, value) -> None:
    if value is None or value is False:
        return
    if value is True:
        data[name] = "on"
    elif isinstance(value, list | tuple):
        data[name] = [str(v) for v in value]
    else:
        data[name] = str(value)


def _put_field(data: dict, field) -> None:
    widget = field.field.widget
    if isinstance(widget, MultiWidget):  # a date and a time: posted as name_0 and name_1
        value = field.value()
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for suffix, part in zip(widget.widgets_names, parts, strict=False):
            _put(data, field.html_name + suffix, part)
    else:
        _put(data, field.html_name, field.value())


def page_form_data(response) -> dict:
    """What the admin change page's form would post back untouched, hidden fields and inlines included.

    Only what the page renders: a form field the admin leaves out of its fieldsets is not posted by a
    browser either (so a change form that loses its version token is caught here).
    """
    rendered = set(re.findall(r'name="([^"]+)"', response.content.decode()))
    data: dict = {}
    for field in response.context["adminform"].form:
        _put_field(data, field)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            _put(data, field.html_name, field.value())
        for form in formset.forms:
            for field in form:
                _put_field(data, field)
    return {name: value for name, value in data.items() if name in rendered}


def version_token(client: Client, url: str) -> dict:
    """The version token the change page at `url` carries for `client` now: a save posts what a page showed."""
    data = page_form_data(client.get(url))
    return {name: data[name] for name in VERSION_FIELDS}


def english_staff(username: str) -> Client:
    client = Client()
    client.force_login(make_user(username, roles.STAFF, is_staff=True))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def two_staff(db):
    return english_staff("staff_wang"), english_staff("staff_li")


def updates_of(person: Person) -> int:
    return AuditEntry.objects.filter(code="services.person.updated", object_id=str(person.pk)).count()


@pytest.mark.django_db
def test_the_second_save_from_a_stale_form_is_refused_and_keeps_its_input(two_staff, street):
    wang, li = two_staff
    person = PersonFactory(street=street, phone="13900000001", address="常德路1号")
    wang_form = page_form_data(wang.get(change_url(person)))
    li_form = page_form_data(li.get(change_url(person)))
    assert wang_form["seen_version"] == li_form["seen_version"] != ""

    assert wang.post(change_url(person), {**wang_form, "phone": "13900000002"}).status_code == 302
    refused = li.post(change_url(person), {**li_form, "address": "常德路2号", "notes": "搬到二楼"})

    assert refused.status_code == 200
    form = refused.context["adminform"].form
    errors = form.non_field_errors().as_data()
    assert [e.code for e in errors] == [CONFLICT]
    message = str(errors[0].message % errors[0].params)
    assert "staff_wang" in message
    assert "phone" in message
    assert "address" not in message  # Wang did not change it: only what changed meanwhile is named
    # Li's edits come back as typed, over the record as it is now; nothing of them reached the database.
    assert (form["address"].value(), form["notes"].value()) == ("常德路2号", "搬到二楼")
    assert form["phone"].value() == "13900000002"  # Wang's change, which Li had not touched
    person.refresh_from_db()
    assert (person.phone, person.address, person.notes) == ("13900000002", "常德路1号", "")
    assert updates_of(person) == 1

    # The page Li got back carries the current version: saving it as it stands keeps both changes.
    again = page_form_data(refused)
    assert again["seen_version"] != li_form["seen_version"]
    assert li.post(change_url(person), again).status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.address, person.notes) == ("13900000002", "常德路2号", "搬到二楼")


def test_after_a_conflict_an_edit_of_the_same_field_stays_the_users_own(two_staff, street):
    wang, li = two_staff
    person = PersonFactory(street=street, phone="13900000001")
    wang_form = page_form_data(wang.get(change_url(person)))
    li_form = page_form_data(li.get(change_url(person)))
    assert wang.post(change_url(person), {**wang_form, "phone": "13900000002"}).status_code == 302
    refused = li.post(change_url(person), {**li_form, "phone": "13900000003"})
    form = refused.context["adminform"].form
    assert form["phone"].value() == "13900000003"
    assert "phone" in form.non_field_errors().as_data()[0].params["fields"]


@pytest.mark.django_db
def test_a_form_of_the_current_version_saves(two_staff, street):
    wang, _li = two_staff
    person = PersonFactory(street=street, phone="13900000001")
    form = page_form_data(wang.get(change_url(person)))
    assert wang.post(change_url(person), {**form, "phone": "13900000003"}).status_code == 302
    second = page_form_data(wang.get(change_url(person)))
    assert wang.post(change_url(person), {**second, "phone": "13900000004"}).status_code == 302
    person.refresh_from_db()
    assert person.phone == "13900000004"


@pytest.mark.django_db
def test_a_change_made_elsewhere_makes_the_open_form_stale(two_staff, street, staff_user):
    """An action (an import, the field app) saving the person also moves the version."""
    wang, _li = two_staff
    person = PersonFactory(street=street, phone="13900000001")
    form = page_form_data(wang.get(change_url(person)))
    person.guardian_name = "张三"
    person_save(person=person, by=staff_user)
    refused = wang.post(change_url(person), {**form, "phone": "13900000005"})
    assert refused.status_code == 200
    (error,) = refused.context["adminform"].form.non_field_errors().as_data()
    assert error.code == CONFLICT
    assert "guardian's name" in error.params["fields"]
    person.refresh_from_db()
    assert (person.phone, person.guardian_name) == ("13900000001", "张三")


@pytest.mark.django_db
def test_an_auditor_sees_no_version_fields(street, auditor):
    person = PersonFactory(street=street)
    client = Client()
    client.force_login(auditor)
    page = client.get(change_url(person))
    assert page.status_code == 200
    assert b"seen_version" not in page.content


# --- real threads on PostgreSQL -----------------------------------------------------------------------


def _in_thread(target, results: dict, key: str) -> threading.Thread:
    def run():
        try:
            results[key] = target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _waiting_for_a_row_lock(timeout: float = 10) -> bool:
    """True once some session waits for a lock this test's connection holds (pg_locks is live, unlike
    pg_stat_activity's snapshot). Only this connection's: other xdist workers' tests share the server."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_save_waits_for_a_save_in_flight_and_then_sees_the_conflict(needs_postgres, street, staff_user):
    """The check is made on the locked row: a save arriving while another one is uncommitted waits for it."""
    li = english_staff("staff_li")
    person = PersonFactory(street=street, phone="13900000001")
    li_form = page_form_data(li.get(change_url(person)))
    results: dict = {}
    with transaction.atomic():
        in_flight = Person.objects.select_for_update().get(pk=person.pk)
        in_flight.phone = "13900000002"
        person_save(person=in_flight, by=staff_user)
        thread = _in_thread(lambda: li.post(change_url(person), {**li_form, "phone": "13900000009"}), results, "li")
        assert _waiting_for_a_row_lock(), "Li's save did not wait for the row lock"
    thread.join(timeout=30)
    assert results["li"].status_code == 200
    assert [e.code for e in results["li"].context["adminform"].form.non_field_errors().as_data()] == [CONFLICT]
    person.refresh_from_db()
    assert person.phone == "13900000002"
    assert updates_of(person) == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_version_cannot_both_win(needs_postgres, street):
    person = PersonFactory(street=street, phone="13900000001")
    clients = {"wang": english_staff("staff_wang"), "li": english_staff("staff_li")}
    forms = {name: page_form_data(client.get(change_url(person))) for name, client in clients.items()}
    phones = {"wang": "13900000002", "li": "13900000003"}
    start = threading.Barrier(2)
    results: dict = {}

    def save(name):
        def post():
            start.wait(timeout=10)
            return clients[name].post(change_url(person), {**forms[name], "phone": phones[name]})

        return post

    threads = [_in_thread(save(name), results, name) for name in clients]
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [200, 302]
    winner = next(name for name, r in results.items() if r.status_code == 302)
    person.refresh_from_db()
    assert person.phone == phones[winner]
    assert updates_of(person) == 1


def _employer():
    from tests.employment.factories import EmployerFactory

    return EmployerFactory()


def _sign_point():
    from tests.accessibility.factories import SignLanguagePointFactory

    return SignLanguagePointFactory()


def _hospital():
    from services.models import Hospital

    return Hospital.objects.order_by("pk").first()


def _rehab_centre():
    from tests.services.rehab_factories import RehabCentreFactory

    return RehabCentreFactory()


def _contract():
    from tests.services.rehab_factories import ContractFactory

    return ContractFactory()


def _session():
    from tests.services.rehab_factories import SessionFactory

    return SessionFactory()


def _prevention(make: str):
    def saved():
        from events import actions
        from tests.events import test_prevention

        return actions.prevention_record_save(record=getattr(test_prevention, make)(), by=None)

    return saved


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "field", "values"),
    [
        (_employer, "contact_name", ("王经理", "李经理")),
        (_sign_point, "venue", ("江宁路街道服务窗口", "江宁路街道社区事务受理中心")),
        (_hospital, "address", ("延安西路221号", "延安西路222号")),
        (_rehab_centre, "opening_hours", ("周一至周五 8:00–16:00", "周一至周六 8:00–16:30")),
        (_contract, "doctor", ("家庭医生团队02", "家庭医生团队03")),
        (_session, "given_by", ("王治疗师", "李治疗师")),
        (_prevention("material"), "title", ("听力筛查", "听力筛查知多少")),
        (_prevention("quiz"), "participants", ("120", "130")),
    ],
)
def test_other_edited_records_refuse_a_stale_save_too(two_staff, make, field, values):
    wang, li = two_staff
    record = make()
    url = reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])
    wang_form, li_form = page_form_data(wang.get(url)), page_form_data(li.get(url))
    assert wang.post(url, {**wang_form, field: values[0]}).status_code == 302
    refused = li.post(url, {**li_form, field: values[1]})
    assert refused.status_code == 200
    assert [e.code for e in refused.context["adminform"].form.non_field_errors().as_data()] == [CONFLICT]
    record.refresh_from_db()
    assert str(getattr(record, field)) == values[0]
