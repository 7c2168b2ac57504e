"""The staff admin: photos need a text alternative, registrations are staff-only, changes go through actions."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Award, Event, EventPhoto, Registration
from services.models import AuditEntry
from tests.events.factories import AwardFactory, EventFactory, PublicRegistrationFactory, image_upload, in_days
from tests.services.factories import PersonFactory
from tests.services.test_concurrency import version_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def event_form(**changes):
    start = in_days(10)
    data = {
        "title": "新活动",
        "slug": "new-event",
        "category": "culture",
        "summary": "简介",
        "description": "",
        "easy_read_text": "",
        "starts_at_0": f"{start:%Y-%m-%d}",
        "starts_at_1": "14:00:00",
        "ends_at_0": f"{start:%Y-%m-%d}",
        "ends_at_1": "16:00:00",
        "venue": "文化馆",
        "address": "静安区",
        "organiser": "静安区残疾人联合会",
        "capacity": "20",
        "takes_registrations": "on",
        "registration_deadline_0": "",
        "registration_deadline_1": "",
        "sign_language_video_url": "",
        "is_published": "on",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def with_photo(alt_text: str, **changes):
    return event_form(
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-image": image_upload(),
            "photos-0-alt_text": alt_text,
            "photos-0-caption": "",
            "photos-0-position": "0",
            **changes,
        }
    )


def test_staff_adds_an_event_with_a_described_photo_and_it_is_audited(staff_client):
    response = staff_client.post(reverse("admin:events_event_add"), with_photo("合唱队员在台上演唱"))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(slug="new-event")
    assert event.photos.get().alt_text == "合唱队员在台上演唱"
    assert AuditEntry.objects.filter(code="events.event.created", object_id=str(event.pk)).exists()
    assert event.history.count() == 1


def test_an_event_changed_in_the_admin_and_its_photos_are_written_by_the_actions_and_audited(staff_client, staff_user):
    assert staff_client.post(reverse("admin:events_event_add"), event_form()).status_code == 302
    event = Event.objects.get(slug="new-event")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = with_photo("合唱队员在台上演唱", title="新活动（改期）", **version_token(staff_client, url))
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    updated = AuditEntry.objects.get(code="events.event.updated", object_id=str(event.pk))
    assert (updated.user, updated.data) == (staff_user, {"fields": ["title"]})
    photos = AuditEntry.objects.get(code="events.event.photos_changed", object_id=str(event.pk))
    assert (photos.user, photos.data) == (staff_user, {"saved": 1, "deleted": 0})
    assert event.photos.get().history.get().history_user == staff_user


@pytest.mark.parametrize("alt_text", ["", "   ", "IMG_2041.jpg"])
def test_admin_refuses_a_photo_without_a_real_text_alternative(staff_client, alt_text):
    response = staff_client.post(reverse("admin:events_event_add"), with_photo(alt_text))
    assert response.status_code == 200
    assert "alt_text" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert not Event.objects.exists()
    assert not EventPhoto.objects.exists()


def test_admin_refuses_a_file_that_is_not_a_photo(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = with_photo("描述", **{"photos-0-image": SimpleUploadedFile("x.jpg", b"not an image")})
    response = staff_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 200
    assert not EventPhoto.objects.exists()


def test_admin_refuses_an_event_ending_before_it_starts(staff_client):
    response = staff_client.post(reverse("admin:events_event_add"), event_form(ends_at_1="13:00:00"))
    assert response.status_code == 200
    assert "ends_at" in response.context["adminform"].form.errors
    assert not Event.objects.exists()


def test_admin_refuses_a_reserved_page_address(staff_client):
    response = staff_client.post(reverse("admin:events_event_add"), event_form(slug="past"))
    assert "slug" in response.context["adminform"].form.errors


def test_admin_cancel_action_goes_through_the_action(staff_client, staff_user):
    event = EventFactory()
    response = staff_client.post(
        reverse("admin:events_event_changelist"), {"action": "cancel", "_selected_action": [event.pk]}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    assert AuditEntry.objects.get(code="events.event.cancelled").user == staff_user


def test_event_changelist_query_count_does_not_grow_with_rows(staff_client, django_assert_max_num_queries):
    for n in range(3):
        PublicRegistrationFactory(event=EventFactory(starts_at=in_days(1 + n)))
    with django_assert_max_num_queries(12) as few:
        staff_client.get(reverse("admin:events_event_changelist"))
    for n in range(20):
        PublicRegistrationFactory(event=EventFactory(starts_at=in_days(5 + n)))
    with django_assert_max_num_queries(len(few)):
        staff_client.get(reverse("admin:events_event_changelist"))


def test_staff_see_public_registrants_details(staff_client):
    PublicRegistrationFactory(name="公开报名者", phone="13955550001")
    body = staff_client.get(reverse("admin:events_registration_changelist")).content.decode()
    assert "公开报名者" in body
    assert "13955550001" in body


def test_registration_list_is_closed_to_anyone_outside_the_staff_site(member):
    PublicRegistrationFactory(name="公开报名者")
    client = Client()
    client.force_login(member)
    response = client.get(reverse("admin:events_registration_changelist"))
    assert response.status_code == 302  # to the admin login: committee members are not staff
    assert Client().get(reverse("admin:events_registration_changelist")).status_code == 302


def test_staff_register_a_registry_person_in_the_admin(staff_client, staff_user):
    event, person = EventFactory(capacity=1), PersonFactory()
    data = {"event": event.pk, "person": person.pk, "name": "", "phone": "", "needs_companion": "on", "needs_other": ""}
    response = staff_client.post(reverse("admin:events_registration_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    registration = Registration.objects.get()
    assert (registration.person, registration.street, registration.registered_by) == (person, person.street, staff_user)
    assert registration.needs_companion


def test_admin_registration_shows_the_actions_refusal_as_a_form_error(staff_client):
    event = EventFactory(is_published=False)
    data = {"event": event.pk, "person": "", "name": "电话报名", "phone": "13900000001", "needs_other": ""}
    response = staff_client.post(reverse("admin:events_registration_add"), data)
    assert response.status_code == 200
    assert "not open for registration" in str(response.context["adminform"].form.errors)
    assert not Registration.objects.exists()


def test_the_registration_form_only_validates_and_the_admin_registers_through_the_action(staff_client, staff_user):
    from events.forms import RegistrationAddForm

    event, person = EventFactory(capacity=1), PersonFactory()
    data = {"event": event.pk, "person": person.pk, "name": "", "phone": "", "needs_other": ""}
    form = type("Form", (RegistrationAddForm,), {"user": staff_user})(data)
    assert form.is_valid(), form.errors
    assert not Registration.objects.exists()  # validating writes nothing
    assert staff_client.post(reverse("admin:events_registration_add"), data).status_code == 302
    registration = Registration.objects.get()
    assert AuditEntry.objects.filter(code="events.registration.created", object_id=str(registration.pk)).exists()


def test_needs_changed_in_the_registration_admin_go_through_the_action_and_are_audited(staff_client, staff_user):
    registration = PublicRegistrationFactory(event=EventFactory())
    url = reverse("admin:events_registration_change", args=[registration.pk])
    token = version_token(staff_client, url)
    response = staff_client.post(url, {**token, "needs_interpreter": "on", "needs_other": "  导盲犬 "})
    assert response.status_code == 302, response.content.decode()[:2000]
    registration.refresh_from_db()
    assert (registration.needs_interpreter, registration.needs_other) == (True, "导盲犬")
    entry = AuditEntry.objects.get(code="events.registration.needs_changed", object_id=str(registration.pk))
    assert (entry.user, entry.data) == (staff_user, {"fields": ["needs_interpreter", "needs_other"]})


def test_admin_registration_needs_a_person_or_a_name_and_phone(staff_client):
    data = {"event": EventFactory().pk, "person": "", "name": "", "phone": "", "needs_other": ""}
    response = staff_client.post(reverse("admin:events_registration_add"), data)
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_admin_marks_attendance_after_the_event_only(staff_client):
    upcoming = PublicRegistrationFactory()
    past_event = EventFactory(starts_at=in_days(-2), ends_at=in_days(-2, 16))
    past = PublicRegistrationFactory(event=past_event)
    url = reverse("admin:events_registration_changelist")
    staff_client.post(url, {"action": "mark_attended", "_selected_action": [upcoming.pk, past.pk]})
    upcoming.refresh_from_db(), past.refresh_from_db()
    assert (upcoming.attendance, past.attendance) == ("pending", "attended")


def test_award_admin_saves_through_the_action_and_refuses_a_team_award_without_a_team(staff_client):
    url = reverse("admin:events_award_add")
    base = {
        "competition": "飞镖个人组",
        "event": "",
        "awarded_on": "2023-08-19",
        "kind": "team",
        "person": "",
        "place": "third",
    }
    response = staff_client.post(url, {**base, "team_name": ""})
    assert response.status_code == 200
    assert not Award.objects.exists()
    response = staff_client.post(url, {**base, "team_name": "静安区听障飞镖队"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(code="events.award.created").count() == 1


def test_award_admin_lists_winners_for_staff(staff_client):
    AwardFactory(
        kind=Award.Kind.PERSON,
        team_name="",
        person=PersonFactory(name="获奖运动员"),
        awarded_on=datetime.date(2023, 8, 19),
    )
    assert "获奖运动员" in staff_client.get(reverse("admin:events_award_changelist")).content.decode()


def test_event_cannot_be_deleted_in_the_admin(staff_client):
    event = EventFactory()
    assert staff_client.get(reverse("admin:events_event_delete", args=[event.pk])).status_code == 403
    assert timezone.now()


def test_admin_records_a_past_event_as_held_through_the_action(staff_client, staff_user):
    event = EventFactory(starts_at=in_days(-3), is_published=False)
    response = staff_client.post(
        reverse("admin:events_event_changelist") + "?when=past", {"action": "mark_held", "_selected_action": [event.pk]}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.HELD
    assert AuditEntry.objects.get(code="events.event.held").user == staff_user
