"""The prevention figures against hand-built records: videos of the year (not articles, not other years), quiz
participants of the quizzes that ended in the year."""

import datetime

import pytest

from events import stats
from events.models import PreventionMaterial, QuizCampaign
from reports import figures
from services.models import Street

pytestmark = pytest.mark.django_db


@pytest.fixture
def materials():
    rows = [
        ("video", datetime.date(2023, 1, 1), True, True),
        ("video", datetime.date(2023, 12, 31), True, False),
        ("video", datetime.date(2023, 6, 1), False, False),
        ("article", datetime.date(2023, 6, 2), False, False),  # an article: never a video
        ("video", datetime.date(2022, 12, 31), True, False),  # the year before
        ("video", datetime.date(2024, 1, 1), True, False),  # the year after
    ]
    for n, (kind, published_on, captioned, signed) in enumerate(rows):
        PreventionMaterial.objects.create(
            kind=kind,
            title=f"材料{n}",
            url=f"https://mp.weixin.qq.com/s/m{n}",
            published_on=published_on,
            captioned=captioned,
            signed=signed,
        )


@pytest.fixture
def quizzes():
    d = datetime.date
    QuizCampaign.objects.create(
        title="A", starts_on=d(2023, 8, 1), ends_on=d(2023, 9, 1), participants=120, prize_winners=20
    )
    QuizCampaign.objects.create(
        title="B", starts_on=d(2022, 12, 1), ends_on=d(2023, 1, 5), participants=30, prize_winners=3
    )
    QuizCampaign.objects.create(
        title="C", starts_on=d(2023, 12, 1), ends_on=d(2024, 1, 5), participants=50, prize_winners=5
    )
    QuizCampaign.objects.create(
        title="D", starts_on=d(2022, 3, 1), ends_on=d(2022, 4, 1), participants=70, prize_winners=7
    )


def test_prevention_of_a_year_in_two_queries(materials, quizzes, django_assert_num_queries):
    with django_assert_num_queries(2):
        year = stats.prevention(year=2023)
    assert year == stats.PreventionYear(
        year=2023,
        videos=3,
        captioned_videos=2,
        signed_videos=1,
        articles=1,
        quizzes=2,
        quiz_participants=150,
        prize_winners=23,
    )
    assert stats.prevention(year=2021) == stats.PreventionYear(2021, 0, 0, 0, 0, 0, 0, 0)


def test_the_report_figures_and_their_records(materials, quizzes, django_assert_num_queries):
    videos, quiz = figures.get("prevention_videos"), figures.get("quiz_participants")
    with django_assert_num_queries(2):
        assert (videos.compute(2023, None), quiz.compute(2023, None)) == (3, 150)
    assert videos.drilldown(2023).count() == 3
    assert set(quiz.drilldown(2023).values_list("title", flat=True)) == {"A", "B"}
    assert (videos.compute(2024, None), quiz.compute(2024, None)) == (1, 50)
    with pytest.raises(ValueError, match="whole district"):
        videos.compute(2023, Street.objects.all())
