"""The field app without a signal (issue #20), in Chromium with the network cut and restored."""

import time

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from services.models import HomeVisit
from tests.browser.conftest import assert_no_axe_violations
from tests.services.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "尚未发送：已保存在本手机上"
SENT = "保存在本手机上的走访记录已发送。"

# Every response the worker keeps, as text, and what else the phone keeps for the field app.
KEPT = """async () => {
  const names = (await caches.keys()).filter((n) => n.startsWith("field-"));
  const pages = [];
  for (const name of names) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      pages.push(request.url + "\\n" + (await (await cache.match(request)).text()));
    }
  }
  const drafts = Object.keys(localStorage).filter((k) => k.startsWith("visit-"));
  const registration = await navigator.serviceWorker.getRegistration("/field/");
  return {names, pages, drafts, worker: Boolean(registration)};
}"""


@pytest.fixture
def person(street, other_street):
    PersonFactory(street=other_street, name="外街道的人")
    return PersonFactory(street=street, name="王秀英", lives_alone=True)


def wait_until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def open_with_worker(logged_in, member, person):
    """The street list, then the person's page, with the worker in charge and their visit form kept."""
    page = logged_in(member, reverse("field:home"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
    page.goto(page.url.rstrip("/") + reverse("field:person", args=[person.pk])[len("/field") :])
    visit_url = reverse("field:visit", args=[person.pk])
    # page.evaluate awaits the promise (wait_for_function would take the promise itself as true).
    wait_until(lambda: page.evaluate(f"() => caches.match('{visit_url}', {{ignoreVary: true}}).then(Boolean)"))
    return page


def file_visit_offline(page, person, findings: str) -> None:
    page.context.set_offline(True)
    base = page.url.split("/field/")[0]
    response = page.goto(base + reverse("field:visit", args=[person.pk]))
    assert response is not None
    assert response.from_service_worker
    page.get_by_label("走访情况").fill(findings)
    page.get_by_label("康复").check()
    with page.expect_navigation():
        page.get_by_role("button", name="保存走访").click()
    assert SAVED in page.content()


def test_a_visit_filed_offline_is_kept_then_stored_exactly_once_twice_in_a_row(logged_in, member, person):
    page = open_with_worker(logged_in, member, person)
    for round_, findings in enumerate(["第一次：卫生间需要扶手。", "第二次：门口台阶需要坡道。"], start=1):
        file_visit_offline(page, person, findings)
        assert HomeVisit.objects.count() == round_ - 1  # kept on the phone, not sent
        if round_ == 1:
            assert_no_axe_violations(page)
        page.context.set_offline(False)
        wait_until(lambda n=round_: HomeVisit.objects.count() == n)
        page.wait_for_function(f"() => document.querySelector('.offline-status').textContent.includes('{SENT}')")
        assert HomeVisit.objects.filter(person=person, findings=findings).count() == 1
    time.sleep(2)  # a late second sending would show now
    visits = list(HomeVisit.objects.order_by("pk"))
    assert [v.findings for v in visits] == ["第一次：卫生间需要扶手。", "第二次：门口台阶需要坡道。"]
    assert len({v.submission_key for v in visits}) == 2
    assert all(v.follow_ups.count() == 1 for v in visits)
    kept = page.evaluate(KEPT)
    assert any(reverse("field:person", args=[person.pk]) in p for p in kept["pages"])
    assert not [d for d in kept["drafts"] if d.startswith("visit-queued-")]  # nothing left waiting
    for number in (person.id_number, person.certificate_number):
        assert not any(number in text for text in kept["pages"]), "a full number was kept on the phone"


def test_the_street_list_and_person_page_open_without_a_signal(logged_in, member, person):
    page = open_with_worker(logged_in, member, person)
    page.context.set_offline(True)
    base = page.url.split("/field/")[0]
    for path in (reverse("field:home"), reverse("field:person", args=[person.pk])):
        response = page.goto(base + path)
        assert response is not None
        assert response.from_service_worker
        assert "王秀英" in page.content()
    page.goto(base + reverse("field:quality"))  # never opened: the page saying so, not the browser's
    assert "没有信号" in page.content()
    assert_no_axe_violations(page)


def log_out_button(page):
    """The log-out button; on a phone it is behind the Menu button (templates/base.html)."""
    menu = page.get_by_role("button", name="菜单")
    if menu.is_visible():
        menu.click()
    return page.get_by_role("button", name="退出登录")


def test_log_out_erases_what_the_phone_kept(logged_in, member, person):
    page = open_with_worker(logged_in, member, person)
    page.goto(page.url.split("/field/")[0] + reverse("field:visit", args=[person.pk]))
    page.get_by_label("走访情况").fill("未写完的草稿")  # a draft in this browser
    before = page.evaluate(KEPT)
    assert before["pages"]
    assert before["drafts"]
    assert before["worker"]
    with page.expect_navigation():
        log_out_button(page).click()
    assert page.evaluate(KEPT) == {"names": [], "pages": [], "drafts": [], "worker": False}


def test_log_out_without_a_signal_erases_a_visit_not_sent(logged_in, live_server, member, person):
    page = open_with_worker(logged_in, member, person)
    file_visit_offline(page, person, "未发送的走访")
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"), page.expect_navigation(timeout=20000):
        log_out_button(page).click()  # erases first; the log-out itself finds no network
    page.context.set_offline(False)
    again = page.context.new_page()
    again.goto(live_server.url + reverse("field:home"))  # the session is still open: a worker again
    again.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
    time.sleep(3)
    assert HomeVisit.objects.count() == 0


def test_the_kept_pages_are_dropped_once_the_session_has_ended(logged_in, member, person, settings):
    settings.FIELD_SESSION_IDLE_SECONDS = 4  # the worker reads it when it is installed
    page = open_with_worker(logged_in, member, person)
    page.context.set_offline(True)
    time.sleep(5)
    page.goto(page.url.split("/field/")[0] + reverse("field:person", args=[person.pk]))
    assert "您的登录已结束" in page.content()
    assert "王秀英" not in page.content()
    wait_until(lambda: "field-pages" not in page.evaluate("() => caches.keys()"))


def test_a_search_and_a_page_the_member_may_no_longer_open_are_not_kept(logged_in, member, person, other_street):
    """A search's page repeats what was typed (a refused number search too, spaced as people type one), so
    none is kept; a person page that answers 404 (the person moved street) loses the copy kept of it."""
    page = open_with_worker(logged_in, member, person)
    base = page.url.split("/field/")[0]
    page.goto(base + reverse("field:home") + "?q=" + "310106 19900101 123X".replace(" ", "+"))
    person_url = reverse("field:person", args=[person.pk])
    assert any(kept.split("\n")[0].endswith(person_url) for kept in page.evaluate(KEPT)["pages"])

    person.street = other_street
    person.save(update_fields=["street"])
    assert page.goto(base + person_url).status == 404

    kept = [entry.split("\n")[0] for entry in page.evaluate(KEPT)["pages"]]
    assert not [url for url in kept if "?q=" in url or "q=310106" in url]
    assert not [url for url in kept if url.endswith(person_url)]
