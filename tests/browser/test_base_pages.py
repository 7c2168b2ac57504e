"""The home and login pages in headless Chromium: axe-core clean, keyboard usable, both languages."""

import pytest

from tests.browser.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/accounts/login/"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("display", ["standard", "large"])
def test_page_has_no_wcag_violations(open_page, path, language, display):
    page = open_page(path, language=language, display=display)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1
    assert_no_axe_violations(page)
    assert page.requests_elsewhere == []


def test_page_fits_a_phone_screen(open_page):
    page = open_page("/", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_no_axe_violations(page)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(open_page):
    page = open_page("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_language_switch_persists_across_pages(open_page, live_server):
    page = open_page("/")
    assert page.locator("h1").inner_text() == "为本区残疾居民提供的服务"
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(live_server.url + "/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"


def test_large_text_switch_works_by_keyboard_and_persists(open_page, live_server):
    page = open_page("/", language="en")
    standard_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    button = page.get_by_role("button", name="Large text and high contrast: off")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "display-large" in page.locator("html").get_attribute("class")
    large_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large_size >= standard_size * 1.2
    page.goto(live_server.url + "/accounts/login/")
    assert "display-large" in page.locator("html").get_attribute("class")
    assert page.get_by_role("button", name="Large text and high contrast: on").get_attribute("aria-pressed") == "true"


def test_staff_can_log_in_with_the_keyboard_alone(open_page, live_server, django_user_model):
    django_user_model.objects.create_user("kb-user", password="a-long-test-password", is_staff=True)
    page = open_page("/accounts/login/", language="en")
    page.get_by_label("Username").focus()
    page.keyboard.type("kb-user")
    page.keyboard.press("Tab")
    page.keyboard.type("a-long-test-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/"
    assert page.get_by_role("button", name="Log out").is_visible()


def test_wrong_password_shows_an_error_in_the_readers_language(open_page):
    page = open_page("/accounts/login/")
    page.get_by_label("用户名").fill("nobody")
    page.get_by_label("密码").fill("wrong-password")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").last.click()
    assert "请输入一个正确的" in page.locator("#error-summary").inner_text()
    assert_no_axe_violations(page)
