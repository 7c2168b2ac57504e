"""Requesting, running and freezing the annual report: one run per year, identical reruns, frozen stays."""

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import override_settings
from django.utils import timezone, translation

from events.models import QuizCampaign
from reports import figures
from reports.actions import (
    annual_plan_approve,
    annual_report_compute,
    annual_report_freeze,
    annual_report_request,
    annual_report_requeue_dead,
    annual_report_start,
)
from reports.figures import FIGURES, Figure
from reports.models import AnnualPlan, AnnualReport, FrozenRecord
from reports.selectors import changed_figures, drilldown_records, drilldown_total, summary
from services.models import AuditEntry, EscortBooking, Street
from tests.accessibility.factories import RampRetrofitFactory
from tests.employment.factories import CourseFactory, EnrollmentFactory, worker
from tests.reports.factories import AnnualPlanFactory

pytestmark = pytest.mark.django_db


def listed(figure: Figure, rows) -> int:
    """What a drill-down shows of its figure: how many rows, or for a figure that sums a field, its total."""
    return drilldown_total(figure, rows) if figure.tally.total else rows.count()


def run(year: int = 2023) -> AnnualReport:
    """Request and run a report in this process, as the task does."""
    report, started = annual_report_request(year=year, dispatch=False)
    assert started
    report = annual_report_start(report_id=report.pk, task_id=report.task_id)
    return annual_report_compute(report=report)


def test_a_run_stores_every_figure_with_plan_and_percentage(year_2023):
    AnnualPlanFactory(figure="escort_person_visits", target=2)
    report = run()
    assert report.status == "done"
    assert {k: v["value"] for k, v in report.figures.items()} == year_2023
    escort = report.figures["escort_person_visits"]
    assert (escort["plan"], escort["percent_of_plan"], escort["above_plan"]) == (2, 150, 50)
    assert report.figures["trained"]["plan"] is None
    assert (report.progress_done, report.progress_total) == (len(FIGURES), len(FIGURES))
    assert report.generated_at is not None
    assert report.duration_ms is not None
    assert report.code_version
    assert AuditEntry.objects.filter(code="reports.annual_report.computed", object_id=str(report.pk)).exists()


@pytest.mark.parametrize(("setting", "stored"), [("4f2c9ab", "4f2c9ab"), ("", "unknown")])
def test_a_run_stores_the_code_version_the_deployment_names(setting, stored):
    """CODE_VERSION comes from the deployment's environment: no git is run while the portal serves."""
    with override_settings(CODE_VERSION=setting):
        assert run(2024).code_version == stored


def test_running_again_on_the_same_data_gives_identical_figures(year_2023):
    assert run().figures == run().figures


def test_a_second_trigger_for_a_year_joins_the_run_under_way(staff_user):
    first, started = annual_report_request(year=2023, by=staff_user, dispatch=False)
    second, started_again = annual_report_request(year=2023, dispatch=False)
    assert (started, started_again) == (True, False)
    assert second.pk == first.pk
    assert AnnualReport.objects.count() == 1


def test_the_database_refuses_two_runs_under_way_for_one_year():
    AnnualReport.objects.create(year=2023, status="running")
    with pytest.raises(IntegrityError):
        AnnualReport.objects.create(year=2023, status="queued")


@override_settings(REPORTS_STALE_AFTER_SECONDS=60)
def test_a_run_whose_worker_died_is_given_a_new_task(year_2023):
    report, _started = annual_report_request(year=2023, dispatch=False)
    annual_report_start(report_id=report.pk, task_id=report.task_id)
    AnnualReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    again, started = annual_report_request(year=2023, dispatch=False)
    assert started
    assert again.pk == report.pk
    assert again.task_id != report.task_id
    assert annual_report_start(report_id=report.pk, task_id=report.task_id) is None  # the dead task's redelivery
    done = annual_report_compute(report=annual_report_start(report_id=again.pk, task_id=again.task_id))
    assert done.status == "done"


