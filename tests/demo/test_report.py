"""The demo's 2023 report reads as the article and follows its records."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse
from django.utils import timezone, translation

from accessibility.models import RampRetrofit
from events.models import Award, Event
from reports.actions import annual_report_compute, annual_report_request, annual_report_start
from reports.figures import FIGURES, get
from reports.models import AnnualPlan, AnnualReport
from reports.selectors import sentence, summary

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


# Every sentence of the 2023 report, in both languages, as the demo must read: the article's wording where
# it has one (超出计划量 follows the value it is about, 200条老旧小区通道, 人次 in both languages).
SENTENCES = {
    "escort_person_visits": (
        "全年提供助聋助盲陪诊服务3138人次，超出计划量57%",
        "3138 escort clinic person-visits for deaf and blind patients in the year, 57% above plan",
    ),
    "home_retrofits": (
        "完成家庭无障碍改造450户，其中标准型210户、基本型240户",
        "450 home retrofits completed: 210 standard and 240 basic",
    ),
    "ramp_passages": (
        "对5个街道（镇）的200条老旧小区通道进行无障碍坡道改造",
        "Ramps built on 200 passages of old compounds in 5 streets",
    ),
    "sign_language_points": ("在线手语视频服务点达36个", "36 online sign-language video points in service"),
    "smart_wristbands": (
        "为智力残疾人发放智能腕表249块",
        "249 smart wristbands issued to people with intellectual disabilities",
    ),
    "trained": ("培训就业年龄段残疾人204人", "204 working-age disabled people trained"),
    "certified": ("23人取得职业技能等级证书", "23 people earned a vocational skill certificate"),
    "placed": ("推荐残疾人就业325人", "325 people placed in jobs on the federation's recommendation"),
    "new_graduates_placed": (
        "应届残疾人大学毕业生6人，实现就业6人，就业率100%",
        "6 of 6 new graduates placed in jobs (100%)",
    ),
    "culture_events": ("举办文体活动16场，参与1616人次", "16 culture and sports events held, with 1616 participants"),
    "rehab_homes": (
        "5家社区卫生服务中心通过市级验收，建设成为残疾人“康复之家”",
        "5 community health service centres accepted by the city as rehabilitation homes",
    ),
    "home_rehab_people": (
        "结合家庭医生签约，送康复服务上门60人、240次",
        "Rehabilitation brought to 60 people at home, in 240 sessions",
    ),
    "prevention_videos": ("推送残疾预防科普视频15条", "15 disability prevention videos published"),
    "quiz_participants": (
        "开展残疾预防线上有奖知识竞答，参与2368人次",
        "2368 person-times took part in the online prevention quiz",
    ),
    "campaign_visits_helped": (
        "“四百”大走访入户调查和精准帮扶对象132名",
        "132 people visited at home in the campaign and given targeted help",
    ),
    "awards": (
        "残疾人选手和代表队在各类比赛中获得奖项和名次8个",
        "Jing'an's disabled competitors and teams won 8 awards and placings",
    ),
    "vanguard_services": (
        "党员先锋队提供志愿服务104次，服务3126人次",
        "The party vanguard teams gave 104 volunteer services, serving 3126 person-times",
    ),
    "party_days": ("组织党日活动16次", "16 party days held"),
    "research_topics": ("开展课题调研6项，形成调研报告", "6 research topics studied, each with its research report"),
}


def test_every_sentence_of_the_2023_report_reads_as_pinned_in_both_languages(needs_postgres):
    seeded = latest_report()
    assert set(SENTENCES) == {f.key for f in FIGURES if f.sentence}
    for figure in FIGURES:
        if figure.key not in SENTENCES:
            continue
        zh, en = SENTENCES[figure.key]
        with translation.override("zh-hans"):
            assert sentence(figure, seeded) == zh, figure.key
        with translation.override("en"):
            assert sentence(figure, seeded) == en, figure.key


def test_a_plan_clause_follows_the_value_it_is_about(needs_postgres):
    """With approved targets for events and retrofits, 超出计划量 follows 16场 and 450户, not 1616人次 or 240户."""
    for figure, target in (("culture_events", 15), ("home_retrofits", 450), ("ramp_passages", 250)):
        AnnualPlan.objects.create(
            year=2023,
            figure=figure,
            target=target,
            document="区政府文件",
            document_date=datetime.date(2023, 1, 6),
            status=AnnualPlan.Status.APPROVED,
            approved_at=timezone.now(),
        )
    report, _started = annual_report_request(year=2023, dispatch=False)
    report = annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))
    with translation.override("zh-hans"):
        assert sentence(get("culture_events"), report) == "举办文体活动16场，超出计划量7%，参与1616人次"
        assert (
            sentence(get("home_retrofits"), report)
            == "完成家庭无障碍改造450户，达到计划量，其中标准型210户、基本型240户"
        )
        assert (
            sentence(get("ramp_passages"), report)
            == "对5个街道（镇）的200条老旧小区通道进行无障碍坡道改造，为计划量的80%"
        )
    with translation.override("en"):
        assert sentence(get("culture_events"), report) == (
            "16 culture and sports events held, 7% above plan, with 1616 participants"
        )
        assert (
            sentence(get("home_retrofits"), report)
            == "450 home retrofits completed, on plan: 210 standard and 240 basic"
        )


def test_the_articles_other_numbers_have_their_records(needs_postgres):
    """Awards and placings, the vanguard teams (100余次, 3100余人次), party days (逾15次), six research topics,
    and the choir's 12 performers at the 2024 Spring Festival reception."""
    figures = latest_report().figures
    assert {k: figures[k]["value"] for k in ("awards", "vanguard_services", "party_days", "research_topics")} == {
        "awards": 8,
        "vanguard_services": 104,
        "party_days": 16,
        "research_topics": 6,
    }
    assert 100 < figures["vanguard_services"]["value"] < 110
    assert figures["vanguard_person_times"]["value"] > 3100
    assert Award.objects.filter(awarded_on__year=2023, place=Award.Place.BRONZE, kind=Award.Kind.PERSON).exists()
    assert Event.objects.get(slug="2024-spring-reception-choir").performers == 12
    unpublished = Event.objects.filter(category="party_building", status="held", is_published=False)
    assert unpublished.filter(starts_at__year=2023).count() == 15  # internal: held, never published, counted
