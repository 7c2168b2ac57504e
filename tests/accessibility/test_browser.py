"""The field pages on home retrofits in headless Chromium at phone width: axe-clean, usable by keyboard."""

import pytest
from django.urls import reverse

from accessibility.models import Retrofit
from tests.browser.conftest import assert_no_axe_violations
from tests.services.factories import PersonFactory

from .factories import make_retrofit
from .test_views import retrofit_need

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.accessibility.urls"),
]


@pytest.fixture
def cases(member):
    make_retrofit(Retrofit.Status.APPLIED, person=PersonFactory(name="王秀英"))
    make_retrofit(Retrofit.Status.IN_WORKS, person=PersonFactory(name="李建国"))
    person = PersonFactory(name="刘阿姨", lives_alone=True)
    return person, retrofit_need(person, member)


@pytest.mark.parametrize(("language", "display"), [("zh-hans", "standard"), ("en", "large")])
def test_the_retrofit_pages_have_no_axe_violations(logged_in, member, cases, language, display):
    person, need = cases
    for path in (
        reverse("field_retrofits:list"),
        f"{reverse('field_retrofits:apply', args=[person.pk])}?follow_up={need.pk}",
    ):
        page = logged_in(member, path, language=language, display=display)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert_no_axe_violations(page)


def test_an_application_from_a_need_by_keyboard_alone(logged_in, member, cases):
    person, need = cases
    page = logged_in(member, reverse("field_retrofits:list"), language="en")
    page.get_by_role("link", name="Apply for 刘阿姨").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_label("Basic type").focus()
    page.keyboard.press("Space")
    page.get_by_label("What the household needs").fill("门槛太高，轮椅进不了卫生间。")
    page.get_by_role("button", name="Send the application").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("field:person", args=[person.pk]))
    retrofit = Retrofit.objects.get(person=person)
    assert (retrofit.type, retrofit.from_follow_up_id) == ("basic", need.pk)


def test_a_refused_application_shows_the_reason_in_the_error_summary(logged_in, member):
    existing = make_retrofit(Retrofit.Status.ASSESSED, person=PersonFactory(name="张伟"))
    page = logged_in(member, reverse("field_retrofits:apply", args=[existing.person.pk]), language="en")
    page.get_by_label("Standard type").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send the application").click()
    summary = page.locator("#error-summary")
    assert "already has an open home retrofit" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_no_axe_violations(page)
