"""After registering on the public site: the pages repeat what was asked for, cancelling asks first, and a lost
private link is sent again to the registered number without the page telling whether it registered."""

import re

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from events import views
from events.actions import token_digest
from events.models import Registration
from services.models import AuditEntry
from tests.events.factories import EventFactory, PersonRegistrationFactory, PublicRegistrationFactory, in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

VALID = {"name": "李明", "phone": "139 1234 5678", "needs": ["needs_wheelchair_space"], "consent": "on"}
LINK = re.compile(r"https?://\S+?/events/registrations/([\w-]+)/")


def resend_url() -> str:
    return reverse("events:resend_link")


def register(client, event, **changes):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("events:register", args=[event.slug]), {**VALID, **changes})


def resend(client, phone: str):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(resend_url(), {"phone": phone})


def asked_section(page: str) -> str:
    return page.split('id="asked-heading"')[1].split("</section>")[0]


def with_token(**fields) -> tuple[Registration, str]:
    registration = PublicRegistrationFactory(**fields)
    token = f"tok-{registration.pk}-abcdefghijklmnop"
    Registration.objects.filter(pk=registration.pk).update(token_hash=token_digest(token))
    return registration, token


def status_url(token: str) -> str:
    return reverse("events:registration", args=[token])


# --- the pages repeat the accommodations asked for


def test_the_confirmation_page_repeats_the_accommodations_asked_for(client, sent_messages):
    event = EventFactory()
    response = register(client, event, needs=["needs_interpreter", "needs_wheelchair_space"], needs_other="导盲犬同行")
    page = client.get(response["Location"]).content.decode()
    asked = asked_section(page)
    assert "Sign-language interpreter" in asked
    assert "Wheelchair space" in asked
    assert "导盲犬同行" in asked
    assert "companion" not in asked
    assert "13912345678" not in page
    assert "李明" not in page


def test_the_confirmation_page_says_when_nothing_was_asked_for(client, sent_messages):
    response = register(client, EventFactory(), needs=[])
    assert "Nothing in particular" in asked_section(client.get(response["Location"]).content.decode())


def test_a_repeated_registration_repeats_what_this_form_asked_and_still_tells_nothing(client, sent_messages):
    event = EventFactory()
    first = register(client, event, phone="13900000001")
    first_page = client.get(first["Location"]).content.decode()
    register(client, event)
    again = register(client, event, name="另一个名字")
    again_page = client.get(again["Location"]).content.decode()
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", first_page) == strip.sub("", again_page)


def test_the_status_page_repeats_the_accommodations(client):
    _registration, token = with_token(needs_interpreter=True, needs_other="需要大字材料", event=EventFactory())
    asked = asked_section(client.get(status_url(token)).content.decode())
    assert "Sign-language interpreter" in asked
    assert "需要大字材料" in asked
    assert "Wheelchair space" not in asked


# --- cancelling asks for confirmation


def test_cancelling_asks_first_and_changes_nothing_until_confirmed(client):
    registration, token = with_token(event=EventFactory(capacity=1))
    waiting = PublicRegistrationFactory(event=registration.event, status=Registration.Status.WAITLISTED)
    page = client.get(status_url(token)).content.decode()
    ask = re.search(r'<form method="get"[^>]*>.*?</form>', page, flags=re.S).group(0)
    assert 'name="cancel" value="1"' in ask

    question = client.get(status_url(token), {"cancel": "1"})
    body = question.content.decode()
    assert question.status_code == 200
    assert "Cancel your registration?" in body
    assert 'name="confirm" value="yes"' in body
    assert "No, keep my registration" in body
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    unconfirmed = client.post(status_url(token))  # a post from an old page, without confirm=yes
    assert unconfirmed.status_code == 200
    assert "Cancel your registration?" in unconfirmed.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    done = client.post(status_url(token), {"confirm": "yes"})
    assert done.status_code == 200
    assert "Your registration is cancelled." in done.content.decode()
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert (registration.status, waiting.status) == ("cancelled", "confirmed")


def test_a_cancelled_or_started_registration_offers_no_cancel_question(client):
    _registration, token = with_token(
        event=EventFactory(), status=Registration.Status.CANCELLED, cancelled_at=in_days(-1)
    )
    body = client.get(status_url(token), {"cancel": "1"}).content.decode()
    assert "Cancel your registration?" not in body
    _started, started_token = with_token(event=EventFactory(starts_at=in_days(-1), ends_at=in_days(-1, 16)))
    assert "Cancel your registration?" not in client.get(status_url(started_token), {"cancel": "1"}).content.decode()


def test_cancel_confirmation_needs_the_csrf_token(client):
    registration, token = with_token(event=EventFactory())
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(status_url(token), {"confirm": "yes"}).status_code == 403
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


