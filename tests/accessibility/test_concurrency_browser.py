"""A committee member withdrawing from a stale page, in Chromium at phone width: told why, axe-clean."""

import pytest
from django.urls import reverse

from accessibility.actions import retrofit_edit
from accessibility.models import Retrofit
from tests.browser.conftest import assert_no_axe_violations
from tests.conftest import make_user
from tests.services.factories import PersonFactory

from .factories import make_retrofit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "staff_wang"), ("en", "while you were editing it")])
def test_a_stale_withdrawal_is_explained_on_an_accessible_page(logged_in, member, language, expected):
    case = make_retrofit(Retrofit.Status.APPLIED, person=PersonFactory(name="王秀英"))
    page = logged_in(member, reverse("field_retrofits:withdraw", args=[case.pk]), language=language)
    retrofit_edit(
        retrofit=case,
        by=make_user("staff_wang", "federation_staff", is_staff=True),
        type=case.type,
        contractor="宜居装饰",
        application_note="",
    )
    page.locator("textarea").fill("住户不需要了")
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").last.click()

    assert expected in page.content()
    assert page.locator("textarea").input_value() == "住户不需要了"
    assert_no_axe_violations(page)
    case.refresh_from_db()
    assert case.status == Retrofit.Status.APPLIED
