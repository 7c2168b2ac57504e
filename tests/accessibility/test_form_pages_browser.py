"""The admin's own form pages of a case (admin/portal_form_page.html): sent with a mistake, each says so in an
alert and stays axe-clean, in Chromium, in both languages: the photo page, a step's page, the correction page."""

import pytest
from django.urls import reverse

from accessibility.models import Retrofit
from tests.browser.conftest import assert_no_axe_violations
from tests.services.factories import PersonFactory

from .factories import make_retrofit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sent_with_a_mistake(page) -> None:
    """Submit the page's form as it stands; it comes back with its errors in alerts."""
    with page.expect_navigation():
        page.locator("#content-main form input.default[type=submit]").click()
    assert page.locator(".errornote[role=alert]").count() == 1
    assert page.locator(".form-row.errors [role=alert]").count() >= 1
    assert page.locator("a.closelink").count() == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_case_form_pages_show_their_errors_accessibly(logged_in, staff_user, language):
    case = make_retrofit(Retrofit.Status.ACCEPTED, person=PersonFactory(name="赵敏"))

    # The photo page, sent without a photo.
    page = logged_in(
        staff_user,
        reverse("admin:accessibility_retrofit_photo_add", args=[case.pk]),
        language=language,
        width=1280,
    )
    assert page.locator("form[enctype='multipart/form-data']").count() == 1
    _sent_with_a_mistake(page)
    assert_no_axe_violations(page)

    # A step's page, sent with its date cleared.
    site = page.url.split("/admin/")[0]
    page.goto(site + reverse("admin:accessibility_retrofit_advance", args=[case.pk, "followed_up"]))
    page.locator("#id_on").fill("")
    _sent_with_a_mistake(page)
    assert_no_axe_violations(page)

    # The correction page, reached from the list like any admin action, sent with a type but no reason.
    page.goto(site + reverse("admin:accessibility_retrofit_changelist") + "?inbox=accepted")
    page.locator(f"input.action-select[value='{case.pk}']").check()
    page.locator("select[name=action]").select_option("correct_type")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    assert page.locator("textarea[name=reason]").count() == 1
    _sent_with_a_mistake(page)
    assert_no_axe_violations(page)
