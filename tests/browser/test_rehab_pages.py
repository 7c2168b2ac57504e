"""Rehabilitation pages in headless Chromium: the rehabilitation homes in the public directory (1280 and 375 px,
both languages, both display modes, text at 200%) and the field referral from a visit's need (375 and 1280 px,
both display modes), axe-core clean."""

import datetime

import pytest
from django.urls import reverse

from accessibility.selectors import PlaceKind
from services.models import Person, RehabReferral
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_public_events import assert_loses_nothing_at_200_percent, fits
from tests.services.factories import PersonFactory, file_visit
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOMES = f"/places/?kind={PlaceKind.REHAB_HOME}"


@pytest.fixture
def homes(street, other_street):
    first = RehabCentreFactory(
        street=street,
        name="江宁路街道社区卫生服务中心",
        contact="康复科",
        lift=True,
        sign_language=True,
        offers_speech_therapy=True,
        services_note="脑卒中后居家康复指导",
        services_note_en="Home rehabilitation after a stroke",  # English mode shows it (issue #20)
        opening_hours_en="Mon–Fri 8:00–16:30",
    )
    RehabCentreFactory(street=other_street, name="大宁路街道社区卫生服务中心", accepted_on=datetime.date(2023, 10, 20))
    RehabCentreFactory(street=other_street, name="未认证中心", certification="applied", accepted_on=None)
    return first


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_page_passes_axe_at_desktop_and_phone_widths_and_in_large_mode(open_page, homes, language):
    for width in (1280, 375):
        for display in ("standard", "large"):
            page = open_page(HOMES, language=language, display=display, width=width)
            assert page.locator("h1").count() == 1
            assert page.locator(".place-list > li").count() == 2
            assert "未认证中心" not in page.content()
            english = "Home rehabilitation after a stroke" in page.content()
            assert english == (language == "en")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (width, display)
            assert page.requests_elsewhere == []
            assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_field_referral_passes_axe_on_a_phone_and_refers(logged_in, live_server, member, street, homes, language):
    person = PersonFactory(street=street, name="张建华", category=4)
    ContractFactory(person=person, centre=homes, doctor="李医生团队")
    need = file_visit(person, by=member, needs=["rehabilitation"]).follow_ups.get()
    page = logged_in(member, reverse("field:person", args=[person.pk]), language=language)
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('field:rehab_refer', args=[need.pk])}']").click()
    assert page.locator("select[name=centre]").input_value() == str(homes.pk)
    assert_no_axe_violations(page)
    page.locator("textarea[name=note]").fill("中风后行走训练")
    with page.expect_navigation():
        page.locator("form.visit-form button[type=submit]").click()
    assert page.url.endswith(reverse("field:person", args=[person.pk]))
    assert_no_axe_violations(page)
    referral = RehabReferral.objects.get()
    assert (referral.person, referral.centre, referral.note) == (person, homes, "中风后行走训练")


def test_a_refused_referral_shows_an_accessible_error_summary(logged_in, member, street, homes):
    person = PersonFactory(street=street)
    need = file_visit(person, by=member, needs=["rehabilitation"]).follow_ups.get()
    page = logged_in(member, reverse("field:rehab_refer", args=[need.pk]))
    # The person moves away while the member fills in the form: the referral is refused, with the reason.
    Person.objects.filter(pk=person.pk).update(status="moved_out", status_changed_on=datetime.date(2024, 1, 1))
    page.locator("textarea[name=note]").fill("行走训练")
    with page.expect_navigation():
        page.locator("form.visit-form button[type=submit]").click()
    assert page.locator("#error-summary").count() == 1
    assert_no_axe_violations(page)
    assert not RehabReferral.objects.exists()


def test_the_public_page_loses_nothing_with_text_at_200_percent(open_page, homes):
    page = open_page(HOMES, width=1280)
    assert_loses_nothing_at_200_percent(page)


@pytest.mark.parametrize("display", ["standard", "large"])
def test_the_field_referral_passes_axe_at_both_widths_and_in_large_mode(logged_in, member, street, homes, display):
    person = PersonFactory(street=street)
    need = file_visit(person, by=member, needs=["rehabilitation"]).follow_ups.get()
    for width in (375, 1280):
        page = logged_in(member, reverse("field:rehab_refer", args=[need.pk]), display=display, width=width)
        assert page.locator("h1").count() == 1
        assert fits(page), (width, display)
        assert_no_axe_violations(page)
