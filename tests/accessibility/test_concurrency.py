"""Two people working on the same retrofit case from stale pages: the second is told and changes nothing."""

import pytest
from django.urls import reverse

from accessibility.models import Retrofit, RetrofitStatusChange
from core.concurrency import CONFLICT
from tests.services.test_concurrency import english_staff, page_form_data

from .conftest import english_client
from .factories import make_retrofit

pytestmark = pytest.mark.django_db
Status = Retrofit.Status


def change_url(case: Retrofit) -> str:
    return reverse("admin:accessibility_retrofit_change", args=[case.pk])


def advance_url(case: Retrofit, to: str) -> str:
    return reverse("admin:accessibility_retrofit_advance", args=[case.pk, to])


def conflict_codes(form) -> list[str]:
    return [error.code for error in form.non_field_errors().as_data()]


def plain_form_data(form) -> dict:
    return {field.html_name: field.value() for field in form if field.value() is not None}


@pytest.fixture
def two_staff():
    return english_staff("staff_wang"), english_staff("staff_li")


def test_a_stale_case_form_is_refused_and_keeps_its_input(two_staff):
    wang, li = two_staff
    case = make_retrofit(Status.APPLIED, contractor="安居改造公司")
    wang_form = page_form_data(wang.get(change_url(case)))
    li_form = page_form_data(li.get(change_url(case)))

    assert wang.post(change_url(case), {**wang_form, "contractor": "宜居装饰"}).status_code == 302
    refused = li.post(change_url(case), {**li_form, "application_note": "住户要求加装扶手"})

    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert conflict_codes(form) == [CONFLICT]
    assert "contractor" in form.non_field_errors().as_data()[0].params["fields"]
    assert form["application_note"].value() == "住户要求加装扶手"
    case.refresh_from_db()
    assert (case.contractor, case.application_note) == ("宜居装饰", "")


def test_saving_only_the_items_makes_other_open_forms_stale(two_staff, catalogue):
    wang, li = two_staff
    case = make_retrofit(Status.APPLIED)
    wang_form = page_form_data(wang.get(change_url(case)))
    li_form = page_form_data(li.get(change_url(case)))
    with_item = {
        **wang_form,
        "lines-TOTAL_FORMS": "1",
        "lines-0-item": str(catalogue["grab_bar"].pk),
        "lines-0-quantity": "2",
        "lines-0-unit_cost": "",
    }
    assert wang.post(change_url(case), with_item).status_code == 302
    assert case.lines.count() == 1

    refused = li.post(change_url(case), {**li_form, "contractor": "宜居装饰"})
    assert refused.status_code == 200
    assert conflict_codes(refused.context["adminform"].form) == [CONFLICT]
    case.refresh_from_db()
    assert case.contractor == ""


def test_a_step_taken_from_a_stale_page_is_refused_and_can_be_taken_again(two_staff):
    wang, li = two_staff
    case = make_retrofit(Status.APPLIED)
    step = li.get(advance_url(case, Status.ASSESSED))
    li_step = {**plain_form_data(step.context["form"]), "on": "2023-01-15", "note": "卫生间有台阶"}
    wang_form = page_form_data(wang.get(change_url(case)))
    assert wang.post(change_url(case), {**wang_form, "type": "basic"}).status_code == 302

    refused = li.post(advance_url(case, Status.ASSESSED), li_step)
    assert refused.status_code == 400
    form = refused.context["form"]
    assert conflict_codes(form) == [CONFLICT]
    assert form["note"].value() == "卫生间有台阶"
    assert "Basic type" in refused.content.decode()  # the case is shown as it is now
    case.refresh_from_db()
    assert case.status == Status.APPLIED
    assert not RetrofitStatusChange.objects.filter(retrofit=case).exists()

    again = plain_form_data(refused.context["form"])
    assert li.post(advance_url(case, Status.ASSESSED), again).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.type) == (Status.ASSESSED, "basic")


def test_a_member_withdrawing_from_a_stale_page_is_told_what_changed(client, member):
    case = make_retrofit(Status.APPLIED)
    member_client = english_client(client, member)
    url = reverse("field_retrofits:withdraw", args=[case.pk])
    page = member_client.get(url)
    stale = {**plain_form_data(page.context["form"]), "note": "住户不需要了"}
    staff = english_staff("staff_wang")
    staff_form = page_form_data(staff.get(change_url(case)))
    assert staff.post(change_url(case), {**staff_form, "contractor": "宜居装饰"}).status_code == 302

    refused = member_client.post(url, stale)
    assert refused.status_code == 400
    assert conflict_codes(refused.context["form"]) == [CONFLICT]
    assert "staff_wang" in refused.content.decode()
    assert refused.context["form"]["note"].value() == "住户不需要了"
    case.refresh_from_db()
    assert case.status == Status.APPLIED


def test_bulk_steps_carry_no_version_and_still_work(two_staff):
    wang, _li = two_staff
    case = make_retrofit(Status.APPLIED)
    response = wang.post(
        reverse("admin:accessibility_retrofit_changelist"),
        {"action": "mark_assessed", "_selected_action": [case.pk], "step": "assessed", "on": "2023-01-15", "note": "x"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ASSESSED
