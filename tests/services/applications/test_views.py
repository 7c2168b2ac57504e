"""The public pages of online applications, the field queue, the admin's steps and the overdue digest."""

import datetime
import logging
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.applications import actions
from services.models import Application, ApplicationChallenge, DigestSent, FollowUp
from services.registry.identity import RedactNumbersFilter
from services.visits.actions import overdue_digest_send
from tests.services.factories import PersonFactory, make_slot

from .factories import apply_through_pages, code_sent, committed, form_data, submitted

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def person(street):
    return PersonFactory(street=street, category=2, grade=1)


def _answer(client: Client, data: dict[str, str], capture) -> tuple[int, str, int, int, list[str], str]:
    """Post the form; (status, location, queries, tasks queued, templates of the page it leads to, its body)."""
    with CaptureQueriesContext(connection) as queries, capture() as queued:
        response = client.post(reverse("applications:start"), data)
    page = client.get(response["Location"])
    templates = [t.name for t in page.templates if t.name and t.name.startswith("services/")]
    return (
        response.status_code,
        response["Location"],
        len(queries),
        len(queued),
        templates,
        CSRF.sub("", page.content.decode()),
    )


def test_a_match_and_a_non_match_answer_identically(person, django_capture_on_commit_callbacks, sent_messages):
    other = PersonFactory.build(street=person.street)  # valid numbers, in nobody's record
    matched = _answer(Client(), form_data(person), django_capture_on_commit_callbacks)
    unmatched = _answer(Client(), form_data(other), django_capture_on_commit_callbacks)
    assert matched[0] == unmatched[0] == 302
    assert matched == unmatched
    assert matched[3] == 1  # one task queued either way
    assert ApplicationChallenge.objects.filter(person=person).count() == 1
    assert ApplicationChallenge.objects.filter(person__isnull=True).count() == 1


def test_the_whole_public_path_files_the_application_and_opens_its_status_page(person, sent_messages):
    client = Client()
    location = apply_through_pages(client, person, sent_messages)
    application = Application.objects.get()
    assert location.startswith("/apply/status/")
    assert person.id_number not in location
    page = client.get(location)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    body = page.content.decode()
    assert 'role="status"' in body
    assert person.name not in body
    assert person.id_number not in body
    assert application.get_status_display() in body


