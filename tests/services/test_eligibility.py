"""#20 "No offer that is then refused": each service's rule is shown before anything is offered, on the real pages.

The field app's visit form, person page and follow-up page show the person's age, category and grade and, per
service, whether its rule lets them have it; an ineligible need is offered closing with the reason instead of a
booking; the escort booking takes a day first, then a hospital and time; the admin's person choices say the same.
"""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import AuditEntry, EscortBooking, EscortService, FollowUp, Person
from tests.services.factories import PersonFactory, eligible_person, file_visit, make_slot, person_aged

pytestmark = pytest.mark.django_db


@pytest.fixture
def physical(street) -> Person:
    """The issue's person: physically disabled, 45, so escort clinics say no and training and jobs say yes."""
    return person_aged(street, 45, category=Person.Category.PHYSICAL, grade=2, name="钱师傅")


def test_the_visit_form_shows_each_services_eligibility_before_a_need_is_chosen(member_client, physical):
    page = member_client.get(reverse("field:visit", args=[physical.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "此人可享受的服务" in html
    assert "45岁；肢体，" in html  # age, category and grade
    assert "陪同就医：不符合条件。" in html
    assert "The escort clinics serve" not in html  # the reason is translated, not English
    assert "助聋助盲门诊服务听力、言语残疾人" in html  # ... and says why
    assert "技能培训：符合条件" in html
    assert "就业：符合条件" in html
    assert "家庭无障碍改造：符合条件" in html
    assert "陪同就医（不符合条件）" in html  # the need's checkbox says so too


def test_an_ineligible_escort_need_offers_closing_with_the_reason_not_a_booking(member_client, member, physical):
    need = file_visit(physical, by=member, needs=["escort", "training"]).follow_ups.get(need="escort")
    person_page = member_client.get(reverse("field:person", args=[physical.pk])).content.decode()
    assert "现在预约" not in person_page
    assert reverse("field:escort", args=[physical.pk]) not in person_page  # no booking offered at all
    follow_up_url = reverse("field:follow_up", args=[need.pk])
    assert follow_up_url in person_page
    assert "注明原因办结" in person_page

    page = member_client.get(follow_up_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "不符合该项服务的条件" in html
    assert "技能培训：符合条件" in html  # what they may have instead
    assert html.count("助聋助盲门诊服务") == 1
    assert 'name="slot"' not in html

    done = member_client.post(follow_up_url, {"note": "已告知可参加技能培训。"})
    assert done.status_code == 302
    need.refresh_from_db()
    assert need.status == FollowUp.Status.CLOSED
    assert need.outcome.startswith("不符合条件：")
    assert need.outcome.endswith("已告知可参加技能培训。")
    assert need.closed_by == member
    assert AuditEntry.objects.filter(code="services.follow_up.closed", object_id=str(need.pk)).exists()


def test_an_eligible_need_is_not_closed_as_ineligible(member_client, member, street):
    person = eligible_person(street)
    need = file_visit(person, by=member, needs=["escort"]).follow_ups.get()
    page = member_client.get(reverse("field:follow_up", args=[need.pk]))
    assert "现在预约" in page.content.decode()
    refused = member_client.post(reverse("field:follow_up", args=[need.pk]), {"note": ""})
    assert refused.status_code == 400
    assert "此人符合该项服务的条件" in refused.content.decode()
    need.refresh_from_db()
    assert need.status == FollowUp.Status.OPEN


def test_another_streets_follow_up_is_404_and_stays_open(member_client, other_member, other_street):
    person = person_aged(other_street, 45, category=Person.Category.PHYSICAL, grade=2, name="钱师傅")
    need = file_visit(person, by=other_member, needs=["escort"]).follow_ups.get()
    assert member_client.get(reverse("field:follow_up", args=[need.pk])).status_code == 404
    assert member_client.post(reverse("field:follow_up", args=[need.pk])).status_code == 404
    need.refresh_from_db()
    assert need.status == FollowUp.Status.OPEN


def test_the_escort_page_of_an_ineligible_person_offers_no_session_and_says_why_once(member_client, member, physical):
    slot = make_slot()
    need = file_visit(physical, by=member, needs=["escort"]).follow_ups.get()
    url = reverse("field:escort", args=[physical.pk])
    page = member_client.get(url, {"follow_up": need.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="slot"' not in html
    assert "不符合陪诊门诊的服务条件" in html
    assert reverse("field:follow_up", args=[need.pk]) in html
    services = EscortService.objects.filter(code="registration")
    data = {"day": slot.starts_at.date().isoformat(), "slot": slot.pk, "need": "other", "services": services[0].pk}
    refused = member_client.post(url, data)
    assert refused.status_code == 400
    assert not EscortBooking.objects.exists()
    assert refused.content.decode().count("助聋助盲门诊服务") == 1  # said once


def test_a_refusal_on_the_escort_form_is_shown_once(member_client, street, staff_user):
    """A rule broken on submit (here: an escort already booked at that time) is said once, in the summary."""
    from services.escorts import actions as escorts

    person = eligible_person(street)
    slot = make_slot(days_ahead=3)
    other = make_slot(days_ahead=3, hospital="市北医院")
    escorts.escort_booking_create(
        person=person, slot=other, need="deaf", services=EscortService.objects.all()[:1], by=staff_user
    )
    day = timezone.localtime(slot.starts_at).date().isoformat()
    data = {"day": day, "slot": slot.pk, "need": "deaf", "services": EscortService.objects.first().pk}
    refused = member_client.post(reverse("field:escort", args=[person.pk]), data)
    assert refused.status_code == 400
    assert refused.content.decode().count("此人在相同时间已有陪诊预约。") == 1  # not in the summary and the form


def test_the_escort_booking_takes_a_day_then_that_days_sessions(member_client, street):
    person = eligible_person(street)
    first = make_slot(days_ahead=2)
    same_day = make_slot(days_ahead=2, hospital="市北医院", hour=13)
    later = make_slot(days_ahead=5)
    url = reverse("field:escort", args=[person.pk])

    start = member_client.get(url)
    assert start.status_code == 200
    assert 'name="slot"' not in start.content.decode()  # no flat list of every session
    days = [value for value, _label in start.context["day_form"].fields["day"].choices]
    first_day = timezone.localtime(first.starts_at).date()
    assert days == [first_day.isoformat(), timezone.localtime(later.starts_at).date().isoformat()]

    chosen = member_client.get(url, {"day": first_day.isoformat()})
    offered = set(chosen.context["form"].fields["slot"].queryset.values_list("pk", flat=True))
    assert offered == {first.pk, same_day.pk}

    service = EscortService.objects.get(code="registration").pk
    wrong_day = member_client.post(
        url, {"day": first_day.isoformat(), "slot": later.pk, "need": "deaf", "services": service}
    )
    assert wrong_day.status_code == 400
    no_day = member_client.post(url, {"slot": first.pk, "need": "deaf", "services": service})
    assert no_day.status_code == 400
    assert not EscortBooking.objects.exists()
    booked = member_client.post(
        url, {"day": first_day.isoformat(), "slot": same_day.pk, "need": "deaf", "services": service}
    )
    assert booked.status_code == 302
    assert EscortBooking.objects.get().slot == same_day


@pytest.mark.parametrize(
    ("app_label", "model_name", "verdict"),
    [
        ("services", "escortbooking", "不符合陪同就医条件"),
        ("accessibility", "retrofit", None),
        ("employment", "placement", "符合就业条件"),
    ],
)
def test_the_admin_person_choices_show_age_category_grade_and_the_rule(
    client, staff_user, physical, app_label, model_name, verdict, django_assert_max_num_queries
):
    client.force_login(staff_user)
    params = {"app_label": app_label, "model_name": model_name, "field_name": "person", "term": "钱"}
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    (result,) = json.loads(response.content)["results"]
    assert result["text"].startswith(f"钱师傅 ({physical.masked_id_number}) · 45岁 · 肢体，")
    assert physical.id_number not in response.content.decode()
    if verdict:
        assert result["text"].endswith(verdict)


def test_the_admin_person_choices_cost_the_same_for_1_and_20_persons(client, staff_user, street):
    client.force_login(staff_user)
    params = {"app_label": "services", "model_name": "escortbooking", "field_name": "person", "term": "同名"}
    PersonFactory(street=street, name="同名人")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("admin:autocomplete"), params)
    for _n in range(19):
        PersonFactory(street=street, name="同名人")
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(reverse("admin:autocomplete"), params)
    assert len(json.loads(response.content)["results"]) == 20
    assert len(twenty) == len(one)


def test_the_person_page_asks_the_rules_once_whatever_the_number_of_open_needs(member_client, member, physical):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("field:person", args=[physical.pk])
    file_visit(physical, by=member, needs=["escort"])
    with CaptureQueriesContext(connection) as one:
        member_client.get(url)
    file_visit(physical, by=member, needs=["escort", "retrofit", "training", "job"])
    file_visit(physical, by=member, needs=["escort", "retrofit"])
    with CaptureQueriesContext(connection) as seven:
        page = member_client.get(url)
    assert page.content.decode().count("注明原因办结") == 3  # the three escort needs
    assert len(seven) == len(one)
