"""A closed escort entered in error is voided through the admin's reason page: refused without a reason or the
permission, audited, out of the figure by exactly one, and on the person's timeline."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports.figures import ESCORT_PERSON_VISITS
from services.escorts import actions as escorts
from services.models import AuditEntry, Correction, EscortBooking, EscortSlot, EscortStatusChange, Hospital
from services.registry import roles
from services.registry.timeline import timeline_for
from tests.conftest import make_user
from tests.services.factories import EscortBookingFactory, PersonFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:services_escortbooking_changelist"


@pytest.fixture(autouse=True)
def _english(in_english):
    """Messages read in English here."""


def closed_booking(street, status=EscortBooking.Status.COMPLETED, *, requested_by) -> EscortBooking:
    """An escort of June 2023, recorded as given (or as not come)."""
    start = datetime.datetime(2023, 6, 1, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    slot, _created = EscortSlot.objects.get_or_create(
        hospital=Hospital.objects.get(name_zh="华东医院"),
        starts_at=start,
        defaults={"ends_at": start + datetime.timedelta(hours=3), "capacity": 9},
    )
    person = PersonFactory(street=street, category=2)
    return EscortBookingFactory(person=person, slot=slot, status=status, requested_by=requested_by)


def post_void(client, booking, **data):
    return client.post(
        reverse(CHANGELIST),
        {"action": "void_selected", ACTION_CHECKBOX_NAME: [booking.pk], "correction": "void_selected", **data},
    )


def test_staff_void_a_completed_escort_through_the_reason_page(client, staff_user, street):
    booking = closed_booking(street, requested_by=staff_user)
    other = closed_booking(street, requested_by=staff_user)
    before = ESCORT_PERSON_VISITS.compute(2023)
    client.force_login(staff_user)

    page = client.post(reverse(CHANGELIST), {"action": "void_selected", ACTION_CHECKBOX_NAME: [booking.pk]})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<textarea name="reason"' in html
    assert 'for="id_reason"' in html  # labelled, so a screen reader and the keyboard reach it
    assert str(booking.person.name) in html
    booking.refresh_from_db()
    assert booking.status == EscortBooking.Status.COMPLETED  # asking the reason changes nothing

    response = post_void(client, booking, reason="  entered twice  ")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == EscortBooking.Status.VOIDED
    assert ESCORT_PERSON_VISITS.compute(2023) == before - 1
    other.refresh_from_db()
    assert other.status == EscortBooking.Status.COMPLETED
    correction = Correction.objects.get()
    assert (correction.kind, correction.old, correction.new, correction.year) == ("voided", "completed", "voided", 2023)
    assert (correction.by, correction.reason, correction.person) == (staff_user, "entered twice", booking.person)
    assert correction.effects["escort_person_visits"]["value"] == -1
    entry = AuditEntry.objects.get(code="services.escort_booking.corrected")
    assert (entry.user, entry.object_id) == (staff_user, str(booking.pk))
    assert entry.data["figures"] == {"escort_person_visits": -1}
    assert "entered twice" not in str(entry.data)  # free text stays out of the audit data
    change = EscortStatusChange.objects.filter(booking=booking).latest("id")
    assert (change.old, change.new, change.by, change.note) == ("completed", "voided", staff_user, "entered twice")
    assert booking.history.latest().history_user == staff_user


def test_a_blank_reason_is_refused_with_a_message_and_changes_nothing(client, staff_user, street):
    booking = closed_booking(street, requested_by=staff_user)
    client.force_login(staff_user)
    response = post_void(client, booking, reason="   ")
    assert response.status_code == 400
    assert "Give the reason for the correction" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == EscortBooking.Status.COMPLETED
    assert not Correction.objects.exists()
    assert not AuditEntry.objects.filter(code="services.escort_booking.corrected").exists()


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.COMMITTEE_MEMBER])
def test_roles_without_the_correction_permission_cannot_void(client, staff_user, street, role):
    booking = closed_booking(street, requested_by=staff_user)
    user = make_user(f"user_{role}", role, is_staff=True, streets=(street,))
    client.force_login(user)
    response = post_void(client, booking, reason="entered twice")
    assert response.status_code in (200, 302, 403)
    booking.refresh_from_db()
    assert booking.status == EscortBooking.Status.COMPLETED
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_correct(booking=booking, by=user, reason="entered twice")
    assert exc.value.error_list[0].code == "permission_denied"
    assert not Correction.objects.exists()


def test_only_staff_hold_the_correction_permission():
    assert "services.correct_closed_record" in roles.PERMISSIONS[roles.STAFF]
    for role in (roles.AUDITOR, roles.COMMITTEE_MEMBER, roles.VOLUNTEER):
        assert "services.correct_closed_record" not in roles.PERMISSIONS[role]


def test_a_no_show_may_be_voided_and_moves_no_figure(staff_user, street):
    booking = closed_booking(street, EscortBooking.Status.NO_SHOW, requested_by=staff_user)
    escorts.escort_booking_correct(booking=booking, by=staff_user, reason="wrong person")
    booking.refresh_from_db()
    assert booking.status == EscortBooking.Status.VOIDED
    assert Correction.objects.get().effects == {}


@pytest.mark.parametrize("status", [EscortBooking.Status.CANCELLED, EscortBooking.Status.VOIDED])
def test_only_a_closed_escort_can_be_voided(staff_user, street, status):
    booking = closed_booking(street, status, requested_by=staff_user)
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_correct(booking=booking, by=staff_user, reason="entered twice")
    assert exc.value.error_list[0].code == "not_closed"
    assert not Correction.objects.exists()


def test_the_correction_shows_on_the_persons_timeline_with_who_and_why(client, staff_user, street):
    booking = closed_booking(street, requested_by=staff_user)
    escorts.escort_booking_correct(booking=booking, by=staff_user, reason="entered twice")
    entries = [e for e in timeline_for(booking.person) if e.kind == "Correction"]
    assert len(entries) == 1
    assert entries[0].title == f"clinic escort booking {booking.pk} voided by staff"
    assert entries[0].detail == "entered twice"
    client.force_login(staff_user)
    page = client.get(reverse("admin:services_person_record", args=[booking.person.pk]))
    assert page.status_code == 200
    assert f"clinic escort booking {booking.pk} voided by staff" in page.content.decode()
    assert "entered twice" in page.content.decode()


def test_the_corrections_are_listed_read_only_for_the_auditor(client, staff_user, auditor, street):
    booking = closed_booking(street, requested_by=staff_user)
    correction = escorts.escort_booking_correct(booking=booking, by=staff_user, reason="entered twice")
    assert correction.status == EscortBooking.Status.VOIDED
    client.force_login(auditor)
    listing = client.get(reverse("admin:services_correction_changelist"))
    assert listing.status_code == 200
    assert "entered twice" in listing.content.decode()
    row = Correction.objects.get()
    assert client.post(reverse("admin:services_correction_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert Correction.objects.filter(pk=row.pk).exists()


def test_the_reason_page_counts_its_records_in_chinese(client, staff_user, street):
    """The caption of the records to correct reads in the admin's language (its catalogue entry once named the
    count as the template, not as the message the template makes, so it stayed English)."""
    booking = closed_booking(street, requested_by=staff_user)
    client.force_login(staff_user)
    client.cookies["django_language"] = "zh-hans"
    page = client.post(reverse(CHANGELIST), {"action": "void_selected", ACTION_CHECKBOX_NAME: [booking.pk]})
    html = page.content.decode()
    assert "待更正的记录：1条" in html
    assert "record to correct" not in html
