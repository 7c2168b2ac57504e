"""Escort pages on a phone in Chromium: a member books an escort, a volunteer records it; axe clean."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from services.escorts import actions as escorts
from services.models import EscortBooking, EscortService, EscortSlot
from tests.browser.conftest import assert_no_axe_violations
from tests.services.factories import eligible_person, make_slot, make_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_books_an_escort_by_keyboard_and_the_page_is_axe_clean(logged_in, member, street):
    person = eligible_person(street, name="赵聋人")
    make_slot(days_ahead=2)
    page = logged_in(member, reverse("field:escort", args=[person.pk]))
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name="查看当天的门诊").click()
    page.get_by_label("华东医院", exact=False).first.check()
    page.get_by_label("手语翻译").check()
    page.get_by_label("科室").fill("耳鼻喉科")
    page.get_by_label("科室").press("Enter")
    page.wait_for_url("**/field/persons/*/")
    booking = EscortBooking.objects.get()
    assert (booking.person, booking.department) == (person, "耳鼻喉科")
    assert "已预约陪诊" in page.content()


@pytest.mark.parametrize("display", ["standard", "large"])
def test_the_volunteer_page_lists_assignments_and_records_an_escort(logged_in, staff_user, street, display):
    volunteer = make_volunteer("vol", signs=True)
    booking = escorts.escort_booking_create(
        person=eligible_person(street, name="钱病人"),
        slot=make_slot(days_ahead=1),
        need="deaf",
        services=EscortService.objects.filter(code="sign_language"),
        by=staff_user,
    )
    escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=staff_user)
    EscortSlot.objects.filter(pk=booking.slot_id).update(starts_at=timezone.now() - datetime.timedelta(minutes=30))
    page = logged_in(volunteer.user, reverse("volunteer:home"), display=display)
    assert "钱病人" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)
    page.get_by_label("服务分钟数").fill("95")
    with page.expect_navigation():
        page.get_by_role("button", name="已完成陪诊").click()
    booking.refresh_from_db()
    assert (booking.status, booking.minutes) == ("completed", 95)
    assert_no_axe_violations(page)
