"""Committee members register the people of their streets for events and record who came."""

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Registration
from tests.events.factories import EventFactory, PersonRegistrationFactory, in_days
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_anonymous_reader_is_sent_to_log_in_and_a_volunteer_is_refused(volunteer):
    event = EventFactory()
    for path in [reverse("field_events:list"), reverse("field_events:event", args=[event.slug])]:
        assert Client().get(path).status_code == 302
        client = Client()
        client.force_login(volunteer)
        assert client.get(path).status_code == 403


def test_member_sees_events_and_registers_a_person_of_their_street(member_client, street, other_street):
    event = EventFactory(title="合唱排练", capacity=1)
    mine = PersonFactory(street=street, name="本街道的人")
    PersonFactory(street=other_street, name="外街道的人")
    assert "合唱排练" in member_client.get(reverse("field_events:list")).content.decode()
    page = member_client.get(reverse("field_events:event", args=[event.slug])).content.decode()
    assert "本街道的人" in page
    assert "外街道的人" not in page
    response = member_client.post(
        reverse("field_events:event", args=[event.slug]), {"person": mine.pk, "needs": ["needs_companion"]}
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.person, registration.street, registration.needs_companion) == (mine, street, True)


def test_member_cannot_register_a_person_of_another_street(member_client, other_street):
    event = EventFactory()
    outsider = PersonFactory(street=other_street)
    response = member_client.post(reverse("field_events:event", args=[event.slug]), {"person": outsider.pk})
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_member_sees_only_their_streets_registrations(member_client, street, other_street):
    event = EventFactory()
    PersonRegistrationFactory(event=event, person=PersonFactory(street=street, name="本街道报名"))
    PersonRegistrationFactory(event=event, person=PersonFactory(street=other_street, name="外街道报名"))
    page = member_client.get(reverse("field_events:event", args=[event.slug])).content.decode()
    assert "本街道报名" in page
    assert "外街道报名" not in page


def test_member_records_attendance_after_the_event_and_not_for_another_street(member_client, street, other_street):
    event = EventFactory(starts_at=in_days(-1), ends_at=in_days(-1, 16))
    mine = PersonRegistrationFactory(event=event, person=PersonFactory(street=street))
    theirs = PersonRegistrationFactory(event=event, person=PersonFactory(street=other_street))
    url = reverse("field_events:event", args=[event.slug])
    assert member_client.post(url, {"registration": mine.pk, "attendance": "attended"}).status_code == 302
    assert member_client.post(url, {"registration": theirs.pk, "attendance": "attended"}).status_code == 404
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert (mine.attendance, theirs.attendance) == ("attended", "pending")
