"""The actions of online applications: the code, submitting, every step of Application.NEXT, messages, audit."""

import datetime
import itertools

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.notify import SmsGatewayError
from services.applications import actions
from services.applications.actions import CodeRefused, NotEligible
from services.models import Application, ApplicationChallenge, AuditEntry, FollowUp
from services.registry import roles
from tests.conftest import make_user
from tests.services.factories import PersonFactory, id_number_for

from .factories import code_sent, committed, start, submitted

pytestmark = pytest.mark.django_db
Status = Application.Status


@pytest.fixture
def person(street):
    return PersonFactory(street=street, category=2, grade=1)


def test_code_goes_to_the_phone_on_file_and_only_its_digest_is_kept(person, sent_messages):
    challenge = start(person)
    challenge.refresh_from_db()
    assert [to for to, _message in sent_messages] == [person.phone]
    code = code_sent(sent_messages)
    assert code not in challenge.code_hash
    assert "$" in challenge.code_hash
    assert actions.code_matches(challenge, code)
    assert challenge.expires_at - challenge.created_at == datetime.timedelta(minutes=10)


def test_guardian_contact_gets_the_code(street, sent_messages):
    person = PersonFactory(street=street, guardian_phone="13800000001")
    start(person, contact="guardian")
    assert [to for to, _m in sent_messages] == ["13800000001"]


def test_a_non_match_writes_the_same_row_and_sends_nothing(person, sent_messages):
    challenge = start(person, certificate_number=person.certificate_number[:-1] + "4")
    challenge.refresh_from_db()
    assert challenge.person is None
    assert challenge.code_hash
    assert sent_messages == []
    with pytest.raises(CodeRefused):
        actions.application_submit(challenge=challenge, code="123456", site="http://testserver/")
    assert not Application.objects.exists()


def test_the_right_code_files_the_application_follow_up_step_audit_and_message(person, sent_messages):
    with time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC)):  # a Friday
        application, token = submitted(person, sent_messages)
    assert application.status == Status.RECEIVED
    assert application.street == person.street
    assert application.token_hash == actions.token_digest(token)
    assert len(token) >= 40
    follow_up = application.follow_up
    assert follow_up.visit is None
    assert follow_up.need == "rehabilitation"
    assert follow_up.street == person.street
    assert follow_up.due_on == datetime.date(2026, 12, 11)  # 5 working days: the weekend skipped
    assert list(application.changes.values_list("old", "new", "by")) == [("", "received", None)]
    assert AuditEntry.objects.filter(code="services.application.submitted").count() == 1
    to, message = sent_messages[-1]
    assert to == person.phone
    assert f"/apply/status/{token}/" in message
    assert "received" in message
    assert ApplicationChallenge.objects.get().used_at is not None


def test_a_wrong_code_counts_a_try_and_five_end_the_challenge(person, sent_messages):
    challenge = start(person)
    right = code_sent(sent_messages)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for n in range(1, 5):
        with pytest.raises(CodeRefused) as refused:
            actions.application_submit(challenge=challenge, code=wrong, site="x")
        assert refused.value.code == "wrong"
        challenge.refresh_from_db()
        assert challenge.attempts == n
    with pytest.raises(CodeRefused) as refused:
        actions.application_submit(challenge=challenge, code=wrong, site="x")
    assert refused.value.code == "tries"
    with pytest.raises(CodeRefused) as refused:  # even the right code now
        actions.application_submit(challenge=challenge, code=right, site="x")
    assert refused.value.code == "tries"
    assert not Application.objects.exists()


def test_an_expired_code_is_refused(person, sent_messages):
    challenge = start(person)
    with pytest.raises(CodeRefused) as refused:
        actions.application_submit(
            challenge=challenge,
            code=code_sent(sent_messages),
            site="x",
            now=timezone.now() + datetime.timedelta(minutes=11),
        )
    assert refused.value.code == "expired"
    assert not Application.objects.exists()


def test_a_replayed_code_is_refused(person, sent_messages):
    challenge = start(person)
    code = code_sent(sent_messages)
    with committed():
        actions.application_submit(challenge=challenge, code=code, site="x")
    with pytest.raises(CodeRefused) as refused:
        actions.application_submit(challenge=challenge, code=code, site="x")
    assert refused.value.code == "used"
    assert Application.objects.count() == 1


