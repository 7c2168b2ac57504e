"""The database refuses what breaks the rules, whatever writes it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Award, Event, EventPhoto, Registration
from tests.events.factories import (
    AwardFactory,
    EventFactory,
    PersonRegistrationFactory,
    PublicRegistrationFactory,
    image_upload,
)
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        kwargs.pop("factory")(**kwargs)


def test_event_must_end_after_it_starts():
    event = EventFactory.build()
    refused(factory=EventFactory, starts_at=event.starts_at, ends_at=event.starts_at)


def test_event_needs_at_least_one_place():
    refused(factory=EventFactory, capacity=0)


def test_registration_deadline_cannot_follow_the_start():
    event = EventFactory.build()
    refused(
        factory=EventFactory, starts_at=event.starts_at, registration_deadline=event.starts_at + datetime.timedelta(1)
    )


def test_easy_read_provision_needs_its_text():
    refused(factory=EventFactory, easy_read=True, easy_read_text="")
    assert EventFactory(easy_read=True, easy_read_text="我们一起唱歌。").easy_read


def test_a_cancelled_event_is_dated_and_a_scheduled_one_is_not():
    refused(factory=EventFactory, status=Event.Status.CANCELLED, cancelled_at=None)


def test_event_clean_names_each_broken_rule():
    event = EventFactory.build(easy_read=True, easy_read_text=" ")
    event.ends_at = event.starts_at
    event.registration_deadline = event.starts_at + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        event.full_clean()
    assert {"ends_at", "registration_deadline", "easy_read_text"} <= set(exc.value.message_dict)


def test_photo_without_text_alternative_is_refused_by_the_database():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EventPhoto.objects.create(event=event, image=image_upload(), alt_text="   ")
    assert not EventPhoto.objects.exists()


def test_public_registration_needs_name_and_phone_and_no_person():
    event = EventFactory()
    refused(factory=PublicRegistrationFactory, event=event, name="")
    refused(factory=PublicRegistrationFactory, event=event, phone="")
    refused(factory=PublicRegistrationFactory, event=event, person=PersonFactory())


def test_registry_registration_needs_a_person_and_their_street():
    refused(factory=PersonRegistrationFactory, street=None)


def test_one_phone_registers_once_per_event_unless_cancelled():
    event = EventFactory()
    PublicRegistrationFactory(event=event, phone="13912345678")
    refused(factory=PublicRegistrationFactory, event=event, phone="13912345678")
    PublicRegistrationFactory(event=EventFactory(), phone="13912345678")  # another event: fine
    Registration.objects.filter(phone="13912345678", event=event).update(
        status=Registration.Status.CANCELLED, cancelled_at=event.starts_at
    )
    PublicRegistrationFactory(event=event, phone="13912345678")  # after cancelling: fine


def test_one_person_registers_once_per_event():
    first = PersonRegistrationFactory()
    refused(factory=PersonRegistrationFactory, event=first.event, person=first.person, street=first.street)


def test_only_a_confirmed_registration_has_an_attendance():
    refused(
        factory=PublicRegistrationFactory,
        status=Registration.Status.WAITLISTED,
        attendance=Registration.Attendance.ATTENDED,
    )


def test_award_names_a_team_or_a_person_never_both():
    refused(factory=AwardFactory, kind=Award.Kind.TEAM, team_name="")
    refused(factory=AwardFactory, kind=Award.Kind.PERSON, team_name="队", person=None)
    refused(factory=AwardFactory, kind=Award.Kind.TEAM, person=PersonFactory())
    assert AwardFactory(kind=Award.Kind.PERSON, team_name="", person=PersonFactory()).public_winner


def test_award_cannot_come_before_its_event():
    event = EventFactory()
    award = AwardFactory.build(event=event, awarded_on=event.starts_at.date() - datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        award.full_clean()
    assert "awarded_on" in exc.value.message_dict


def test_public_winner_of_an_individual_award_never_names_the_person():
    person = PersonFactory(name="张秘密")
    award = AwardFactory(kind=Award.Kind.PERSON, team_name="", person=person)
    assert "张秘密" not in award.public_winner
