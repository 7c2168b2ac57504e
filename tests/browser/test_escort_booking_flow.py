"""The escort booking on a phone (375 px): a day first, then a hospital and time; no flat list of every session."""

import pytest
from django.urls import reverse

from services.models import EscortBooking, FollowUp, Hospital
from tests.browser.conftest import assert_no_axe_violations
from tests.services.factories import PersonFactory, eligible_person, file_visit, make_slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def thirty_sessions() -> None:
    """Ten days of sessions at the three clinics: the 30 radio buttons of the issue."""
    for day in range(1, 11):
        for hospital in Hospital.objects.filter(active=True)[:3]:
            make_slot(days_ahead=day, hospital=hospital.name_zh, hour=8)


def page_height(page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def test_a_member_picks_a_day_then_a_hospital_and_time_on_a_short_page(logged_in, member, street):
    person = eligible_person(street, name="孙聋人")
    thirty_sessions()
    page = logged_in(member, reverse("field:escort", args=[person.pk]), width=375)
    print("escort page height at 375 px, first view:", page_height(page))
    assert_no_axe_violations(page)
    day = page.get_by_label("就诊日期", exact=True)
    day.select_option(index=2)
    with page.expect_navigation():
        page.get_by_role("button", name="查看当天的门诊").click()
    height = page_height(page)
    print("escort page height at 375 px, a day chosen:", height)
    assert page.locator("input[name=slot]").count() <= 3
    assert height < 1600
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)
    page.locator("input[name=slot]").first.check()
    page.get_by_label("挂号").check()
    with page.expect_navigation():
        page.get_by_role("button", name="预约陪诊").click()
    booking = EscortBooking.objects.get()
    assert booking.person == person


def test_an_ineligible_escort_need_is_closed_with_its_reason_by_keyboard(logged_in, member, street):
    """The issue's case: a physically disabled person's escort need offers no booking, but closing it with why."""
    person = PersonFactory(street=street, name="周肢残", category=4, grade=2)
    need = file_visit(person, by=member, needs=["escort"]).follow_ups.get()
    thirty_sessions()
    page = logged_in(member, reverse("field:person", args=[person.pk]), width=375)
    assert page.get_by_role("link", name="现在预约").count() == 0
    page.get_by_role("link", name="注明原因办结").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "助聋助盲门诊服务" in page.locator("#not-eligible").inner_text()
    assert_no_axe_violations(page)
    page.get_by_label("您向当事人说明的情况或改为办理的事项（选填）").fill("已告知可申请家庭无障碍改造。")
    page.get_by_role("button", name="办结此事项").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    need.refresh_from_db()
    assert need.status == FollowUp.Status.CLOSED
    assert need.outcome.startswith("不符合条件：助聋助盲门诊服务")