def silenced(report: AnnualReport, seconds: int = 120) -> None:
    """Its worker's last sign of life `seconds` ago, as when the worker was killed then."""
    AnnualReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds))


@override_settings(REPORTS_STALE_AFTER_SECONDS=60)
def test_the_sweep_queues_again_a_running_run_whose_worker_went_silent(year_2023):
    report, _started = annual_report_request(year=2023, dispatch=False)
    dead = annual_report_start(report_id=report.pk, task_id=report.task_id)
    silenced(dead)
    assert [r.pk for r in annual_report_requeue_dead(dispatch=False)] == [report.pk]
    queued = AnnualReport.objects.get(pk=report.pk)
    assert (queued.status, queued.attempts, queued.attempt) == ("queued", 1, 2)
    assert queued.task_id != dead.task_id
    assert AuditEntry.objects.filter(code="reports.annual_report.restarted", object_id=str(report.pk)).count() == 1
    assert annual_report_requeue_dead(dispatch=False) == []  # queued now: a second sweep leaves it
    assert annual_report_start(report_id=report.pk, task_id=dead.task_id) is None  # the dead task's message
    done = annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=queued.task_id))
    assert (done.status, done.attempts) == ("done", 2)
    assert done.figures == run(2023).figures
    assert AnnualReport.objects.filter(year=2023, status="done").count() == 2  # this run and the clean one


@override_settings(REPORTS_STALE_AFTER_SECONDS=60)
def test_the_sweep_leaves_live_runs_and_queued_ones_alone(year_2023):
    live, _started = annual_report_request(year=2023, dispatch=False)
    annual_report_start(report_id=live.pk, task_id=live.task_id)
    silenced(live, seconds=30)
    waiting, _started = annual_report_request(year=2024, dispatch=False)
    silenced(waiting)  # waiting in the queue for a worker: its message is there
    assert annual_report_requeue_dead(dispatch=False) == []
    assert dict(AnnualReport.objects.values_list("year", "status")) == {2023: "running", 2024: "queued"}


@pytest.mark.django_db(transaction=True)
@override_settings(REPORTS_STALE_AFTER_SECONDS=1)
def test_a_count_longer_than_the_lease_keeps_its_run_alive(year_2023, monkeypatch):
    report, _started = annual_report_request(year=2023, dispatch=False)
    report = annual_report_start(report_id=report.pk, task_id=report.task_id)
    seen = {}
    count_all = figures.count_all

    def slow(tallies, year):
        # The edge simulated: a count taking three leases, as a big year on a busy database would.
        time.sleep(3)
        seen["heartbeat"] = AnnualReport.objects.get(pk=report.pk).heartbeat_at
        seen["requeued"] = annual_report_requeue_dead(dispatch=False)
        return count_all(tallies, year)

    monkeypatch.setattr(figures, "count_all", slow)
    done = annual_report_compute(report=report)
    assert seen["heartbeat"] > report.heartbeat_at + datetime.timedelta(seconds=2)
    assert seen["requeued"] == []
    assert (done.status, done.task_id, done.attempts) == ("done", report.task_id, 1)


@override_settings(REPORTS_STALE_AFTER_SECONDS=60, REPORTS_MAX_ATTEMPTS=2)
def test_a_run_whose_worker_dies_at_every_attempt_is_given_up(year_2023):
    report, _started = annual_report_request(year=2023, dispatch=False)
    for _attempt in range(2):
        report = annual_report_start(report_id=report.pk, task_id=report.task_id)
        silenced(report)
        (report,) = annual_report_requeue_dead(dispatch=False)
    assert annual_report_start(report_id=report.pk, task_id=report.task_id) is None
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("failed", 2)
    assert "2 attempts" in report.error
    assert AuditEntry.objects.filter(code="reports.annual_report.abandoned", object_id=str(report.pk)).exists()
    assert annual_report_request(year=2023, dispatch=False)[1] is True  # staff may start a new run


