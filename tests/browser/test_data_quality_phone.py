"""The data-quality page reads on a phone (375 px): each street's figures one under the other, every number
whole on its line (not "21/5" for 215, nor "84 (3/9%/)" for "84 (39%)"), nothing off the screen's edge."""

import pytest
from django.urls import reverse

from tests.browser.conftest import assert_no_axe_violations
from tests.services.factories import PersonFactory, file_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every figure cell shown: its text on one line (one line box) and inside the viewport.
BROKEN_FIGURES = """() => {
    const out = [];
    for (const cell of document.querySelectorAll('main td, main dd')) {
        const box = cell.getBoundingClientRect();
        if (!box.width || !box.height || getComputedStyle(cell).visibility === 'hidden') continue;
        const range = document.createRange();
        range.selectNodeContents(cell);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) out.push(`${cell.textContent.trim()}: on ${lines.size} lines`);
        if (box.right > window.innerWidth || box.left < 0) out.push(`${cell.textContent.trim()}: off the screen`);
    }
    return out;
}"""


@pytest.fixture
def street_figures(street, member):
    persons = PersonFactory.create_batch(215, street=street)
    for person in persons[:84]:
        file_visit(person, by=member)


@pytest.mark.parametrize("display", ["standard", "large"])
def test_the_data_quality_figures_read_on_a_phone(logged_in, member, street_figures, display):
    page = logged_in(member, reverse("field:quality"), display=display, width=375)
    assert page.evaluate(BROKEN_FIGURES) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    visited = page.get_by_role("definition").filter(has_text="84 (39%)")
    assert visited.count() == 1
    assert visited.is_visible()
    assert_no_axe_violations(page)


def test_the_data_quality_table_stays_on_a_desktop(logged_in, member, street_figures):
    page = logged_in(member, reverse("field:quality"), width=1280)
    assert page.get_by_role("table").is_visible()
    # (the count is a link named for its list, so the cell's accessible name is longer than what it shows)
    visited = page.locator("main td").filter(has_text="(39%)")
    assert visited.inner_text().strip() == "84 (39%)"
    assert visited.is_visible()
    assert page.evaluate(BROKEN_FIGURES) == []
