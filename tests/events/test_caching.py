"""Anonymous public pages come from the cache, per language and display mode, and any change shows at once."""

import datetime
import re
import time

import pytest
from django.contrib.messages import constants, get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import actions, caching
from events.models import Event
from tests.events.factories import EventFactory
from tests.services.test_concurrency import version_token

pytestmark = pytest.mark.django_db


def get(client, path, **cookies):
    for name, value in cookies.items():
        client.cookies[name] = value
    return client.get(path)


def test_second_anonymous_request_is_served_from_the_cache_without_queries(client, django_assert_num_queries):
    EventFactory()
    assert client.get("/events/")["X-Public-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get("/events/")
    assert response["X-Public-Cache"] == "hit"
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("path", ["/", "/events/", "/events/past/", "/accessibility-statement/"])
def test_each_public_page_is_cached(client, path):
    EventFactory(slug="cached-event")
    client.get(path)
    assert client.get(path)["X-Public-Cache"] == "hit"


def test_event_change_by_an_action_appears_at_once(client, staff_user):
    event = EventFactory(title="旧标题")
    url = reverse("events:detail", args=[event.slug])
    assert "旧标题" in client.get(url).content.decode()
    assert "旧标题" in client.get("/events/").content.decode()
    event.title = "新标题"
    actions.event_save(event=event, by=staff_user)
    assert "新标题" in client.get(url).content.decode()
    assert "新标题" in client.get("/events/").content.decode()
    assert "新标题" in client.get("/").content.decode()


def test_event_change_in_the_admin_appears_at_once(client, staff_user):
    event = EventFactory(title="旧标题", capacity=5)
    client.get("/events/")
    admin = Client()
    admin.force_login(staff_user)
    data = {
        f.name: getattr(event, f.name)
        for f in Event._meta.fields
        if f.editable and f.name not in {"id", "starts_at", "ends_at", "registration_deadline"}
    }
    data.update(
        {
            "title": "管理员改的标题",
            "starts_at_0": f"{event.starts_at:%Y-%m-%d}",
            "starts_at_1": "14:00:00",
            "ends_at_0": f"{event.ends_at:%Y-%m-%d}",
            "ends_at_1": "16:00:00",
            "registration_deadline_0": "",
            "registration_deadline_1": "",
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
        }
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False and v is not None}
    change = reverse("admin:events_event_change", args=[event.pk])
    response = admin.post(change, {**data, **version_token(admin, change)})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "管理员改的标题" in client.get("/events/").content.decode()


def test_a_registration_updates_the_places_left_at_once(client):
    event = EventFactory(capacity=1)
    url = reverse("events:detail", args=[event.slug])
    assert reverse("events:register", args=[event.slug]) in client.get(url).content.decode()
    actions.registration_create(event=event, name="甲", phone="13900000001", consent=True)
    body = client.get(url).content.decode()
    assert client.get(url)["X-Public-Cache"] == "hit"
    assert "waiting list" in body or "候补" in body


def test_pages_are_cached_per_language_and_display_mode(client):
    EventFactory()
    zh = get(client, "/events/", django_language="zh-hans", display="standard").content.decode()
    en = get(Client(), "/events/", django_language="en", display="standard").content.decode()
    large = get(Client(), "/events/", django_language="en", display="large").content.decode()
    assert 'lang="zh-hans"' in zh
    assert 'lang="en"' in en
    assert "display-large" in large
    assert "display-large" not in en


def test_each_reader_gets_their_own_csrf_token_and_it_works(client):
    event = EventFactory()
    url = reverse("events:detail", args=[event.slug])
    readers = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens = []
    for reader in readers:
        body = reader.get(url).content.decode()
        assert caching.CSRF_PLACEHOLDER not in body
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1))
    assert readers[1].get(url)["X-Public-Cache"] == "hit"
    # The display switch in the cached page's header works for the second reader with their own token.
    response = readers[1].post(
        reverse("set_display"), {"display": "large", "csrfmiddlewaretoken": tokens[1], "next": url}
    )
    assert response.status_code == 302
    assert readers[1].cookies["display"].value == "large"


def test_logged_in_readers_bypass_the_cache(client, staff_user):
    EventFactory()
    client.get("/events/")
    client.force_login(staff_user)
    response = client.get("/events/")
    assert "X-Public-Cache" not in response
    assert "Administration" in response.content.decode() or "管理" in response.content.decode()


def test_a_readers_pending_message_never_reaches_the_cached_page(client, rf):
    EventFactory()
    session_client = Client()
    session_client.get("/")  # a session-less reader fills the cache
    request = rf.get("/")
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._messages.add(constants.INFO, "只给这个人的消息")
    assert list(get_messages(request))  # the storage works; a cached page never contains such text
    assert "只给这个人的消息" not in Client().get("/").content.decode()


def test_page_expires_when_registration_closes_by_the_clock(client):
    event = EventFactory(registration_deadline=timezone.now() + datetime.timedelta(seconds=20))
    client.get(reverse("events:detail", args=[event.slug]))
    key = caching.page_key("zh-hans", "standard", "event", event.slug)
    entry = cache.get(key)
    assert entry is not None
    assert entry.expires_at - time.time() <= 22


def test_another_processs_change_shows_within_a_second(client, monkeypatch):
    event = EventFactory(title="旧标题")
    url = reverse("events:detail", args=[event.slug])
    client.get(url)
    # Another process changes the event: the database and the shared version, not this process's memory.
    Event.objects.filter(pk=event.pk).update(title="别处改的标题")
    cache.set(caching.VERSION_KEY, "set-by-another-process", timeout=None)
    assert "旧标题" in client.get(url).content.decode()
    later = time.monotonic() + caching.VERSION_CHECK_SECONDS + 0.1
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)
    assert "别处改的标题" in client.get(url).content.decode()


def test_a_page_rendered_by_another_process_is_shared(client):
    EventFactory()
    client.get("/events/")
    caching.forget_local()  # as if this were another process
    assert client.get("/events/")["X-Public-Cache"] == "hit"


def test_pages_are_shared_through_redis_when_configured(client, needs_redis, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": needs_redis,
            "KEY_PREFIX": f"test-events-{time.time_ns()}",
        }
    }
    caching.forget_local()  # Django resets its cache handler when CACHES changes
    try:
        event = EventFactory(title="旧标题")
        url = reverse("events:detail", args=[event.slug])
        assert client.get(url)["X-Public-Cache"] == "miss"
        caching.forget_local()  # another process: only Redis holds the page
        response = client.get(url)
        assert response["X-Public-Cache"] == "hit"
        assert "旧标题" in response.content.decode()
        event.title = "新标题"
        actions.event_save(event=event, by=None)
        caching.forget_local()
        assert "新标题" in client.get(url).content.decode()
    finally:  # only this test's keys: the Redis database is shared
        cache.delete_many(
            [
                caching.VERSION_KEY,
                *(caching.page_key(lang, "standard", "event", event.slug) for lang in ("zh-hans", "en")),
            ]
        )


def test_cache_can_be_turned_off(client, settings):
    settings.EVENTS_PUBLIC_CACHE_SECONDS = 0
    EventFactory()
    client.get("/events/")
    assert "X-Public-Cache" not in client.get("/events/")


def test_unknown_filters_are_never_cached(client):
    client.get("/events/", {"category": "opera"})
    assert not any(k for k in cache._cache if "list" in k)
