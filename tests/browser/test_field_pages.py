"""The field app on a phone (375x812) in headless Chromium: the visit flow, by touch and by keyboard."""

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from services.models import FollowUp, HomeVisit
from tests.browser.conftest import assert_no_axe_violations
from tests.services.factories import PersonFactory, file_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def person(street, other_street):
    PersonFactory(street=other_street, name="外街道的人")
    PersonFactory.create_batch(3, street=street)
    return PersonFactory(street=street, name="王秀英", lives_alone=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_member_logs_in_finds_a_person_and_files_a_visit_with_two_needs(open_page, live_server, member, person):
    member.set_password("a-long-member-password")
    member.save()
    page = open_page("/accounts/login/?next=/field/", width=375)
    page.get_by_label("用户名").fill(member.username)
    page.get_by_label("密码").fill("a-long-member-password")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").last.click()
    assert page.url.endswith("/field/")
    assert "外街道的人" not in page.content()
    page.get_by_label("按姓名查找").fill("秀英")
    with page.expect_navigation():
        page.get_by_role("button", name="查找").click()
    with page.expect_navigation():
        page.get_by_role("link", name="王秀英").click()
    with page.expect_navigation():
        page.get_by_role("link", name="填写走访记录").click()
    assert no_horizontal_scroll(page)
    page.get_by_label("家庭无障碍改造").check()
    page.get_by_label("康复").check()
    page.get_by_label("走访情况").fill("卫生间需要扶手。")
    with page.expect_navigation():
        page.get_by_role("button", name="保存走访").click()
    assert "已保存走访记录，生成 2 项跟进。" in page.content()
    follow_ups = page.locator("#open-follow-ups + ul li")
    assert follow_ups.count() == 2
    assert HomeVisit.objects.get().person == person
    assert set(FollowUp.objects.values_list("need", flat=True)) == {"retrofit", "rehabilitation"}


def test_the_same_flow_with_the_keyboard_alone(logged_in, live_server, member, person):
    page = logged_in(member, "/field/")
    page.locator("body").focus()
    for _ in range(40):  # Tab to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    page.keyboard.type("秀英")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(60):  # Tab to the person's link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "王秀英":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if "/visit/" in (page.evaluate("document.activeElement.getAttribute('href')") or ""):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    checked = 0
    for _ in range(60):  # Tab through the form, ticking two needs with the space bar
        page.keyboard.press("Tab")
        value = page.evaluate("document.activeElement.value")
        if value in ("escort", "job"):
            page.keyboard.press("Space")
            checked += 1
        if page.evaluate("document.activeElement.type") == "submit" and checked == 2:
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert set(FollowUp.objects.values_list("need", flat=True)) == {"escort", "job"}


def test_errors_are_summarised_and_linked_to_their_fields(logged_in, member, person):
    page = logged_in(member, reverse("field:visit", args=[person.pk]), language="en")
    page.get_by_label("Could not be reached").check()
    page.get_by_label("Job (not eligible)", exact=True).check()  # born in 1960: past working age (#20)
    page.get_by_label("Date of visit").fill("2999-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Save visit").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "A visit cannot be in the future." in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_visited_on"
    assert_no_axe_violations(page)
    assert not HomeVisit.objects.exists()


def test_a_draft_survives_a_dropped_connection_and_files_once(logged_in, live_server, member, person):
    url = reverse("field:visit", args=[person.pk])
    # The page's own draft, as a browser without the field app's service worker keeps it (one that blocks
    # workers): with the worker in charge, a visit sent without a signal is kept by it instead, which
    # tests/browser/test_field_offline.py drives. Once the worker controlled the page, the aborted POST
    # below became a visit saved on the phone, depending on how fast it had installed.
    page = logged_in(member, url, service_workers="block")
    page.get_by_label("走访情况").fill("网络断了之前写的")
    page.get_by_label("就业").check()
    page.route("**/visit/", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    with pytest.raises(PlaywrightError), page.expect_navigation(timeout=3000):  # the request is aborted
        page.get_by_role("button", name="保存走访").click()
    page.unroute("**/visit/")
    page.goto(live_server.url + url)
    assert page.get_by_label("走访情况").input_value() == "网络断了之前写的"
    assert page.get_by_label("就业").is_checked()
    assert page.locator(".draft-notice").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="保存走访").click()
    assert HomeVisit.objects.count() == 1
    assert page.evaluate(f"localStorage.getItem('visit-draft-{person.pk}')") is None


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("display", ["standard", "large"])
def test_every_field_page_has_no_wcag_violations_on_a_phone(logged_in, member, person, language, display):
    # Born in 1960: eligible for the escort clinics (hearing), past working age: the training need is closed instead.
    training = file_visit(person, by=member, needs=["escort", "training"]).follow_ups.get(need="training")
    for path in [
        "/field/",
        "/field/?stale=1&order=stale",
        reverse("field:person", args=[person.pk]),
        reverse("field:visit", args=[person.pk]),
        reverse("field:follow_up", args=[training.pk]),
        reverse("field:escort", args=[person.pk]),
        reverse("field:quality"),
        reverse("field:quality_persons", args=["active", person.street.code]),
    ]:
        page = logged_in(member, path, language=language, display=display)
        assert no_horizontal_scroll(page), path
        assert_no_axe_violations(page)
