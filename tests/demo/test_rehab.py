"""The demo's 2023 rehabilitation, prevention and campaign visits read as the article, beside the traps."""

from django.utils import translation

from events import stats as event_stats
from events.models import PreventionMaterial
from reports.figures import get
from reports.models import AnnualReport
from reports.selectors import summary
from services.models import HomeVisit, RehabCentre
from services.rehab.demo import CAMPAIGN_WITH_HELP, HOME_REHAB_PEOPLE, SESSIONS_EACH

ARTICLE_HOMES = {
    "曹家渡街道社区卫生服务中心",
    "江宁路街道社区卫生服务中心",
    "宝山路街道社区卫生服务中心",
    "共和新路街道社区卫生服务中心",
    "彭浦镇第二社区卫生服务中心",
}


def test_the_five_rehabilitation_homes_of_the_article_and_the_centres_that_do_not_count():
    assert set(get("rehab_homes").drilldown(2023).values_list("name", flat=True)) == ARTICLE_HOMES
    assert set(RehabCentre.objects.values_list("certification", flat=True)) == {
        "certified",
        "applied",
        "none",
        "revoked",
    }
    assert RehabCentre.objects.filter(certification="certified", accepted_on__year=2024).exists()


def test_home_rehabilitation_and_the_sessions_of_other_years():
    people, sessions = get("home_rehab_people"), get("home_rehab_sessions")
    assert (people.compute(2023), sessions.compute(2023)) == (HOME_REHAB_PEOPLE, HOME_REHAB_PEOPLE * SESSIONS_EACH)
    assert sessions.compute(2022) > 0


def test_prevention_videos_quiz_and_the_materials_that_do_not_count():
    prevention = event_stats.prevention(year=2023)
    assert prevention.videos == 15
    assert prevention.articles > 0
    assert prevention.quizzes == 1
    assert prevention.quiz_participants > prevention.prize_winners > 0
    assert PreventionMaterial.objects.filter(kind="video", published_on__year=2022).exists()


def test_campaign_visits_with_targeted_help_and_those_without():
    assert get("campaign_visits_helped").compute(2023) == CAMPAIGN_WITH_HELP >= 130
    campaign_2023 = HomeVisit.objects.filter(purpose="campaign", visited_on__year=2023)
    assert campaign_2023.filter(follow_ups__isnull=True).exists()
    assert HomeVisit.objects.filter(purpose="routine", visited_on__year=2023, follow_ups__isnull=False).exists()


def test_the_seeded_report_shows_the_figures(needs_postgres):
    report = AnnualReport.objects.filter(year=2023, status="done").latest("pk")
    values = {key: report.figures[key]["value"] for key in report.figures}
    assert values["rehab_homes"] == 5
    assert values["prevention_videos"] == 15
    assert values["campaign_visits_helped"] == CAMPAIGN_WITH_HELP
    assert values["home_rehab_people"] == HOME_REHAB_PEOPLE
    assert values["home_rehab_sessions"] == HOME_REHAB_PEOPLE * SESSIONS_EACH
    assert values["quiz_participants"] == event_stats.prevention(year=2023).quiz_participants
    with translation.override("zh-hans"):
        text = summary(report)
    assert "5家社区卫生服务中心通过市级验收，建设成为残疾人“康复之家”" in text
    assert "推送残疾预防科普视频15条" in text
    assert f"“四百”大走访入户调查和精准帮扶对象{CAMPAIGN_WITH_HELP}名" in text