def test_a_wrong_code_says_so_and_changes_nothing(person, sent_messages, in_english):
    client = Client()
    with committed():
        client.post(reverse("applications:start"), form_data(person))
    right = code_sent(sent_messages)
    response = client.post(reverse("applications:code"), {"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert 'id="error-summary"' in response.content.decode()
    assert not Application.objects.exists()


def test_a_code_typed_in_full_width_digits_is_the_code(person, sent_messages):
    """A Chinese input method often types full-width digits (１２３４５６): the form takes them as digits, so the
    right code is not refused as wrong (and no try is spent)."""
    client = Client()
    with committed():
        client.post(reverse("applications:start"), form_data(person))
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in code_sent(sent_messages))
    with committed():
        response = client.post(reverse("applications:code"), {"code": f" {full_width} "})
    assert response.status_code == 302
    assert response["Location"].startswith("/apply/status/")
    assert Application.objects.filter(person=person).exists()
    assert ApplicationChallenge.objects.get().attempts == 0


def test_an_expired_code_says_so(person, sent_messages, in_english):
    client = Client()
    with committed():
        client.post(reverse("applications:start"), form_data(person))
    ApplicationChallenge.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(reverse("applications:code"), {"code": code_sent(sent_messages)})
    assert response.status_code == 400
    assert "This code has expired" in response.content.decode()
    assert not Application.objects.exists()


def test_a_code_page_without_a_form_sends_back_to_the_form():
    response = Client().get(reverse("applications:code"))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:start")


def test_an_ineligible_applicant_is_told_why_and_what_instead(street, sent_messages, in_english):
    person = PersonFactory(street=street, category=4, grade=3)
    client = Client()
    slot = make_slot()
    with committed():
        client.post(reverse("applications:start"), form_data(person, service="escort", escort_slot=str(slot.pk)))
    response = client.post(reverse("applications:code"), {"code": code_sent(sent_messages)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "escort clinics" in body
    assert "You can ask for:" in body
    assert "Home rehabilitation" in body
    assert not Application.objects.exists()


def test_a_flood_from_one_address_is_refused_clearly_and_changes_nothing(person, settings, in_english):
    settings.APPLICATION_STARTS_PER_ADDRESS = 3
    client = Client()
    for n in range(3):
        other = PersonFactory.build(street=person.street, id_number=f"11010119900101{n:03d}", certificate_number="")
        client.post(reverse("applications:start"), form_data(other))
    before = ApplicationChallenge.objects.count()
    response = client.post(reverse("applications:start"), form_data(person))
    assert response.status_code == 429
    assert "Too many forms came from your connection" in response.content.decode()
    assert response["Retry-After"]
    assert ApplicationChallenge.objects.count() == before


def test_a_flood_from_one_ipv6_network_is_refused_whatever_the_addresses(person, settings, in_english):
    settings.APPLICATION_STARTS_PER_ADDRESS = 3
    for n in range(3):
        other = PersonFactory.build(street=person.street, id_number=f"11010119900101{n:03d}", certificate_number="")
        Client(REMOTE_ADDR=f"2001:db8:5:6::{n + 1:x}").post(reverse("applications:start"), form_data(other))
    response = Client(REMOTE_ADDR="2001:db8:5:6:ffff::9").post(reverse("applications:start"), form_data(person))
    assert response.status_code == 429
    assert "Too many forms came from your connection" in response.content.decode()


def test_a_flood_on_one_number_is_refused_clearly_and_changes_nothing(person, settings, in_english):
    settings.APPLICATION_STARTS_PER_NUMBER = 2
    for _n in range(2):
        assert Client().post(reverse("applications:start"), form_data(person)).status_code == 302
    before = ApplicationChallenge.objects.count()
    response = Client(REMOTE_ADDR="10.0.0.9").post(reverse("applications:start"), form_data(person))
    assert response.status_code == 429
    assert "This ID number was used too often" in response.content.decode()
    assert ApplicationChallenge.objects.count() == before


def test_one_number_gets_a_few_codes_a_day_however_the_tries_are_spread(
    person, sent_messages, monkeypatch, settings, in_english
):
    """Each start texts a code to the phone on file: spread over the 10-minute windows, from fresh addresses, the
    same number stops getting codes after APPLICATION_STARTS_PER_NUMBER_PER_DAY (no message flood, and no more
    than that many times APPLICATION_CODE_TRIES guesses at the 6 digits a day)."""
    clock = [1_800_000_000.0]
    monkeypatch.setattr("core.ratelimit.time.time", lambda: clock[0])
    per_day = settings.APPLICATION_STARTS_PER_NUMBER_PER_DAY = 4
    for n in range(per_day):
        clock[0] += 11 * 60  # a new 10-minute window each time
        with committed():
            response = Client(REMOTE_ADDR=f"10.0.1.{n + 1}").post(reverse("applications:start"), form_data(person))
        assert response.status_code == 302
    assert len(sent_messages) == per_day
    clock[0] += 11 * 60
    before = ApplicationChallenge.objects.count()
    with committed():
        response = Client(REMOTE_ADDR="10.0.2.1").post(reverse("applications:start"), form_data(person))
    assert response.status_code == 429
    assert "This ID number was used too often today" in response.content.decode()
    assert ApplicationChallenge.objects.count() == before
    assert len(sent_messages) == per_day


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "12345"}, "id_number", "An ID number has 18 characters"),
        ({"certificate_number": "31010619600101001X"}, "certificate_number", "20 characters"),
        ({"service": "spaceship"}, "service", "Choose one of the services"),
        ({"service": "escort"}, "escort_slot", "Choose the clinic session"),
        ({"applicant": "family", "applicant_name": " "}, "applicant_name", "Write your name"),
        ({"contact": ""}, "contact", "Choose where to send the code"),
    ],
)
def test_bad_input_says_how_to_fix_it_and_changes_nothing(person, changes, field, message, in_english):
    response = Client().post(reverse("applications:start"), form_data(person, **changes))
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'id="error-summary"' in body
    assert f'href="#id_{field}' in body
    assert not ApplicationChallenge.objects.exists()


def test_junk_never_answers_500(person, settings):
    settings.APPLICATION_STARTS_PER_ADDRESS = settings.APPLICATION_CODES_PER_ADDRESS = 1000
    client = Client()
    junk = ["\x00", "😀" * 500, "<script>", "' OR 1=1 --", "9" * 5000]
    for value in junk:
        for name in ["service", "escort_slot", "applicant", "applicant_name", "id_number", "certificate_number"]:
            assert client.post(reverse("applications:start"), form_data(person, **{name: value})).status_code < 500
        assert client.get(reverse("applications:start"), {"service": value}).status_code < 500
        assert client.post(reverse("applications:code"), {"code": value}).status_code < 500
        assert client.get(f"/apply/status/{value[:200]}/").status_code in (404,)


