"""Factories of rehabilitation records (centres, family-doctor contracts, home sessions), consistent with the rules."""

import datetime

import factory

from services.models import FamilyDoctorContract, HomeRehabSession, RehabCentre, Street
from tests.services.factories import ServedRecordFactory


class RehabCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RehabCentre

    name = factory.Sequence(lambda n: f"测试社区卫生服务中心{n}")
    street = factory.LazyFunction(lambda: Street.objects.get(code="310106006"))
    address = factory.Sequence(lambda n: f"静安区测试路{n}号")
    phone = "021-62000000"
    opening_hours = "周一至周五 8:00–16:30"
    certification = RehabCentre.Certification.CERTIFIED
    accepted_on = datetime.date(2023, 9, 12)
    step_free = True
    accessible_toilet = True
    offers_home_rehabilitation = True


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyDoctorContract

    person = factory.SubFactory("tests.services.factories.PersonFactory")
    street = factory.LazyAttribute(lambda c: c.person.street)
    centre = factory.SubFactory(RehabCentreFactory, street=factory.SelfAttribute("..street"))
    doctor = "家庭医生团队01"
    signed_on = datetime.date(2022, 3, 1)


class SessionFactory(ServedRecordFactory):
    class Meta:
        model = HomeRehabSession

    contract = factory.SubFactory(ContractFactory)
    person = factory.LazyAttribute(lambda s: s.contract.person)
    centre = factory.LazyAttribute(lambda s: s.contract.centre)
    given_on = datetime.date(2023, 5, 10)
    kind = HomeRehabSession.Kind.TRAINING
    minutes = 60
    given_by = "康复治疗师"
