"""Every move of the retrofit workflow, by every role: the legal ones happen, all others change nothing."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from accessibility.actions import retrofit_advance
from accessibility.models import Retrofit, RetrofitStatusChange
from services.models import AuditEntry

from .factories import STEP_DATES, make_retrofit

pytestmark = pytest.mark.django_db

Status = Retrofit.Status
ROLES = ["staff", "member", "other_member", "auditor", "volunteer", "anonymous"]


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


@pytest.fixture
def users(staff_user, member, other_member, auditor, volunteer):
    return {
        "staff": staff_user,
        "member": member,
        "other_member": other_member,
        "auditor": auditor,
        "volunteer": volunteer,
        "anonymous": AnonymousUser(),
    }


def step_data(retrofit: Retrofit, to: str) -> dict:
    """Complete, valid data for the step to `to` from the case's current step."""
    base = retrofit.step_date or STEP_DATES[Status.APPLIED]
    days = Retrofit.FOLLOW_UP_AFTER_DAYS + 10 if to == Status.FOLLOWED_UP else 5
    return {
        "on": base + datetime.timedelta(days=days),
        "note": "记录",
        "household_signatory": "户主",
        "contractor_signatory": "项目经理",
    }


def snapshot(retrofit: Retrofit) -> tuple:
    fresh = Retrofit.objects.get(pk=retrofit.pk)
    return (
        fresh.status,
        fresh.updated_at,
        fresh.history.count(),
        RetrofitStatusChange.objects.filter(retrofit=retrofit).count(),
        AuditEntry.objects.count(),
    )


def expected_refusal(role: str, current: str, to: str) -> str | None:
    """The code of the refusal, or None when the move is allowed."""
    if role in ("other_member", "volunteer", "anonymous"):
        return "not_visible"  # the case is in 江宁路; they cannot see it at all
    if to not in Retrofit.NEXT.get(current, ()):
        return "bad_transition"
    if role == "staff" or (role == "member" and current == Status.APPLIED and to == Status.WITHDRAWN):
        return None
    return "forbidden"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("to", Status.values)
@pytest.mark.parametrize("current", Status.values)
def test_every_move_by_every_role(current, to, role, users, catalogue, staff_user):
    retrofit = make_retrofit(current, by=staff_user, lines=[(catalogue["grab_bar"], 2)])
    by = users[role]
    refusal = expected_refusal(role, current, to)
    before = snapshot(retrofit)
    if refusal is None:
        moved = retrofit_advance(retrofit=retrofit, to=to, by=by, **step_data(retrofit, to))
        assert moved.status == to
        assert Retrofit.objects.get(pk=retrofit.pk).status == to
        change = RetrofitStatusChange.objects.filter(retrofit=retrofit).get()
        assert (change.old, change.new, change.by) == (current, to, by)
        assert change.on == step_data(retrofit, to)["on"]
        entry = AuditEntry.objects.get(code="accessibility.retrofit.advanced")
        assert entry.data == {"from": current, "to": to}
        assert moved.history.first().history_user == by
    else:
        with pytest.raises(ValidationError) as refused:
            retrofit_advance(retrofit=retrofit, to=to, by=by, **step_data(retrofit, to))
        assert codes(refused.value) == {refusal}
        assert snapshot(retrofit) == before


def test_the_legal_moves_are_exactly_these():
    assert {(a, b) for a, targets in Retrofit.NEXT.items() for b in targets} == {
        ("applied", "assessed"),
        ("applied", "rejected"),
        ("applied", "withdrawn"),
        ("assessed", "approved"),
        ("assessed", "rejected"),
        ("assessed", "withdrawn"),
        ("approved", "in_works"),
        ("approved", "withdrawn"),
        ("in_works", "accepted"),
        ("accepted", "followed_up"),
    }


def test_an_unknown_target_is_refused_as_a_bad_transition(staff_user):
    retrofit = make_retrofit(Status.APPLIED)
    with pytest.raises(ValidationError) as refused:
        retrofit_advance(retrofit=retrofit, to="completed", by=staff_user, note="x")
    assert codes(refused.value) == {"bad_transition"}
    assert Retrofit.objects.get(pk=retrofit.pk).status == Status.APPLIED


def test_a_stale_instance_cannot_move_a_case_twice(staff_user):
    """The action reads the case under a row lock, not the caller's copy."""
    retrofit = make_retrofit(Status.APPLIED)
    retrofit_advance(retrofit=retrofit, to=Status.ASSESSED, by=staff_user, on=datetime.date(2023, 1, 15), note="评估")
    assert retrofit.status == Status.APPLIED  # the caller's stale copy
    with pytest.raises(ValidationError) as refused:
        retrofit_advance(
            retrofit=retrofit, to=Status.ASSESSED, by=staff_user, on=datetime.date(2023, 1, 16), note="再评"
        )
    assert codes(refused.value) == {"bad_transition"}
    assert RetrofitStatusChange.objects.filter(retrofit=retrofit).count() == 1


def test_a_full_case_from_application_to_follow_up_records_every_step(member, staff_user, catalogue):
    from accessibility.actions import retrofit_apply, retrofit_items_set
    from tests.services.factories import PersonFactory

    person = PersonFactory()
    case = retrofit_apply(
        person=person, by=member, type="standard", note="卫生间需要扶手", applied_on=datetime.date(2023, 1, 3)
    )
    retrofit_items_set(
        retrofit=case, by=staff_user, items=[(catalogue["grab_bar"], 3, None), (catalogue["bathroom"], 1, None)]
    )
    steps = [
        (Status.ASSESSED, datetime.date(2023, 1, 9), {"note": "卫生间无扶手"}),
        (Status.APPROVED, datetime.date(2023, 1, 20), {}),
        (Status.IN_WORKS, datetime.date(2023, 2, 1), {}),
        (
            Status.ACCEPTED,
            datetime.date(2023, 3, 15),
            {"household_signatory": person.name, "contractor_signatory": "王经理"},
        ),
        (Status.FOLLOWED_UP, datetime.date(2023, 6, 13), {"note": "使用良好"}),
    ]
    Retrofit.objects.filter(pk=case.pk).update(contractor="安居改造公司")
    for to, on, data in steps:
        case = retrofit_advance(retrofit=case, to=to, by=staff_user, on=on, **data)
    case.refresh_from_db()
    assert case.status == Status.FOLLOWED_UP
    assert case.approved_total == 4900
    assert (case.accepted_by, case.household_signatory, case.contractor_signatory) == (
        staff_user,
        person.name,
        "王经理",
    )
    changes = list(RetrofitStatusChange.objects.filter(retrofit=case).values_list("old", "new", "on", "by__username"))
    assert changes == [
        ("", "applied", datetime.date(2023, 1, 3), member.username),
        *[
            (old, to, on, staff_user.username)
            for old, (to, on, _d) in zip(
                ["applied", "assessed", "approved", "in_works", "accepted"], steps, strict=True
            )
        ],
    ]
    assert case.history.count() == 6