def test_a_wrong_or_replayed_status_token_answers_404_with_a_clear_message(person, sent_messages, in_english):
    application, token = submitted(person, sent_messages)
    response = Client().get(reverse("applications:status", args=[token[:-1] + "x"]))
    assert response.status_code == 404
    assert "This link does not open an application" in response.content.decode()
    Application.objects.filter(pk=application.pk).update(
        status="withdrawn", closed_at=timezone.now() - datetime.timedelta(days=91)
    )
    assert Client().get(reverse("applications:status", args=[token])).status_code == 404


def test_withdrawing_asks_to_confirm_then_withdraws_once(person, sent_messages, in_english):
    application, token = submitted(person, sent_messages)
    url = reverse("applications:status", args=[token])
    client = Client()
    response = client.post(url)
    assert response.status_code == 200
    assert "Are you sure?" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "received"
    with committed():
        response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 200
    assert "Your application is withdrawn." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert application.follow_up.status == "closed"
    assert "withdrawn" in sent_messages[-1][1]
    again = client.post(url, {"confirm": "yes"})  # a replayed withdraw
    assert again.status_code == 400
    assert application.changes.count() == 2


def test_the_member_queue_shows_own_street_and_assigns_and_schedules(
    person, member, other_member, sent_messages, in_english
):
    application, _token = submitted(person, sent_messages)
    client = Client()
    client.force_login(member)
    page = client.get(reverse("field_applications:list"))
    assert page.status_code == 200
    assert person.name in page.content.decode()
    detail = reverse("field_applications:detail", args=[application.pk])
    with committed():
        assert client.post(detail, {"step": "assign"}).status_code == 302
    visit_on = timezone.localdate() + datetime.timedelta(days=3)
    with committed():
        assert client.post(detail, {"step": "visit", "visit_on": visit_on.isoformat()}).status_code == 302
    application.refresh_from_db()
    assert application.status == "visit_scheduled"
    assert application.assigned_to == member
    assert application.visit_on == visit_on
    bad = client.post(detail, {"step": "visit", "visit_on": "not a date"})
    assert bad.status_code == 400
    other = Client()
    other.force_login(other_member)
    assert other.get(detail).status_code == 404
    assert person.name not in other.get(reverse("field_applications:list")).content.decode()


