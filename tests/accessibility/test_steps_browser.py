"""A home retrofit's next steps on its admin page, in Chromium: apart from the history link, axe-clean, by keyboard."""

import pytest
from django.urls import reverse

from accessibility.models import Retrofit
from tests.browser.conftest import WCAG_TAGS, assert_no_axe_violations, press_enter, tab_to
from tests.services.factories import PersonFactory

from .factories import make_retrofit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_no_axe_violations_in(page, selectors: list[str]) -> None:
    """axe-core on these parts of the page only. The rest of the case page is Django's tabular inlines, whose
    item and quantity cells have no label of their own (axe: label, aria-input-field-name), as before #20."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}}
    results = Axe().run(page, context={"include": [[s] for s in selectors]}, options=options)
    assert results.violations_count == 0, results.generate_report()


STYLE = "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.textTransform, s.borderRadius]; }"


@pytest.mark.parametrize(
    ("language", "history", "step"), [("en", "History", "Next step: Reject"), ("zh-hans", "历史", "下一步：不予受理")]
)
def test_steps_look_and_read_unlike_the_history_link_and_say_what_they_need(
    logged_in, staff_user, language, history, step
):
    case = make_retrofit(Retrofit.Status.ASSESSED, person=PersonFactory(name="王秀英"))
    page = logged_in(
        staff_user, reverse("admin:accessibility_retrofit_change", args=[case.pk]), language=language, width=1280
    )

    history_link = page.get_by_role("link", name=history, exact=True)
    step_link = page.get_by_role("link", name=step, exact=True)
    assert history_link.count() == step_link.count() == 1
    assert history_link.evaluate(STYLE) != step_link.evaluate(STYLE)
    # The approval cannot be taken yet: it is no link, and says what is missing.
    assert page.locator('a[href$="/advance/approved/"]').count() == 0
    assert page.locator("#step-approved-needs .need-missing").count() >= 1
    assert_no_axe_violations_in(page, [".object-tools", ".retrofit-steps"])


def test_a_step_is_reached_and_opened_by_keyboard_and_its_page_says_what_it_needs(logged_in, staff_user):
    case = make_retrofit(Retrofit.Status.ASSESSED, person=PersonFactory(name="李建国"))
    page = logged_in(
        staff_user, reverse("admin:accessibility_retrofit_change", args=[case.pk]), language="en", width=1280
    )

    page.get_by_role("link", name="History", exact=True).focus()
    tab_to(page, "e.textContent === 'Next step: Reject'", limit=10)
    press_enter(page)
    assert page.url.endswith(f"/{case.pk}/advance/rejected/")

    page.goto(page.url.replace("/rejected/", "/approved/"))
    assert "Missing: Choose the items of the works before approval." in page.content()
    assert_no_axe_violations(page)
