"""The escort booking on a phone (375 px): a day first, then a hospital and time; no flat list of every session."""

import pytest
from django.urls import reverse

from services.models import EscortBooking, Hospital
from tests.browser.conftest import assert_no_axe_violations
from tests.services.factories import eligible_person, make_slot

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
    day = page.get_by_label("就诊日期")
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
