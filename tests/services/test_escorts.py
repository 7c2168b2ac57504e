"""Clinic escorts: eligibility, booking rules, matching volunteers, outcomes, reminders, figures."""

import datetime
import functools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reports.figures import counted, get
from services.escorts import actions as escorts
from services.escorts.selectors import volunteer_hours, volunteer_suggestions
from services.escorts.tasks import send_escort_reminders
from services.models import (
    EscortBooking,
    EscortService,
    EscortSlot,
    EscortStatusChange,
    FollowUp,
    Reminder,
    VolunteerDecline,
)
from services.visits import actions as visit_actions
from tests.helpers.concurrency import attempt_at_once
from tests.services.factories import (
    PersonFactory,
    eligible_person,
    file_visit,
    make_slot,
    make_volunteer,
    person_aged,
)

pytestmark = pytest.mark.django_db


def services(*codes: str) -> list[EscortService]:
    return list(EscortService.objects.filter(code__in=codes or ["registration"]))


def book(person, slot, by, *, need="deaf", codes=("registration",), **kwargs) -> EscortBooking:
    return escorts.escort_booking_create(
        person=person, slot=slot, need=need, services=services(*codes), by=by, **kwargs
    )


def day_of(slot: EscortSlot) -> str:
    """The day a member picks first on the escort page (#20)."""
    return timezone.localtime(slot.starts_at).date().isoformat()


def escort_form(slot: EscortSlot, follow_up) -> dict:
    """The field escort page's form, filled for a deaf person's sign-language escort on `slot`, from a need."""
    return {
        "day": day_of(slot),
        "slot": slot.pk,
        "need": "deaf",
        "services": services("sign_language")[0].pk,
        "follow_up": follow_up.pk,
    }


def code_of(exc: pytest.ExceptionInfo) -> str:
    return exc.value.error_list[0].code


@pytest.mark.parametrize(
    ("category", "grade", "age", "included", "eligible"),
    [
        (2, 4, 30, "", True),  # hearing, any grade and age
        (3, 3, 40, "", True),  # speech
        (7, 2, 50, "24", True),  # multiple including hearing
        (1, 1, 70, "", True),  # visual, grade 1, 70
        (1, 2, 85, "", True),
        (1, 1, 69, "", False),  # visual but under 70
        (1, 3, 80, "", False),  # visual but grade 3
        (7, 1, 75, "14", True),  # multiple including visual, grade 1, 75
        (4, 1, 80, "", False),  # physical
        (7, 1, 40, "45", False),
    ],
)
def test_eligibility_rule(street, category, grade, age, included, eligible):
    person = person_aged(street, age, category=category, grade=grade, sequence=123)
    person.multiple_categories = included
    reason = escorts.escort_ineligibility(person, timezone.localdate())
    assert (reason == "") is eligible


def test_booking_records_who_and_when(street, staff_user):
    person = eligible_person(street)
    booking = book(person, make_slot(), staff_user, department="耳鼻喉科")
    assert (booking.status, booking.street, booking.requested_by) == ("booked", street, staff_user)
    change = EscortStatusChange.objects.get(booking=booking)
    assert (change.old, change.new, change.by) == ("", "booked", staff_user)


def test_an_ineligible_person_is_refused_with_the_reason(street, staff_user):
    person = PersonFactory(street=street, category=4, grade=2)
    with pytest.raises(ValidationError) as exc:
        book(person, make_slot(), staff_user)
    assert code_of(exc) == "ineligible"
    assert "70" in exc.value.messages[0]
    assert not EscortBooking.objects.exists()


def test_staff_may_override_eligibility_with_a_recorded_reason(street, staff_user):
    person = PersonFactory(street=street, category=4, grade=1)
    booking = book(person, make_slot(), staff_user, override_reason="术后暂时失明，医嘱需陪同")
    assert booking.eligibility_override == "术后暂时失明，医嘱需陪同"
    assert EscortStatusChange.objects.get(booking=booking).note == "术后暂时失明，医嘱需陪同"


def test_a_committee_member_cannot_override(street, member):
    person = PersonFactory(street=street, category=4, grade=1)
    with pytest.raises(ValidationError) as exc:
        book(person, make_slot(), member, override_reason="please")
    assert code_of(exc) == "override_not_allowed"


def test_a_member_cannot_book_for_another_street(other_street, member):
    with pytest.raises(PermissionDenied):
        book(eligible_person(other_street), make_slot(), member)


