"""Prevention materials and quiz campaigns: their rules, and the staff admin (auditors read)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import actions
from events.models import Event, PreventionMaterial, QuizCampaign
from services.models import AuditEntry
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def material(**fields) -> PreventionMaterial:
    defaults = {
        "kind": "video",
        "title": "新生儿听力筛查知多少",
        "url": "https://mp.weixin.qq.com/s/test-1",
        "published_on": datetime.date(2023, 3, 3),
        "captioned": True,
    }
    return PreventionMaterial(**{**defaults, **fields})


def quiz(**fields) -> QuizCampaign:
    defaults = {
        "title": "残疾预防知识竞答",
        "starts_on": datetime.date(2023, 8, 18),
        "ends_on": datetime.date(2023, 9, 10),
        "participants": 100,
        "prize_winners": 10,
    }
    return QuizCampaign(**{**defaults, **fields})


def error_codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def test_a_material_is_saved_with_history_and_audit(staff_user):
    saved = actions.prevention_record_save(record=material(), by=staff_user)
    assert saved.history.get().history_user == staff_user
    assert AuditEntry.objects.filter(code="events.preventionmaterial.created", object_id=str(saved.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"url": "http://example.org/v"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"kind": "article", "captioned": True}, "kind"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_material_is_refused_and_nothing_is_saved(staff_user, fields, expected):
    with pytest.raises(ValidationError) as caught:
        actions.prevention_record_save(record=material(**fields), by=staff_user)
    assert expected in caught.value.error_dict
    assert not PreventionMaterial.objects.exists()


def test_only_a_prevention_event_can_be_the_campaign(staff_user):
    culture = EventFactory(category=Event.Category.CULTURE)
    prevention = EventFactory(category=Event.Category.PREVENTION)
    with pytest.raises(ValidationError) as caught:
        actions.prevention_record_save(record=material(campaign=culture), by=staff_user)
    assert error_codes(caught.value) == {"campaign": ["not_prevention"]}
    with pytest.raises(ValidationError) as caught:
        actions.prevention_record_save(record=quiz(campaign=culture), by=staff_user)
    assert error_codes(caught.value) == {"campaign": ["not_prevention"]}
    assert actions.prevention_record_save(record=quiz(campaign=prevention), by=staff_user).campaign == prevention


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"ends_on": datetime.date(2023, 8, 17)}, {"ends_on": ["order"]}),
        ({"prize_winners": 101}, {"prize_winners": ["winners"]}),
    ],
)
def test_quiz_dates_in_order_and_winners_within_participants(staff_user, fields, expected):
    with pytest.raises(ValidationError) as caught:
        actions.prevention_record_save(record=quiz(**fields), by=staff_user)
    assert error_codes(caught.value) == expected
    assert not QuizCampaign.objects.exists()


@pytest.mark.parametrize("fields", [{"ends_on": datetime.date(2023, 1, 1)}, {"prize_winners": 101}])
def test_the_database_enforces_the_quiz_rules(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        quiz(**fields).save()


def test_staff_add_through_the_admin_and_a_bad_quiz_gets_a_message(client, staff_user):
    client.force_login(staff_user)
    add = reverse("admin:events_quizcampaign_add")
    data = {
        "title": "竞答",
        "starts_on": "2023-08-18",
        "ends_on": "2023-09-10",
        "url": "",
        "participants": "5",
        "prize_winners": "9",
        "campaign": "",
    }
    response = client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["prize_winners"]
    assert not QuizCampaign.objects.exists()
    assert client.post(add, {**data, "prize_winners": "2"}).status_code == 302
    assert QuizCampaign.objects.get().prize_winners == 2


def test_the_auditor_reads_the_lists_and_cannot_add(client, auditor):
    actions.prevention_record_save(record=material(), by=None)
    client.force_login(auditor)
    for model in ("preventionmaterial", "quizcampaign"):
        assert client.get(reverse(f"admin:events_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:events_{model}_add")).status_code == 403


@pytest.mark.parametrize("model", ["preventionmaterial", "quizcampaign"])
def test_each_changelist_keeps_its_query_count(client, staff_user, model):
    campaign = EventFactory(category=Event.Category.PREVENTION)
    client.force_login(staff_user)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            if model == "preventionmaterial":
                material(url=f"https://mp.weixin.qq.com/s/q{i}", campaign=campaign).save()
            else:
                quiz(title=f"竞答{i}", campaign=EventFactory(category=Event.Category.PREVENTION)).save()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(f"admin:events_{model}_changelist")).status_code == 200
        return len(queries)

    add(1, 0)
    few = count()
    add(6, 10)
    assert count() == few


def test_the_prevention_figures_count_the_videos_of_the_report_figure():
    """prevention().videos and the report's prevention_videos are one rule: the year's materials of kind video."""
    from events import stats

    for kind, published_on, url in [
        ("video", datetime.date(2023, 1, 1), "https://mp.weixin.qq.com/s/a"),
        ("video", datetime.date(2023, 12, 31), "https://mp.weixin.qq.com/s/b"),
        ("video", datetime.date(2022, 12, 31), "https://mp.weixin.qq.com/s/c"),
        ("article", datetime.date(2023, 6, 1), "https://mp.weixin.qq.com/s/d"),
    ]:
        material(kind=kind, published_on=published_on, url=url, captioned=kind == "video").save()
    for year in (2022, 2023, 2024):
        assert stats.prevention(year=year).videos == stats.prevention_videos(year).count()
    assert stats.prevention(year=2023).videos == 2
    assert stats.prevention(year=2023).articles == 1
