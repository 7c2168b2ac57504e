"""Registering, the waiting list, cancelling, attendance and event changes, with their audit entries."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from events import actions
from events.models import Event, Registration
from services.models import AuditEntry, Person
from tests.events.factories import EventFactory, PersonRegistrationFactory, PublicRegistrationFactory, in_days
from tests.services.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

PUBLIC = {"name": "李明", "phone": "139 1234 5678", "consent": True}


def register(event, **kwargs):
    return actions.registration_create(event=event, **{**PUBLIC, **kwargs})


def test_public_registration_is_confirmed_with_its_phone_normalised_and_an_audit_entry():
    event = EventFactory(capacity=2)
    registration, _token = register(event, needs_interpreter=True, needs_other="  需要 座位靠前 ")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.phone == "13912345678"
    assert registration.needs_other == "需要 座位靠前"
    assert registration.consented_at is not None
    entry = AuditEntry.objects.get(code="events.registration.created")
    assert entry.data == {"event": event.pk, "source": "public", "status": "confirmed"}
    assert "13912345678" not in str(entry.data)
    assert "李明" not in str(entry.data)
    assert registration.history.count() == 1


def test_cancel_token_is_stored_only_as_its_digest():
    registration, token = register(EventFactory())
    assert len(token) >= 30
    assert token not in registration.token_hash
    assert registration.token_hash == actions.token_digest(token)


def test_registrations_beyond_the_places_go_on_the_waiting_list_in_order():
    event = EventFactory(capacity=2)
    statuses = [register(event, phone=f"1391234567{n}")[0].status for n in range(4)]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]


def test_public_request_shows_other_errors_without_the_duplicate_one():
    event = EventFactory()
    register(event, phone="13912345678")
    with pytest.raises(ValidationError) as exc:
        actions.registration_request(
            event=event, status_link=str, **{**PUBLIC, "needs_other": "x" * 201, "phone": "13912345678"}
        )
    assert set(exc.value.error_dict) == {"needs_other"}
    assert Registration.objects.count() == 1


def test_duplicate_phone_is_refused_with_a_clear_message_and_nothing_written():
    event = EventFactory()
    register(event, phone="13912345678")
    with pytest.raises(ValidationError) as exc:
        register(event, phone="139-1234-5678", name="另一个人")
    assert exc.value.error_dict["phone"][0].code == "duplicate"
    assert "already registered" in exc.value.error_dict["phone"][0].message
    assert Registration.objects.count() == 1


def test_public_registration_refuses_missing_consent_bad_phone_and_empty_name_at_once():
    event = EventFactory()
    with pytest.raises(ValidationError) as exc:
        actions.registration_create(event=event, name="  ", phone="12345", consent=False)
    assert set(exc.value.error_dict) == {"name", "phone", "consent"}
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"is_published": False}, "unpublished"),
        (
            {"status": Event.Status.CANCELLED, "cancelled_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
            "cancelled",
        ),
        ({"takes_registrations": False}, "no_registration"),
        ({"starts_at": in_days(-1), "ends_at": in_days(1)}, "started"),
        ({"registration_deadline": in_days(-1)}, "deadline"),
    ],
)
def test_registration_is_refused_when_closed(fields, code):
    event = EventFactory(**fields)
    with pytest.raises(ValidationError) as exc:
        register(event)
    assert exc.value.code == code
    assert not Registration.objects.exists()


def test_staff_may_register_a_person_after_the_public_deadline_but_not_after_the_start(staff_user):
    event = EventFactory(registration_deadline=in_days(-1))
    registration, _token = actions.registration_create(event=event, by=staff_user, person=PersonFactory())
    assert registration.source == Registration.Source.REGISTRY
    assert registration.registered_by == staff_user
    started = EventFactory(starts_at=in_days(-1), ends_at=in_days(1))
    with pytest.raises(ValidationError):
        actions.registration_create(event=started, by=staff_user, person=PersonFactory())


def test_member_registers_a_person_of_their_street_and_the_street_is_copied(member, street):
    person = PersonFactory(street=street)
    registration, _token = actions.registration_create(event=EventFactory(), by=member, person=person)
    assert registration.street == street


def test_member_cannot_register_a_person_of_another_street(member, other_street):
    with pytest.raises(ValidationError) as exc:
        actions.registration_create(event=EventFactory(), by=member, person=PersonFactory(street=other_street))
    assert exc.value.code == "not_yours"
    assert not Registration.objects.exists()


def test_a_person_no_longer_active_cannot_be_registered(staff_user):
    person = PersonFactory(status=Person.Status.MOVED_OUT, status_changed_on=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        actions.registration_create(event=EventFactory(), by=staff_user, person=person)
    assert "person" in exc.value.error_dict


def test_a_person_registers_once_per_event(staff_user):
    event, person = EventFactory(), PersonFactory()
    actions.registration_create(event=event, by=staff_user, person=person)
    with pytest.raises(ValidationError) as exc:
        actions.registration_create(event=event, by=staff_user, person=person)
    assert exc.value.error_dict["person"][0].code == "duplicate"


def test_cancelling_a_confirmed_place_gives_it_to_the_first_waiting():
    event = EventFactory(capacity=1)
    first, _t = register(event, phone="13900000001")
    second, _t = register(event, phone="13900000002")
    third, _t = register(event, phone="13900000003")
    actions.registration_cancel(registration=first)
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.status, second.status, third.status) == ("cancelled", "confirmed", "waitlisted")
    assert first.cancelled_at is not None
    assert AuditEntry.objects.filter(code="events.registration.promoted", object_id=str(second.pk)).exists()


def test_cancelling_a_waiting_registration_promotes_nobody():
    event = EventFactory(capacity=1)
    register(event, phone="13900000001")
    waiting, _t = register(event, phone="13900000002")
    last, _t = register(event, phone="13900000003")
    actions.registration_cancel(registration=waiting)
    last.refresh_from_db()
    assert last.status == "waitlisted"


def test_cancel_by_token_and_never_twice():
    _registration, token = register(EventFactory())
    actions.registration_cancel_by_token(token=token)
    with pytest.raises(ValidationError) as exc:
        actions.registration_cancel_by_token(token=token)
    assert exc.value.code == "cancelled"
    with pytest.raises(Registration.DoesNotExist):
        actions.registration_cancel_by_token(token="not-a-token")


def test_cancelling_after_the_start_is_refused():
    event = EventFactory()
    registration, _t = register(event)
    with pytest.raises(ValidationError) as exc:
        actions.registration_cancel(registration=registration, now=event.starts_at + datetime.timedelta(minutes=1))
    assert exc.value.code == "started"
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_attendance_is_recorded_after_the_start_for_confirmed_registrations_only(staff_user):
    event = EventFactory(capacity=1)
    came, _t = register(event, phone="13900000001")
    waiting, _t = register(event, phone="13900000002")
    with pytest.raises(ValidationError) as exc:
        actions.attendance_record(registration=came, attended=True, by=staff_user)
    assert exc.value.code == "not_started"
    later = event.starts_at + datetime.timedelta(hours=1)
    came = actions.attendance_record(registration=came, attended=True, by=staff_user, now=later)
    assert (came.attendance, came.attendance_recorded_by) == ("attended", staff_user)
    with pytest.raises(ValidationError) as exc:
        actions.attendance_record(registration=waiting, attended=True, by=staff_user, now=later)
    assert exc.value.code == "not_confirmed"


def test_more_places_confirm_the_waiting_list_first(staff_user):
    event = EventFactory(capacity=1)
    for n in range(3):
        register(event, phone=f"1390000000{n}")
    event.capacity = 2
    actions.event_save(event=event, by=staff_user)
    assert list(event.registrations.order_by("created_at", "id").values_list("status", flat=True)) == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert AuditEntry.objects.get(code="events.event.updated").data == {"fields": ["capacity"]}


def test_event_save_refuses_an_invalid_event_and_writes_nothing(staff_user):
    event = EventFactory.build(easy_read=True, easy_read_text="")
    with pytest.raises(ValidationError):
        actions.event_save(event=event, by=staff_user)
    assert not Event.objects.exists()
    assert not AuditEntry.objects.exists()


def test_event_cancel_keeps_registrations_and_is_not_repeated(staff_user):
    event = EventFactory()
    register(event)
    event = actions.event_cancel(event=event, by=staff_user)
    assert event.is_cancelled
    assert event.cancelled_at
    assert event.registrations.get().status == "confirmed"
    with pytest.raises(ValidationError):
        actions.event_cancel(event=event, by=staff_user)


def test_registrations_at_a_cancelled_event_free_no_places():
    event = EventFactory(capacity=1)
    first, _t = register(event, phone="13900000001")
    register(event, phone="13900000002")
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    actions.registration_cancel(registration=first)
    assert event.registrations.filter(status="waitlisted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_place_at_once_get_one_place_and_one_wait(needs_postgres):
    event = EventFactory(capacity=2)
    PublicRegistrationFactory(event=event)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def take(phone: str) -> None:
        try:
            barrier.wait()
            results.append(register(event, phone=phone)[0].status)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(f"1391111000{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == ["confirmed", "waitlisted"]
    assert event.registrations.filter(status="confirmed").count() == 2


def test_person_registration_factory_is_consistent():
    registration = PersonRegistrationFactory()
    assert registration.street == registration.person.street
