"""Factories of events, registrations and awards, consistent with the models' rules."""

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from events.models import Award, Event, Registration
from tests.services.factories import ServedRecordFactory


def in_days(days: float, hour: int = 14) -> datetime.datetime:
    """A moment `days` from today at `hour`, Shanghai time."""
    day = timezone.localdate() + datetime.timedelta(days=int(days))
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone())


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"测试活动{n}")
    slug = factory.Sequence(lambda n: f"test-event-{n}")
    category = Event.Category.CULTURE
    summary = factory.LazyAttribute(lambda e: f"{e.title}的简介。")
    description = "活动**介绍**。"
    starts_at = factory.LazyFunction(lambda: in_days(10))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + datetime.timedelta(hours=2))
    venue = "静安区文化馆"
    address = "静安区乌鲁木齐北路459号"
    capacity = 10
    is_published = True
    step_free = True


class PublicRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    source = Registration.Source.PUBLIC
    name = factory.Sequence(lambda n: f"报名人{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    status = Registration.Status.CONFIRMED
    consented_at = factory.LazyFunction(timezone.now)


class PersonRegistrationFactory(ServedRecordFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    source = Registration.Source.REGISTRY
    person = factory.SubFactory("tests.services.factories.PersonFactory")
    status = Registration.Status.CONFIRMED


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    competition = factory.Sequence(lambda n: f"比赛{n}")
    awarded_on = datetime.date(2023, 8, 19)
    kind = Award.Kind.TEAM
    team_name = "静安区听障电竞队"
    place = Award.Place.SECOND


def image_upload(name: str = "photo.png", size: tuple[int, int] = (40, 30), fmt: str = "PNG") -> SimpleUploadedFile:
    """A small real image, as a browser would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
