"""What the database itself enforces: one open case per person (also under concurrent creation), step data."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from accessibility.actions import item_errors, retrofit_apply
from accessibility.models import DeviceIssue, RampRetrofit, Retrofit, RetrofitItem, RetrofitLine, SignLanguagePoint
from tests.helpers.logs import assert_append_only
from tests.services.factories import PersonFactory

from .factories import DeviceIssueFactory, RampRetrofitFactory, RetrofitFactory, RetrofitItemFactory, make_retrofit
from .test_workflow import codes

Status = Retrofit.Status
D = datetime.date


@pytest.mark.django_db
@pytest.mark.parametrize("first", Retrofit.OPEN)
def test_the_database_refuses_a_second_open_case_for_a_person(first):
    retrofit = make_retrofit(first)
    with pytest.raises(IntegrityError), transaction.atomic():
        RetrofitFactory(person=retrofit.person)


@pytest.mark.django_db
def test_the_database_allows_a_new_case_beside_finished_and_closed_ones():
    person = PersonFactory()
    for status in (Status.ACCEPTED, Status.FOLLOWED_UP, Status.REJECTED, Status.WITHDRAWN):
        make_retrofit(status, person=person)
    RetrofitFactory(person=person)
    assert Retrofit.objects.filter(person=person).count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "missing"),
    [
        (Status.ASSESSED, {"assessment_note": ""}),
        (Status.APPROVED, {"approved_total": None}),
        (Status.IN_WORKS, {"contractor": ""}),
        (Status.ACCEPTED, {"household_signatory": ""}),
        (Status.ACCEPTED, {"accepted_by": None}),
        (Status.FOLLOWED_UP, {"follow_up_note": ""}),
        (Status.REJECTED, {"closing_reason": ""}),
        (Status.APPROVED, {"cap_exception_reason": "例外", "cap_exception_by": None}),
        (Status.ASSESSED, {"assessed_on": D(2023, 1, 1)}),  # before the application
    ],
)
def test_the_database_refuses_a_status_without_the_data_of_its_steps(status, missing):
    retrofit = make_retrofit(status)
    with pytest.raises(IntegrityError), transaction.atomic():
        Retrofit.objects.filter(pk=retrofit.pk).update(**missing)


@pytest.mark.django_db
def test_catalogue_and_other_records_keep_their_rules_in_the_database():
    item = RetrofitItem.objects.create(name="扶手", reference_cost=Decimal(300))
    with pytest.raises(IntegrityError), transaction.atomic():
        RetrofitItem.objects.filter(pk=item.pk).update(allowed_standard=False, allowed_basic=False)
    line = RetrofitLine.objects.create(retrofit=RetrofitFactory(), item=item, quantity=1, unit_cost=Decimal(300))
    with pytest.raises(IntegrityError), transaction.atomic():
        RetrofitLine.objects.filter(pk=line.pk).update(quantity=0)
    ramp = RampRetrofitFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RampRetrofit.objects.create(
            street=ramp.street, compound=ramp.compound, passage=ramp.passage, completed_on=D(2023, 6, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SignLanguagePoint.objects.create(
            venue="x", kind="other", street=ramp.street, in_service_from=D(2023, 5, 1), in_service_to=D(2023, 4, 1)
        )
    device = DeviceIssueFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviceIssueFactory(person=device.person)
    DeviceIssue.objects.filter(pk=device.pk).update(returned_on=D(2023, 5, 1))
    DeviceIssueFactory(person=device.person)


@pytest.mark.django_db
def test_status_changes_are_never_edited_or_deleted(staff_user):
    from accessibility.actions import retrofit_advance
    from accessibility.models import RetrofitStatusChange

    retrofit_advance(retrofit=make_retrofit(Status.APPLIED), to=Status.ASSESSED, by=staff_user, note="评估")
    assert_append_only(RetrofitStatusChange.objects.get(), note="改写")
    assert RetrofitStatusChange.objects.get().note == "评估"


# --- concurrency (PostgreSQL) ---------------------------------------------------------------------


def _in_thread(target, results: list, index: int, barrier: threading.Barrier | None = None) -> None:
    try:
        if barrier is not None:
            barrier.wait(timeout=10)
        results[index] = target()
    except Exception as exc:
        results[index] = exc
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_applications_for_one_person_leave_exactly_one_open_case(needs_postgres, member):
    person = PersonFactory()
    count = 6
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def apply():
        return retrofit_apply(person=person, by=member, type="basic", note="同时提交")

    threads = [threading.Thread(target=_in_thread, args=(apply, results, n, barrier)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    created = [r for r in results if isinstance(r, Retrofit)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 1, results
    assert len(refused) == count - 1, results
    assert all(codes(r) == {"one_open"} for r in refused)
    assert Retrofit.objects.filter(person=person).count() == 1


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row and row[0] == "Lock")


@pytest.mark.django_db(transaction=True)
def test_the_unique_index_refuses_an_application_that_passed_the_check_before_the_other_committed(
    needs_postgres, member, staff_user
):
    """Thread A has inserted but not committed; B's check sees nothing, B's insert waits, then is refused."""
    person = PersonFactory()
    inserted, release = threading.Event(), threading.Event()
    results: list = [None, None]
    pids: list = [None]

    def first():
        with transaction.atomic():
            case = retrofit_apply(person=person, by=staff_user, type="standard")
            inserted.set()
            release.wait(timeout=20)
        return case

    def second():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids[0] = cursor.fetchone()[0]
        inserted.wait(timeout=20)
        return retrofit_apply(person=person, by=member, type="basic")

    a = threading.Thread(target=_in_thread, args=(first, results, 0))
    b = threading.Thread(target=_in_thread, args=(second, results, 1))
    a.start()
    b.start()
    deadline = time.monotonic() + 20
    while not (pids[0] and _waiting_on_a_lock(pids[0])):
        assert time.monotonic() < deadline, "the second insert never waited for the first"
        time.sleep(0.05)
    release.set()
    a.join(timeout=30)
    b.join(timeout=30)
    assert isinstance(results[0], Retrofit), results
    assert isinstance(results[1], ValidationError), results
    assert codes(results[1]) == {"one_open"}
    assert list(Retrofit.objects.filter(person=person).values_list("type", flat=True)) == ["standard"]


def test_the_line_and_contractor_rules_name_their_statuses_once():
    Status = Retrofit.Status
    assert {s for s in Status if Retrofit(status=s).lines_editable} == {Status.APPLIED, Status.ASSESSED}
    assert {s for s in Status if Retrofit(status=s).contractor_editable} == {
        Status.APPLIED,
        Status.ASSESSED,
        Status.APPROVED,
    }


@pytest.mark.django_db
def test_item_errors_is_the_one_place_that_refuses_an_item_no_longer_offered():
    withdrawn = RetrofitItemFactory(name="旧扶手", active=False)
    problems = item_errors(item=withdrawn, retrofit_type="standard", quantity=1, unit_cost=None)
    assert [str(p) for p in problems] == ["“旧扶手” is no longer offered."]
    assert item_errors(item=RetrofitItemFactory(), retrofit_type="standard", quantity=1, unit_cost=None) == []