@pytest.mark.parametrize(
    ("slot_kwargs", "code"),
    [({"days_ahead": -1}, "slot_past"), ({"days_ahead": 0.0001 - 1}, "slot_past")],
)
def test_a_past_session_is_refused(street, staff_user, slot_kwargs, code):
    with pytest.raises(ValidationError) as exc:
        book(eligible_person(street), make_slot(**slot_kwargs), staff_user)
    assert code_of(exc) == code


def test_a_cancelled_session_is_refused(street, staff_user):
    slot = make_slot()
    slot.cancelled = True
    slot.save()
    with pytest.raises(ValidationError) as exc:
        book(eligible_person(street), slot, staff_user)
    assert code_of(exc) == "slot_cancelled"


def test_a_full_session_is_refused(street, staff_user):
    slot = make_slot(capacity=1)
    book(eligible_person(street), slot, staff_user)
    with pytest.raises(ValidationError) as exc:
        book(eligible_person(street), slot, staff_user)
    assert code_of(exc) == "slot_full"


def test_a_cancelled_booking_frees_its_place(street, staff_user):
    slot = make_slot(capacity=1)
    first = book(eligible_person(street), slot, staff_user)
    escorts.escort_booking_cancel(booking=first, by=staff_user)
    assert book(eligible_person(street), slot, staff_user).status == "booked"


def test_a_person_cannot_be_double_booked_at_overlapping_times(street, staff_user):
    person = eligible_person(street)
    book(person, make_slot(hospital="华东医院"), staff_user)
    with pytest.raises(ValidationError) as exc:
        book(person, make_slot(hospital="市北医院"), staff_user)
    assert code_of(exc) == "double_booked"
    book(person, make_slot(hospital="市北医院", days_ahead=3), staff_user)  # another day is fine


def test_an_inactive_person_or_no_services_is_refused(street, staff_user):
    gone = eligible_person(street, status="moved_out", status_changed_on=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        book(gone, make_slot(), staff_user)
    assert code_of(exc) == "inactive"
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_create(
            person=eligible_person(street), slot=make_slot(), need="deaf", services=[], by=staff_user
        )
    assert code_of(exc) == "no_services"


# 50 connections at once (PostgreSQL's default max_connections is 100): under pytest-xdist the rounds run one after
# another on one worker, never two rounds at once on two.
@pytest.mark.xdist_group(name="fifty_connections")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_fifty_parallel_attempts_at_the_last_place_give_exactly_one_booking(needs_postgres, street, staff_user, round_):
    slot = make_slot(capacity=2)
    book(eligible_person(street), slot, staff_user)  # one place left
    persons = [eligible_person(street) for _ in range(50)]
    calls = [functools.partial(book, person, slot, staff_user) for person in persons]
    assert attempt_at_once(calls, done="booked") == ["booked"] + ["slot_full"] * 49
    assert EscortBooking.objects.filter(slot=slot).count() == 2


def test_assigning_needs_the_right_skill_and_a_free_volunteer(street, staff_user):
    deaf = book(eligible_person(street), make_slot(), staff_user, need="deaf", codes=("sign_language",))
    plain = make_volunteer("plain")
    signer = make_volunteer("signer", signs=True)
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_assign(booking=deaf, volunteer=plain, by=staff_user)
    assert code_of(exc) == "needs_signing"
    escorts.escort_booking_assign(booking=deaf, volunteer=signer, by=staff_user)
    other = book(eligible_person(street), make_slot(hospital="市北医院"), staff_user)
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_assign(booking=other, volunteer=signer, by=staff_user)
    assert code_of(exc) == "volunteer_busy"


def test_a_blind_patient_needs_a_guide_trained_volunteer(street, staff_user):
    blind = person_aged(street, 75, category=1, grade=1, sequence=123)
    booking = book(blind, make_slot(), staff_user, need="blind", codes=("guiding", "medicine"))
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_assign(booking=booking, volunteer=make_volunteer("v1", signs=True), by=staff_user)
    assert code_of(exc) == "needs_guiding"
    guide = make_volunteer("guide", guides=True)
    assert escorts.escort_booking_assign(booking=booking, volunteer=guide, by=staff_user).volunteer == guide


def test_suggestions_list_free_skilled_volunteers_who_have_not_declined(street, staff_user):
    booking = book(eligible_person(street), make_slot(), staff_user, need="deaf")
    busy = make_volunteer("busy", signs=True)
    book_busy = book(eligible_person(street), make_slot(hospital="市北医院"), staff_user)
    escorts.escort_booking_assign(booking=book_busy, volunteer=busy, by=staff_user)
    declined = make_volunteer("declined", signs=True)
    escorts.escort_booking_assign(booking=booking, volunteer=declined, by=staff_user)
    escorts.escort_booking_decline(booking=booking, by=declined.user, reason="临时出差")
    free = make_volunteer("free", signs=True)
    make_volunteer("unskilled")
    year = timezone.localdate().year
    assert list(volunteer_suggestions(booking, year=year)) == [free]


def test_declining_returns_the_booking_to_the_queue_and_blocks_reassigning(street, staff_user):
    booking = book(eligible_person(street), make_slot(), staff_user, need="other")
    volunteer = make_volunteer("v")
    escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=staff_user)
    with pytest.raises(ValidationError):
        escorts.escort_booking_decline(booking=booking, by=volunteer.user, reason="  ")
    escorts.escort_booking_decline(booking=booking, by=volunteer.user, reason="生病")
    booking.refresh_from_db()
    assert booking.volunteer is None
    assert VolunteerDecline.objects.get().reason == "生病"
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=staff_user)
    assert code_of(exc) == "declined"


