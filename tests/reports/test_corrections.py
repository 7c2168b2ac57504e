"""The next report run lists each correction made since its year's report was frozen, with who made it and why."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accessibility import actions as accessibility_actions
from accessibility.models import Retrofit
from reports.actions import annual_report_freeze
from reports.selectors import corrections_since
from services.escorts import actions as escorts
from services.models import EscortBooking

from .test_actions import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(staff_user):
    staff_user.first_name = "张三"
    staff_user.save()
    return staff_user


def void_over_http(client, booking, reason):
    return client.post(
        reverse("admin:services_escortbooking_changelist"),
        {
            "action": "void_selected",
            ACTION_CHECKBOX_NAME: [booking.pk],
            "correction": "void_selected",
            "reason": reason,
        },
    )


def test_the_next_run_lists_a_voided_escort_against_the_frozen_report(client, year_2023, zhang, in_english):
    official = annual_report_freeze(report=run(), by=zhang)
    booking = EscortBooking.objects.filter(status="completed", slot__starts_at__year=2023).order_by("pk").first()
    client.force_login(zhang)
    assert void_over_http(client, booking, "entered twice").status_code == 302

    later = run()
    assert later.value("escort_person_visits") == official.value("escort_person_visits") - 1
    expected = f"-1 Escort clinic person-visits: clinic escort booking {booking.pk} voided by 张三: entered twice"
    assert [line.text for line in corrections_since(later, official)] == [expected]

    page = client.get(reverse("reports:dashboard", kwargs={"year": 2023}) + f"?report={later.pk}")
    assert expected in page.content.decode()
    admin_page = client.get(reverse("admin:reports_annualreport_change", args=[later.pk]))
    assert expected in admin_page.content.decode()
    # The frozen report itself has nothing to explain.
    assert corrections_since(official, official) == []
    official_page = client.get(reverse("reports:dashboard", kwargs={"year": 2023}) + f"?report={official.pk}")
    assert "entered twice" not in official_page.content.decode()


def test_a_corrected_type_is_listed_by_the_breakdown_it_moved(client, year_2023, zhang, in_english):
    official = annual_report_freeze(report=run(), by=zhang)
    case = Retrofit.objects.filter(status="accepted", type="standard", accepted_on__year=2023).order_by("pk").first()
    client.force_login(zhang)
    response = client.post(
        reverse("admin:accessibility_retrofit_changelist"),
        {
            "action": "correct_type",
            ACTION_CHECKBOX_NAME: [case.pk],
            "correction": "correct_type",
            "type": "basic",
            "reason": "basic package",
        },
    )
    assert response.status_code == 302
    later = run()
    assert later.value("home_retrofits") == official.value("home_retrofits")
    b_old = official.figures["home_retrofits"]["breakdowns"]["type"]
    b_new = later.figures["home_retrofits"]["breakdowns"]["type"]
    assert (b_new["standard"], b_new["basic"]) == (b_old["standard"] - 1, b_old["basic"] + 1)
    expected = (
        "Home retrofits, by retrofit type: Basic type +1, Standard type -1: "
        f"home retrofit {case.pk} type changed from Standard type to Basic type by 张三: basic package"
    )
    assert [line.text for line in corrections_since(later, official)] == [expected]
    page = client.get(reverse("reports:dashboard", kwargs={"year": 2023}) + f"?report={later.pk}")
    assert expected in page.content.decode()


def test_only_corrections_after_the_freeze_of_that_year_that_move_a_figure_are_listed(year_2023, zhang, in_english):
    completed = list(EscortBooking.objects.filter(status="completed").order_by("slot__starts_at", "pk"))
    in_2022 = next(b for b in completed if b.slot.starts_at.year == 2022)
    in_2023 = [b for b in completed if b.slot.starts_at.year == 2023]
    escorts.escort_booking_correct(booking=in_2023[0], by=zhang, reason="before the freeze")
    official = annual_report_freeze(report=run(), by=zhang)
    escorts.escort_booking_correct(booking=in_2022, by=zhang, reason="another year")
    no_show = EscortBooking.objects.get(status="no_show")
    escorts.escort_booking_correct(booking=no_show, by=zhang, reason="moves nothing")
    escorts.escort_booking_correct(booking=in_2023[1], by=zhang, reason="after the freeze")
    later = run()
    assert [line.correction.reason for line in corrections_since(later, official)] == ["after the freeze"]
    assert later.value("escort_person_visits") == official.value("escort_person_visits") - 1
    # A correction made after a run is not listed beside that run: the run does not count it.
    case = Retrofit.objects.filter(status="accepted", accepted_on__year=2023).first()
    accessibility_actions.retrofit_correct(retrofit=case, by=zhang, reason="after the run", void=True)
    assert [line.correction.reason for line in corrections_since(later, official)] == ["after the freeze"]
    assert [line.correction.reason for line in corrections_since(run(), official)] == [
        "after the freeze",
        "after the run",
    ]
