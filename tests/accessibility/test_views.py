"""Field pages: a member sees their streets' cases, applies from a home visit's need and withdraws applications."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accessibility.models import Retrofit, RetrofitStatusChange
from tests.services.factories import PersonFactory, file_visit

from .conftest import english_client
from .factories import make_retrofit

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accessibility.urls")]

Status = Retrofit.Status


@pytest.fixture
def member_client(client, member):
    return english_client(client, member)


def list_url() -> str:
    return reverse("field_retrofits:list")


def apply_url(person) -> str:
    return reverse("field_retrofits:apply", args=[person.pk])


def withdraw_url(retrofit) -> str:
    return reverse("field_retrofits:withdraw", args=[retrofit.pk])


def retrofit_need(person, member):
    visit = file_visit(person, by=member, needs=["retrofit"], purpose="needs_assessment")
    return visit.follow_ups.get()


def test_anonymous_is_sent_to_log_in(client):
    retrofit = make_retrofit()
    for url in (list_url(), apply_url(retrofit.person), withdraw_url(retrofit)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_staff_and_volunteers_do_not_use_the_field_pages(client, staff_user, volunteer):
    retrofit = make_retrofit()
    for user in (staff_user, volunteer):
        english_client(client, user)
        assert client.get(list_url()).status_code == 403
        assert client.post(apply_url(retrofit.person), {"type": "basic"}).status_code == 403
    assert Retrofit.objects.count() == 1


def test_a_member_sees_their_streets_cases_with_status_counts(member_client, other_street):
    mine = [make_retrofit(Status.APPLIED), make_retrofit(Status.IN_WORKS)]
    theirs = make_retrofit(Status.APPLIED, person=PersonFactory(street=other_street))
    html = member_client.get(list_url()).content.decode()
    assert all(case.person.name in html for case in mine)
    assert theirs.person.name not in html
    assert "All (2)" in html
    assert "Works in progress (1)" in html
    assert withdraw_url(mine[0]) in html
    assert withdraw_url(mine[1]) not in html
    only = member_client.get(list_url(), {"status": "in_works"}).content.decode()
    assert mine[1].person.name in only
    assert mine[0].person.name not in only


def test_the_list_runs_the_same_queries_for_more_cases(member_client, member):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(list_url()).status_code == 200
        return len(queries)

    make_retrofit(Status.APPLIED)
    retrofit_need(PersonFactory(), member)
    few = count()
    for status in (Status.ASSESSED, Status.APPROVED, Status.ACCEPTED, Status.REJECTED):
        make_retrofit(status)
    for _ in range(3):
        retrofit_need(PersonFactory(), member)
    assert count() == few


def test_a_need_from_a_home_visit_leads_to_an_application(member_client, member):
    person = PersonFactory()
    need = retrofit_need(person, member)
    html = member_client.get(list_url()).content.decode()
    link = f"{apply_url(person)}?follow_up={need.pk}"
    assert link in html
    assert member_client.get(link).status_code == 200
    response = member_client.post(link, {"type": "standard", "note": "卫生间没有扶手", "follow_up": need.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("field:person", args=[person.pk])
    retrofit = Retrofit.objects.get(person=person)
    assert (retrofit.status, retrofit.type, retrofit.from_follow_up, retrofit.application_note) == (
        Status.APPLIED,
        "standard",
        need,
        "卫生间没有扶手",
    )
    assert RetrofitStatusChange.objects.get(retrofit=retrofit).by == member
    assert link not in member_client.get(list_url()).content.decode()  # the need has its application


def test_a_second_application_is_refused_on_the_form(member_client):
    existing = make_retrofit(Status.APPROVED)
    response = member_client.post(apply_url(existing.person), {"type": "basic"})
    assert response.status_code == 400
    assert "already has an open home retrofit" in response.content.decode()
    assert Retrofit.objects.count() == 1


def test_a_form_without_a_type_is_refused(member_client):
    person = PersonFactory()
    assert member_client.post(apply_url(person), {"note": "x"}).status_code == 400
    assert not Retrofit.objects.exists()


def test_another_streets_person_case_or_need_is_not_found(member_client, other_member, other_street):
    person = PersonFactory(street=other_street)
    case = make_retrofit(Status.APPLIED, person=PersonFactory(street=other_street))
    assert member_client.get(apply_url(person)).status_code == 404
    assert member_client.post(apply_url(person), {"type": "basic"}).status_code == 404
    assert member_client.post(withdraw_url(case), {"note": "x"}).status_code == 404
    mine = PersonFactory()
    their_need = retrofit_need(person, other_member)
    member_client.post(f"{apply_url(mine)}?follow_up={their_need.pk}", {"type": "basic", "follow_up": their_need.pk})
    assert Retrofit.objects.get(person=mine).from_follow_up is None
    assert Retrofit.objects.get(pk=case.pk).status == Status.APPLIED


def test_a_member_withdraws_an_application_with_a_reason(member_client, member):
    case = make_retrofit(Status.APPLIED)
    assert member_client.post(withdraw_url(case), {"note": ""}).status_code == 400
    assert member_client.post(withdraw_url(case), {"note": "住户暂不需要"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closing_reason) == (Status.WITHDRAWN, "住户暂不需要")
    assert RetrofitStatusChange.objects.get(retrofit=case).by == member


def test_a_member_cannot_withdraw_an_assessed_case_even_by_a_crafted_post(member_client):
    case = make_retrofit(Status.ASSESSED)
    response = member_client.post(withdraw_url(case), {"note": "撤回"})
    assert response.status_code == 400
    assert "You are not allowed" in response.content.decode()
    assert Retrofit.objects.get(pk=case.pk).status == Status.ASSESSED


def steps(applied: datetime.date, accepted: datetime.date, **later: datetime.date) -> dict:
    """The dates of a case applied (assessed, approved, works started) on `applied` and accepted on `accepted`."""
    early = (Status.APPLIED, Status.ASSESSED, Status.APPROVED, Status.IN_WORKS)
    return {**dict.fromkeys(early, applied), Status.ACCEPTED: accepted, **later}


def test_the_list_shows_this_years_pace_and_checks_on_use_of_the_members_streets(member_client, other_street):
    """The median days to acceptance and the checks on use done (accessibility.stats) feed the members' list."""
    today = timezone.localdate()
    for days in (10, 30, 50):
        make_retrofit(Status.ACCEPTED, dates=steps(today - datetime.timedelta(days=days), today))
    long_ago = today - datetime.timedelta(days=400)
    make_retrofit(Status.FOLLOWED_UP, dates=steps(long_ago, long_ago, **{Status.FOLLOWED_UP: today}))
    other = PersonFactory(street=other_street)  # a slow case, but not in the member's streets
    make_retrofit(Status.ACCEPTED, person=other, dates=steps(today - datetime.timedelta(days=300), today))
    html = member_client.get(list_url()).content.decode()
    assert f"{today.year} in my streets" in html
    assert "Half the cases accepted this year took 30 days or less from application to acceptance." in html
    assert "Checks on use done this year: 1." in html
