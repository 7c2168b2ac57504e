"""The employment admin: street-scoped, filtered, exported masked, writing only through the actions."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from employment.models import Course, Employer, Enrollment, Graduate, Placement, PlacementFollowUp, Referral
from services.models import AccessLog, AuditEntry
from tests.employment.factories import (
    CourseFactory,
    EmployerFactory,
    EnrollmentFactory,
    GraduateFactory,
    PlacementFactory,
    born_on,
    worker,
)
from tests.services.factories import file_visit
from tests.services.test_concurrency import version_token

pytestmark = pytest.mark.django_db


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:employment_{model}_{view}", args=args)


def english_client(user) -> Client:
    """A logged-in client whose pages are in English, so assertions hold once the catalogue is translated."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff_user):
    return english_client(staff_user)


@pytest.fixture
def member_client(member):
    """A committee member of street A who was given access to the admin."""
    member.is_staff = True
    member.save()
    return english_client(member)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def errors_of(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# What each list holds, built `n` times: the page's queries must not grow with it.


def _need(person, member):
    visit = file_visit(person, by=member, needs=["job"])
    return visit.follow_ups.get()


def build(model: str, n: int, *, street, member) -> None:
    for i in range(n):
        person = worker(street=street)
        if model == "course":
            EnrollmentFactory(course=CourseFactory(), person=person)
        elif model == "employer":
            PlacementFactory(person=person, employer=EmployerFactory())
        elif model == "enrollment":
            EnrollmentFactory(person=person, certified=bool(i % 2))
        elif model == "certificate":
            EnrollmentFactory(person=person, certified=True)
        elif model == "placement":
            PlacementFactory(person=person)
        elif model == "placementfollowup":
            placement = PlacementFactory(person=person)
            PlacementFollowUp.objects.create(placement=placement, months=1, due_on=datetime.date(2023, 6, 8))
        elif model == "graduate":
            graduate = GraduateFactory(person=born_on(datetime.date(2001, 1, 1), street=street))
            if i % 2:
                PlacementFactory(person=graduate.person, new_graduate=True, graduation_year=2023)
        elif model == "referral":
            need = _need(person, member)
            Referral.objects.create(
                person=person, street=street, kind="job", follow_up=need, referred_by=member, course=None
            )


MODELS = ["course", "employer", "enrollment", "certificate", "placement", "placementfollowup", "graduate", "referral"]


@pytest.mark.parametrize("model", MODELS)
def test_each_list_opens_and_its_queries_do_not_grow_with_rows(staff_client, street, member, model):
    counts = {}
    built = 0
    for rows in (2, 12):
        build(model, rows - built, street=street, member=member)
        built = rows
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url(model), {"state": "all"} if model == "placementfollowup" else {})
        assert response.status_code == 200
        assert response.context["cl"].result_count == rows
        counts[rows] = len(queries)
    assert counts[2] == counts[12], counts


def test_every_model_is_registered():
    for model in MODELS:
        assert apps.get_model("employment", model) in admin.site._registry


# Street scope


def test_a_member_sees_only_their_street(member_client, street, other_street, member):
    mine = PlacementFactory(person=worker(street=street))
    theirs = PlacementFactory(person=worker(street=other_street))
    listed = member_client.get(url("placement"))
    # Members have no placement permission (the role does not list it): the admin refuses them outright.
    assert listed.status_code == 403
    member.user_permissions.add(Permission.objects.get(codename="view_placement"))
    listed = member_client.get(url("placement"))
    assert [p.pk for p in listed.context["cl"].result_list] == [mine.pk]
    assert member_client.get(url("placement", "change", theirs.pk)).status_code == 404
    assert member_client.get(url("placement", "change", mine.pk)).status_code == 200
    filtered = member_client.get(url("placement"), {"street__id__exact": other_street.pk})
    assert filtered.context["cl"].result_count == 0


def test_a_member_sees_only_their_streets_referrals(member_client, street, other_street, member, other_member):
    mine = Referral.objects.create(
        person=(p := worker(street=street)), street=street, kind="job", follow_up=_need(p, member), referred_by=member
    )
    Referral.objects.create(
        person=(q := worker(street=other_street)),
        street=other_street,
        kind="job",
        follow_up=_need(q, other_member),
        referred_by=other_member,
    )
    listed = member_client.get(url("referral"))
    assert [r.pk for r in listed.context["cl"].result_list] == [mine.pk]


