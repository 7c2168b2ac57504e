"""The public directory of accessible places in headless Chromium: axe-clean at 375 and 1280 px in both languages and
both display modes, headings in order, the result count in a live region, filtered by keyboard alone without losing
text at 200%, and a refused filter's error summary."""

import datetime
import itertools

import pytest
from django.urls import reverse

from tests.accessibility.factories import RampRetrofitFactory, SignLanguagePointFactory
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_public_events import assert_loses_nothing_at_200_percent, fits
from tests.services.rehab_factories import RehabCentreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = "[...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => Number(h.tagName[1]))"


@pytest.fixture
def places(street, other_street):
    SignLanguagePointFactory(
        street=street,
        venue="江宁路社区事务受理服务中心",
        address="静安区江宁路100号",
        opening_hours="周一至周五 9:00–17:00",
        opening_hours_en="Mon–Fri 9:00–17:00",
        access_notes="正门无台阶",
        access_notes_en="Step-free main entrance",
    )
    SignLanguagePointFactory(
        street=other_street, venue="大宁路社区事务受理服务中心", in_service_from=datetime.date(2023, 3, 1)
    )
    RehabCentreFactory(street=street, name="江宁路街道社区卫生服务中心", lift=True, offers_speech_therapy=True)
    for n in range(27):  # more than a page: the pagination is checked too
        RampRetrofitFactory(street=other_street, compound=f"大宁路{100 + n}弄", public=True, opening_hours="全天开放")


def assert_headings_in_order(page) -> None:
    levels = page.evaluate(HEADINGS)
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("display", ["standard", "large"])
def test_the_directory_passes_axe_at_both_widths_in_both_languages_and_modes(open_page, places, language, display):
    for width in (1280, 375):
        page = open_page(reverse("places:list"), language=language, display=display, width=width)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").count() == 1
        assert_headings_in_order(page)
        assert page.locator(".place-list > li").count() == 25
        status = page.locator("[role=status]#result-count").inner_text()
        assert ("30 places found." if language == "en" else "找到 30 个场所。") in status
        assert ("Mon–Fri 9:00–17:00" in page.content()) == (language == "en")
        assert fits(page), (width, display)
        assert page.requests_elsewhere == []
        assert_no_axe_violations(page)
        page.context.close()


def test_filtering_by_keyboard_alone_announces_the_count(open_page, places, other_street):
    page = open_page(reverse("places:list"), language="en", width=375)
    page.locator("#id_street").focus()
    page.keyboard.press("ArrowDown")  # All streets -> the first street: 江宁路
    assert page.locator("#id_street").input_value() == "310106006"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_kind"
    page.locator("#id_kind").select_option("sign_language_point")
    page.locator("#id_kind").focus()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the "Show places" button
    assert "street=310106006" in page.url
    assert "kind=sign_language_point" in page.url
    assert page.locator("[role=status]").inner_text().startswith("1 place found.")
    assert page.locator(".place-list > li h3").all_inner_texts() == ["江宁路社区事务受理服务中心"]
    assert page.title().startswith("Accessible places: Sign-language video point")
    assert_no_axe_violations(page)


def test_the_directory_loses_nothing_with_text_at_200_percent(open_page, places):
    page = open_page(reverse("places:list"), width=1280)
    assert_loses_nothing_at_200_percent(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_refused_filter_shows_an_accessible_error_summary_that_takes_focus(open_page, live_server, places, language):
    page = open_page(reverse("places:list"), language=language, width=375)
    response = page.goto(live_server.url + reverse("places:list") + "?street=nowhere")  # a hand-edited address
    assert response is not None
    assert response.status == 400
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    assert page.locator(".place-list").count() == 0
    assert page.locator("#id_street").get_attribute("aria-invalid") == "true"
    assert_headings_in_order(page)
    assert_no_axe_violations(page)
    page.locator("#error-summary a[href='#id_street']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_street"


def test_the_next_page_link_is_reached_by_keyboard_and_keeps_the_filter(open_page, places):
    page = open_page(reverse("places:list") + "?kind=ramp", language="en", width=1280)
    link = page.get_by_role("link", name="Next page")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("?kind=ramp&page=2")
    assert page.locator(".place-list > li").count() == 2
    assert "Showing 26 to 27." in page.locator("[role=status]").inner_text()
    assert_no_axe_violations(page)
