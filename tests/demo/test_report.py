"""The demo's 2023 report reads as the article and follows its records."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from accessibility.models import RampRetrofit
from reports.actions import annual_report_compute, annual_report_request, annual_report_start
from reports.models import AnnualPlan, AnnualReport
from reports.selectors import summary

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = {
    "escort_person_visits": 3138,
    "home_retrofits": 450,
    "ramp_passages": 200,
    "ramp_streets": 5,
    "sign_language_points": 36,
    "smart_wristbands": 249,
    "trained": 204,
    "certified": 23,
    "placed": 325,
    "new_graduates": 6,
    "new_graduates_placed": 6,
    "culture_events": 16,
    "culture_participants": 1616,
}


def latest_report() -> AnnualReport:
    return AnnualReport.objects.filter(year=2023, status="done").latest("pk")


def test_the_seeded_report_reads_as_the_article(needs_postgres):
    seeded = latest_report()
    assert {key: seeded.figures[key]["value"] for key in ARTICLE} == ARTICLE
    assert seeded.figures["home_retrofits"]["breakdowns"]["type"] == {"basic": 240, "standard": 210}
    assert seeded.figures["escort_person_visits"]["plan"] == 2000
    assert seeded.figures["escort_person_visits"]["above_plan"] == 57
    assert AnnualPlan.objects.filter(year=2023, figure="escort_person_visits").get().target == 2000
    with translation.override("zh-hans"):
        assert "全年提供助聋助盲陪诊服务3138人次，超出计划量57%" in summary(seeded)
    with translation.override("en"):
        assert "3138 escort clinic person-visits for deaf and blind patients in the year, 57% above plan" in summary(
            seeded
        )


def test_the_report_is_computed_from_the_records_so_a_changed_record_changes_it(needs_postgres):
    reports_before = AnnualReport.objects.filter(year=2023, status="done").count()
    RampRetrofit.objects.filter(completed_on__year=2023).order_by("pk").first().delete()
    report, _started = annual_report_request(year=2023, dispatch=False)
    report = annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))
    assert report.figures["ramp_passages"]["value"] == 199
    assert AnnualReport.objects.filter(year=2023, status="done").count() == reports_before + 1


def test_the_embedded_sqlite_default_counts_the_same_report(needs_postgres, tmp_path):
    """`make run` counts on SQLite, which has no GROUPING SETS: the same demo gives the same figures there."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.base",
        "SECRET_KEY": "sqlite-report-test-key-not-a-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "REDIS_URL": "",
        "DEBUG": "true",  # seed_demo's accounts have public passwords: it runs only with DEBUG
    }
    for command in (["migrate", "-v0"], ["seed_demo", "--persons", "3000"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "manage.py", "annual_report", "2023", "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(done.stdout)["figures"] == latest_report().figures


def test_every_drilldown_of_the_demo_lists_its_figure_live_and_frozen(needs_postgres):
    """The 2023 demo had 4 of 19 drill-downs differ from their figure (ramp streets 5 vs 200 rows, trained 204
    vs 209, certified 23 vs 24, quiz 2368 vs 1); each lists its figure now, and a frozen report keeps its list."""
    from reports.actions import annual_report_freeze
    from reports.figures import FIGURES, get
    from reports.selectors import drilldown_records, drilldown_total
    from services.models import User
    from tests.accessibility.factories import RampRetrofitFactory

    staff_user = User.objects.get(username="staff")  # the demo's federation staff account

    def listed(figure, rows) -> int:
        return drilldown_total(figure, rows) if figure.tally.total else rows.count()

    official = annual_report_freeze(report=latest_report(), by=staff_user)
    live = {f.key: listed(f, drilldown_records(f, 2023, staff_user)) for f in FIGURES}
    assert live == {f.key: official.value(f.key) for f in FIGURES}
    assert (live["ramp_streets"], live["trained"], live["certified"], live["quiz_participants"]) == (5, 204, 23, 2368)
    ramp = RampRetrofit.objects.filter(completed_on__year=2023).select_related("street").first()
    RampRetrofitFactory(street=ramp.street, completed_on=ramp.completed_on)  # a 201st ramp after freezing
    frozen = {f.key: listed(f, drilldown_records(f, 2023, staff_user, official)) for f in FIGURES}
    assert frozen == live
    assert drilldown_records(get("ramp_passages"), 2023, staff_user).count() == 201


def test_no_count_hidden_on_the_demo_public_page_can_be_worked_out(needs_postgres, client):
    from tests.reports.conftest import check_public_rows

    report = latest_report()
    assert report.figures["trained"]["breakdowns"]["category"]["3"] == 1  # 204 minus the others, before
    rows = client.get(reverse("reports:public", kwargs={"year": 2023})).context["rows"]
    assert check_public_rows(rows, report) >= 10
