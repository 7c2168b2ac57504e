"""An online application in headless Chromium, from the public form to approval, in both languages: the form
filled in and sent by keyboard alone, the code read from the messages sent, the status page; the committee
member takes it and plans the visit in the field app, staff approve it in the admin, and the applicant's page
and messages say so. Each public step is axe-clean at 1280 and 375 px, keeps everything with text at 200%, and
has one heading, labelled inputs and a live region announcing the result."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from services.models import Application
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_public_events import CLIPPED, fits, tab_to
from tests.services.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {
        "heading": "在线申请服务",
        "id_label": "需要服务的人的身份证号",
        "cert_label": "残疾人证号",
        "code_heading": "填写验证码",
        "code_label": "短信中的 6 位验证码",
        "status_heading": "您的申请",
        "received": "您的申请已收到",
        "take": "由我负责这件申请",
        "visit_label": "走访日期",
        "set_visit": "确定走访日期",
        "federation": "静安区残联",
        "error": "请填写需要服务的人的身份证号。",
    },
    "en": {
        "heading": "Apply for a service online",
        "id_label": "ID number of the person who needs the service",
        "cert_label": "Disability certificate number",
        "code_heading": "Enter your code",
        "code_label": "The 6-digit code from the message",
        "status_heading": "Your application",
        "received": "Your application is received",
        "take": "Take this application",
        "visit_label": "Visit on",
        "set_visit": "Set the visit day",
        "federation": "Jing'an Disabled Persons' Federation",
        "error": "Enter the ID number of the person who needs the service.",
    },
}


def check_step(page, heading: str, *, live: bool = True) -> None:
    """One heading, no input without a label, a live region (where a result is announced); axe-clean at 1280
    and 375 px; nothing lost with text at 200%."""
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text().strip() == heading
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]
        .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)"""
    )
    assert unlabelled == []
    assert page.locator("main [role=status]").count() >= (1 if live else 0)
    assert getattr(page, "requests_elsewhere", []) == []
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 812})
    assert fits(page)
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    text = page.evaluate("document.body.innerText.length")
    page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
    assert fits(page)
    assert page.evaluate(CLIPPED) == []
    assert page.evaluate("document.body.innerText.length") == text
    page.evaluate("document.documentElement.style.removeProperty('font-size')")


def keyboard_type(page, element_id: str, text: str) -> None:
    tab_to(page, f"e.id === '{element_id}'")
    page.keyboard.type(text)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_application_goes_from_the_public_form_to_approval(
    open_page, logged_in, browser, live_server, sent_messages, street, member, staff_user, language
):
    cache.clear()
    words = TEXT[language]
    person = PersonFactory(street=street, category=2, grade=1, name="孙申请")

    # The form, in the large-text display mode too.
    large = open_page("/apply/", language=language, display="large")
    check_step(large, words["heading"], live=False)
    large.context.close()
    page = open_page("/apply/", language=language)
    check_step(page, words["heading"], live=False)
    assert page.locator("details.easy-read summary").count() == 1
    assert page.locator(".sign-video video").count() == 0  # no video configured: the text, not a broken player
    assert page.locator(".sign-video p").inner_text()
    assert page.get_by_label(words["id_label"]).count() == 1
    assert page.get_by_label(words["cert_label"]).count() == 1

    # Keyboard only: home rehabilitation (the third service), sent first without the numbers.
    tab_to(page, "e.id === 'id_service_0'")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, "e.tagName === 'BUTTON' && e.type === 'submit' && e.form && e.form.classList.contains('apply-form')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    assert words["error"] in summary.inner_text()
    assert page.locator("#id_service_2").is_checked()
    assert_no_axe_violations(page)
    keyboard_type(page, "id_id_number", person.id_number)
    keyboard_type(page, "id_certificate_number", person.certificate_number)
    tab_to(page, "e.tagName === 'BUTTON' && e.type === 'submit' && e.form && e.form.classList.contains('apply-form')")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The code page: the code from the message sent to the phone on file.
    assert page.url.endswith("/apply/code/")
    check_step(page, words["code_heading"])
    to, message = sent_messages[-1]
    assert to == person.phone
    code = re.search(r"\d{6}", message).group()
    assert page.get_by_label(words["code_label"]).count() == 1
    keyboard_type(page, "id_code", code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/apply/status/[\w-]{40,}/$"))

    # The status page announces the result in its live region.
    status_path = page.url.removeprefix(live_server.url)
    assert words["received"] in page.locator(".apply-outcome[role=status]").inner_text()
    check_step(page, words["status_heading"])
    assert person.id_number not in page.content()
    application = Application.objects.get()
    assert application.follow_up.street == street

    # The committee member's queue: take it, plan the visit.
    field = logged_in(member, "/field/applications/", language=language)
    assert_no_axe_violations(field)
    with field.expect_navigation():
        field.get_by_role("link", name=re.compile(person.name)).click()
    with field.expect_navigation():
        field.get_by_role("button", name=words["take"]).click()
    visit_on = timezone.localdate() + datetime.timedelta(days=3)
    field.get_by_label(words["visit_label"]).fill(visit_on.isoformat())
    with field.expect_navigation():
        field.get_by_role("button", name=words["set_visit"]).click()
    assert_no_axe_violations(field)
    application.refresh_from_db()
    assert application.status == Application.Status.VISIT_SCHEDULED
    assert application.assigned_to == member

    # Staff approve it with the admin action.
    admin = logged_in(staff_user, "/admin/services/application/", language=language, width=1280)
    admin.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    admin.locator("select[name=action]").select_option("approve")
    with admin.expect_navigation():
        admin.locator("button[name=index]").click()
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED

    # The applicant's page and messages say so.
    status = open_page(status_path, language=language)
    with translation.override(language):
        approved = str(Application.Status.APPROVED.label)
    assert status.locator(".application-status").inner_text().strip() == approved
    assert status.locator(".application-steps li").count() == 4
    check_step(status, words["status_heading"])
    texts = [m for to, m in sent_messages if to == person.phone]
    assert len(texts) == 5  # the code, received (with the link), assigned, visit scheduled, approved
    assert all(words["federation"] in m for m in texts)
    assert status_path in texts[1]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_wrong_link_and_too_many_tries_pages_are_clear_and_wcag_clean(browser, live_server, settings, language):
    cache.clear()
    settings.APPLICATION_STARTS_PER_ADDRESS = 0
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    response = page.goto(live_server.url + "/apply/status/" + "x" * 43 + "/")
    assert response.status == 404
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
    page.goto(live_server.url + "/apply/")
    with page.expect_navigation() as navigation:
        page.locator("form.apply-form button[type=submit]").click()
    assert navigation.value.status == 429
    assert page.locator("h1").inner_text().strip() == {"zh-hans": "尝试次数过多", "en": "Too many tries"}[language]
    assert page.locator("[role=alert]").count() == 1
    assert_no_axe_violations(page)
    context.close()
