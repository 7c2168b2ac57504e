"""Factories of employment records; persons of working age come from `worker`."""

import datetime
import itertools

import factory

from employment import actions
from employment.demo import credit_code
from employment.models import Course, Employer, Enrollment, Graduate, Placement
from services.models import Person, User
from tests.services.factories import PersonFactory, ServedRecordFactory, id_number_for

_serial = itertools.count(1)


def born_on(day: datetime.date, **kwargs) -> Person:
    """A person born on `day` (their ID number says so), with a unique ID number."""
    n = (next(_serial) - 1) % 999 + 1  # the three-digit sequence of the ID number: 1 to 999, then again
    return PersonFactory(id_number=id_number_for(0, born=day, sequence=n), **kwargs)


def worker(**kwargs) -> Person:
    """A person of working age throughout 2020-2030 (born in 1990)."""
    return born_on(datetime.date(1990, 5, 17), **kwargs)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"中式面点制作{n}")
    trade = "中式面点师"
    provider = "静安区残疾人职业技能培训中心"
    starts_on = datetime.date(2023, 3, 6)
    ends_on = datetime.date(2023, 4, 28)
    capacity = 30
    place = "共和新路"


def course(first: str, last: str) -> Course:
    """A course running from `first` to `last` (ISO dates)."""
    return CourseFactory(starts_on=datetime.date.fromisoformat(first), ends_on=datetime.date.fromisoformat(last))


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"上海测试用人单位{n}有限公司")
    credit_code = factory.Sequence(lambda n: credit_code(1000 + n))


class EnrollmentFactory(ServedRecordFactory):
    """An enrolment written directly, for hand-built figures; the actions are tested on their own."""

    class Meta:
        model = Enrollment

    person = factory.LazyFunction(worker)
    course = factory.SubFactory(CourseFactory)
    status = Enrollment.Status.COMPLETED

    class Params:
        # `certified=True`: the certificate the assessment centre issued for the course.
        certified = factory.Trait(
            certificate_level="5",
            certificate_issuer="上海市职业技能鉴定中心",
            certificate_issued_on=datetime.date(2023, 5, 20),
        )


class PlacementFactory(ServedRecordFactory):
    class Meta:
        model = Placement

    person = factory.LazyFunction(worker)
    employer = factory.SubFactory(EmployerFactory)
    job_title = "理货员"
    started_on = datetime.date(2023, 5, 8)
    contract_type = Placement.ContractType.FIXED_TERM
    recommended = True


class GraduateFactory(ServedRecordFactory):
    class Meta:
        model = Graduate

    person = factory.LazyFunction(lambda: born_on(datetime.date(2001, 9, 1)))
    graduation_year = 2023


def place(by: User, person: Person | None = None, **overrides) -> Placement:
    """A recommended fixed-term job from 31 January 2023, recorded through the action (`placement_create`)."""
    values = {
        "person": person or worker(),
        "employer": EmployerFactory(),
        "job_title": "理货员",
        "started_on": datetime.date(2023, 1, 31),
        "contract_type": Placement.ContractType.FIXED_TERM,
        "recommended": True,
    }
    return actions.placement_create(by=by, **{**values, **overrides})
