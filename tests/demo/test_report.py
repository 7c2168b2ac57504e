"""The demo's 2023 report reads as the article and follows its records."""

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_the_demo_states_only_the_articles_plan_and_approved_with_its_document(needs_postgres):
    """The article states one plan, 2000 escort person-visits; the demo invents none."""
    plans = list(AnnualPlan.objects.filter(year=2023))
    assert [(p.figure, p.target, p.status) for p in plans] == [("escort_person_visits", 2000, "approved")]
    assert plans[0].document
    assert plans[0].document_date
    seeded = latest_report()
    assert {key for key, entry in seeded.figures.items() if entry["plan"] is not None} == {"escort_person_visits"}
    with translation.override("zh-hans"):
        assert [s for s in summary(seeded) if "计划" in s] == ["全年提供助聋助盲陪诊服务3138人次，超出计划量57%"]
