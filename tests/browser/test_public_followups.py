"""After registering, in headless Chromium and both languages: cancelling asks first and is done by keyboard
alone; the lost-link page takes a number by keyboard, shows our own error, and answers the same; axe-clean."""

import re

import pytest
from django.core.cache import cache

from events import actions
from events.models import Registration
from tests.browser.conftest import assert_no_axe_violations, press_enter, submit_by_keyboard, tab_to
from tests.events.factories import EventFactory, in_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "question": "Cancel your registration?",
        "cancelled": "Your registration is cancelled.",
        "asked": "Wheelchair space",
        "error": "Enter the phone number you registered with.",
        "sent": "Check your messages",
    },
    "zh-hans": {
        "question": "确定要取消报名吗？",
        "cancelled": "您的报名已取消。",
        "asked": "轮椅位",
        "error": "请填写报名时使用的电话号码。",
        "sent": "请查看短信",
    },
}


@pytest.fixture
def registered(db) -> dict:
    cache.clear()
    event = EventFactory(title="无障碍电影放映", capacity=10, starts_at=in_days(5), registration_deadline=in_days(4))
    registration, token = actions.registration_create(
        event=event, name="测试者", phone="13912345678", consent=True, needs_wheelchair_space=True
    )
    return {"registration": registration, "token": token}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cancelling_asks_for_confirmation_by_keyboard_and_every_step_is_axe_clean(open_page, registered, language):
    words = WORDS[language]
    page = open_page(f"/events/registrations/{registered['token']}/", language=language)
    assert words["asked"] in page.locator("#asked-heading + ul").inner_text()
    assert_no_axe_violations(page)
    tab_to(page, "e.type === 'submit' && e.closest('#main')")
    press_enter(page)
    assert page.locator("#cancel-heading").inner_text() == words["question"]
    assert page.title().startswith(words["question"])
    registration = Registration.objects.get(pk=registered["registration"].pk)
    assert registration.status == "confirmed"  # asking changed nothing
    assert_no_axe_violations(page)
    # "No" keeps the place; the question then goes away.
    tab_to(page, "e.tagName === 'A' && e.closest('.cancel-confirm')")
    press_enter(page)
    assert page.locator(".cancel-confirm").count() == 0
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    # Ask again, and confirm.
    tab_to(page, "e.type === 'submit' && e.closest('#main')")
    press_enter(page)
    tab_to(page, "e.type === 'submit' && e.closest('.cancel-confirm')")
    press_enter(page)
    assert words["cancelled"] in page.locator("[role=status]").inner_text()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_lost_link_page_works_by_keyboard_with_our_own_error_and_is_axe_clean(
    open_page, registered, language, sent_messages
):
    words = WORDS[language]
    page = open_page("/events/registrations/lost-link/", language=language)
    assert page.locator("h1").count() == 1
    assert page.requests_elsewhere == []
    assert_no_axe_violations(page)
    # Sent empty: our own translated message in the error summary (novalidate: no browser bubble).
    tab_to(page, "e.id === 'id_phone'")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert words["error"] in page.locator("#error-summary").inner_text()
    assert page.locator("#id_phone").get_attribute("aria-invalid") == "true"
    assert_no_axe_violations(page)
    tab_to(page, "e.id === 'id_phone'")
    page.keyboard.type("139 1234 5678")
    submit_by_keyboard(page)
    assert page.url.endswith("/events/registrations/lost-link/sent/")
    assert page.locator("h1").inner_text() == words["sent"]
    assert_no_axe_violations(page)
    assert [to for to, _message in sent_messages] == ["13912345678"]
    link = re.search(r"https?://\S+?/events/registrations/[\w-]+/", sent_messages[-1][1]).group(0)
    page.goto(link)
    assert page.locator("h1").count() == 1
    assert "13912345678" not in page.content()
