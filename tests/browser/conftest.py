"""Headless Chromium (Debian's package) driven by Playwright, and axe-core checks of WCAG 2.x A/AA."""

import os
import tempfile
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser(request) -> Iterator:
    """One Chromium per test module: a Playwright left running across the whole session was
    disturbed by other tests' event loops ("Sync API inside the asyncio loop")."""
    from tests.conftest import CHROMIUM, require

    require(os.path.exists(CHROMIUM), f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    home = tempfile.mkdtemp(prefix="chromium-home-")
    os.environ.setdefault("XDG_CONFIG_HOME", home)
    os.environ.setdefault("XDG_CACHE_HOME", home)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """Open a portal path in a fresh context: `open_page(path, language=, display=, width=)`."""
    contexts = []

    def _open(path: str, *, language: str = "zh-hans", display: str = "standard", width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
        context.add_cookies(
            [
                {"name": "django_language", "value": language, "url": live_server.url},
                {"name": "display", "value": display, "url": live_server.url},
            ]
        )
        contexts.append(context)
        page = context.new_page()
        requests_elsewhere = []
        page.on(
            "request",
            lambda r: requests_elsewhere.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None,
        )
        goto_ok(page, live_server.url + path)
        page.requests_elsewhere = requests_elsewhere
        return page

    yield _open
    for context in contexts:
        context.close()


def assert_no_axe_violations(page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def goto_ok(page, url: str) -> None:
    """Open `url` in the page; it must answer with a 2xx (after any redirect)."""
    response = page.goto(url)
    assert response is not None, url
    assert response.ok, f"{url}: {response.status}"


def tab_to(page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element `e` meets the JavaScript `predicate`; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"never reached {predicate}")


def press_enter(page) -> None:
    """Enter on the focused link or button, waiting for the page it opens."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def submit_by_keyboard(page) -> None:
    """Tab from the last field onto the form's submit button and send the form with Enter."""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    press_enter(page)


@pytest.fixture
def logged_in(browser, live_server):
    """Open a path as `user` (session cookie from Django's test client) in a phone-sized context."""
    from django.test import Client

    contexts = []

    def _open(
        user,
        path: str,
        *,
        language: str = "zh-hans",
        display: str = "standard",
        width: int = 375,
        service_workers: str = "allow",
    ):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            viewport={"width": width, "height": 812}, locale=language, has_touch=True, service_workers=service_workers
        )
        context.add_cookies(
            [
                {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
                {"name": "django_language", "value": language, "url": live_server.url},
                {"name": "display", "value": display, "url": live_server.url},
            ]
        )
        contexts.append(context)
        page = context.new_page()
        goto_ok(page, live_server.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()