def test_only_the_assigned_volunteer_records_the_outcome_after_the_start(street, staff_user):
    slot = make_slot(days_ahead=1)
    booking = book(eligible_person(street), slot, staff_user, need="other")
    volunteer, stranger = make_volunteer("v"), make_volunteer("w")
    escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=staff_user)
    with pytest.raises(PermissionDenied):
        escorts.escort_booking_complete(booking=booking, by=stranger.user, minutes=60)
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_complete(booking=booking, by=volunteer.user, minutes=60)
    assert code_of(exc) == "future"
    EscortSlot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1), ends_at=timezone.now() + datetime.timedelta(hours=2)
    )
    with pytest.raises(ValidationError):
        escorts.escort_booking_complete(booking=booking, by=volunteer.user, minutes=0)
    done = escorts.escort_booking_complete(booking=booking, by=volunteer.user, minutes=95)
    assert (done.status, done.minutes) == ("completed", 95)
    with pytest.raises(ValidationError):
        escorts.escort_booking_no_show(booking=booking, by=volunteer.user)


def test_reminders_go_once_to_patient_and_volunteer(street, staff_user, caplog):
    booking = book(eligible_person(street, phone="13912345678"), make_slot(days_ahead=1), staff_user, need="other")
    escorts.escort_booking_assign(booking=booking, volunteer=make_volunteer("v", phone="13600009999"), by=staff_user)
    far = book(eligible_person(street), make_slot(days_ahead=5), staff_user)
    assert send_escort_reminders.delay().get() == 2
    assert send_escort_reminders.delay().get() == 0
    reminders = {r.recipient: r for r in Reminder.objects.all()}
    assert set(reminders) == {"patient", "volunteer"}
    assert reminders["patient"].address == "139****5678"
    assert booking.person.name in reminders["volunteer"].message
    assert not far.reminders.exists()
    assert "139****5678" in caplog.text
    assert "13912345678" not in caplog.text


def test_escort_figures_count_only_completed_visits_of_the_year(street, other_street, staff_user):
    volunteer = make_volunteer("v")
    slot = make_slot(days_ahead=1)
    people = [eligible_person(street), eligible_person(street), eligible_person(other_street)]
    bookings = [book(p, slot, staff_user, need="other", codes=("registration", "medicine")) for p in people]
    bookings = [
        escorts.escort_booking_assign(booking=b, volunteer=make_volunteer(f"v{b.pk}"), by=staff_user) for b in bookings
    ]
    EscortSlot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    escorts.escort_booking_complete(booking=bookings[0], by=bookings[0].volunteer.user, minutes=60)
    escorts.escort_booking_complete(booking=bookings[1], by=bookings[1].volunteer.user, minutes=90)
    escorts.escort_booking_no_show(booking=bookings[2], by=bookings[2].volunteer.user)
    cancelled = book(eligible_person(street), make_slot(days_ahead=3), staff_user)
    escorts.escort_booking_cancel(booking=cancelled, by=staff_user)
    year = timezone.localtime(slot.starts_at).year

    figure = get("escort_person_visits")
    completed = figure.drilldown(year)
    assert figure.compute(year, None) == 2  # completed only: not the no-show, not the cancelled booking
    assert completed.values("person").distinct().count() == 2
    statuses = EscortBooking.objects.filter(slot__starts_at__year=year).values_list("status", flat=True)
    assert (list(statuses).count("no_show"), list(statuses).count("cancelled")) == (1, 1)
    volunteers = {b.volunteer_id: b.minutes for b in completed}
    assert (len(volunteers), sum(volunteers.values())) == (2, 150)
    assert figure.compute(year - 1, None) == 0
    # Each booking asked for two services: once per service, once in every other breakdown.
    assert counted(year, [get("escort_person_visits")])["escort_person_visits"].breakdowns == {
        "hospital": {"华东医院": 2},
        "service": {"medicine": 2, "registration": 2},
        "street": {street.code: 2},
        "category": {"2": 2},
    }
    assert figure.compute(year, [other_street]) == 0
    ledger = {v.user.username: (v.escorts, v.minutes) for v in volunteer_hours(year=year)}
    assert ledger == {bookings[0].volunteer.user.username: (1, 60), bookings[1].volunteer.user.username: (1, 90)}
    assert volunteer.bookings.count() == 0


