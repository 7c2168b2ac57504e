"""The data each retrofit step needs, the cost cap, applications and items: refused with a reason, nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from accessibility.actions import (
    device_issue_save,
    retrofit_advance,
    retrofit_apply,
    retrofit_edit,
    retrofit_items_set,
)
from accessibility.models import DeviceIssue, Retrofit, RetrofitLine, RetrofitStatusChange, RetrofitTypeCap
from services.models import AuditEntry, FollowUp, Person
from services.registry import roles
from tests.conftest import make_user
from tests.services.factories import PersonFactory, file_visit

from .factories import make_retrofit
from .test_workflow import codes, snapshot

pytestmark = pytest.mark.django_db

Status = Retrofit.Status
D = datetime.date


def refused(code: str, retrofit: Retrofit, **kwargs) -> None:
    """Assert the move is refused with `code` and leaves the case exactly as it was."""
    before = snapshot(retrofit)
    with pytest.raises(ValidationError) as caught:
        retrofit_advance(retrofit=retrofit, **kwargs)
    assert code in codes(caught.value), caught.value
    assert snapshot(retrofit) == before


# --- dates and notes ------------------------------------------------------------------------------


def test_assessment_needs_what_was_found(staff_user):
    retrofit = make_retrofit(Status.APPLIED)
    refused("required", retrofit, to=Status.ASSESSED, by=staff_user, on=D(2023, 1, 15), note="  ")


def test_a_step_cannot_be_dated_in_the_future(staff_user):
    retrofit = make_retrofit(Status.APPLIED)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused("future", retrofit, to=Status.ASSESSED, by=staff_user, on=tomorrow, note="评估")


def test_a_step_cannot_be_dated_before_the_previous_one(staff_user):
    retrofit = make_retrofit(Status.APPLIED)  # applied on 2023-01-10
    refused("order", retrofit, to=Status.ASSESSED, by=staff_user, on=D(2023, 1, 9), note="评估")


def test_a_step_may_take_place_on_the_day_of_the_previous_one(staff_user):
    retrofit = make_retrofit(Status.APPLIED)
    moved = retrofit_advance(retrofit=retrofit, to=Status.ASSESSED, by=staff_user, on=D(2023, 1, 10), note="评估")
    assert (moved.assessed_on, moved.assessment_note) == (D(2023, 1, 10), "评估")


def test_the_date_defaults_to_today(staff_user):
    retrofit = make_retrofit(Status.APPLIED)
    moved = retrofit_advance(retrofit=retrofit, to=Status.ASSESSED, by=staff_user, note="评估")
    assert moved.assessed_on == timezone.localdate()


@pytest.mark.parametrize("to", [Status.REJECTED, Status.WITHDRAWN])
def test_rejection_and_withdrawal_need_a_reason(to, staff_user):
    retrofit = make_retrofit(Status.ASSESSED)
    refused("required", retrofit, to=to, by=staff_user, on=D(2023, 1, 25), note="")
    moved = retrofit_advance(retrofit=retrofit, to=to, by=staff_user, on=D(2023, 1, 25), note="住户决定暂不改造")
    assert (moved.closed_on, moved.closing_reason) == (D(2023, 1, 25), "住户决定暂不改造")


def test_a_member_withdraws_their_streets_application(member):
    retrofit = make_retrofit(Status.APPLIED)
    moved = retrofit_advance(retrofit=retrofit, to=Status.WITHDRAWN, by=member, on=D(2023, 1, 12), note="本人撤回")
    assert moved.status == Status.WITHDRAWN
    assert RetrofitStatusChange.objects.get(retrofit=retrofit).by == member


# --- approval and the cost cap --------------------------------------------------------------------


def test_approval_needs_items(staff_user, catalogue):
    retrofit = make_retrofit(Status.ASSESSED)
    refused("no_items", retrofit, to=Status.APPROVED, by=staff_user, on=D(2023, 2, 1))


def test_approval_within_the_cap_records_the_cost_computed_by_the_database(staff_user, catalogue):
    retrofit = make_retrofit(Status.ASSESSED, lines=[(catalogue["bathroom"], 1), (catalogue["grab_bar"], 3)])
    RetrofitLine.objects.filter(retrofit=retrofit, item=catalogue["grab_bar"]).update(unit_cost=Decimal("333.33"))
    moved = retrofit_advance(retrofit=retrofit, to=Status.APPROVED, by=staff_user, on=D(2023, 2, 1))
    assert moved.approved_total == Decimal("4999.99")
    assert (moved.cap_exception_reason, moved.cap_exception_by) == ("", None)


def test_approval_exactly_at_the_cap_is_allowed(staff_user, catalogue):
    RetrofitTypeCap.objects.filter(type="standard").update(cap=Decimal(4600))
    retrofit = make_retrofit(Status.ASSESSED, lines=[(catalogue["bathroom"], 1), (catalogue["grab_bar"], 2)])
    assert retrofit_advance(retrofit=retrofit, to=Status.APPROVED, by=staff_user).approved_total == Decimal(4600)


def test_approval_over_the_cap_is_refused_without_an_exception(staff_user, catalogue):
    retrofit = make_retrofit(
        Status.ASSESSED, lines=[(catalogue["bathroom"], 1), (catalogue["kitchen"], 1), (catalogue["grab_bar"], 2)]
    )
    before = snapshot(retrofit)
    with pytest.raises(ValidationError) as caught:
        retrofit_advance(retrofit=retrofit, to=Status.APPROVED, by=staff_user, on=D(2023, 2, 1))
    assert codes(caught.value) == {"over_cap"}
    message = caught.value.error_dict["cap_exception_reason"][0].messages[0]
    assert "8100.00" in message
    assert "8000.00" in message
    assert snapshot(retrofit) == before


def test_staff_approve_over_the_cap_with_a_recorded_exception(staff_user, catalogue):
    retrofit = make_retrofit(
        Status.ASSESSED, lines=[(catalogue["bathroom"], 1), (catalogue["kitchen"], 1), (catalogue["grab_bar"], 2)]
    )
    moved = retrofit_advance(
        retrofit=retrofit, to=Status.APPROVED, by=staff_user, on=D(2023, 2, 1), cap_exception_reason="厨卫均需改造"
    )
    assert moved.status == Status.APPROVED
    assert (moved.approved_total, moved.cap_exception_reason, moved.cap_exception_by) == (
        Decimal(8100),
        "厨卫均需改造",
        staff_user,
    )
    assert AuditEntry.objects.get(code="accessibility.retrofit.advanced").data["cap_exception"] is True


def test_only_users_allowed_exceptions_may_approve_over_the_cap(catalogue):
    clerk = make_user("clerk", roles.STAFF, is_staff=True)
    clerk.groups.get().permissions.remove(Permission.objects.get(codename="approve_over_cap"))
    retrofit = make_retrofit(
        Status.ASSESSED, lines=[(catalogue["bathroom"], 1), (catalogue["kitchen"], 1), (catalogue["grab_bar"], 2)]
    )
    refused("over_cap_forbidden", retrofit, to=Status.APPROVED, by=clerk, cap_exception_reason="厨卫均需改造")


def test_the_cap_is_read_per_type(staff_user, catalogue):
    """2 × 300 + 2 × 400 + 3 × 400 = 2600 fits the basic cap of 3000; 3400 does not."""
    within = make_retrofit(
        Status.ASSESSED, type="basic", lines=[(catalogue["grab_bar"], 2), (catalogue["doorbell"], 5)]
    )
    assert retrofit_advance(retrofit=within, to=Status.APPROVED, by=staff_user).approved_total == Decimal(2600)
    over = make_retrofit(Status.ASSESSED, type="basic", lines=[(catalogue["grab_bar"], 2), (catalogue["doorbell"], 7)])
    refused("over_cap", over, to=Status.APPROVED, by=staff_user)


def test_approval_refuses_items_the_type_does_not_allow(staff_user, catalogue):
    retrofit = make_retrofit(Status.ASSESSED, type="basic", lines=[(catalogue["kitchen"], 1)])
    refused("item_not_allowed", retrofit, to=Status.APPROVED, by=staff_user, cap_exception_reason="例外")


def test_approval_without_a_cap_for_the_type_is_refused(staff_user, catalogue):
    RetrofitTypeCap.objects.filter(type="standard").delete()
    retrofit = make_retrofit(Status.ASSESSED, lines=[(catalogue["grab_bar"], 1)])
    refused("no_cap", retrofit, to=Status.APPROVED, by=staff_user)


# --- works, acceptance, follow-up -----------------------------------------------------------------


def test_works_cannot_start_without_a_contractor(staff_user, catalogue):
    retrofit = make_retrofit(Status.APPROVED, contractor="")
    refused("no_contractor", retrofit, to=Status.IN_WORKS, by=staff_user)


def test_acceptance_needs_the_household_and_contractor_sign_offs(staff_user):
    retrofit = make_retrofit(Status.IN_WORKS)
    before = snapshot(retrofit)
    with pytest.raises(ValidationError) as caught:
        retrofit_advance(retrofit=retrofit, to=Status.ACCEPTED, by=staff_user, household_signatory=" ")
    assert set(caught.value.error_dict) == {"household_signatory", "contractor_signatory"}
    assert snapshot(retrofit) == before
    moved = retrofit_advance(
        retrofit=retrofit,
        to=Status.ACCEPTED,
        by=staff_user,
        on=D(2023, 3, 1),
        household_signatory="刘阿姨",
        contractor_signatory="王经理",
    )
    assert (moved.accepted_on, moved.accepted_by, moved.household_signatory, moved.contractor_signatory) == (
        D(2023, 3, 1),
        staff_user,
        "刘阿姨",
        "王经理",
    )


def test_the_check_on_use_comes_ninety_days_after_acceptance(staff_user):
    retrofit = make_retrofit(Status.ACCEPTED)  # accepted on 2023-03-20
    refused("too_early", retrofit, to=Status.FOLLOWED_UP, by=staff_user, on=D(2023, 6, 17), note="使用正常")
    refused("required", retrofit, to=Status.FOLLOWED_UP, by=staff_user, on=D(2023, 6, 18), note="")
    moved = retrofit_advance(
        retrofit=retrofit, to=Status.FOLLOWED_UP, by=staff_user, on=D(2023, 6, 18), note="使用正常"
    )
    assert (moved.followed_up_on, moved.follow_up_note) == (D(2023, 6, 18), "使用正常")


# --- applying -------------------------------------------------------------------------------------


def test_a_member_applies_for_a_person_of_their_street(member):
    person = PersonFactory()
    retrofit = retrofit_apply(person=person, by=member, type="basic", note=" 门槛高 ", applied_on=D(2023, 5, 4))
    assert (retrofit.status, retrofit.street, retrofit.applied_on, retrofit.application_note) == (
        Status.APPLIED,
        person.street,
        D(2023, 5, 4),
        "门槛高",
    )
    change = RetrofitStatusChange.objects.get(retrofit=retrofit)
    assert (change.old, change.new, change.by, change.on) == ("", Status.APPLIED, member, D(2023, 5, 4))
    entry = AuditEntry.objects.get(code="accessibility.retrofit.applied")
    assert entry.data == {"type": "basic", "street": person.street_id, "from_follow_up": None}
    assert retrofit.history.get().history_user == member


def apply_refused(code: str, **kwargs) -> None:
    counts = (Retrofit.objects.count(), RetrofitStatusChange.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as caught:
        retrofit_apply(**kwargs)
    assert code in codes(caught.value), caught.value
    assert (Retrofit.objects.count(), RetrofitStatusChange.objects.count(), AuditEntry.objects.count()) == counts


def test_a_member_cannot_apply_for_another_streets_person(other_member):
    apply_refused("not_visible", person=PersonFactory(), by=other_member, type="basic")


@pytest.mark.parametrize("role", ["volunteer", "auditor"])
def test_volunteers_and_auditors_cannot_apply(role, request):
    apply_refused("forbidden", person=PersonFactory(), by=request.getfixturevalue(role), type="basic")


def test_nobody_applies_for_a_person_no_longer_active(staff_user):
    person = PersonFactory(status=Person.Status.DECEASED, status_changed_on=D(2023, 1, 1))
    apply_refused("inactive", person=person, by=staff_user, type="basic")


def test_an_application_needs_a_known_type_and_a_date_not_in_the_future(staff_user):
    apply_refused("invalid_type", person=PersonFactory(), by=staff_user, type="deluxe")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    apply_refused("future", person=PersonFactory(), by=staff_user, type="basic", applied_on=tomorrow)


@pytest.mark.parametrize("status", Retrofit.OPEN)
def test_an_open_case_blocks_a_second_application(status, member):
    retrofit = make_retrofit(status)
    apply_refused("one_open", person=retrofit.person, by=member, type="basic")


@pytest.mark.parametrize("status", [Status.REJECTED, Status.WITHDRAWN])
def test_a_closed_case_does_not_block_a_new_application(status, member):
    retrofit = make_retrofit(status)
    assert retrofit_apply(person=retrofit.person, by=member, type="basic").status == Status.APPLIED


@pytest.mark.parametrize("status", Retrofit.DONE)
def test_a_finished_case_blocks_a_new_application_for_the_same_home(status, member):
    """The works are done: the home is retrofitted once (tests/accessibility/test_households.py)."""
    retrofit = make_retrofit(status)
    apply_refused("household_has_retrofit", person=retrofit.person, by=member, type="basic")


def visit_with_needs(person, member, needs):

    visit = file_visit(person, by=member, needs=needs)
    return visit


def test_an_application_can_come_from_a_home_visits_retrofit_need(member):
    person = PersonFactory()
    need = visit_with_needs(person, member, ["retrofit", "escort"]).follow_ups.get(need="retrofit")
    retrofit = retrofit_apply(person=person, by=member, type="standard", from_follow_up=need)
    assert retrofit.from_follow_up == need
    assert AuditEntry.objects.get(code="accessibility.retrofit.applied").data["from_follow_up"] == need.pk
    # The application meets the need: it leaves the work queue, with the case named; the other need stays.
    need.refresh_from_db()
    assert (need.status, need.closed_by) == ("closed", member)
    assert f"#{retrofit.pk}" in need.outcome
    assert FollowUp.objects.get(visit=need.visit, need="escort").status == "open"


def test_an_application_refuses_another_need_or_another_persons_need(member):
    person, other = PersonFactory(), PersonFactory()
    visit = visit_with_needs(person, member, ["retrofit", "escort"])
    escort = visit.follow_ups.get(need=FollowUp.Need.ESCORT)
    apply_refused("wrong_follow_up", person=person, by=member, type="basic", from_follow_up=escort)
    retrofit_need = visit.follow_ups.get(need=FollowUp.Need.RETROFIT)
    apply_refused("wrong_follow_up", person=other, by=member, type="basic", from_follow_up=retrofit_need)


# --- items and edits ------------------------------------------------------------------------------


def test_staff_set_items_with_the_reference_cost_by_default(staff_user, catalogue):
    retrofit = make_retrofit(Status.APPLIED)
    lines = retrofit_items_set(
        retrofit=retrofit,
        by=staff_user,
        items=[(catalogue["grab_bar"], 2, None), (catalogue["bathroom"], 1, Decimal(3800))],
    )
    assert sorted((line.item.name, line.quantity, line.unit_cost) for line in lines) == [
        ("卫生间改造", 1, Decimal(3800)),
        ("扶手", 2, Decimal(300)),
    ]
    retrofit_items_set(retrofit=retrofit, by=staff_user, items=[(catalogue["doorbell"], 1, None)])
    assert list(RetrofitLine.objects.filter(retrofit=retrofit).values_list("item__name", flat=True)) == ["闪光振动门铃"]


@pytest.mark.parametrize(
    ("items", "why"),
    [
        ([("kitchen", 1, None)], "not allowed"),
        ([("retired", 1, None)], "no longer offered"),
        ([("grab_bar", 0, None)], "at least 1"),
        ([("grab_bar", 1, Decimal(-1))], "negative"),
        ([("grab_bar", 1, None), ("grab_bar", 2, None)], "twice"),
    ],
)
def test_items_that_do_not_fit_are_refused_and_the_old_items_stay(items, why, staff_user, catalogue):
    retrofit = make_retrofit(Status.APPLIED, type="basic", lines=[(catalogue["doorbell"], 1)])
    with pytest.raises(ValidationError) as caught:
        retrofit_items_set(retrofit=retrofit, by=staff_user, items=[(catalogue[k], q, c) for k, q, c in items])
    assert why in " ".join(caught.value.messages)
    assert list(RetrofitLine.objects.filter(retrofit=retrofit).values_list("item__name", "quantity")) == [
        ("闪光振动门铃", 1)
    ]


def test_items_cannot_change_after_approval_nor_by_members(staff_user, member, catalogue):
    approved = make_retrofit(Status.APPROVED, lines=[(catalogue["grab_bar"], 1)])
    with pytest.raises(ValidationError, match="after approval"):
        retrofit_items_set(retrofit=approved, by=staff_user, items=[(catalogue["doorbell"], 1, None)])
    applied = make_retrofit(Status.APPLIED)
    with pytest.raises(ValidationError, match="not allowed"):
        retrofit_items_set(retrofit=applied, by=member, items=[(catalogue["doorbell"], 1, None)])
    assert RetrofitLine.objects.filter(item=catalogue["doorbell"]).count() == 0


def test_the_type_cannot_change_to_one_that_refuses_the_chosen_items(staff_user, catalogue):
    retrofit = make_retrofit(Status.ASSESSED, lines=[(catalogue["kitchen"], 1)])
    with pytest.raises(ValidationError) as caught:
        retrofit_edit(retrofit=retrofit, by=staff_user, type="basic", contractor="", application_note="")
    assert codes(caught.value) == {"item_not_allowed"}
    assert Retrofit.objects.get(pk=retrofit.pk).type == "standard"


def test_the_type_is_fixed_at_approval_and_the_contractor_when_works_start(staff_user):
    approved = make_retrofit(Status.APPROVED, contractor="甲公司")
    with pytest.raises(ValidationError) as caught:
        retrofit_edit(retrofit=approved, by=staff_user, type="basic", contractor="甲公司", application_note="")
    assert codes(caught.value) == {"locked"}
    edited = retrofit_edit(retrofit=approved, by=staff_user, type="standard", contractor="乙公司", application_note="")
    assert edited.contractor == "乙公司"
    assert AuditEntry.objects.get(code="accessibility.retrofit.edited").data == {"fields": ["contractor"]}
    in_works = make_retrofit(Status.IN_WORKS, contractor="甲公司")
    with pytest.raises(ValidationError):
        retrofit_edit(retrofit=in_works, by=staff_user, type="standard", contractor="乙公司", application_note="")
    assert Retrofit.objects.get(pk=in_works.pk).contractor == "甲公司"


# --- devices --------------------------------------------------------------------------------------


def test_a_device_takes_the_persons_street_and_is_audited(staff_user, other_street):
    person = PersonFactory(street=other_street)
    device = device_issue_save(
        device=DeviceIssue(person=person, device_type="smart_wristband", issued_on=D(2023, 4, 1)), by=staff_user
    )
    assert device.street == other_street
    assert AuditEntry.objects.get(code="accessibility.device.issued").object_id == str(device.pk)


def test_a_second_unreturned_device_of_a_type_is_refused(staff_user):
    person = PersonFactory()
    device_issue_save(
        device=DeviceIssue(person=person, device_type="smart_wristband", issued_on=D(2023, 4, 1)), by=staff_user
    )
    with pytest.raises(ValidationError, match="unreturned"):
        device_issue_save(
            device=DeviceIssue(person=person, device_type="smart_wristband", issued_on=D(2023, 5, 1)), by=staff_user
        )
    device_issue_save(
        device=DeviceIssue(person=person, device_type="hearing_aid", issued_on=D(2023, 5, 1)), by=staff_user
    )
    assert DeviceIssue.objects.filter(person=person).count() == 2


def test_a_device_cannot_come_back_before_it_was_issued(staff_user):
    device = DeviceIssue(
        person=PersonFactory(), device_type="wheelchair", issued_on=D(2023, 4, 1), returned_on=D(2023, 3, 1)
    )
    with pytest.raises(ValidationError):
        device_issue_save(device=device, by=staff_user)
    assert not DeviceIssue.objects.exists()
