"""The public pages: what they show, in how many queries, and what they never show."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Award, Event, EventPhoto, Registration
from tests.events.factories import (
    AwardFactory,
    EventFactory,
    PersonRegistrationFactory,
    PublicRegistrationFactory,
    image_upload,
    in_days,
)
from tests.services.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def no_page_cache(settings):
    settings.EVENTS_PUBLIC_CACHE_SECONDS = 0


def test_home_shows_the_next_events_and_how_to_ask_for_a_service(client):
    EventFactory(title="下周的合唱", starts_at=in_days(7))
    EventFactory(title="草稿活动", is_published=False)
    EventFactory(title="去年的活动", starts_at=in_days(-300), ends_at=in_days(-300, 16))
    page = client.get("/").content.decode()
    assert "下周的合唱" in page
    assert "草稿活动" not in page
    assert "去年的活动" not in page
    assert 'id="ask-heading"' in page
    assert 'id="contact-heading"' in page


def test_event_list_shows_upcoming_published_events_soonest_first(client):
    later = EventFactory(title="后来的活动", starts_at=in_days(20))
    sooner = EventFactory(title="先来的活动", starts_at=in_days(2))
    EventFactory(title="没发布的活动", is_published=False)
    EventFactory(title="结束了的活动", starts_at=in_days(-3), ends_at=in_days(-3, 16))
    page = client.get(reverse("events:list")).content.decode()
    assert page.index(sooner.title) < page.index(later.title)
    assert "没发布的活动" not in page
    assert "结束了的活动" not in page


def test_event_list_filters_by_category_month_and_every_provision_ticked(client):
    soon = in_days(3)
    next_month = (soon.date().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    EventFactory(title="手语电影", sign_language=True, captions=True, starts_at=soon)
    EventFactory(title="只有字幕", captions=True, starts_at=soon)
    days = (next_month - timezone.localdate()).days + 1
    EventFactory(title="下月手语", sign_language=True, captions=True, starts_at=in_days(days))
    EventFactory(title="体育活动", category=Event.Category.SPORTS, sign_language=True, captions=True)
    url = reverse("events:list")
    page = client.get(url, {"provision": ["sign_language", "captions"], "category": "culture"}).content.decode()
    assert "手语电影" in page
    assert "下月手语" in page
    assert "只有字幕" not in page
    assert "体育活动" not in page
    month = f"{next_month:%Y-%m}"
    page = client.get(url, {"provision": "sign_language", "category": "culture", "month": month}).content.decode()
    assert "下月手语" in page
    assert "手语电影" not in page


@pytest.mark.parametrize(
    "query", [{"category": "opera"}, {"month": "1999-01"}, {"provision": "teleport"}, {"page": "x"}]
)
def test_event_list_refuses_unknown_filters_with_a_message(client, query):
    response = client.get(reverse("events:list"), query)
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode() or query == {"page": "x"}


def test_event_list_pages_by_ten(client):
    for n in range(12):
        EventFactory(title=f"活动编号{n:02d}", starts_at=in_days(1 + n))
    first = client.get(reverse("events:list")).content.decode()
    second = client.get(reverse("events:list"), {"page": 2}).content.decode()
    assert "活动编号09" in first
    assert "活动编号10" not in first
    assert "活动编号10" in second
    assert "活动编号11" in second
    assert re.search(r"<title>[^<]*\(.*2.*\)", second)  # the page number is in the title


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("shown", [1, 10])
def test_event_list_query_count_does_not_grow_with_events_shown(client, django_assert_num_queries, shown):
    for n in range(shown):
        event = EventFactory(starts_at=in_days(1 + n), sign_language=True)
        PublicRegistrationFactory.create_batch(2, event=event)
    with django_assert_num_queries(2):  # the count and the page of events with their counts
        response = client.get(reverse("events:list"))
    assert response.content.decode().count('class="event-card') == shown


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("extras", [0, 4])
def test_event_detail_query_count_does_not_grow_with_photos_awards_or_registrations(
    client, django_assert_num_queries, extras
):
    event = EventFactory()
    for n in range(extras):
        EventPhoto.objects.create(event=event, image=image_upload(), alt_text=f"照片{n}：合唱队在台上")
        AwardFactory(event=event, awarded_on=event.starts_at.date())
        PublicRegistrationFactory(event=event)
    EventFactory.create_batch(extras)
    with django_assert_num_queries(3):  # the event with its counts, its photos, its awards
        response = client.get(reverse("events:detail", args=[event.slug]))
    assert response.status_code == 200
    assert response.content.decode().count('loading="lazy"') == extras


def test_event_page_has_schema_org_event_data(client):
    event = EventFactory(title="飞镖</script><script>alert(1)</script>", capacity=30)
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "Event"
    assert data["name"] == event.title
    assert data["startDate"] == timezone.localtime(event.starts_at).isoformat()
    assert data["location"]["address"]["streetAddress"] == event.address
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["maximumAttendeeCapacity"] == 30
    assert "<script>alert(1)" not in page


def test_event_page_renders_markdown_safely(client):
    event = EventFactory(description="## 流程\n\n<script>alert(1)</script> [恶意](javascript:alert(1)) **重点**")
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "<h4>流程</h4>" in page
    assert "<strong>重点</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="javascript' not in page


def test_event_page_shows_provisions_sign_language_video_and_easy_read(client):
    event = EventFactory(
        hearing_loop=True,
        easy_read=True,
        easy_read_text="我们一起唱歌。",
        sign_language_video_url="https://video.example/sign",
    )
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "Hearing loop" in page or "助听" in page
    assert "https://video.example/sign" in page
    assert "我们一起唱歌。" in page


def test_photos_carry_their_text_alternative_and_size(client):
    event = EventFactory()
    EventPhoto.objects.create(event=event, image=image_upload(size=(40, 30)), alt_text="合唱队员在台上演唱")
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert re.search(r'<img [^>]*alt="合唱队员在台上演唱"[^>]*width="40" height="30"', page)


def test_unpublished_event_page_is_not_found(client):
    event = EventFactory(is_published=False)
    assert client.get(reverse("events:detail", args=[event.slug])).status_code == 404
    assert client.get(reverse("events:register", args=[event.slug])).status_code == 404
    assert client.get(reverse("events:ics", args=[event.slug])).status_code == 404


def test_cancelled_event_says_so_and_takes_no_registration(client):
    event = EventFactory(status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "EventCancelled" in page
    assert reverse("events:register", args=[event.slug]) not in page


def test_one_event_as_ics(client):
    event = EventFactory(title="无障碍电影")
    response = client.get(reverse("events:ics", args=[event.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "无障碍电影"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["URL"]).endswith(reverse("events:detail", args=[event.slug]))


def test_calendar_feed_holds_published_events_of_the_past_year_and_to_come(client):
    EventFactory(title="将来的")
    EventFactory(title="上个月的", starts_at=in_days(-30), ends_at=in_days(-30, 16))
    EventFactory(title="两年前的", starts_at=in_days(-800), ends_at=in_days(-800, 16))
    EventFactory(title="未发布的", is_published=False)
    EventFactory(title="取消的", status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    calendar = icalendar.Calendar.from_ical(client.get("/events/feed.ics").content)
    summaries = {str(v["SUMMARY"]): str(v["STATUS"]) for v in calendar.walk("VEVENT")}
    assert summaries == {"将来的": "CONFIRMED", "上个月的": "CONFIRMED", "取消的": "CANCELLED"}


@pytest.mark.parametrize(
    ("path", "item"), [("/events/feed.rss", "item"), ("/events/feed.atom", "{http://www.w3.org/2005/Atom}entry")]
)
def test_rss_and_atom_feeds_list_published_events(client, path, item):
    EventFactory(title="公开活动")
    EventFactory(title="草稿", is_published=False)
    root = ET.fromstring(client.get(path).content)
    titles = [e.findtext("title") or e.findtext("{http://www.w3.org/2005/Atom}title") for e in root.iter(item)]
    assert titles == ["公开活动"]


def test_sitemap_lists_public_pages_and_published_events_only(client):
    published = EventFactory()
    draft = EventFactory(is_published=False)
    body = client.get("/sitemap.xml").content.decode()
    assert reverse("events:detail", args=[published.slug]) in body
    assert reverse("events:detail", args=[draft.slug]) not in body
    for path in ["/events/", "/events/past/", "/accessibility-statement/"]:
        assert f"://testserver{path}<" in body


def test_past_events_show_participants_and_results_by_year(client):
    past = EventFactory(
        title="融合电竞赛",
        starts_at=datetime.datetime(2023, 11, 4, 9, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2023, 11, 4, 12, tzinfo=datetime.UTC),
    )
    PublicRegistrationFactory.create_batch(3, event=past, attendance=Registration.Attendance.ATTENDED)
    AwardFactory(
        event=past, awarded_on=datetime.date(2023, 11, 4), team_name="静安区残健融合电竞队", place=Award.Place.SECOND
    )
    AwardFactory(
        competition="飞镖个人组",
        awarded_on=datetime.date(2023, 8, 19),
        kind=Award.Kind.PERSON,
        team_name="",
        person=PersonFactory(name="得奖的人"),
        place=Award.Place.THIRD,
    )
    page = client.get(reverse("events:past"), {"year": 2023}).content.decode()
    assert "融合电竞赛" in page
    assert "静安区残健融合电竞队" in page
    assert "飞镖个人组" in page
    assert "得奖的人" not in page
    assert client.get(reverse("events:past"), {"year": 1999}).status_code == 400


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("shown", [1, 6])
def test_past_events_query_count_does_not_grow_with_events_shown(client, django_assert_num_queries, shown):
    for n in range(shown):
        event = EventFactory(starts_at=in_days(-10 - n), ends_at=in_days(-10 - n, 16))
        AwardFactory(event=event, awarded_on=event.starts_at.date())
        PublicRegistrationFactory(event=event, attendance=Registration.Attendance.ATTENDED)
    # years (events, awards), count, page, its awards, awards elsewhere
    with django_assert_num_queries(6):
        client.get(reverse("events:past"))


def test_accessibility_statement(client):
    page = client.get(reverse("accessibility_statement")).content.decode()
    assert "(WCAG) 2.1" in page
    assert "GB/T 37668-2019" in page


PUBLIC_PAGES = [
    "/",
    "/events/",
    "/events/past/",
    "/events/past/?year=2023",
    "/accessibility-statement/",
    "/events/feed.ics",
    "/events/feed.rss",
    "/events/feed.atom",
    "/sitemap.xml",
]


def test_no_public_page_shows_a_registrants_name_phone_or_needs(client):
    event = EventFactory(slug="open-event", capacity=1)
    past = EventFactory(
        slug="past-event",
        starts_at=datetime.datetime(2023, 5, 1, 9, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2023, 5, 1, 12, tzinfo=datetime.UTC),
    )
    secrets = []
    for target in (event, past):
        public = PublicRegistrationFactory(
            event=target, name="公开报名者甲", phone="13955550001", needs_other="需要导盲犬区域"
        )
        registry = PersonRegistrationFactory(event=target, person=PersonFactory(name="登记人乙", phone="13955550002"))
        secrets += [
            public.name,
            public.phone,
            public.needs_other,
            registry.person.name,
            registry.person.phone,
            registry.person.id_number,
        ]
    PublicRegistrationFactory(event=event, name="候补者丙", phone="13955550003", status=Registration.Status.WAITLISTED)
    AwardFactory(
        event=past,
        awarded_on=datetime.date(2023, 5, 1),
        kind=Award.Kind.PERSON,
        team_name="",
        person=PersonFactory(name="获奖者丁"),
    )
    secrets += ["候补者丙", "13955550003", "获奖者丁"]
    pages = PUBLIC_PAGES + [
        f"/events/{slug}/{suffix}" for slug in ("open-event", "past-event") for suffix in ("", "register/", "event.ics")
    ]
    for path in pages:
        for language in ("zh-hans", "en"):
            response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, path
            body = response.content.decode()
            leaked = [s for s in secrets if s in body]
            assert leaked == [], f"{path} shows {leaked}"


def test_every_public_page_has_its_own_title(client):
    event = EventFactory(slug="open-event")
    titles = {}
    for path in [
        "/",
        "/events/",
        "/events/past/",
        "/accessibility-statement/",
        f"/events/{event.slug}/",
        f"/events/{event.slug}/register/",
    ]:
        titles[path] = re.search(r"<title>(.*?)</title>", client.get(path).content.decode(), re.S).group(1).strip()
    assert len(set(titles.values())) == len(titles), titles


def test_public_pages_need_no_login_and_staff_still_see_them(client, staff_user):
    event = EventFactory()
    for path in ["/", "/events/", f"/events/{event.slug}/"]:
        assert client.get(path).status_code == 200
    client.force_login(staff_user)
    assert client.get(f"/events/{event.slug}/").status_code == 200
    assert Client().get("/events/").status_code == 200


def test_a_page_beyond_the_last_is_not_found_and_not_cached(client):
    EventFactory()
    assert client.get(reverse("events:list"), {"page": 5}).status_code == 404
    assert client.get(reverse("events:list"), {"page": 1}).status_code == 200