def test_a_live_run_is_not_started_twice(year_2023):
    report, _started = annual_report_request(year=2023, dispatch=False)
    assert annual_report_start(report_id=report.pk, task_id=report.task_id) is not None
    assert annual_report_start(report_id=report.pk, task_id="someone-else") is None


@pytest.mark.parametrize("year", [1999, 2101, "2023", None])
def test_a_bad_year_is_refused_and_nothing_written(year):
    with pytest.raises(ValidationError) as info:
        annual_report_request(year=year, dispatch=False)
    assert info.value.code == "bad_year"
    assert not AnnualReport.objects.exists()


def test_freezing_makes_the_official_report_and_later_runs_leave_it_alone(year_2023, staff_user, street):
    official = annual_report_freeze(report=run(), by=staff_user)
    frozen_figures = dict(official.figures)
    AnnualPlanFactory(figure="ramp_passages", target=10)
    from tests.accessibility.factories import RampRetrofitFactory

    RampRetrofitFactory(street=street, completed_on=datetime.date(2023, 9, 9))  # a late record
    later = run()
    official.refresh_from_db()
    assert official.figures == frozen_figures
    assert later.figures["ramp_passages"]["value"] == official.figures["ramp_passages"]["value"] + 1
    changes = {figure.key: (old, new) for figure, old, new in changed_figures(later, official)}
    assert changes == {"ramp_passages": (3, 4)}
    assert AuditEntry.objects.filter(code="reports.annual_report.frozen").count() == 1


def test_freezing_is_refused_twice_a_year_and_before_the_run_is_done(year_2023, staff_user):
    first = run()
    second = run()
    annual_report_freeze(report=first, by=staff_user)
    with pytest.raises(ValidationError) as info:
        annual_report_freeze(report=second, by=staff_user)
    assert info.value.code == "year_frozen"
    with pytest.raises(ValidationError) as info:
        annual_report_freeze(report=first, by=staff_user)
    assert info.value.code == "already_frozen"
    queued, _started = annual_report_request(year=2024, dispatch=False)
    with pytest.raises(ValidationError) as info:
        annual_report_freeze(report=queued, by=staff_user)
    assert info.value.code == "not_done"
    assert AnnualReport.objects.filter(frozen_at__isnull=False).count() == 1


def test_the_summary_reads_as_sentences_in_chinese_and_english(year_2023):
    from django.utils import translation

    AnnualPlanFactory(figure="escort_person_visits", target=2)
    report = run()
    with translation.override("zh-hans"):
        zh = summary(report)
    with translation.override("en"):
        en = summary(report)
    assert "全年提供助聋助盲陪诊服务3人次，超出计划量50%" in zh
    assert "完成家庭无障碍改造3户，其中标准型2户、基本型1户" in zh
    assert "应届残疾人大学毕业生2人，实现就业1人，就业率50%" in zh
    assert "3 escort clinic person-visits for deaf and blind patients in the year, 50% above plan" in en
    assert "1 of 2 new graduates placed in jobs (50%)" in en


def test_a_plan_is_one_target_per_figure_and_year():
    AnnualPlan.objects.create(year=2023, figure="placed", target=300)
    with pytest.raises(IntegrityError):
        AnnualPlan.objects.create(year=2023, figure="placed", target=310)


def test_a_plan_refuses_an_unknown_figure_and_a_zero_target():
    plan = AnnualPlan(year=2023, figure="no_such_figure", target=0)
    with pytest.raises(ValidationError) as info:
        plan.full_clean()
    assert set(info.value.message_dict) == {"figure", "target"}