# --- a lost link is sent again


def test_the_lost_link_page_is_linked_from_the_event_and_the_confirmation(client, sent_messages):
    event = EventFactory()
    assert resend_url() in client.get(reverse("events:detail", args=[event.slug])).content.decode()
    response = register(client, event)
    assert resend_url() in client.get(response["Location"]).content.decode()
    page = client.get(resend_url())
    assert page.status_code == 200
    assert 'name="phone"' in page.content.decode()
    assert "noindex" in page["X-Robots-Tag"]


def test_a_registered_number_gets_a_new_link_and_the_old_one_stops_working(client, sent_messages):
    _soon, _old = with_token(event=EventFactory(title="书法展"), phone="13911112222")
    later, old_later = with_token(event=EventFactory(title="合唱会", starts_at=in_days(20)), phone="13911112222")
    response = resend(client, "139-1111-2222")
    assert response.status_code == 302
    assert response["Location"] == reverse("events:resend_link_sent")
    assert [to for to, _message in sent_messages] == ["13911112222", "13911112222"]
    assert "书法展" in sent_messages[0][1]
    assert "合唱会" in sent_messages[1][1]
    new_token = LINK.search(sent_messages[1][1]).group(1)
    assert client.get(status_url(new_token)).status_code == 200
    assert client.get(status_url(old_later)).status_code == 404
    assert AuditEntry.objects.filter(code="events.registration.link_resent", object_id=str(later.pk)).exists()


def _answer(client, response) -> tuple:
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    return response.status_code, response.get("Location"), re.sub(r'value="[^"]{20,}"', "", page)


def test_an_unknown_number_gets_the_same_answer_and_nothing_is_sent(client, sent_messages):
    with_token(event=EventFactory(), phone="13911112222")
    registered = _answer(client, resend(client, "13911112222"))
    unknown = _answer(client, resend(Client(REMOTE_ADDR="10.0.0.9"), "13900009999"))
    assert registered == unknown
    assert [to for to, _message in sent_messages] == ["13911112222"]


def test_cancelled_past_and_registry_registrations_get_no_link(client, sent_messages):
    with_token(event=EventFactory(), phone="13911112222", status="cancelled", cancelled_at=in_days(-1))
    with_token(event=EventFactory(starts_at=in_days(-3), ends_at=in_days(-3, 16)), phone="13911112222")
    PersonRegistrationFactory(event=EventFactory(), person__phone="13911112222")
    assert resend(client, "13911112222").status_code == 302
    assert sent_messages == []


@pytest.mark.parametrize("phone", ["", "123", "abc", "1" * 31, "139-1111-22x2"])
def test_a_bad_number_is_refused_with_our_message_and_nothing_sent(client, sent_messages, phone):
    response = resend(client, phone)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in body
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*id="id_phone"[^>]*>', body).group(0)
    assert sent_messages == []


def test_a_number_is_sent_its_link_at_most_three_times_an_hour_with_the_same_answer(client, sent_messages):
    with_token(event=EventFactory(), phone="13911112222")
    answers = set()
    for n in range(views.RESENDS_PER_PHONE + 2):
        other = Client(REMOTE_ADDR=f"10.0.1.{n}")
        answers.add(_answer(other, resend(other, "13911112222")))
    assert len(answers) == 1
    assert len(sent_messages) == views.RESENDS_PER_PHONE


def test_one_address_asking_too_often_is_answered_429(client, sent_messages):
    for n in range(views.RESEND_PER_WINDOW):
        assert resend(client, f"1390000000{n}").status_code == 302
    response = resend(client, "13900000099")
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_the_request_sends_nothing_itself_a_registered_and_an_unknown_number_queue_the_same(client, sent_messages):
    """The texts go out from a worker: in the request a registered number and an unknown one do the same work
    (one task queued after commit), so neither the answer's time nor a failing SMS gateway tells them apart."""
    with_token(event=EventFactory(), phone="13911112222")
    answers = []
    for phone, address in (("13911112222", "10.0.2.1"), ("13900009999", "10.0.2.2")):
        with TestCase.captureOnCommitCallbacks(execute=False) as queued:
            response = Client(REMOTE_ADDR=address).post(resend_url(), {"phone": phone})
        answers.append((response.status_code, response["Location"], len(queued)))
    assert answers[0] == answers[1] == (302, reverse("events:resend_link_sent"), 1)
    assert sent_messages == []


def test_the_needs_asked_for_are_shown_once_not_to_the_next_user_of_the_computer(client, sent_messages):
    event = EventFactory()
    sent = register(client, event, needs=["needs_interpreter"], needs_other="导盲犬同行")
    assert "导盲犬同行" in client.get(sent["Location"]).content.decode()
    assert "导盲犬同行" not in client.get(sent["Location"]).content.decode()