# Filters


def test_filters_by_street_category_year_and_status(staff_client, street, other_street):
    target = PlacementFactory(person=worker(street=other_street, category=5), started_on=datetime.date(2023, 3, 1))
    PlacementFactory(person=worker(street=street, category=5), started_on=datetime.date(2023, 3, 1))
    PlacementFactory(person=worker(street=other_street, category=4), started_on=datetime.date(2023, 3, 1))
    PlacementFactory(person=worker(street=other_street, category=5), started_on=datetime.date(2022, 3, 1))
    PlacementFactory(
        person=worker(street=other_street, category=5),
        started_on=datetime.date(2023, 3, 1),
        ended_on=datetime.date(2023, 4, 1),
        end_reason="resigned",
    )
    response = staff_client.get(
        url("placement"),
        {"street__id__exact": other_street.pk, "person__category__exact": 5, "year": 2023, "state": "current"},
    )
    assert [p.pk for p in response.context["cl"].result_list] == [target.pk]
    years = staff_client.get(url("placement")).context["cl"].filter_specs
    year_filter = next(f for f in years if getattr(f, "parameter_name", None) == "year")
    assert [value for value, _label in year_filter.lookup_choices] == ["2023", "2022"]
    # A year that is no year is refused the way Django refuses any bad filter value (core.admin_filters.year_filter).
    assert staff_client.get(url("placement"), {"year": "x"})["Location"].endswith("?e=1")


def test_enrolments_filter_by_status_and_course_year(staff_client):
    done = EnrollmentFactory(course=CourseFactory(starts_on=datetime.date(2023, 3, 6)))
    EnrollmentFactory(course=done.course, status=Enrollment.Status.DROPPED_OUT)
    EnrollmentFactory(course=CourseFactory(starts_on=datetime.date(2022, 3, 7), ends_on=datetime.date(2022, 4, 1)))
    response = staff_client.get(url("enrollment"), {"status__exact": "completed", "year": 2023})
    assert [e.pk for e in response.context["cl"].result_list] == [done.pk]


def test_graduates_filter_by_placed(staff_client):
    placed = GraduateFactory()
    PlacementFactory(person=placed.person, new_graduate=True, graduation_year=2023)
    GraduateFactory()
    response = staff_client.get(url("graduate"), {"placed": "yes", "year": 2023})
    assert [g.pk for g in response.context["cl"].result_list] == [placed.pk]


# The certificate register


def test_the_certificate_register_is_searchable_and_read_only(staff_client):
    wanted = EnrollmentFactory(
        person=worker(name="王小明"),
        course=CourseFactory(trade="咖啡师"),
        certificate_number="S2023001",
        certified=True,
    )
    EnrollmentFactory(person=worker(name="李四"), certified=True)
    EnrollmentFactory(person=worker(name="王小明的同学"))  # no certificate
    for term in ["王小明", "S2023001", "咖啡师"]:
        response = staff_client.get(url("certificate"), {"q": term})
        assert [c.pk for c in response.context["cl"].result_list] == [wanted.pk], term
    assert staff_client.get(url("certificate", "add")).status_code == 403
    page = staff_client.get(url("certificate", "change", wanted.pk))
    assert page.status_code == 200
    assert wanted.person.id_number not in page.content.decode()


# Adding through the actions


def test_an_enrolment_outside_working_age_is_refused_with_the_reason_and_nothing_written(staff_client):
    course = CourseFactory(starts_on=datetime.date(2023, 3, 6))
    too_old = born_on(datetime.date(1960, 1, 1))
    response = staff_client.post(url("enrollment", "add"), {"person": too_old.pk, "course": course.pk})
    assert response.status_code == 200
    assert "is 63 on 2023-03-06" in errors_of(response)
    assert not Enrollment.objects.exists()


def test_enrolling_in_the_admin_goes_through_the_action(staff_client, staff_user):
    course = CourseFactory(capacity=1)
    person = worker()
    response = staff_client.post(url("enrollment", "add"), {"person": person.pk, "course": course.pk})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert enrollment.street == person.street
    assert AuditEntry.objects.get(code="employment.enrollment.created").user == staff_user
    again = staff_client.post(url("enrollment", "add"), {"person": person.pk, "course": course.pk})
    assert "already enrolled" in errors_of(again)
    full = staff_client.post(url("enrollment", "add"), {"person": worker().pk, "course": course.pk})
    assert "all 1 places" in errors_of(full)
    assert Enrollment.objects.count() == 1


