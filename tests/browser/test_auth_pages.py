"""Sign-in pages in headless Chromium: the two-factor flow end to end, axe-core on its pages in both
languages, and no Content-Security-Policy violation on our pages or the admin pages staff use."""

import re

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.views import RECOVERY_CODES_SESSION_KEY
from services.models import User
from services.registry import roles
from tests.browser.conftest import assert_no_axe_violations, goto_ok
from tests.events.factories import EventFactory, in_days
from tests.services.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-staff-password-2026"
# Chromium fires this event for every blocked resource, script, style or attribute.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(browser, live_server):
    """Open paths (optionally as a user, with more in their session) in a context that records CSP violations
    and console errors."""
    from django.test import Client

    contexts = []

    def _open(path: str, *, user=None, session: dict | None = None, language: str = "zh-hans", width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
        cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
        if user is not None:
            client = Client()
            client.force_login(user)
            if session:
                stored = client.session
                stored.update(session)
                stored.save()
            cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url})
        context.add_cookies(cookies)
        context.add_init_script(RECORD_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.requests_elsewhere = []
        page.on(
            "request",
            lambda r: (
                page.requests_elsewhere.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None
            ),
        )
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        goto_ok(page, live_server.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


def violations(page) -> list[str]:
    page.wait_for_timeout(100)  # the event is queued after the blocked thing
    found = page.evaluate("window.__cspViolations")
    found += [text for text in page.console_errors if "Content Security Policy" in text]
    return found


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def staff_with_password(db):
    user = User.objects.create_user("staff2fa", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.STAFF))
    return user


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_two_factor_set_up_and_log_in_end_to_end(watched, live_server, staff_with_password, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    page = watched("/accounts/login/?next=/admin/", language="en")
    page.get_by_label("Username").fill("staff2fa")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").last.click()
    assert "/accounts/two-factor/setup/" in page.url
    assert_no_axe_violations(page)
    key = page.locator(".otp-secret").inner_text().replace(" ", "")
    qr = page.get_by_role("img", name="QR code with the key of your new authenticator account")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    device = TOTPDevice.objects.get(user=staff_with_password)
    from base64 import b32encode

    assert key == b32encode(device.bin_key).decode()
    page.get_by_label("6-digit code from your authenticator app").fill(code_for(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    assert "/accounts/two-factor/recovery-codes/" in page.url
    assert page.locator(".recovery-codes li").count() == 10
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Continue").click()
    assert page.url.endswith("/admin/")
    assert violations(page) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_set_up_page_passes_axe(watched, staff_user, language):
    page = watched("/accounts/two-factor/setup/", user=staff_user, language=language)
    assert page.locator("html").get_attribute("lang") == language
    assert_no_axe_violations(page)
    assert violations(page) == []
    assert page.requests_elsewhere == []  # the QR code is drawn by the portal, not fetched from a host
    page.locator("#id_token").fill("12a456")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    summary = page.locator("#error-summary")
    assert summary.locator('a[href="#id_token"]').count() == 1
    assert_no_axe_violations(page)
    assert violations(page) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_recovery_codes_page_passes_axe_with_and_without_codes(watched, staff_user, language):
    codes = ["abcd2345", "efgh6723"]
    page = watched(
        "/accounts/two-factor/recovery-codes/",
        user=staff_user,
        session={RECOVERY_CODES_SESSION_KEY: codes},
        language=language,
    )
    assert page.locator(".recovery-codes li").all_inner_texts() == codes
    assert_no_axe_violations(page)
    page.reload()  # shown once: now the page says where they went
    assert page.locator(".recovery-codes").count() == 0
    assert_no_axe_violations(page)
    assert violations(page) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_verify_page_passes_axe_also_with_an_error(watched, staff_user, language, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    TOTPDevice.objects.create(user=staff_user, name="authenticator", confirmed=True)
    page = watched("/admin/", user=staff_user, language=language)
    assert "/accounts/two-factor/" in page.url
    assert_no_axe_violations(page)
    page.locator("#id_token").fill("000000x")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert page.locator(".invalid-feedback, .text-danger, #error-summary").count() > 0
    assert_no_axe_violations(page)
    assert violations(page) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_lockout_page_passes_axe(watched, live_server, language):
    page = watched("/accounts/login/", language=language)
    for _ in range(5):
        page.locator("#id_username").fill("someone")
        page.locator("#id_password").fill("wrong")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    assert page.locator("#error-summary").count() == 1
    assert_no_axe_violations(page)
    assert violations(page) == []


def test_a_violation_would_be_seen(watched):
    page = watched("/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.evaluate(
        "const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s)"
    )
    found = violations(page)
    assert any(v.startswith("style-src-attr") for v in found), found
    assert any(v.startswith("script-src") for v in found), found
    assert page.evaluate("window.ran") is None


def test_public_and_field_pages_cause_no_policy_violation(watched, member, street):
    event = EventFactory(slug="film", title="无障碍电影", starts_at=in_days(5))
    person = PersonFactory(street=street)
    for path in ["/", "/events/", f"/events/{event.slug}/", "/accessibility-statement/", "/accounts/login/"]:
        page = watched(path)
        assert violations(page) == [], path
    detail = watched(f"/events/{event.slug}/")
    assert detail.locator('script[type="application/ld+json"]').count() == 1
    assert violations(detail) == []
    for path in ["/field/", f"/field/persons/{person.pk}/", f"/field/persons/{person.pk}/visit/"]:
        page = watched(path, user=member, width=375)
        assert violations(page) == [], path


def test_admin_pages_staff_use_cause_no_policy_violation(watched, superuser, street, member):
    person = PersonFactory(street=street)
    pages = [
        "/admin/",
        "/admin/services/person/",
        f"/admin/services/person/{person.pk}/change/",
        f"/admin/services/person/{person.pk}/history/",
        "/admin/services/user/add/",
        "/admin/django_celery_beat/periodictask/add/",
        "/reports/dashboard/",
    ]
    for path in pages:
        page = watched(path, user=superuser)
        assert violations(page) == [], path

    # A change form with inlines, the date widgets and an autocomplete: a user with street assignments.
    page = watched(f"/admin/services/user/{member.pk}/change/", user=superuser)
    page.locator(".datetimeshortcuts a").first.click()  # "Today"
    assert re.match(r"\d{4}[-/]\d{2}[-/]\d{2}", page.locator("#id_date_joined_0").input_value())
    page.locator(".datetimeshortcuts .date-icon").first.click()  # the calendar
    assert page.locator(".calendarbox").first.is_visible()
    page.locator(".calendarbox .calendar-cancel a").first.click()
    page.locator(".datetimeshortcuts .clock-icon").first.click()  # the clock
    assert page.locator(".clockbox").first.is_visible()
    page.locator(".clockbox .calendar-cancel a").first.click()
    page.locator(".add-row a").first.click()  # a new inline row, with its autocomplete
    page.locator(".inline-group .select2-selection").last.click()
    page.locator(".select2-search__field").fill("街道")
    page.locator(".select2-results__option").first.wait_for()
    page.keyboard.press("Escape")
    assert violations(page) == []

    # A changelist with its actions and filters.
    page = watched("/admin/services/user/", user=superuser)
    page.locator("#action-toggle").check()
    assert page.locator(".action-counter").inner_text()
    assert violations(page) == []
