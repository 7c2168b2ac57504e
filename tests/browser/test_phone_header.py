"""On a phone (375x740) the page's heading comes first: every field and public page, both display modes.

The pages are walked from the URL conf (the field app's namespaces and the public page names), each
given a concrete URL from real records; a pattern that is neither measured nor set aside with its
reason fails the test, so a new page cannot ship unmeasured. The header's menu folds behind a button
that opens and closes by keyboard.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from services.models import FollowUp
from tests.accessibility.factories import RetrofitFactory
from tests.browser.conftest import assert_no_axe_violations
from tests.events.factories import EventFactory
from tests.services.applications.factories import make_application
from tests.services.factories import PersonFactory, file_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
HEADING_WITHIN_PX = 120
FIELD_NAMESPACES = {"field", "field_events", "field_retrofits", "field_employment", "field_applications"}
PUBLIC_NAMES = {
    "home",
    "login",
    "accessibility_statement",
    "places:list",
    "applications:start",
    "open_data",
    "events:list",
    "events:past",
    "events:detail",
    "events:register",
}
# Field patterns that are no page of their own.
NOT_PAGES: dict[str, str] = {"field:service_worker": "the offline worker's script (/field/sw.js)"}


def _names(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            if pattern.namespace != "admin":
                names += _names(pattern, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def measured_names() -> list[str]:
    names = _names(get_resolver())
    field = [n for n in names if n.split(":")[0] in FIELD_NAMESPACES and n not in NOT_PAGES]
    return sorted(field) + sorted(n for n in names if n in PUBLIC_NAMES)


@pytest.fixture
def pages(street, member) -> dict[str, str]:
    """A concrete URL for each measured name, from records of the member's street."""
    person = PersonFactory(street=street, name="王秀英")
    visit = file_visit(person, by=member, needs=["job", "rehabilitation"])
    job = FollowUp.objects.get(visit=visit, need="job")
    rehab = FollowUp.objects.get(visit=visit, need="rehabilitation")
    retrofit = RetrofitFactory(person=PersonFactory(street=street))
    event = EventFactory(title="助残日文艺汇演")
    application, _token = make_application(PersonFactory(street=street, category=2, grade=1))
    args = {
        "field_applications:detail": [application.pk],
        "field:person": [person.pk],
        "field:visit": [person.pk],
        "field:escort": [person.pk],
        "field:rehab_refer": [rehab.pk],
        "field:follow_up": [job.pk],
        "field:quality_persons": ["active", street.code],
        "field_employment:refer": [job.pk],
        "field_retrofits:apply": [person.pk],
        "field_retrofits:withdraw": [retrofit.pk],
        "field_events:event": [event.slug],
        "events:detail": [event.slug],
        "events:register": [event.slug],
    }
    return {name: reverse(name, args=args.get(name, [])) for name in measured_names()}


def heading_top(page) -> float:
    return page.evaluate("document.querySelector('h1').getBoundingClientRect().top")


def test_every_field_and_public_page_is_measured():
    names = measured_names()
    assert {"field:home", "field:person", "field:quality", "home", "events:detail"} <= set(names)
    assert all(name.split(":")[0] in FIELD_NAMESPACES or name in PUBLIC_NAMES for name in names)
    # A new part of the field app (its own URL conf under /field/) is measured the day it is mounted.
    mounted = {
        p.namespace
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and str(p.pattern).startswith("field/")
    }
    assert mounted == FIELD_NAMESPACES


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("display", ["standard", "large"])
def test_the_heading_starts_within_120_px_of_a_phone_screen(logged_in, open_page, member, pages, display, language):
    tops = {}
    for name, path in pages.items():
        if name in PUBLIC_NAMES:
            page = open_page(path, display=display, language=language, width=PHONE["width"])
        else:
            page = logged_in(member, path, display=display, language=language, width=PHONE["width"])
        page.set_viewport_size(PHONE)
        tops[name] = heading_top(page)
        page.context.close()
    too_low = {name: round(top) for name, top in tops.items() if top > HEADING_WITHIN_PX}
    assert too_low == {}, f"h1 top in px at 375x740 ({display}, {language}): {too_low}"


@pytest.mark.parametrize("display", ["standard", "large"])
def test_the_phone_menu_opens_and_closes_by_keyboard(logged_in, member, display):
    page = logged_in(member, reverse("field:home"), display=display)
    toggle = page.locator(".menu-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("link", name="数据质量").is_visible()
    page.locator("body").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('menu-toggle')"):
            break
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    link = page.get_by_role("link", name="数据质量")
    assert link.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "本街道人员"
    assert_no_axe_violations(page)
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    assert not link.is_visible()


def test_on_a_desktop_the_menu_shows_without_a_toggle(open_page):
    page = open_page("/", width=1280)
    assert not page.locator(".menu-toggle").is_visible()
    assert page.get_by_role("link", name="活动", exact=True).is_visible()
    # A window made narrower folds the menu, made wider again shows it, at once (the style sheet decides).
    page.set_viewport_size(PHONE)
    assert page.locator(".menu-toggle").is_visible()
    assert not page.get_by_role("link", name="活动", exact=True).is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.get_by_role("link", name="活动", exact=True).is_visible()
    assert not page.locator(".menu-toggle").is_visible()
