"""Registering on the public site: the form, its errors, the confirmation page, cancelling, limits."""

import re

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from events.models import Event, Registration
from events.views import ATTEMPTS_PER_WINDOW, RATE_WINDOW_SECONDS
from tests.events.factories import EventFactory, PublicRegistrationFactory, in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

VALID = {"name": "李明", "phone": "139 1234 5678", "needs": ["needs_wheelchair_space"], "consent": "on"}


def post(client, event, **changes):
    # As after a real commit: the message to the registrant is sent once the registration is saved.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("events:register", args=[event.slug]), {**VALID, **changes})


def token_of(response) -> str:
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def status_link(sent) -> str:
    """The private link of the last registration, as texted to the registrant."""
    return re.search(r"https?://\S+/events/registrations/[\w-]+/", sent[-1][1]).group(0)


class Linked:
    """A stand-in for the old redirect: its Location is the private link the registrant now gets by message."""

    def __init__(self, sent):
        self._location = status_link(sent)

    def __getitem__(self, header):
        return self._location


def test_registration_leads_to_its_own_page_with_what_happens_next(client, sent_messages):
    event = EventFactory(capacity=5)
    response = post(client, event)
    assert response.status_code == 302
    response = Linked(sent_messages)
    registration = Registration.objects.get()
    assert registration.needs_wheelchair_space
    assert not registration.needs_interpreter
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="next-heading"' in body
    assert token_of(response) in body  # the link to keep
    assert "李明" not in body
    assert "13912345678" not in body
    assert page["Referrer-Policy"] == "same-origin"
    assert "noindex" in page["X-Robots-Tag"]
    assert "no-cache" in page["Cache-Control"]


def test_full_event_puts_the_registrant_on_the_waiting_list_and_says_which_number(client, sent_messages):
    event = EventFactory(capacity=1)
    PublicRegistrationFactory(event=event)
    PublicRegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    post(client, event)
    response = Linked(sent_messages)
    body = client.get(response["Location"]).content.decode()
    assert Registration.objects.latest("id").status == Registration.Status.WAITLISTED
    assert re.search(r"\b2\b", body.split('role="status"')[1][:400])


def test_bad_input_is_refused_with_an_error_summary_linked_to_the_fields_and_nothing_written(client):
    event = EventFactory()
    response = post(client, event, name=" ", phone="12345", consent="")
    body = response.content.decode()
    assert response.status_code == 400
    assert not Registration.objects.exists()
    summary = body.split('id="error-summary"')[1].split("</div>")[0]
    assert {"#id_name", "#id_phone", "#id_consent"} <= set(re.findall(r'href="(#id_\w+)"', summary))
    assert 'id="id_phone" aria-describedby="id_phone_error id_phone_help"' in body or (
        'aria-invalid="true"' in body and 'id="id_phone_error"' in body
    )
    assert re.search(r"<title>\s*Error:|<title>\s*错误", body)


def test_invalid_field_is_marked_and_described_by_its_error(client):
    body = post(client, EventFactory(), phone="12345").content.decode()
    phone_input = re.search(r"<input[^>]*id=\"id_phone\"[^>]*>", body).group(0)
    assert 'aria-invalid="true"' in phone_input
    assert "id_phone_error" in phone_input
    assert 'id="id_phone_error"' in body


def _answer(client, response) -> tuple:
    """What a visitor can observe of a registration: status, where it leads, the page there (CSRF token aside)."""
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return response.status_code, response.get("Location"), page


def test_the_same_phone_twice_answers_as_a_new_one_and_registers_nothing_twice(client, sent_messages):
    event = EventFactory()
    new = _answer(client, post(client, event, phone="13900000001"))
    post(client, event)
    again = _answer(client, post(client, event, name="另一个名字", phone="139-1234-5678"))
    assert new == again
    assert new[0] == 302
    assert "phone number is already registered" not in again[2]
    assert "13912345678" not in again[2]
    assert Registration.objects.filter(phone="13912345678").count() == 1
    # The registered number is told, by message, that nothing changed; no link to the place is sent.
    to, message = sent_messages[-1]
    assert to == "13912345678"
    assert "already registered" in message
    assert "/events/registrations/" not in message


def test_a_repeated_registration_counts_against_the_address_like_a_new_one(client):
    events = EventFactory.create_batch(2)
    post(client, events[0])
    for _ in range(4):
        assert post(client, events[0]).status_code == 302
    assert post(client, events[1], phone="13900000009").status_code == 429


def test_registration_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    event = EventFactory()
    assert post(client, event).status_code == 403
    form = client.get(reverse("events:register", args=[event.slug])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = post(client, event, csrfmiddlewaretoken=token)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"registration_deadline": in_days(-1)}, "closed"),
        ({"takes_registrations": False}, "no registration"),
        ({"status": Event.Status.CANCELLED, "cancelled_at": in_days(-1)}, "cancelled"),
        ({"starts_at": in_days(-2), "ends_at": in_days(-2, 16)}, "started or is over"),
    ],
)
def test_closed_registration_shows_why_and_refuses_a_post(client, fields, words):
    event = EventFactory(**fields)
    page = client.get(reverse("events:register", args=[event.slug])).content.decode()
    assert words in page
    assert 'name="phone"' not in page
    response = post(client, event)
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_sixth_registration_from_one_address_in_ten_minutes_is_answered_429(client):
    events = EventFactory.create_batch(6)
    for n, event in enumerate(events[:5]):
        assert post(client, event, phone=f"1390000000{n}").status_code == 302
    response = post(client, events[5], phone="13900000009")
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= RATE_WINDOW_SECONDS + 1
    assert "Too many" in response.content.decode() or "太多" in response.content.decode()
    assert Registration.objects.count() == 5
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert post(other, events[5], phone="13900000009").status_code == 302


def test_many_failed_attempts_from_one_address_are_limited_too(client):
    event = EventFactory()
    for _ in range(ATTEMPTS_PER_WINDOW):
        assert post(client, event, phone="bad").status_code == 400
    assert post(client, event).status_code == 429
    assert not Registration.objects.exists()


def test_cancel_link_cancels_once_and_frees_the_place(client, sent_messages):
    event = EventFactory(capacity=1)
    post(client, event)
    mine = Linked(sent_messages)
    post(client, event, phone="13800000000")  # waiting
    url = mine["Location"]
    page = client.post(url, {"confirm": "yes"})
    assert page.status_code == 200
    statuses = list(event.registrations.order_by("id").values_list("status", flat=True))
    assert statuses == ["cancelled", "confirmed"]
    again = client.post(url, {"confirm": "yes"})
    assert again.status_code == 400
    assert 'name="csrfmiddlewaretoken"' not in again.content.decode().split('id="main"')[1]


def test_unknown_cancel_link_is_not_found(client):
    assert client.get(reverse("events:registration", args=["no-such-token"])).status_code == 404
    assert client.post(reverse("events:registration", args=["x" * 200])).status_code == 404


def test_registration_form_works_by_get_for_an_open_event(client):
    event = EventFactory()
    page = client.get(reverse("events:register", args=[event.slug])).content.decode()
    for name in ("name", "phone", "needs", "needs_other", "consent"):
        assert f'name="{name}"' in page
    assert '<label class="form-label fw-bold" for="id_phone">' in page
    assert 'autocomplete="tel"' in page
