"""Factories of the reports app: plan targets, approved by default as the report only compares with those."""

import datetime

import factory
from django.utils import timezone

from reports.models import AnnualPlan


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    year = 2023
    figure = "escort_person_visits"
    target = 2000
    document = "静安区2023年区政府为民办实事项目"
    document_date = datetime.date(2023, 1, 6)
    status = AnnualPlan.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)