def test_freezing_keeps_the_rows_behind_every_figure_and_lists_them_after_records_change(
    year_with_repeats, staff_user, street, other_street
):
    official = annual_report_freeze(report=run(), by=staff_user)
    assert official.records_kept
    kept = {figure.key: list(drilldown_records(figure, 2023, staff_user, official)) for figure in FIGURES}
    for figure in FIGURES:
        assert listed(figure, drilldown_records(figure, 2023, staff_user, official)) == official.value(figure.key)
    assert FrozenRecord.objects.filter(report=official).count() == sum(len(rows) for rows in kept.values())
    assert AuditEntry.objects.get(code="reports.annual_report.frozen").data["records_kept"] == len(
        FrozenRecord.objects.filter(report=official)
    )

    # Records added and changed after the report was frozen.
    third = Street.objects.exclude(pk__in=[street.pk, other_street.pk]).first()
    RampRetrofitFactory(street=third, completed_on=datetime.date(2023, 11, 1))
    EnrollmentFactory(person=worker(street=other_street), course=CourseFactory())
    QuizCampaign.objects.create(
        title="D", starts_on=datetime.date(2023, 12, 1), ends_on=datetime.date(2023, 12, 20), participants=7
    )
    EscortBooking.objects.filter(pk=kept["escort_person_visits"][0].pk).update(status="cancelled")
    later = run()
    changed = {figure.key for figure, _old, _new in changed_figures(later, official)}
    assert changed == {"escort_person_visits", "ramp_passages", "ramp_streets", "trained", "quiz_participants"}

    for figure in FIGURES:
        frozen = drilldown_records(figure, 2023, staff_user, official)
        assert list(frozen) == kept[figure.key], figure.key
        assert listed(figure, frozen) == official.value(figure.key), figure.key
        assert listed(figure, drilldown_records(figure, 2023, staff_user, later)) == later.value(figure.key)
    assert not FrozenRecord.objects.filter(report=later).exists()


def test_freezing_is_refused_when_the_records_changed_since_the_run(year_2023, staff_user, street):
    report = run()
    RampRetrofitFactory(street=street, completed_on=datetime.date(2023, 11, 1))
    with pytest.raises(ValidationError) as info:
        annual_report_freeze(report=report, by=staff_user)
    assert info.value.code == "records_changed"
    report.refresh_from_db()
    assert not report.is_frozen
    assert not report.records_kept
    assert not FrozenRecord.objects.exists()
    assert not AuditEntry.objects.filter(code="reports.annual_report.frozen").exists()
    annual_report_freeze(report=run(), by=staff_user)  # a new run of the same records can be frozen


def test_only_an_approved_plan_is_compared_with_its_figure(year_2023, staff_user):
    draft = AnnualPlan.objects.create(year=2023, figure="escort_person_visits", target=2)
    report = run()
    assert report.figures["escort_person_visits"]["plan"] is None
    with translation.override("zh-hans"):
        assert not any("计划" in sentence for sentence in summary(report))
    draft.document, draft.document_date = "静安区2023年区政府为民办实事项目", datetime.date(2023, 1, 6)
    draft.save()
    annual_plan_approve(plan=draft, by=staff_user)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (AnnualPlan.Status.APPROVED, staff_user)
    assert AuditEntry.objects.get(code="reports.annual_plan.approved").user == staff_user
    assert run().figures["escort_person_visits"]["above_plan"] == 50


def test_a_plan_is_approved_only_with_its_document_and_date_and_only_once(staff_user):
    plan = AnnualPlan.objects.create(year=2023, figure="placed", target=300, document="区政府文件")
    with pytest.raises(ValidationError) as undated:
        annual_plan_approve(plan=plan, by=staff_user)
    assert undated.value.code == "no_source"
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.DRAFT
    approved = AnnualPlanFactory(figure="trained")
    with pytest.raises(ValidationError) as again:
        annual_plan_approve(plan=approved, by=staff_user)
    assert again.value.code == "approved"
    with pytest.raises(IntegrityError):
        AnnualPlan.objects.filter(pk=plan.pk).update(status=AnnualPlan.Status.APPROVED)
