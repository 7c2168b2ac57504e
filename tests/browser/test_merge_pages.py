"""Merging duplicates from the admin's duplicates page in headless Chromium, with the keyboard alone."""

import pytest

from services.models import Person
from tests.browser.conftest import press_enter, tab_to
from tests.services.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_merge_two_duplicates_with_the_keyboard_alone(logged_in, staff_user, street):
    kept = PersonFactory(street=street, name="王小明")
    other = PersonFactory(street=street, name="王小明")
    page = logged_in(staff_user, "/admin/services/person/duplicates/", language="en", width=1280)
    # The first record is chosen to keep and the second to merge; the button is reached by Tab.
    page.get_by_role("radio").first.focus()
    tab_to(page, "e.textContent === 'Merge…'", limit=10)
    press_enter(page)
    assert "/admin/services/person/merge/" in page.url
    assert page.get_by_role("cell", name=kept.masked_id_number).count() >= 1
    page.get_by_label("Reason").focus()
    page.keyboard.press("End")
    page.keyboard.type("; one person, ID mistyped")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "Merge these records"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/admin/services/person/{kept.pk}/record/")
    assert Person.objects.get(pk=other.pk).merged_into_id == kept.pk
