"""The public event pages in headless Chromium: axe-core clean at 1280 and 375 px, in both languages and
both display modes, text at 200% without loss, unique titles; registration and cancelling by keyboard
alone; the error summary. About two minutes: each page is loaded once per language and display mode."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from core import ratelimit
from events import actions
from events.models import Award, Event, Registration
from events.views import RATE_WINDOW_SECONDS, REGISTRATION_SCOPE, REGISTRATIONS_PER_WINDOW
from tests.browser.conftest import assert_no_axe_violations, press_enter, submit_by_keyboard, tab_to
from tests.events.factories import AwardFactory, EventFactory, PublicRegistrationFactory, in_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "accessible-film"


@pytest.fixture
def site(db):
    """Events to come (one full, one closed, one cancelled), a past one with results, a registration."""
    cache.clear()
    film = EventFactory(
        slug=SLUG,
        title="无障碍电影放映：手语与字幕场",
        title_en="Accessible film: sign language and captions",  # English mode shows it (issue #20)
        summary_en="A film shown with sign language and captions.",
        venue_en="Jing'an Culture Centre",
        description="## 流程\n\n1. 入场\n2. 放映\n\n[观影指南](https://example.org/guide)",
        capacity=30,
        sign_language=True,
        captions=True,
        hearing_loop=True,
        easy_read=True,
        easy_read_text="我们一起看电影。\n\n电影有字幕。",
        sign_language_video_url="https://video.example/sign/film",
        starts_at=in_days(5),
        registration_deadline=in_days(4),
    )
    full = EventFactory(title="飞镖体验日", category=Event.Category.SPORTS, capacity=1, starts_at=in_days(8))
    PublicRegistrationFactory(event=full)
    EventFactory(title="合唱队公开排练", starts_at=in_days(2), registration_deadline=in_days(-1))
    EventFactory(title="苏州河健步走", status=Event.Status.CANCELLED, cancelled_at=timezone.now(), starts_at=in_days(9))
    EventFactory(
        title="爱耳日讲座", category=Event.Category.PREVENTION, takes_registrations=False, starts_at=in_days(12)
    )
    past = EventFactory(
        slug="esports-2023",
        title="融合电竞赛",
        category=Event.Category.ESPORTS,
        starts_at=datetime.datetime(2023, 11, 4, 9, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2023, 11, 4, 12, tzinfo=datetime.UTC),
    )
    PublicRegistrationFactory.create_batch(3, event=past, attendance=Registration.Attendance.ATTENDED)
    AwardFactory(event=past, awarded_on=datetime.date(2023, 11, 4), team_name="静安区残健融合电竞队")
    AwardFactory(
        competition="全国残疾人飞镖项目推广活动", awarded_on=datetime.date(2023, 8, 19), place=Award.Place.THIRD
    )
    _registration, token = actions.registration_create(
        event=film, name="测试者", phone="13912345678", consent=True, needs_interpreter=True
    )
    return {"film": film, "token": token}


def public_pages(site) -> list[str]:
    return [
        "/",
        "/events/",
        f"/events/{SLUG}/",
        f"/events/{SLUG}/register/",
        f"/events/{SLUG}/register/sent/",
        "/events/past/?year=2023",
        f"/events/registrations/{site['token']}/",
        "/accessibility-statement/",
    ]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


CLIPPED = """[...document.querySelectorAll('main *')].filter(e => {
    const s = getComputedStyle(e);
    const hides = s.overflow === 'hidden' || s.overflowX === 'hidden';
    return hides && e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1;  // 1 px: visually-hidden text
}).map(e => e.outerHTML.slice(0, 80))"""


def assert_loses_nothing_at_200_percent(page) -> None:
    """Text at 200% on a desktop screen, then at 640 CSS pixels wide (browser zoom at 200%): no sideways scrolling,
    nothing cut off, no text lost, and still axe-clean."""
    text = page.evaluate("document.body.innerText.length")
    # Through the CSSOM: the Content-Security-Policy refuses an added <style> element, as it should.
    page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
    assert fits(page), "scrolls sideways with text at 200%"
    assert page.evaluate(CLIPPED) == [], "cuts text off at 200%"
    assert page.evaluate("document.body.innerText.length") == text
    page.set_viewport_size({"width": 640, "height": 900})
    assert fits(page), "scrolls sideways at 640 px with text at 200%"
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("display", ["standard", "large"])
def test_every_public_page_is_wcag_clean_at_both_widths_and_loses_nothing_at_200_percent(
    open_page, site, language, display
):
    titles = set()
    for path in public_pages(site):
        page = open_page(path, language=language, display=display, width=1280)
        assert page.locator("html").get_attribute("lang") == language, path
        assert page.locator("h1").count() == 1, path
        assert page.requests_elsewhere == [], path
        titles.add(page.title())
        assert_no_axe_violations(page)
        page.set_viewport_size({"width": 375, "height": 812})
        assert fits(page), f"{path} scrolls sideways at 375 px"
        assert_no_axe_violations(page)
        # Text at 200% on a desktop screen, then browser zoom at 200% (640 CSS pixels wide).
        page.set_viewport_size({"width": 1280, "height": 900})
        text = page.evaluate("document.body.innerText.length")
        # Through the CSSOM: the Content-Security-Policy refuses an added <style> element, as it should.
        page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
        assert fits(page), f"{path} scrolls sideways with text at 200%"
        assert page.evaluate(CLIPPED) == [], f"{path} cuts text off at 200%"
        assert page.evaluate("document.body.innerText.length") == text
        page.set_viewport_size({"width": 640, "height": 900})
        assert fits(page), f"{path} scrolls sideways at 640 px with text at 200%"
        page.context.close()
    assert len(titles) == len(public_pages(site)), "two public pages share a title"


def test_registration_by_keyboard_alone(open_page, site, live_server, sent_messages):
    page = open_page(f"/events/{SLUG}/", language="en")
    tab_to(page, "e.getAttribute('href') === '/events/accessible-film/register/'")
    press_enter(page)
    tab_to(page, "e.id === 'id_name'")
    page.keyboard.type("王秀英")
    page.keyboard.press("Tab")
    page.keyboard.type("138 0013 8000")
    tab_to(page, "e.id === 'id_needs_1'")  # wheelchair space
    page.keyboard.press("Space")
    tab_to(page, "e.id === 'id_consent'")
    page.keyboard.press("Space")
    submit_by_keyboard(page)
    # The same neutral answer whether or not the phone had registered; the private link comes by message.
    assert page.url.endswith("/register/sent/")
    assert page.locator("h1").inner_text() == "Check your messages"
    assert_no_axe_violations(page)
    link = re.search(r"https?://\S+/events/registrations/[\w-]+/", sent_messages[-1][1]).group(0)
    page.goto(link)
    assert "/events/registrations/" in page.url
    assert page.locator("h1").inner_text() == "Your registration"
    assert "You have a place." in page.locator("[role=status]").inner_text()
    registration = Registration.objects.get(phone="13800138000")
    assert registration.needs_wheelchair_space
    assert registration.status == "confirmed"
    assert "王秀英" not in page.content()
    assert_no_axe_violations(page)
    # Cancel with the keyboard too: asked first, then confirmed.
    tab_to(page, "e.type === 'submit' && e.closest('#main')")
    press_enter(page)
    tab_to(page, "e.type === 'submit' && e.closest('.cancel-confirm')")
    press_enter(page)
    assert "Your registration is cancelled." in page.locator("[role=status]").inner_text()
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_error_summary_takes_focus_and_its_links_move_focus_to_the_fields(open_page, site):
    before = Registration.objects.count()
    page = open_page(f"/events/{SLUG}/register/", language="en")
    page.locator("#id_phone").fill("12345")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert page.title().startswith("Error:")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    assert_no_axe_violations(page)
    links = page.locator("#error-summary a")
    assert links.count() == 3  # name, phone, consent
    for target in ("id_name", "id_phone", "id_consent"):
        page.locator(f"#error-summary a[href='#{target}']").focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == target
    phone = page.locator("#id_phone")
    assert phone.get_attribute("aria-invalid") == "true"
    assert "id_phone_error" in phone.get_attribute("aria-describedby")
    assert Registration.objects.count() == before


def test_too_many_registrations_page_is_accessible(open_page, site, live_server):
    before = Registration.objects.count()
    page = open_page(f"/events/{SLUG}/register/", language="zh-hans", display="large")
    for _ in range(REGISTRATIONS_PER_WINDOW):
        ratelimit.hit(REGISTRATION_SCOPE, "127.0.0.1", window=RATE_WINDOW_SECONDS)
    page.locator("#id_name").fill("李明")
    page.locator("#id_phone").fill("13912340000")
    page.locator("#id_consent").check()
    with page.expect_navigation():
        page.locator("form.registration-form button[type=submit]").click()
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.title") != ""
    assert_no_axe_violations(page)
    assert Registration.objects.count() == before