def test_a_place_taken_between_form_and_save_rolls_back_with_a_message(staff_client, monkeypatch):
    course = CourseFactory(capacity=1)
    EnrollmentFactory(course=course, status=Enrollment.Status.ENROLLED)
    # The form's check saw a free place; by the time the action locks the course, it is gone.
    monkeypatch.setattr("employment.forms.add_action_errors", lambda form, exc: None)
    response = staff_client.post(url("enrollment", "add"), {"person": worker().pk, "course": course.pk}, follow=True)
    assert "This course is full" in messages_of(response)
    assert Enrollment.objects.count() == 1
    assert not AuditEntry.objects.filter(code="employment.enrollment.created").exists()


def test_completing_and_certifying_in_the_admin(staff_client):
    enrollment = EnrollmentFactory(status=Enrollment.Status.ENROLLED)
    response = staff_client.post(
        url("enrollment"), {"action": "mark_completed", "_selected_action": [enrollment.pk]}, follow=True
    )
    assert "1 enrolment marked completed." in messages_of(response)
    change = url("enrollment", "change", enrollment.pk)
    token = version_token(staff_client, change)
    early = {**token, "certificate_level": "5", "certificate_issuer": "鉴定中心", "certificate_issued_on": "2023-03-01"}
    refused = staff_client.post(change, {**early, "certificate_number": ""})
    assert "before the course started (2023-03-06)" in errors_of(refused)
    partial = staff_client.post(
        change, {**token, "certificate_level": "5", "certificate_issuer": "", "certificate_number": ""}
    )
    assert "Name the body that issued it." in errors_of(partial)
    enrollment.refresh_from_db()
    assert not enrollment.has_certificate
    done = staff_client.post(change, {**early, "certificate_issued_on": "2023-05-20", "certificate_number": "S1"})
    assert done.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.certificate_level, enrollment.certificate_number) == ("5", "S1")


def test_an_invalid_credit_code_is_refused_and_a_spaced_one_corrected(staff_client):
    data = {"name": "上海测试有限公司", "district": "静安区", "counts_toward_quota": "on"}
    refused = staff_client.post(url("employer", "add"), {**data, "credit_code": "91310106MA1FL0000K"})
    assert "does not match the others" in errors_of(refused)
    assert not Employer.objects.exists()
    done = staff_client.post(url("employer", "add"), {**data, "credit_code": "9131 0106 MA1F L000 0J"})
    assert done.status_code == 302
    assert Employer.objects.get().credit_code == "91310106MA1FL0000J"
    assert staff_client.get(url("employer"), {"q": "91310106 ma1fl0000j"}).context["cl"].result_count == 1


def test_a_course_ending_before_it_starts_is_refused_in_the_admin(staff_client):
    data = {"title": "咖啡", "trade": "咖啡师", "provider": "阳光", "capacity": 10, "place": ""}
    response = staff_client.post(url("course", "add"), {**data, "starts_on": "2023-05-02", "ends_on": "2023-05-01"})
    assert "The last day is before the first day." in errors_of(response)
    assert not Course.objects.exists()


def test_placing_and_ending_in_the_admin(staff_client):
    person, employer = worker(), EmployerFactory()
    data = {
        "person": person.pk,
        "employer": employer.pk,
        "job_title": "理货员",
        "started_on": "2023-05-08",
        "contract_type": "fixed_term",
        "recommended": "on",
        "graduation_year": "2023",
    }
    refused = staff_client.post(url("placement", "add"), data)
    assert "Only a new graduate has a graduation year" in errors_of(refused)
    done = staff_client.post(url("placement", "add"), {**data, "new_graduate": "on"})
    assert done.status_code == 302
    placement = Placement.objects.get()
    assert placement.follow_ups.count() == 4
    assert Graduate.objects.filter(person=person, graduation_year=2023).exists()
    change = url("placement", "change", placement.pk)
    token = version_token(staff_client, change)
    early = staff_client.post(change, {**token, "ended_on": "2023-05-01", "end_reason": "resigned"})
    assert "The end date is before the start date (2023-05-08)." in errors_of(early)
    placement.refresh_from_db()
    assert placement.ended_on is None
    ended = staff_client.post(change, {**token, "ended_on": "2023-09-01", "end_reason": "resigned"})
    assert ended.status_code == 302
    placement.refresh_from_db()
    assert placement.ended_on == datetime.date(2023, 9, 1)


