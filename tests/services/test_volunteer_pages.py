"""The volunteer's own pages: the escort card (where, when, how to reach the patient as far as consented), the
certificate naming the volunteer, and a decline without a reason answered in our own words."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from services.escorts import actions as escorts
from services.models import EscortBooking, EscortService, EscortSlot, Hospital, Person, VolunteerDecline
from tests.services.factories import eligible_person, make_slot, make_volunteer

pytestmark = pytest.mark.django_db


def assigned(street, staff_user, volunteer, *, days_ahead: float = 2, **person_fields) -> EscortBooking:
    Hospital.objects.filter(name_zh="华东医院").update(clinic="助聋助盲门诊（门诊楼一楼）", address="延安西路221号")
    booking = escorts.escort_booking_create(
        person=eligible_person(street, **person_fields),
        slot=make_slot(days_ahead=days_ahead),
        need="other",
        services=list(EscortService.objects.filter(code="registration")),
        by=staff_user,
    )
    return escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=staff_user)


def card_of(page: str, booking: EscortBooking) -> str:
    return page.split(f'id="escort-{booking.pk}"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("basis", "shown", "hidden"),
    [
        (Person.ConsentBasis.PERSON, ["13911112222"], ["13822223333", "李母"]),
        (Person.ConsentBasis.GUARDIAN, ["13822223333", "李母", "母亲"], ["13911112222"]),
        (Person.ConsentBasis.LEGAL_DUTY, ["call the federation"], ["13911112222", "13822223333", "李母"]),
    ],
)
def test_the_escort_card_shows_where_and_when_to_meet_and_only_the_consented_contact(
    client, street, staff_user, in_english, basis, shown, hidden
):
    volunteer = make_volunteer("card")
    booking = assigned(
        street,
        staff_user,
        volunteer,
        consent_basis=basis,
        phone="13911112222",
        guardian_name="李母",
        guardian_relation="母亲",
        guardian_phone="13822223333",
    )
    client.force_login(volunteer.user)
    card = card_of(client.get(reverse("volunteer:home")).content.decode(), booking)
    assert "Meet at" in card
    assert "助聋助盲门诊（门诊楼一楼）" in card
    assert "延安西路221号" in card
    local = timezone.localtime(booking.slot.starts_at)
    assert f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time>' in card
    for text in shown:
        assert text in card
    for text in hidden:
        assert text not in card


def test_a_patient_without_a_valid_number_gets_the_federation_note(client, street, staff_user, in_english):
    volunteer = make_volunteer("nonumber")
    booking = assigned(street, staff_user, volunteer, phone="", guardian_phone="")
    client.force_login(volunteer.user)
    card = card_of(client.get(reverse("volunteer:home")).content.decode(), booking)
    assert "No number is shared with volunteers for this patient" in card
    assert "tel:" not in card


def test_the_card_page_keeps_its_query_count(client, street, staff_user, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    volunteer = make_volunteer("counted")
    client.force_login(volunteer.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("volunteer:home")).status_code == 200
        return len(queries)

    assigned(street, staff_user, volunteer, days_ahead=2)
    few = count()
    for day in range(3, 7):
        assigned(street, staff_user, volunteer, days_ahead=day)
    assert count() == few


def completed_escort(street, staff_user, volunteer) -> int:
    booking = assigned(street, staff_user, volunteer, days_ahead=1)
    EscortSlot.objects.filter(pk=booking.slot_id).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    escorts.escort_booking_complete(booking=booking, by=volunteer.user, minutes=90)
    return timezone.localtime(booking.slot.starts_at).year


def certificate_text(page: str) -> str:
    return page.split('id="main"')[1] if 'id="main"' in page else page


@pytest.mark.parametrize(("first", "last", "named"), [("秀英", "王", "王秀英"), ("Ming", "Li", "Ming Li")])
def test_the_certificate_names_the_volunteer_not_the_login(client, street, staff_user, first, last, named):
    volunteer = make_volunteer("vol_login_42")
    volunteer.user.first_name, volunteer.user.last_name = first, last
    volunteer.user.save()
    year = completed_escort(street, staff_user, volunteer)
    client.force_login(volunteer.user)
    page = certificate_text(client.get(reverse("volunteer:certificate", args=[year])).content.decode())
    assert named in page
    assert "vol_login_42" not in page


def test_a_volunteer_without_a_name_is_told_to_have_it_recorded_not_given_a_login_certificate(
    client, street, staff_user, in_english
):
    volunteer = make_volunteer("vol_login_43")
    year = completed_escort(street, staff_user, volunteer)
    client.force_login(volunteer.user)
    response = client.get(reverse("volunteer:certificate", args=[year]))
    page = certificate_text(response.content.decode())
    assert response.status_code == 200
    assert "vol_login_43" not in page
    assert "Ask the federation to add your name" in page
    assert 'class="certificate' not in page


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "Say why, so staff can find someone else."), ("zh-hans", "请说明原因，以便工作人员另找志愿者。")],
)
@pytest.mark.parametrize("reason", ["", "   ", "\u3000"])
def test_declining_without_a_reason_gets_our_translated_message_at_the_field(
    client, street, staff_user, lang, message, reason
):
    volunteer = make_volunteer("decliner")
    booking = assigned(street, staff_user, volunteer)
    client.force_login(volunteer.user)
    client.cookies["django_language"] = lang
    page = client.get(reverse("volunteer:home")).content.decode()
    form = re.search(rf"<form[^>]*volunteer/escorts/{booking.pk}/decline/[^>]*>", page).group(0)
    assert "novalidate" in form  # the browser's own (English) bubble never stands in for our message
    response = client.post(reverse("volunteer:decline", args=[booking.pk]), {"reason": reason})
    page = response.content.decode()
    assert response.status_code == 400
    field = re.search(rf'<input[^>]*id="reason-{booking.pk}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="reason-{booking.pk}-error"' in field
    assert re.search(rf'id="reason-{booking.pk}-error"[^>]*>{re.escape(message)}<', page)
    booking.refresh_from_db()
    assert booking.volunteer == volunteer
    assert not VolunteerDecline.objects.exists()


def test_declining_with_a_reason_still_hands_the_escort_back(client, street, staff_user):
    volunteer = make_volunteer("decliner2")
    booking = assigned(street, staff_user, volunteer)
    client.force_login(volunteer.user)
    response = client.post(reverse("volunteer:decline", args=[booking.pk]), {"reason": "家中有事"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.volunteer is None


def test_recording_an_escort_without_minutes_is_answered_at_the_field(client, street, staff_user, in_english):
    volunteer = make_volunteer("minutes")
    booking = assigned(street, staff_user, volunteer, days_ahead=1)
    EscortSlot.objects.filter(pk=booking.slot_id).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    client.force_login(volunteer.user)
    response = client.post(reverse("volunteer:complete", args=[booking.pk]), {"minutes": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="minutes-{booking.pk}-error"' in page
    assert "Give the minutes spent, from 1 to 600." in page
    booking.refresh_from_db()
    assert booking.status == EscortBooking.Status.BOOKED
