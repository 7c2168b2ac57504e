"""An accepted retrofit's type, or the whole case, is corrected through the admin's reason page: refused without a
reason or the permission, audited, the figures moved by exactly one, and on the person's timeline."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from accessibility import actions
from accessibility.models import Retrofit, RetrofitStatusChange
from reports.figures import RETROFITS, counted
from services.models import AuditEntry, Correction
from services.registry import roles
from services.registry.timeline import timeline_for
from tests.conftest import make_user
from tests.services.factories import PersonFactory

from .factories import make_retrofit

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accessibility_retrofit_changelist"
Status = Retrofit.Status


def accepted(street, type=Retrofit.Type.STANDARD, status=Status.ACCEPTED) -> Retrofit:
    """A case accepted on 20 March 2023."""
    return make_retrofit(status, type=type, person=PersonFactory(street=street))


def by_type(year: int = 2023) -> dict[str, int]:
    return counted(year, [RETROFITS])["home_retrofits"].breakdowns["type"]


def post(client, action, retrofit, **data):
    return client.post(
        reverse(CHANGELIST), {"action": action, ACTION_CHECKBOX_NAME: [retrofit.pk], "correction": action, **data}
    )


def test_staff_correct_an_accepted_cases_type_through_the_reason_page(client, staff_user, street):
    case = accepted(street)
    accepted(street)
    accepted(street, Retrofit.Type.BASIC, Status.FOLLOWED_UP)
    assert by_type() == {"basic": 1, "standard": 2}
    client.force_login(staff_user)

    page = client.post(reverse(CHANGELIST), {"action": "correct_type", ACTION_CHECKBOX_NAME: [case.pk]})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<select name="type"' in html
    assert '<textarea name="reason"' in html
    assert 'for="id_type"' in html
    assert 'for="id_reason"' in html

    response = post(client, "correct_type", case, type="basic", reason="the works were the basic package")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.type, case.status) == ("basic", Status.ACCEPTED)
    assert by_type() == {"basic": 2, "standard": 1}
    assert RETROFITS.compute(2023) == 3  # the households stay; only their type moved
    correction = Correction.objects.get()
    assert (correction.kind, correction.old, correction.new, correction.year) == (
        "type_changed",
        "standard",
        "basic",
        2023,
    )
    assert correction.effects == {"home_retrofits": {"value": 0, "breakdowns": {"type": {"basic": 1, "standard": -1}}}}
    entry = AuditEntry.objects.get(code="accessibility.retrofit.corrected")
    assert (entry.user, entry.object_id, entry.data["to"]) == (staff_user, str(case.pk), "basic")
    assert case.history.latest().history_user == staff_user


def test_staff_void_an_accepted_case_and_it_leaves_the_figure(client, staff_user, street):
    case = accepted(street)
    accepted(street)
    client.force_login(staff_user)
    before = RETROFITS.compute(2023)
    response = post(client, "void_selected", case, reason="no works were done at this address")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.VOIDED
    assert case.closing_reason == "no works were done at this address"
    assert RETROFITS.compute(2023) == before - 1
    step = RetrofitStatusChange.objects.filter(retrofit=case).latest("id")
    assert (step.old, step.new, step.by) == (Status.ACCEPTED, Status.VOIDED, staff_user)
    assert Correction.objects.get().effects["home_retrofits"]["value"] == -1


@pytest.mark.parametrize(("action", "data"), [("correct_type", {"type": "basic"}), ("void_selected", {})])
def test_a_blank_reason_is_refused_with_a_message_and_changes_nothing(client, staff_user, street, action, data):
    case = accepted(street)
    client.force_login(staff_user)
    response = post(client, action, case, reason="", **data)
    assert response.status_code == 400
    assert "Give the reason for the correction" in response.content.decode()
    case.refresh_from_db()
    assert (case.type, case.status) == ("standard", Status.ACCEPTED)
    assert not Correction.objects.exists()


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.COMMITTEE_MEMBER])
def test_roles_without_the_correction_permission_cannot_correct(client, street, role):
    case = accepted(street)
    user = make_user(f"user_{role}", role, is_staff=True, streets=(street,))
    client.force_login(user)
    response = post(client, "correct_type", case, type="basic", reason="wrong type")
    assert response.status_code in (200, 302, 403)
    for kwargs in ({"type": "basic"}, {"void": True}):
        with pytest.raises(ValidationError) as exc:
            actions.retrofit_correct(retrofit=case, by=user, reason="wrong type", **kwargs)
        assert exc.value.error_list[0].code == "permission_denied"
    case.refresh_from_db()
    assert (case.type, case.status) == ("standard", Status.ACCEPTED)
    assert not Correction.objects.exists()


@pytest.mark.parametrize("status", [Status.IN_WORKS, Status.REJECTED])
def test_an_open_or_closed_without_works_case_is_not_corrected_here(staff_user, street, status):
    case = make_retrofit(status, person=PersonFactory(street=street))
    with pytest.raises(ValidationError) as exc:
        actions.retrofit_correct(retrofit=case, by=staff_user, reason="wrong type", type="basic")
    assert exc.value.error_list[0].code == "not_closed"


def test_the_same_type_is_refused(staff_user, street):
    case = accepted(street)
    with pytest.raises(ValidationError) as exc:
        actions.retrofit_correct(retrofit=case, by=staff_user, reason="wrong type", type="standard")
    assert exc.value.error_dict["type"][0].code == "same_type"


def test_the_correction_shows_on_the_persons_timeline(staff_user, street):
    case = accepted(street)
    actions.retrofit_correct(retrofit=case, by=staff_user, reason="the works were the basic package", type="basic")
    entries = [e for e in timeline_for(case.person) if e.kind == "Correction"]
    assert [(e.title, e.detail) for e in entries] == [
        (
            f"home retrofit {case.pk} type changed from Standard type to Basic type by staff",
            "the works were the basic package",
        )
    ]