def test_the_follow_up_list_opens_on_the_overdue_ones_and_records_them(staff_client, staff_user):
    today = timezone.localdate()
    overdue = PlacementFactory(started_on=today - datetime.timedelta(days=100))
    upcoming = PlacementFactory(started_on=today)
    for placement in (overdue, upcoming):
        PlacementFollowUp.objects.create(
            placement=placement, months=1, due_on=placement.started_on + datetime.timedelta(days=30)
        )
    queue = staff_client.get(url("placementfollowup"))
    [listed] = queue.context["cl"].result_list
    assert listed.placement == overdue
    change = url("placementfollowup", "change", listed.pk)
    token = version_token(staff_client, change)
    refused = staff_client.post(change, {**token, "note": "电话未接通"})
    assert refused.status_code == 200
    assert "answer" in refused.context["adminform"].form.errors
    listed.refresh_from_db()
    assert listed.recorded_on is None
    done = staff_client.post(change, {**token, "answer": "yes", "note": "电话回访，在岗"})
    assert done.status_code == 302
    listed.refresh_from_db()
    assert (listed.still_employed, listed.recorded_by, listed.recorded_on) == (True, staff_user, today)
    assert staff_client.get(url("placementfollowup")).context["cl"].result_count == 0


def test_staff_refer_and_close_in_the_admin(staff_client, member, street):
    need = _need(worker(street=street), member)
    response = staff_client.post(url("referral", "add"), {"follow_up": need.pk, "kind": "course", "note": ""})
    assert "a referral to Skills training answers the need" in errors_of(response)
    done = staff_client.post(url("referral", "add"), {"follow_up": need.pk, "kind": "job", "note": "想做文员"})
    assert done.status_code == 302
    referral = Referral.objects.get()
    closed = staff_client.post(
        url("referral"), {"action": "close_referrals", "_selected_action": [referral.pk]}, follow=True
    )
    assert "1 referral closed." in messages_of(closed)
    referral.refresh_from_db()
    assert referral.status == "closed"


# Export


def test_export_is_masked_formula_safe_and_logged(staff_client, staff_user):
    person = worker(name="=HYPERLINK(1)")
    placement = PlacementFactory(person=person, job_title="+danger")
    response = staff_client.post(url("placement"), {"action": "export_xlsx", "_selected_action": [placement.pk]})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert len(rows) == 2
    header, row = rows
    cells = dict(zip(header, row, strict=True))
    assert cells["ID number"] == person.masked_id_number
    assert person.id_number not in str(row)
    assert cells["name"] == "'=HYPERLINK(1)"
    assert cells["job title"] == "'+danger"
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORTED)
    assert (log.user, log.detail) == (staff_user, "employment.placement: 1")


@pytest.mark.parametrize("model", ["enrollment", "certificate", "placementfollowup", "graduate", "referral"])
def test_every_list_exports(staff_client, street, member, model):
    build(model, 3, street=street, member=member)
    query = {"state": "all"} if model == "placementfollowup" else {}
    pks = [obj.pk for obj in staff_client.get(url(model), query).context["cl"].result_list]
    response = staff_client.post(url(model), {"action": "export_xlsx", "_selected_action": pks, **query})
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert len(rows) == 4
    assert all("*" in str(row[1]) for row in rows[1:])  # the masked ID number column


def test_the_auditor_may_look_and_export_but_not_add(auditor):
    client = english_client(auditor)
    assert client.get(url("placement")).status_code == 200
    assert client.get(url("placement", "add")).status_code == 403
    assert client.get(url("certificate")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_every_page_opens_for_staff_and_read_only_for_the_auditor(staff_client, auditor, street, member, model):
    build(model, 1, street=street, member=member)
    obj = apps.get_model("employment", model).objects.get()
    assert staff_client.get(url(model, "change", obj.pk)).status_code == 200
    if model not in ("certificate", "placementfollowup"):
        assert staff_client.get(url(model, "add")).status_code == 200
    auditor_client = english_client(auditor)
    page = auditor_client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert auditor_client.get(url(model, "add")).status_code == 403