def test_staff_approve_and_refuse_through_the_admin_actions(person, staff_user, member, sent_messages):
    first, _t = submitted(person, sent_messages)
    second, _t = submitted(person, sent_messages, service="retrofit")
    with committed():
        actions.application_assign(application=first, by=member, to_user=member)
    client = Client()
    client.force_login(staff_user)
    changelist = reverse("admin:services_application_changelist")
    assert client.get(changelist).status_code == 200
    with committed():
        client.post(changelist, {"action": "approve", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == "approved"
    response = client.post(changelist, {"action": "refuse", "_selected_action": [second.pk]})
    assert response.status_code == 200  # asks for the reason first
    with committed():
        client.post(
            changelist, {"action": "refuse", "_selected_action": [second.pk], "reason": "Already done in 2025."}
        )
    second.refresh_from_db()
    assert second.status == "refused"
    assert second.reason == "Already done in 2025."
    assert client.get(reverse("admin:services_application_change", args=[first.pk])).status_code == 200


def test_the_admin_refuses_deciding_to_a_member(person, member, sent_messages):
    application, _t = submitted(person, sent_messages)
    member.is_staff = True
    member.save()
    client = Client()
    client.force_login(member)
    changelist = reverse("admin:services_application_changelist")
    client.post(changelist, {"action": "approve", "_selected_action": [application.pk]})
    application.refresh_from_db()
    assert application.status == "received"


def test_applications_waiting_too_long_are_in_the_overdue_digest(person, staff_user, sent_messages, settings):
    staff_user.email = "staff@example.org"
    staff_user.save()
    application, _t = submitted(person, sent_messages)
    Application.objects.filter(pk=application.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=30))
    fresh, _t = submitted(person, sent_messages, service="retrofit")
    overdue_digest_send(today=timezone.localdate())
    assert DigestSent.objects.count() == 1
    body = mail.outbox[-1].body
    assert application.get_service_display() in body
    assert body.count(person.masked_id_number) >= 1
    assert person.id_number not in body
    assert fresh.get_service_display() not in body.split("working days:")[-1]


def test_the_digest_counts_an_overdue_application_once_not_its_follow_up_too(
    person, staff_user, sent_messages, in_english
):
    """An application waiting too long is listed as an application; its follow-up, past due too, is not listed
    again as a follow-up (closing it would leave the application open)."""
    staff_user.email = "staff@example.org"
    staff_user.save()
    application, _t = submitted(person, sent_messages)
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Application.objects.filter(pk=application.pk).update(submitted_at=long_ago)
    FollowUp.objects.filter(pk=application.follow_up_id).update(due_on=timezone.localdate(long_ago))
    overdue_digest_send(today=timezone.localdate())
    assert mail.outbox[-1].subject == "Overdue follow-ups: 0; online applications waiting: 1"
    assert mail.outbox[-1].body.count(person.masked_id_number) == 1
    assert DigestSent.objects.get().follow_ups == 0


def _applications(count: int, street, sent_messages) -> None:
    for person in PersonFactory.create_batch(count, street=street, category=2, grade=1):
        submitted(person, sent_messages)


def test_the_member_queue_costs_the_same_with_3_and_30_applications(
    client, member, street, sent_messages, django_assert_num_queries
):
    client.force_login(member)
    _applications(3, street, sent_messages)
    client.get(reverse("field_applications:list"))
    with django_assert_num_queries(5, info="with 3"):
        few = client.get(reverse("field_applications:list"))
    _applications(27, street, sent_messages)
    with django_assert_num_queries(5, info="with 30"):
        many = client.get(reverse("field_applications:list"))
    assert (len(few.context["rows"]), len(many.context["rows"])) == (3, 30)


def test_the_staff_list_costs_the_same_with_3_and_30_applications(
    client, staff_user, street, sent_messages, django_assert_num_queries
):
    client.force_login(staff_user)
    url = reverse("admin:services_application_changelist")
    _applications(3, street, sent_messages)
    client.get(url)
    with django_assert_num_queries(8, info="with 3"):
        few = client.get(url)
    _applications(27, street, sent_messages)
    with django_assert_num_queries(8, info="with 30"):
        many = client.get(url)
    assert (few.context["cl"].result_count, many.context["cl"].result_count) == (3, 30)


def test_a_member_page_post_that_is_no_step_or_a_repeated_one_changes_nothing(person, member, sent_messages):
    """Found by the fuzz test: an unknown step answered 500; now a message, and nothing changed."""
    application, _token = submitted(person, sent_messages)
    client = Client()
    client.force_login(member)
    detail = reverse("field_applications:detail", args=[application.pk])
    assert client.post(detail, {"step": "-1"}).status_code == 302
    application.refresh_from_db()
    assert application.status == "received"
    with committed():
        client.post(detail, {"step": "assign"})
    again = client.post(detail, {"step": "assign"}, follow=True)
    assert again.status_code == 200
    assert application.changes.count() == 2


def test_the_sign_language_slot_is_a_captioned_video_when_configured_else_a_visible_text(settings, in_english):
    page = Client().get(reverse("applications:start")).content.decode()
    assert "<video" not in page
    assert "ask your street's committee member or the federation for a sign-language interpreter" in page
    settings.APPLICATION_SIGN_VIDEO = "video/services/apply_sign.mp4"
    settings.APPLICATION_SIGN_VIDEO_CAPTIONS = "video/services/apply_sign.vtt"
    page = Client().get(reverse("applications:start")).content.decode()
    assert '<video controls preload="none"' in page
    assert '<track kind="captions" src="/static/video/services/apply_sign.vtt"' in page


def test_the_status_page_names_the_federations_phone_when_configured(person, sent_messages, settings, in_english):
    _application, token = submitted(person, sent_messages)
    url = reverse("applications:status", args=[token])
    assert "tel:" not in Client().get(url).content.decode()
    settings.FEDERATION_PHONE = "021-00000000"
    assert 'href="tel:021-00000000"' in Client().get(url).content.decode()


def test_the_follow_up_page_of_an_application_links_to_it(person, member, sent_messages, in_english):
    application, _token = submitted(person, sent_messages)
    client = Client()
    client.force_login(member)
    page = client.get(reverse("field:follow_up", args=[application.follow_up_id]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Asked for in an online application:" in body
    assert reverse("field_applications:detail", args=[application.pk]) in body


def test_a_refused_withdraw_logs_its_path_without_the_status_token(person, sent_messages, caplog):
    """Django logs every 4xx answer with its path ("Bad Request: /apply/status/<token>/"): the log's filter cuts
    the token, which opens and withdraws the application, as it masks ID numbers."""
    _application, token = submitted(person, sent_messages)
    url = reverse("applications:status", args=[token])
    client = Client()
    with committed():
        client.post(url, {"confirm": "yes"})
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.post(url, {"confirm": "yes"}).status_code == 400  # withdrawn already
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    for record in records:
        assert RedactNumbersFilter().filter(record)
        message = record.getMessage()
        assert token not in message
        assert "/apply/status/" in message