def test_an_ineligible_applicant_is_told_why_and_what_else_and_nothing_is_created(street, sent_messages, in_english):
    person = PersonFactory(street=street, category=4, grade=3)  # physical: not for the escort clinics
    challenge = start(person, service="escort")
    with pytest.raises(NotEligible) as refused, committed():
        actions.application_submit(challenge=challenge, code=code_sent(sent_messages), site="x")
    assert "escort clinics" in refused.value.reason
    assert "Escort to hospital" not in [str(label) for label in refused.value.alternatives]
    assert "Home rehabilitation" in [str(label) for label in refused.value.alternatives]
    assert not Application.objects.exists()
    assert not FollowUp.objects.exists()
    assert ApplicationChallenge.objects.get().used_at is None


LEGAL = {(old, new) for old, targets in Application.NEXT.items() for new in targets}


def _force(application: Application, status: str) -> Application:
    """Put an application in `status` directly (the walk below then tries every move from it)."""
    closed = timezone.now() if status in Application.CLOSED else None
    Application.objects.filter(pk=application.pk).update(
        status=status, closed_at=closed, reason="a reason" if status == "refused" else ""
    )
    application.refresh_from_db()
    return application


def _step(application: Application, to: str, staff, member):
    with committed():
        return _step_now(application, to, staff, member)


def _step_now(application: Application, to: str, staff, member):
    if to == Status.ASSIGNED:
        return actions.application_assign(application=application, by=member, to_user=member)
    if to == Status.VISIT_SCHEDULED:
        return actions.application_schedule_visit(
            application=application, by=member, visit_on=timezone.localdate() + datetime.timedelta(days=2)
        )
    if to == Status.APPROVED:
        return actions.application_approve(application=application, by=staff)
    if to == Status.REFUSED:
        return actions.application_refuse(application=application, by=staff, reason="Not in the budget this year.")
    if to == Status.DONE:
        return actions.application_complete(application=application, by=staff)
    if to == Status.WITHDRAWN:
        return actions.application_withdraw(application=application)
    raise AssertionError(to)


# Nothing moves an application back to "received": every other target is tried from every state.
@pytest.mark.parametrize(("old", "new"), list(itertools.product(Status.values, Status.values[1:])))
def test_every_move_is_allowed_exactly_when_next_says(old, new, person, member, staff_user, sent_messages):
    application, _token = submitted(person, sent_messages)
    application = _force(application, old)
    sent_before = len(sent_messages)
    if (old, new) in LEGAL:
        moved = _step(application, new, staff_user, member)
        assert moved.status == new
        step = moved.changes.last()
        assert (step.old, step.new) == (old, new)
        assert AuditEntry.objects.filter(code=f"services.application.{new}", object_id=str(application.pk)).exists()
        assert len(sent_messages) == sent_before + 1
        assert sent_messages[-1][0] == person.phone
        if new in Application.CLOSED:
            assert moved.closed_at is not None
            assert moved.follow_up.status == FollowUp.Status.CLOSED
    else:
        with pytest.raises(ValidationError):
            _step(application, new, staff_user, member)
        application.refresh_from_db()
        assert application.status == old
        assert application.changes.count() == 1
        assert len(sent_messages) == sent_before


def test_refusing_needs_a_reason_and_tells_it(person, staff_user, sent_messages):
    application, _token = submitted(person, sent_messages)
    with pytest.raises(ValidationError):
        actions.application_refuse(application=application, by=staff_user, reason="  ")
    with committed():
        application = actions.application_refuse(application=application, by=staff_user, reason="Moved away.")
    assert application.reason == "Moved away."
    assert "Moved away." in sent_messages[-1][1]
    assert "Moved away." in application.follow_up.outcome


def test_a_member_may_not_decide_and_may_not_assign_to_another_street(
    person, member, other_member, staff_user, sent_messages
):
    application, _token = submitted(person, sent_messages)
    with pytest.raises(ValidationError):
        actions.application_approve(application=application, by=member)
    with pytest.raises(ValidationError):
        actions.application_assign(application=application, by=staff_user, to_user=other_member)
    volunteer = make_user("vol", roles.VOLUNTEER)
    with pytest.raises(ValidationError):
        actions.application_assign(application=application, by=volunteer, to_user=member)
    application.refresh_from_db()
    assert application.status == Status.RECEIVED


def test_a_visit_day_in_the_past_is_refused(person, member, sent_messages):
    application, _token = submitted(person, sent_messages)
    actions.application_assign(application=application, by=member, to_user=member)
    with pytest.raises(ValidationError):
        actions.application_schedule_visit(
            application=application, by=member, visit_on=timezone.localdate() - datetime.timedelta(days=1)
        )


