"""An event in English mode (issue #20): its English title, summary and venue, falling back to the Chinese; and the
page address made from a Chinese title when staff leave it empty."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from events import actions
from events.models import Event
from services.models import AuditEntry
from tests.events.factories import EventFactory
from tests.events.test_admin import event_form

pytestmark = pytest.mark.django_db


def page(client: Client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def english_event(**fields) -> Event:
    return EventFactory(
        title="静安区残疾人飞镖公开赛",
        title_en="Jing'an Open Darts for Disabled Players",
        summary="欢迎报名参加。",
        summary_en="Everyone is welcome to take part.",
        venue="静安区文化馆",
        venue_en="Jing'an Culture Centre",
        **fields,
    )


@pytest.mark.parametrize("url_name", ["events:list", "events:detail", "events:register"])
def test_an_event_reads_in_english_in_english_mode_and_in_chinese_in_chinese_mode(client, url_name):
    event = english_event()
    url = reverse(url_name) if url_name == "events:list" else reverse(url_name, args=[event.slug])
    english = page(client, url, "en")
    assert "Jing&#x27;an Open Darts for Disabled Players" in english
    assert "Jing&#x27;an Culture Centre" in english
    assert "静安区残疾人飞镖公开赛" not in english
    chinese = page(client, url, "zh-hans")
    assert "静安区残疾人飞镖公开赛" in chinese
    assert "静安区文化馆" in chinese
    assert "Open Darts" not in chinese
    if url_name != "events:register":
        assert "Everyone is welcome to take part." in english
        assert "欢迎报名参加。" in chinese


def test_an_event_without_english_text_shows_its_chinese_in_english_mode(client):
    event = EventFactory(title="助残日文艺汇演", summary="文艺汇演。", venue="静安区文化馆")
    english = page(client, reverse("events:detail", args=[event.slug]), "en")
    for text in ("助残日文艺汇演", "文艺汇演。", "静安区文化馆"):
        assert text in english


def test_the_feeds_and_calendar_carry_the_english_title_in_english_mode(client):
    event = english_event()
    for name, args in (("events:rss", []), ("events:calendar_feed", []), ("events:ics", [event.slug])):
        client.cookies["django_language"] = "en"
        body = b"".join(client.get(reverse(name, args=args))).decode()
        assert "Open Darts for Disabled Players" in body, name
        client.cookies["django_language"] = "zh-hans"
        body = b"".join(client.get(reverse(name, args=args))).decode()
        assert "静安区残疾人飞镖公开赛" in body, name
        assert "Open Darts" not in body, name


def test_staff_enter_the_english_text_in_the_admin_and_a_chinese_title_gets_a_pinyin_address(staff_client):
    form = event_form(
        title="2024年静安区残疾人飞镖公开赛！",
        slug="",
        title_en="Jing'an Open Darts",
        summary_en="Open to all.",
        venue_en="Culture Centre",
    )
    response = staff_client.post(reverse("admin:events_event_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get()
    assert event.slug == "2024-nian-jing-an-qu-can-ji-ren-fei-biao-gong-kai-sai"
    english = (event.title_en, event.summary_en, event.venue_en)
    assert english == ("Jing'an Open Darts", "Open to all.", "Culture Centre")
    assert AuditEntry.objects.filter(code="events.event.created", object_id=str(event.pk)).exists()
    assert Client().get(reverse("events:detail", args=[event.slug])).status_code == 200


def test_the_made_address_is_unique_ascii_and_never_a_reserved_one(staff_client):
    add = reverse("admin:events_event_add")
    for _n in range(3):
        assert staff_client.post(add, event_form(title="助残日", slug="")).status_code == 302
    slugs = sorted(Event.objects.values_list("slug", flat=True))
    assert slugs == ["zhu-can-ri", "zhu-can-ri-2", "zhu-can-ri-3"]
    # A title with nothing to spell in Latin letters, and one that spells a page of the site.
    assert staff_client.post(add, event_form(title="☆★☆", slug="")).status_code == 302
    assert staff_client.post(add, event_form(title="Past", slug="")).status_code == 302
    assert Event.objects.filter(slug="event").exists()
    assert Event.objects.filter(slug="past-2").exists()
    assert all(re.fullmatch(r"[a-z0-9-]+", slug) for slug in Event.objects.values_list("slug", flat=True))


def test_a_given_address_is_kept_and_a_long_title_fits_the_field(staff_client):
    add = reverse("admin:events_event_add")
    assert staff_client.post(add, event_form(title="飞镖赛", slug="2024-darts")).status_code == 302
    assert Event.objects.get().slug == "2024-darts"
    long_title = "静安区残疾人" * 30
    assert staff_client.post(add, event_form(title=long_title[:200], slug="")).status_code == 302
    slug = Event.objects.get(title=long_title[:200]).slug
    assert 0 < len(slug) <= 80
    assert not slug.endswith("-")


def test_an_address_taken_by_another_save_at_the_same_moment_gets_the_next_one(staff_client, monkeypatch):
    """Two staff add events of one title at once: the second insert finds the made address taken, not a 500."""
    history_by = actions.history_by

    def other_save_first(event, by):
        if not Event.objects.filter(slug=event.slug).exists():
            EventFactory(slug=event.slug)  # committed by the other request between the look-up and the insert
        history_by(event, by)

    monkeypatch.setattr(actions, "history_by", other_save_first)
    response = staff_client.post(reverse("admin:events_event_add"), event_form(title="助残日", slug=""))
    assert response.status_code == 302
    assert Event.objects.get(title="助残日").slug == "zhu-can-ri-2"