# The pages: committee members request escorts, volunteers record them.


def test_a_member_books_an_escort_from_a_visits_need(client, member, street):

    person = eligible_person(street)
    slot = make_slot()
    visit = file_visit(person, by=member, needs=["escort"])
    follow_up = visit.follow_ups.get()
    client.force_login(member)
    url = reverse("field:escort", args=[person.pk])
    page = client.get(url, {"follow_up": follow_up.pk})
    assert page.status_code == 200
    response = client.post(url, escort_form(slot, follow_up))
    assert response.status_code == 302
    assert EscortBooking.objects.get().person == person
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.CLOSED


def test_an_escort_booked_from_a_need_and_the_closed_need_commit_together(client, member, street, monkeypatch):
    """A refusal while closing the need leaves neither the booking nor a closed need: one transaction."""

    def refuse(**kwargs):
        raise ValidationError("refused", code="closed")

    person = eligible_person(street)
    slot = make_slot()
    follow_up = file_visit(person, by=member, needs=["escort"]).follow_ups.get()
    monkeypatch.setattr(visit_actions, "follow_up_close", refuse)
    client.force_login(member)
    url = reverse("field:escort", args=[person.pk])
    response = client.post(url, escort_form(slot, follow_up))
    assert response.status_code == 400
    assert not EscortBooking.objects.exists()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN


def test_a_member_gets_404_for_another_streets_person_and_a_crafted_post_books_nothing(client, member, other_street):
    person = eligible_person(other_street)
    client.force_login(member)
    url = reverse("field:escort", args=[person.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"slot": make_slot().pk, "need": "deaf", "services": services()[0].pk}).status_code == 404
    assert not EscortBooking.objects.exists()


def test_a_full_session_is_explained_on_the_form(client, member, street, staff_user):
    slot = make_slot(capacity=1)
    person = eligible_person(street)
    client.force_login(member)
    page = client.get(reverse("field:escort", args=[person.pk]))
    book(eligible_person(street), slot, staff_user)
    response = client.post(
        reverse("field:escort", args=[person.pk]),
        {"day": day_of(slot), "slot": slot.pk, "need": "deaf", "services": services()[0].pk},
    )
    assert page.status_code == 200
    assert response.status_code == 400
    assert "day" in response.context["day_form"].errors  # its one session is full: the day is no longer offered
    assert EscortBooking.objects.filter(person=person).count() == 0