def test_messages_are_queued_after_the_commit(person, member, sent_messages, django_capture_on_commit_callbacks):
    application, _token = submitted(person, sent_messages)
    before = len(sent_messages)
    with django_capture_on_commit_callbacks() as callbacks:
        actions.application_assign(application=application, by=member, to_user=member)
        assert len(sent_messages) == before
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(sent_messages) == before + 1


@pytest.mark.parametrize("status", ["deceased", "moved_out"])
def test_a_person_who_dies_or_moves_out_has_their_undecided_applications_closed_without_a_message(
    person, sent_messages, member, staff_user, status
):
    from services.registry import lifecycle
    from services.registry.actions import person_save

    waiting, _token = submitted(person, sent_messages)
    approved, _token = submitted(person, sent_messages, service="retrofit")
    _step(approved, Status.ASSIGNED, staff_user, member)
    _step(approved, Status.APPROVED, staff_user, member)
    sent = len(sent_messages)
    person.status, person.status_changed_on = status, timezone.localdate()
    with committed():
        person_save(person=person, by=staff_user)
    waiting.refresh_from_db()
    approved.refresh_from_db()
    assert waiting.status == Status.REFUSED
    assert waiting.reason == lifecycle.end_reason(person)  # "Person deceased on …" / "… moved out … on …"
    assert waiting.follow_up.status == FollowUp.Status.CLOSED
    assert approved.status == Status.APPROVED  # decided: staff see to it, as to works in progress
    assert len(sent_messages) == sent  # the family is reached by staff, not by a text


def test_identity_checks_are_deleted_a_day_after_they_expire_and_not_before(person, sent_messages, settings):
    from services.applications.tasks import purge_application_challenges

    old = start(person)
    fresh = start(person)
    ApplicationChallenge.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1, hours=1)
    )
    ApplicationChallenge.objects.filter(pk=fresh.pk).update(expires_at=timezone.now() - datetime.timedelta(hours=23))
    assert purge_application_challenges() == 1
    assert list(ApplicationChallenge.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert settings.CELERY_BEAT_SCHEDULE["application-challenges-purge"]["task"] == purge_application_challenges.name


def test_closing_an_open_applications_need_as_ineligible_is_refused_and_changes_nothing(
    street, member, sent_messages, in_english
):
    """Reassessed (here: the birth date corrected) after applying, the person may no longer have the service:
    the need is the application's, so closing it alone would leave the application open and the applicant
    untold. The field app says to have the application decided instead."""
    from services.visits.actions import follow_up_close_ineligible

    person = PersonFactory(street=street, category=2, grade=1, id_number=id_number_for(7, datetime.date(1990, 1, 1)))
    application, _token = submitted(person, sent_messages, service="training")
    corrected = id_number_for(7, datetime.date(1940, 1, 1))  # past working age
    type(person).objects.filter(pk=person.pk).update(id_number=corrected)
    follow_up = FollowUp.objects.get(pk=application.follow_up_id)
    with pytest.raises(ValidationError) as refused:
        follow_up_close_ineligible(follow_up=follow_up, by=member, note="Told about rehabilitation.")
    assert refused.value.code == "application"
    assert "online application" in " ".join(refused.value.messages)
    follow_up.refresh_from_db()
    application.refresh_from_db()
    assert (follow_up.status, application.status) == (FollowUp.Status.OPEN, Status.RECEIVED)


class RefusingGateway:
    """An SMS gateway that is down (NOTIFICATION_BACKEND)."""

    channel = "sms"

    def send(self, *, to: str, message: str) -> None:
        raise SmsGatewayError("gateway answered 503")


def test_a_code_the_gateway_refused_is_not_kept_so_the_tasks_retry_sends_one(person, sent_messages, settings):
    from services.applications.tasks import send_application_code

    challenge = start(person, send=False)
    settings.NOTIFICATION_BACKEND = "tests.services.applications.test_actions.RefusingGateway"
    with pytest.raises(SmsGatewayError):
        actions.application_challenge_send(challenge=challenge)
    challenge.refresh_from_db()
    assert challenge.code_hash == ""  # nothing kept: a code nobody received would block the retry
    assert SmsGatewayError in send_application_code.autoretry_for
    settings.NOTIFICATION_BACKEND = "tests.conftest.RecordingNotifier"
    assert actions.application_challenge_send(challenge=challenge) is True
    challenge.refresh_from_db()
    assert actions.code_matches(challenge, code_sent(sent_messages))
