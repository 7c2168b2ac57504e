"""The retrofit admin: inbox and filters, steps through the same action (single, bulk, crafted), the export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accessibility.models import Retrofit, RetrofitLine, RetrofitStatusChange
from services.models import AccessLog, AuditEntry
from tests.services.factories import PersonFactory
from tests.services.test_concurrency import version_token

from .conftest import english_client
from .factories import RetrofitItemFactory, make_retrofit

pytestmark = pytest.mark.django_db

Status = Retrofit.Status
D = datetime.date


def changelist_url() -> str:
    return reverse("admin:accessibility_retrofit_changelist")


def advance_url(retrofit: Retrofit, to: str) -> str:
    return reverse("admin:accessibility_retrofit_advance", args=[retrofit.pk, to])


def change_url(retrofit: Retrofit) -> str:
    return reverse("admin:accessibility_retrofit_change", args=[retrofit.pk])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def staff_client(client, staff_user):
    return english_client(client, staff_user)


@pytest.fixture
def staff_member(member):
    """A committee member of 江宁路 who was also given the admin (their own client)."""
    member.is_staff = True
    member.save()
    return english_client(Client(), member)


def test_anonymous_is_sent_to_log_in(client):
    retrofit = make_retrofit()
    for url in [
        changelist_url(),
        change_url(retrofit),
        advance_url(retrofit, "assessed"),
        reverse("admin:accessibility_retrofit_export"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_the_inbox_opens_on_cases_needing_action_and_counts_each_status(staff_client):
    names = {}
    for status in (
        Status.APPLIED,
        Status.APPLIED,
        Status.IN_WORKS,
        Status.ACCEPTED,
        Status.FOLLOWED_UP,
        Status.REJECTED,
    ):
        case = make_retrofit(status)
        names[case.person.name] = status
    html = staff_client.get(changelist_url()).content.decode()
    for name, status in names.items():
        assert (name in html) == (status in (Status.APPLIED, Status.IN_WORKS, Status.ACCEPTED)), name
    assert "Needs action (4)" in html
    assert "Applied (2)" in html
    assert "Followed up (1)" in html
    assert "Withdrawn (0)" in html
    assert "All (6)" in html
    everything = staff_client.get(changelist_url(), {"inbox": "all"}).content.decode()
    assert all(name in everything for name in names)
    rejected = staff_client.get(changelist_url(), {"inbox": "rejected"}).content.decode()
    assert [n for n in names if n in rejected] == [n for n, s in names.items() if s == Status.REJECTED]


def test_filters_by_street_type_status_and_year_of_application(staff_client, other_street):
    a = make_retrofit(type="basic", applied_on=D(2023, 4, 1))
    b = make_retrofit(person=PersonFactory(street=other_street), dates={Status.APPLIED: D(2022, 4, 1)})
    c = make_retrofit(Status.ASSESSED)

    def shown(**params):
        html = staff_client.get(changelist_url(), {"inbox": "all", **params}).content.decode()
        return {r.person.name for r in (a, b, c) if r.person.name in html}

    assert shown(street__id__exact=other_street.pk) == {b.person.name}
    assert shown(type__exact="basic") == {a.person.name}
    assert shown(inbox="assessed") == {c.person.name}
    assert shown(year="2022") == {b.person.name}
    assert shown(year="2023") == {a.person.name, c.person.name}
    assert staff_client.get(changelist_url(), {"inbox": "nonsense"})["Location"].endswith("?e=1")


def test_the_changelist_runs_the_same_queries_for_more_cases(staff_client, catalogue):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(changelist_url(), {"inbox": "all"}).status_code == 200
        return len(queries)

    for status in (Status.APPLIED, Status.APPROVED):
        make_retrofit(status, lines=[(catalogue["grab_bar"], 2)])
    few = count()
    for status in Status.values:
        make_retrofit(status, lines=[(catalogue["grab_bar"], 1), (catalogue["doorbell"], 1)])
    assert count() == few


def test_the_changelist_shows_masked_numbers_and_the_cost(staff_client, catalogue):
    case = make_retrofit(lines=[(catalogue["grab_bar"], 2), (catalogue["doorbell"], 1)])
    html = staff_client.get(changelist_url()).content.decode()
    assert case.person.masked_id_number in html
    assert case.person.id_number not in html
    assert "1000.00" in html


def test_the_case_page_offers_only_the_legal_next_steps_and_its_opening_is_logged(staff_client, staff_user):
    case = make_retrofit(Status.APPROVED)
    html = staff_client.get(change_url(case)).content.decode()
    log = AccessLog.objects.get(action=AccessLog.Action.OPENED)
    assert (log.user, log.person, log.detail) == (staff_user, case.person, f"retrofit {case.pk}")
    assert advance_url(case, "in_works") in html
    assert advance_url(case, "withdrawn") in html
    for to in ("assessed", "approved", "accepted", "rejected", "followed_up"):
        assert advance_url(case, to) not in html


def test_a_step_from_the_case_page_goes_through_the_action(staff_client, staff_user):
    case = make_retrofit(Status.APPLIED)
    assert staff_client.get(advance_url(case, "assessed")).status_code == 200
    response = staff_client.post(advance_url(case, "assessed"), {"on": "2023-01-15", "note": "卫生间无扶手"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.assessed_on, case.assessment_note) == (Status.ASSESSED, D(2023, 1, 15), "卫生间无扶手")
    assert RetrofitStatusChange.objects.get(retrofit=case).by == staff_user


def test_a_step_with_missing_data_is_shown_again_with_the_reason(staff_client):
    case = make_retrofit(Status.IN_WORKS)
    response = staff_client.post(advance_url(case, "accepted"), {"on": "2023-03-01", "household_signatory": "户主"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert Retrofit.objects.get(pk=case.pk).status == Status.IN_WORKS


@pytest.mark.parametrize(
    ("current", "to"),
    [("applied", "accepted"), ("accepted", "applied"), ("rejected", "assessed"), ("applied", "nonsense")],
)
def test_a_crafted_post_of_an_illegal_step_changes_nothing(staff_client, current, to):
    case = make_retrofit(current)
    before = (
        Retrofit.objects.get(pk=case.pk).updated_at,
        RetrofitStatusChange.objects.count(),
        AuditEntry.objects.count(),
    )
    response = staff_client.post(
        advance_url(case, to),
        {"on": "2023-12-01", "note": "x", "household_signatory": "x", "contractor_signatory": "x"},
    )
    assert response.status_code == 400
    assert "cannot become" in response.content.decode()
    assert Retrofit.objects.get(pk=case.pk).status == current
    after = (
        Retrofit.objects.get(pk=case.pk).updated_at,
        RetrofitStatusChange.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


def test_a_get_of_an_illegal_step_sends_back_to_the_case_with_the_reason(staff_client):
    case = make_retrofit(Status.APPLIED)
    response = staff_client.get(advance_url(case, "accepted"))
    assert response.status_code == 302
    assert texts(response) == ["A case that is “Applied” cannot become “Accepted”."]


def test_status_cannot_be_set_through_the_change_form(staff_client):
    case = make_retrofit(Status.APPLIED)
    response = staff_client.post(
        change_url(case),
        {
            **version_token(staff_client, change_url(case)),
            "type": "standard",
            "contractor": "安居",
            "application_note": "",
            "status": "accepted",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert (case.status, case.contractor) == (Status.APPLIED, "安居")


def test_a_committee_member_with_admin_access_can_only_withdraw_their_streets_applications(staff_member, other_street):
    mine = make_retrofit(Status.APPLIED)
    theirs = make_retrofit(Status.APPLIED, person=PersonFactory(street=other_street))
    response = staff_member.post(advance_url(mine, "assessed"), {"on": "2023-01-15", "note": "评估"})
    assert response.status_code == 400
    assert "You are not allowed" in response.content.decode()
    assert staff_member.get(change_url(theirs)).status_code == 404
    assert staff_member.post(advance_url(theirs, "withdrawn"), {"on": "2023-01-15", "note": "x"}).status_code == 404
    assert (
        staff_member.post(advance_url(mine, "withdrawn"), {"on": "2023-01-15", "note": "住户撤回"}).status_code == 302
    )
    assert Retrofit.objects.get(pk=mine.pk).status == Status.WITHDRAWN
    assert Retrofit.objects.get(pk=theirs.pk).status == Status.APPLIED


# --- bulk actions ---------------------------------------------------------------------------------


def test_bulk_approval_asks_for_the_step_data_first(staff_client, catalogue):
    cases = [make_retrofit(Status.ASSESSED, lines=[(catalogue["grab_bar"], 1)]) for _ in range(2)]
    response = staff_client.post(
        changelist_url(), {"action": "approve", "_selected_action": [c.pk for c in cases], "index": "0"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="cap_exception_reason"' in html
    assert all(c.person.name in html for c in cases)
    assert Retrofit.objects.filter(status=Status.ASSESSED).count() == 2


def test_bulk_approval_goes_through_the_action_and_reports_each_refusal(staff_client, catalogue):
    fits = make_retrofit(Status.ASSESSED, lines=[(catalogue["grab_bar"], 2)])
    over_cap = make_retrofit(
        Status.ASSESSED, lines=[(catalogue["bathroom"], 1), (catalogue["kitchen"], 1), (catalogue["grab_bar"], 2)]
    )
    too_early = make_retrofit(Status.APPLIED, lines=[(catalogue["grab_bar"], 1)])
    response = staff_client.post(
        changelist_url() + "?inbox=all",
        {
            "action": "approve",
            "_selected_action": [fits.pk, over_cap.pk, too_early.pk],
            "step": "approved",
            "on": "2023-02-05",
            "note": "",
            "cap_exception_reason": "",
        },
    )
    assert response.status_code == 302
    messages = texts(response)
    assert f"Case #{over_cap.pk} ({over_cap.person.name}) was not changed" in messages[0]
    assert "above the Standard type cap" in messages[0]
    assert f"Case #{too_early.pk}" in messages[1]
    assert "cannot become" in messages[1]
    assert messages[2] == "1 cases are now “Approved”."
    statuses = dict(Retrofit.objects.values_list("pk", "status"))
    assert statuses == {fits.pk: Status.APPROVED, over_cap.pk: Status.ASSESSED, too_early.pk: Status.APPLIED}
    assert Retrofit.objects.get(pk=fits.pk).approved_total == Decimal(600)


def test_bulk_acceptance_records_each_applicant_as_the_household_sign_off(staff_client, staff_user):
    cases = [make_retrofit(Status.IN_WORKS) for _ in range(2)]
    response = staff_client.post(
        changelist_url(),
        {
            "action": "accept",
            "_selected_action": [c.pk for c in cases],
            "step": "accepted",
            "on": "2023-03-01",
            "household_signatory": "",
            "contractor_signatory": "王经理",
        },
    )
    assert response.status_code == 302
    for case in cases:
        case.refresh_from_db()
        assert (case.status, case.household_signatory, case.contractor_signatory, case.accepted_by) == (
            Status.ACCEPTED,
            case.person.name,
            "王经理",
            staff_user,
        )


def test_bulk_step_data_is_checked_before_any_case_moves(staff_client):
    cases = [make_retrofit(Status.APPLIED) for _ in range(2)]
    response = staff_client.post(
        changelist_url(),
        {"action": "mark_assessed", "_selected_action": [c.pk for c in cases], "step": "assessed", "on": "2023-01-20"},
    )
    assert response.status_code == 400
    assert Retrofit.objects.filter(status=Status.APPLIED).count() == 2


def test_auditors_see_cases_but_have_no_step_actions(client, auditor):
    case = make_retrofit(Status.APPLIED)
    auditor_client = english_client(client, auditor)
    html = auditor_client.get(changelist_url()).content.decode()
    assert case.person.name in html
    assert 'value="mark_assessed"' not in html
    auditor_client.post(
        changelist_url(),
        {"action": "mark_assessed", "_selected_action": [case.pk], "step": "assessed", "on": "2023-01-20", "note": "x"},
    )
    assert auditor_client.post(advance_url(case, "assessed"), {"on": "2023-01-20", "note": "x"}).status_code == 400
    assert Retrofit.objects.get(pk=case.pk).status == Status.APPLIED


# --- adding and editing ---------------------------------------------------------------------------


def test_staff_file_an_application_in_the_admin_through_the_action(staff_client, staff_user):
    person = PersonFactory()
    response = staff_client.post(
        reverse("admin:accessibility_retrofit_add"),
        {"person": person.pk, "type": "basic", "applied_on": "2023-05-01", "application_note": "门槛高"},
    )
    assert response.status_code == 302
    case = Retrofit.objects.get(person=person)
    assert response["Location"].endswith(f"/{case.pk}/change/") or response["Location"].endswith("/retrofit/")
    assert (case.status, case.street, case.applied_on) == (Status.APPLIED, person.street, D(2023, 5, 1))
    assert RetrofitStatusChange.objects.get(retrofit=case).by == staff_user
    assert AuditEntry.objects.filter(code="accessibility.retrofit.applied").count() == 1


def test_the_admin_refuses_a_second_open_application_with_the_reason(staff_client):
    existing = make_retrofit(Status.IN_WORKS)
    response = staff_client.post(
        reverse("admin:accessibility_retrofit_add"),
        {"person": existing.person.pk, "type": "basic", "applied_on": "2023-05-01", "application_note": ""},
    )
    assert response.status_code == 200
    assert f"already has an open home retrofit (#{existing.pk}, Works in progress)" in response.content.decode()
    assert Retrofit.objects.count() == 1


def inline_data(case: Retrofit, lines: list[tuple], **fields) -> dict:
    data = {
        "type": case.type,
        "contractor": case.contractor,
        "application_note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        **fields,
    }
    for n, (item, quantity, cost) in enumerate(lines):
        data[f"lines-{n}-item"] = item.pk
        data[f"lines-{n}-quantity"] = quantity
        data[f"lines-{n}-unit_cost"] = cost
    return data


def test_items_are_chosen_on_the_case_page_with_the_reference_cost_by_default(staff_client, catalogue):
    case = make_retrofit(Status.ASSESSED, type="basic")
    response = staff_client.post(
        change_url(case),
        inline_data(
            case,
            [(catalogue["grab_bar"], 2, ""), (catalogue["doorbell"], 1, "380")],
            **version_token(staff_client, change_url(case)),
        ),
    )
    assert response.status_code == 302
    assert sorted(RetrofitLine.objects.filter(retrofit=case).values_list("item__name", "quantity", "unit_cost")) == [
        ("扶手", 2, Decimal(300)),
        ("闪光振动门铃", 1, Decimal(380)),
    ]
    assert AuditEntry.objects.get(code="accessibility.retrofit.items_changed").data == {"saved": 2, "deleted": 0}


def test_lines_changed_on_the_case_page_are_written_by_the_action_with_history(
    staff_client, staff_user, catalogue, monkeypatch
):
    from accessibility import actions

    calls = []
    original = actions.retrofit_lines_save

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(actions, "retrofit_lines_save", spy)
    case = make_retrofit(Status.ASSESSED, type="basic")
    url = change_url(case)
    response = staff_client.post(
        url, inline_data(case, [(catalogue["grab_bar"], 2, "")], **version_token(staff_client, url))
    )
    assert response.status_code == 302
    assert [(c["retrofit"].pk, c["by"], len(c["saved"]), len(c["deleted"])) for c in calls] == [
        (case.pk, staff_user, 1, 0)
    ]
    line = RetrofitLine.objects.get(retrofit=case)
    assert line.history.get().history_user == staff_user
    assert AuditEntry.objects.get(code="accessibility.retrofit.items_changed").user == staff_user


def test_the_case_page_refuses_items_the_type_does_not_allow_or_no_longer_offered(staff_client, catalogue):
    case = make_retrofit(Status.APPLIED, type="basic")
    for item in (catalogue["kitchen"], catalogue["retired"]):
        response = staff_client.post(
            change_url(case), inline_data(case, [(item, 1, "")], **version_token(staff_client, change_url(case)))
        )
        assert response.status_code == 200
        assert not RetrofitLine.objects.exists()


def test_items_cannot_be_added_after_approval_even_by_a_crafted_post(staff_client, catalogue):
    case = make_retrofit(Status.APPROVED, lines=[(catalogue["grab_bar"], 1)])
    staff_client.post(
        change_url(case),
        inline_data(case, [(catalogue["doorbell"], 1, "")], **version_token(staff_client, change_url(case))),
    )
    assert list(RetrofitLine.objects.filter(retrofit=case).values_list("item__name", flat=True)) == ["扶手"]


# --- export ---------------------------------------------------------------------------------------


def rows_of(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_export_lists_the_years_accepted_cases_with_masked_numbers(staff_client, catalogue):
    kept = []
    for on, status in ((D(2023, 3, 20), Status.ACCEPTED), (D(2023, 5, 2), Status.FOLLOWED_UP)):
        dates = {Status.ACCEPTED: on, Status.FOLLOWED_UP: D(2023, 9, 1)}
        kept.append(make_retrofit(status, dates=dates, lines=[(catalogue["grab_bar"], 2)]))
    formula = make_retrofit(
        Status.ACCEPTED, person=PersonFactory(name="=HYPERLINK(1)"), dates={Status.ACCEPTED: D(2023, 6, 1)}
    )
    earlier = {s: D(2022, 4, 1) for s in (Status.APPLIED, Status.ASSESSED, Status.APPROVED, Status.IN_WORKS)}
    make_retrofit(Status.ACCEPTED, dates={**earlier, Status.ACCEPTED: D(2022, 6, 1)})
    make_retrofit(Status.IN_WORKS)
    response = staff_client.get(reverse("admin:accessibility_retrofit_export"), {"year": "2023"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="retrofits-accepted-2023.xlsx"'
    rows = rows_of(response)
    assert rows[0][:3] == ("case number", "name", "ID number")
    assert [row[0] for row in rows[1:]] == [kept[0].pk, kept[1].pk, formula.pk]
    assert rows[1][2] == kept[0].person.masked_id_number
    assert rows[1][5] == "扶手×2"
    assert rows[1][6] == 600
    assert rows[3][1] == "'=HYPERLINK(1)"
    assert all(case.person.id_number not in str(rows) for case in kept)
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORTED)
    assert log.detail == "3 accepted home retrofits of 2023"


def test_the_export_runs_the_same_queries_for_more_cases(staff_client, catalogue):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(reverse("admin:accessibility_retrofit_export"), {"year": "2023"})
            assert response.status_code == 200
            response.getvalue()  # the rows are read as the file is written, before it is sent
        return len(queries)

    make_retrofit(Status.ACCEPTED, lines=[(catalogue["grab_bar"], 1)])
    few = count()
    for _ in range(4):
        make_retrofit(Status.FOLLOWED_UP, lines=[(catalogue["grab_bar"], 1), (catalogue["doorbell"], 2)])
    assert count() == few


def test_the_export_of_a_member_holds_only_their_street(staff_member, other_street):
    mine = make_retrofit(Status.ACCEPTED)
    make_retrofit(Status.ACCEPTED, person=PersonFactory(street=other_street))
    rows = rows_of(staff_member.get(reverse("admin:accessibility_retrofit_export"), {"year": "2023"}))
    assert [row[0] for row in rows[1:]] == [mine.pk]


@pytest.mark.parametrize("year", ["", "abc", "1999", "3000"])
def test_the_export_refuses_a_year_that_is_not_one(staff_client, year):
    response = staff_client.get(reverse("admin:accessibility_retrofit_export"), {"year": year})
    assert response.status_code == 302
    assert texts(response) == ["Give a year from 2000 to this year."]
    assert not AccessLog.objects.exists()


def test_devices_are_listed_masked_and_scoped_to_the_street(client, staff_member, member, other_street):
    from django.contrib.auth.models import Permission

    from .factories import DeviceIssueFactory

    theirs = DeviceIssueFactory(person=PersonFactory(street=other_street), serial_number="SW-THEIRS")
    mine = DeviceIssueFactory(serial_number="SW-MINE")
    url = reverse("admin:accessibility_deviceissue_changelist")
    assert staff_member.get(url).status_code == 403
    member.user_permissions.add(Permission.objects.get(codename="view_deviceissue"))
    html = staff_member.get(url).content.decode()
    assert "SW-MINE" in html
    assert "SW-THEIRS" not in html
    assert mine.person.masked_id_number in html
    assert mine.person.id_number not in html
    assert staff_member.get(reverse("admin:accessibility_deviceissue_change", args=[theirs.pk])).status_code == 404


def test_staff_record_a_device_and_its_street_comes_from_the_person(staff_client, other_street):
    person = PersonFactory(street=other_street)
    response = staff_client.post(
        reverse("admin:accessibility_deviceissue_add"),
        {"person": person.pk, "device_type": "smart_wristband", "serial_number": "SW-1", "issued_on": "2023-04-01"},
    )
    assert response.status_code == 302
    from accessibility.models import DeviceIssue

    assert DeviceIssue.objects.get().street == other_street
    second = staff_client.post(
        reverse("admin:accessibility_deviceissue_add"),
        {"person": person.pk, "device_type": "smart_wristband", "serial_number": "SW-2", "issued_on": "2023-05-01"},
    )
    assert second.status_code == 200
    assert "already has an unreturned device of this type" in second.content.decode()
    assert DeviceIssue.objects.count() == 1


@pytest.mark.parametrize(
    "model",
    ["retrofititem", "retrofittypecap", "rampretrofit", "signlanguagepoint", "retrofitstatuschange", "retrofitphoto"],
)
def test_every_model_has_a_staff_list(staff_client, model):
    assert staff_client.get(reverse(f"admin:accessibility_{model}_changelist")).status_code == 200


# --- what each step needs, shown before it (issue #20) ----------------------------------------------


def object_tools(html: str) -> str:
    """The page tools of a change page (history, add a photo): the <ul class="object-tools"> alone."""
    start = html.index('<ul class="object-tools">')
    return html[start : html.index("</ul>", start)]


def steps_section(html: str) -> str:
    start = html.index('<section class="retrofit-steps"')
    return html[start : html.index("</section>", start)]


def test_approval_without_items_is_shown_with_what_is_missing_before_any_submit(staff_client, catalogue):
    case = make_retrofit(Status.ASSESSED)

    html = staff_client.get(change_url(case)).content.decode()

    steps = steps_section(html)
    assert "Next step: Approve</strong> — not possible yet" in steps
    assert "Missing: Choose the items of the works before approval." in steps
    assert advance_url(case, "approved") not in html  # no button for a step the case cannot take
    assert f'href="{advance_url(case, "rejected")}"' in steps  # the steps it can take are buttons
    assert "Asked on the step's page: Date of rejection, Reason for rejection" in steps
    # The step's own page says the same before anything is submitted.
    page = staff_client.get(advance_url(case, "approved"))
    assert page.status_code == 200
    assert "Missing: Choose the items of the works before approval." in page.content.decode()


def test_the_same_rule_refuses_the_approval_on_submit_with_the_same_message(staff_client, catalogue):
    case = make_retrofit(Status.ASSESSED)
    shown = steps_section(staff_client.get(change_url(case)).content.decode())

    response = staff_client.post(advance_url(case, "approved"), {"on": "2023-02-01"})

    assert response.status_code == 400
    assert "Choose the items of the works before approval." in shown
    assert "Choose the items of the works before approval." in response.content.decode()
    assert Retrofit.objects.get(pk=case.pk).status == Status.ASSESSED


def test_approval_with_items_and_a_cap_is_a_button_with_its_needs_met(staff_client, catalogue):
    case = make_retrofit(Status.ASSESSED, lines=[(catalogue["grab_bar"], 2)])

    steps = steps_section(staff_client.get(change_url(case)).content.decode())

    assert f'<a class="button retrofit-step-button" href="{advance_url(case, "approved")}"' in steps
    assert "Ready: The items of the works" in steps
    assert "Ready: A cost cap for the type" in steps
    assert "Missing:" not in steps


def test_items_the_type_does_not_allow_and_a_missing_cap_are_all_listed(staff_client):
    case = make_retrofit(Status.ASSESSED, type="basic")
    RetrofitLine.objects.create(
        retrofit=case,
        item=RetrofitItemFactory(name="卫生间改造", allowed_basic=False),
        quantity=1,
        unit_cost=Decimal(100),
    )

    steps = steps_section(staff_client.get(change_url(case)).content.decode())

    assert "Missing: “卫生间改造” is not allowed in the Basic type." in steps
    assert "Missing: No cost cap is set for the Basic type; set one first." in steps


def test_works_cannot_start_without_a_contractor_and_the_page_says_so_first(staff_client):
    case = make_retrofit(Status.APPROVED, contractor="")

    steps = steps_section(staff_client.get(change_url(case)).content.decode())

    assert "Next step: Start works</strong> — not possible yet" in steps
    assert "Missing: Enter the contractor before the works start." in steps
    assert advance_url(case, "in_works") not in steps
    response = staff_client.post(advance_url(case, "in_works"), {"on": "2023-02-10"})
    assert response.status_code == 400
    assert "Enter the contractor before the works start." in response.content.decode()


def test_step_buttons_stand_apart_from_the_history_link(staff_client):
    case = make_retrofit(Status.APPLIED)

    html = staff_client.get(change_url(case)).content.decode()

    tools = object_tools(html)
    assert "History" in tools
    assert "/advance/" not in tools  # no workflow step among the page tools
    steps = steps_section(html)
    assert 'aria-labelledby="retrofit-steps-title"' in steps
    assert f"Next steps of case #{case.pk}" in steps
    for to, label in (("assessed", "Record the home assessment"), ("rejected", "Reject"), ("withdrawn", "Withdraw")):
        assert (
            f'<a class="button retrofit-step-button" href="{advance_url(case, to)}" '
            f'aria-describedby="step-{to}-needs">Next step: {label}</a>'
        ) in steps
    assert "History" not in steps


def test_the_check_on_use_button_appears_only_once_due(staff_client):
    today = timezone.localdate()
    recent = make_retrofit(Status.ACCEPTED, dates={Status.ACCEPTED: today - datetime.timedelta(days=30)})
    due = make_retrofit(Status.ACCEPTED, dates={Status.ACCEPTED: today - datetime.timedelta(days=90)})

    early = steps_section(staff_client.get(change_url(recent)).content.decode())
    ready = steps_section(staff_client.get(change_url(due)).content.decode())

    due_from = (today + datetime.timedelta(days=60)).isoformat()
    assert advance_url(recent, "followed_up") not in early
    assert f"Missing: The check on use is due from {due_from}, three months after acceptance." in early
    assert f'href="{advance_url(due, "followed_up")}"' in ready
    assert "Ready: Three months since the joint acceptance" in ready


def test_staff_list_the_cases_due_for_their_check_on_use(staff_client, staff_member, other_street):
    today = timezone.localdate()

    def accepted(days_ago: int, **fields) -> Retrofit:
        return make_retrofit(
            Status.ACCEPTED, dates={Status.ACCEPTED: today - datetime.timedelta(days=days_ago)}, **fields
        )

    due = accepted(120)
    due_elsewhere = accepted(200, person=PersonFactory(street=other_street))
    not_yet = accepted(10)
    followed = make_retrofit(Status.FOLLOWED_UP)
    applied = make_retrofit(Status.APPLIED)

    html = staff_client.get(changelist_url(), {"inbox": "check_due"}).content.decode()
    shown = {c.person.name for c in (due, due_elsewhere, not_yet, followed, applied) if c.person.name in html}
    assert shown == {due.person.name, due_elsewhere.person.name}
    assert "Check on use due (2)" in html
    # Needs action: the open cases and the checks due; a case accepted ten days ago waits, nobody can act on it.
    assert "Needs action (3)" in html
    inbox = staff_client.get(changelist_url()).content.decode()
    assert not_yet.person.name not in inbox
    assert all(c.person.name in inbox for c in (due, due_elsewhere, applied))
    # Scoped by street like every list: a member sees their street's due case only.
    mine = staff_member.get(changelist_url(), {"inbox": "check_due"}).content.decode()
    assert due.person.name in mine
    assert due_elsewhere.person.name not in mine
    assert "Check on use due (1)" in mine


# Pinned: the session, the user and their permissions, the street and type filters' choices, the inbox's
# counts (one query, checks due included), the page's rows and its count.
def test_the_due_list_runs_the_same_queries_for_more_cases(staff_client):
    today = timezone.localdate()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(changelist_url(), {"inbox": "check_due"}).status_code == 200
        return len(queries)

    make_retrofit(Status.ACCEPTED, dates={Status.ACCEPTED: today - datetime.timedelta(days=100)})
    staff_client.get(changelist_url(), {"inbox": "check_due"})
    few = count()
    for days in range(91, 111):
        make_retrofit(Status.ACCEPTED, dates={Status.ACCEPTED: today - datetime.timedelta(days=days)})
    assert count() == few