def test_volunteers_see_only_their_assignments_and_record_outcomes(client, street, staff_user):
    slot = make_slot(days_ahead=1)
    mine = book(eligible_person(street, name="甲病人"), slot, staff_user, need="other")
    theirs = book(eligible_person(street, name="乙病人"), slot, staff_user, need="other")
    me, other = make_volunteer("me"), make_volunteer("other")
    escorts.escort_booking_assign(booking=mine, volunteer=me, by=staff_user)
    escorts.escort_booking_assign(booking=theirs, volunteer=other, by=staff_user)
    client.force_login(me.user)
    html = client.get(reverse("volunteer:home")).content.decode()
    assert "甲病人" in html
    assert "乙病人" not in html
    assert client.post(reverse("volunteer:decline", args=[theirs.pk]), {"reason": "x"}).status_code == 404
    response = client.post(reverse("volunteer:decline", args=[mine.pk]), {"reason": "家中有事"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.volunteer is None


def test_volunteer_pages_need_a_volunteer_profile(client, member):
    assert client.get(reverse("volunteer:home")).status_code == 302
    client.force_login(member)
    assert client.get(reverse("volunteer:home")).status_code == 403


def test_staff_book_in_the_admin_and_see_the_refusal_reason(client, staff_user, street):
    client.force_login(staff_user)
    slot = make_slot()
    url = reverse("admin:services_escortbooking_add")
    physical = PersonFactory(street=street, category=4)
    refused = client.post(url, {"person": physical.pk, "slot": slot.pk, "need": "other", "services": services()[0].pk})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors()
    person = eligible_person(street)
    done = client.post(url, {"person": person.pk, "slot": slot.pk, "need": "deaf", "services": services()[0].pk})
    assert done.status_code == 302
    booking = EscortBooking.objects.get()
    assert (booking.person, booking.requested_by) == (person, staff_user)
    change = client.get(reverse("admin:services_escortbooking_change", args=[booking.pk]))
    assert change.status_code == 200
    ledger = client.get(reverse("admin:services_volunteer_hours"), {"year": "2023"})
    assert ledger.status_code == 200


def test_a_volunteer_prints_a_certificate_of_service_from_the_ledger(client, street, staff_user):
    slot = make_slot(days_ahead=1)
    volunteer = make_volunteer("cert")
    booking = book(eligible_person(street), slot, staff_user, need="other")
    escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=staff_user)
    EscortSlot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    escorts.escort_booking_complete(booking=booking, by=volunteer.user, minutes=90)
    client.force_login(volunteer.user)
    year = timezone.localtime(slot.starts_at).year
    page = client.get(reverse("volunteer:certificate", args=[year]))
    assert page.status_code == 200
    assert (page.context["escorts"], page.context["hours"]) == (1, 1.5)
    assert client.get(reverse("volunteer:certificate", args=[year - 1])).context["escorts"] == 0


def test_the_volunteer_page_and_the_escort_admin_list_keep_their_query_count(client, street, staff_user):
    from django.test.utils import CaptureQueriesContext

    volunteer = make_volunteer("counted", signs=True)

    def assign(days: range) -> None:
        for day in days:
            booking = book(
                eligible_person(street), make_slot(days_ahead=day), staff_user, codes=("sign_language", "medicine")
            )
            escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=staff_user)

    def count(user, url: str) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assign(range(2, 3))
    few = (
        count(volunteer.user, reverse("volunteer:home")),
        count(staff_user, reverse("admin:services_escortbooking_changelist")),
    )
    assign(range(3, 9))
    many = (
        count(volunteer.user, reverse("volunteer:home")),
        count(staff_user, reverse("admin:services_escortbooking_changelist")),
    )
    assert few == many


@pytest.mark.parametrize(
    ("category", "included", "need"),
    [(2, "", "deaf"), (3, "", "deaf"), (1, "", "blind"), (7, "14", "blind"), (4, "", "other")],
)
def test_the_escort_form_starts_from_the_need_the_disability_suggests(street, category, included, need):
    person = PersonFactory.build(street=street, category=category, multiple_categories=included)
    assert escorts.default_need(person) == need


def test_the_escort_actions_read_their_moves_from_next(street, staff_user, monkeypatch):
    booking = book(eligible_person(street), make_slot(days_ahead=1), staff_user)
    Status = EscortBooking.Status
    monkeypatch.setattr(EscortBooking, "NEXT", {Status.BOOKED: {Status.COMPLETED, Status.NO_SHOW}})
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_cancel(booking=booking, by=staff_user)
    assert code_of(exc) == "not_booked"
    monkeypatch.setattr(EscortBooking, "NEXT", {})
    with pytest.raises(ValidationError) as exc:
        escorts.escort_booking_assign(booking=booking, volunteer=make_volunteer("v"), by=staff_user)
    assert code_of(exc) == "not_booked"
    assert EscortBooking.objects.get(pk=booking.pk).status == Status.BOOKED


def test_a_team_service_is_recorded_audited_and_counted_for_vanguard_teams_only(staff_user, auditor):
    from services.models import AuditEntry, TeamService, VolunteerTeam

    vanguard = VolunteerTeam.objects.create(name="党员先锋突击队", party_vanguard=True)
    hospital_team = VolunteerTeam.objects.create(name="医院志愿队")
    service = TeamService(team=vanguard, served_on=datetime.date(2023, 5, 6), place="华东医院", person_times=31)
    with pytest.raises(ValidationError):
        escorts.team_service_save(service=service, by=auditor)
    escorts.team_service_save(service=service, by=staff_user)
    escorts.team_service_save(
        service=TeamService(team=hospital_team, served_on=datetime.date(2023, 5, 6), place="市北医院", person_times=9),
        by=staff_user,
    )
    assert AuditEntry.objects.filter(code="services.team_service.created", user=staff_user).count() == 2
    figures = counted(2023, [get("vanguard_services"), get("vanguard_person_times")])
    assert (figures["vanguard_services"].value, figures["vanguard_person_times"].value) == (1, 31)
    with pytest.raises(ValidationError):
        escorts.team_service_save(
            service=TeamService(team=vanguard, served_on=datetime.date(2023, 5, 7), place="华东医院", person_times=0),
            by=staff_user,
        )
