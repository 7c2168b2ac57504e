"""Factories of accessibility records, and cases built directly at any status with that status's data."""

import datetime
from decimal import Decimal

import factory

from accessibility.models import DeviceIssue, RampRetrofit, Retrofit, RetrofitItem, RetrofitLine, SignLanguagePoint
from services.models import Street, User
from services.registry.households import household_link
from tests.services.factories import PersonFactory, ServedRecordFactory

Status = Retrofit.Status
# The date of each step of a case built by make_retrofit; all in the past.
STEP_DATES = {
    Status.APPLIED: datetime.date(2023, 1, 10),
    Status.ASSESSED: datetime.date(2023, 1, 20),
    Status.APPROVED: datetime.date(2023, 2, 1),
    Status.IN_WORKS: datetime.date(2023, 2, 10),
    Status.ACCEPTED: datetime.date(2023, 3, 20),
    Status.FOLLOWED_UP: datetime.date(2023, 7, 1),
}
PATH = [Status.APPLIED, Status.ASSESSED, Status.APPROVED, Status.IN_WORKS, Status.ACCEPTED, Status.FOLLOWED_UP]


class RetrofitItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetrofitItem

    name = factory.Sequence(lambda n: f"改造项目{n}")
    unit = "个"
    allowed_standard = True
    allowed_basic = True
    reference_cost = Decimal(500)


class RetrofitFactory(ServedRecordFactory):
    """An application (status applied); use make_retrofit for later statuses."""

    class Meta:
        model = Retrofit

    person = factory.SubFactory(PersonFactory)
    household = factory.LazyAttribute(lambda r: household_link(person=r.person))
    type = Retrofit.Type.STANDARD
    applied_on = STEP_DATES[Status.APPLIED]


def make_retrofit(
    status: str = Status.APPLIED,
    *,
    by=None,
    lines: list[tuple[RetrofitItem, int]] = (),
    dates: dict[str, datetime.date] | None = None,
    **fields,
) -> Retrofit:
    """A case at `status` with the data each step it went through records (written directly, not by actions)."""
    dates = {**STEP_DATES, **(dates or {})}
    data = {"applied_on": dates[Status.APPLIED], **fields}
    if status in (Status.REJECTED, Status.WITHDRAWN):
        data.update(closed_on=dates.get("closed", dates[Status.APPLIED]), closing_reason="理由")
    else:
        # A voided case was accepted, then voided as entered in error (accessibility.actions.retrofit_correct).
        reached = PATH[: PATH.index(Status.ACCEPTED if status == Status.VOIDED else status) + 1]
        if status == Status.VOIDED:
            data.update(closed_on=dates.get("closed", dates[Status.ACCEPTED]), closing_reason="误录")
        if Status.ASSESSED in reached:
            data.update(assessed_on=dates[Status.ASSESSED], assessment_note="评估记录")
        if Status.APPROVED in reached:
            data.update(approved_on=dates[Status.APPROVED], approved_total=Decimal(0))
            data.setdefault("contractor", "安居改造公司")
        if Status.IN_WORKS in reached:
            data.update(works_started_on=dates[Status.IN_WORKS])
        if Status.ACCEPTED in reached:
            data.update(
                accepted_on=dates[Status.ACCEPTED],
                accepted_by=by or User.objects.get_or_create(username="signer")[0],
                household_signatory="户主",
                contractor_signatory="项目经理",
            )
        if Status.FOLLOWED_UP in reached:
            data.update(followed_up_on=dates[Status.FOLLOWED_UP], follow_up_note="使用正常")
    retrofit = RetrofitFactory(status=status, **data)
    total = Decimal(0)
    for item, quantity in lines:
        RetrofitLine.objects.create(retrofit=retrofit, item=item, quantity=quantity, unit_cost=item.reference_cost)
        total += item.reference_cost * quantity
    if retrofit.approved_on is not None:
        Retrofit.objects.filter(pk=retrofit.pk).update(approved_total=total)
        retrofit.approved_total = total
    return retrofit


class RampRetrofitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RampRetrofit

    street = factory.LazyFunction(lambda: Street.objects.get(code="310106022"))
    compound = factory.Sequence(lambda n: f"芷江西路{n}弄")
    passage = "1号楼单元入口"
    completed_on = datetime.date(2023, 5, 1)


class SignLanguagePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignLanguagePoint

    venue = factory.Sequence(lambda n: f"服务点{n}")
    kind = SignLanguagePoint.Kind.STREET_COUNTER
    street = factory.LazyFunction(lambda: Street.objects.get(code="310106006"))
    in_service_from = datetime.date(2023, 3, 1)


class DeviceIssueFactory(ServedRecordFactory):
    class Meta:
        model = DeviceIssue

    # Smart wristbands are for people with an intellectual disability (the figure counts only theirs).
    person = factory.SubFactory(PersonFactory, category=5)
    device_type = DeviceIssue.DeviceType.SMART_WRISTBAND
    issued_on = datetime.date(2023, 4, 1)
