"""Factories of registry records with valid, unique numbers."""

import datetime

import factory

from services.identity import check_character
from services.models import Person, Street


def id_number_for(n: int, born: datetime.date = datetime.date(1960, 1, 1), sequence: int | None = None) -> str:
    first17 = f"310106{born + datetime.timedelta(days=n // 999):%Y%m%d}{(sequence or n % 999 + 1):03d}"
    return first17 + check_character(first17)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试{n}")
    id_number = factory.Sequence(id_number_for)
    category = 2
    grade = 1
    certificate_number = factory.LazyAttribute(lambda p: f"{p.id_number}{p.category}{p.grade}")
    street = factory.LazyFunction(lambda: Street.objects.get(code="310106006"))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    consent_basis = Person.ConsentBasis.PERSON
    consent_given_on = datetime.date(2023, 1, 5)
