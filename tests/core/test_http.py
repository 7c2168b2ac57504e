"""The one client-address rule (core.http.client_ip) and the rate limits behind a simulated proxy."""

import pytest
from django.test import Client
from django.urls import reverse

from core.http import client_ip
from events.models import Registration
from events.views import REGISTRATIONS_PER_WINDOW
from tests.events.factories import EventFactory

PROXY = "10.0.9.1"


JUNK = [  # (trusted proxies, X-Forwarded-For, the address counted)
    (1, " 203.0.113.5 ", "203.0.113.5"),  # spaces
    (1, "6.6.6.6,, 203.0.113.5,", "203.0.113.5"),  # empty items
    (1, "not-an-address", PROXY),  # garbage where the client should be: the peer, never the garbage
    (1, "203.0.113.5, <script>", PROXY),
    (1, "", PROXY),  # fewer entries than trusted proxies
    (2, "203.0.113.5", PROXY),
    (1, "2001:0db8:0:0::0001", "2001:db8::1"),  # one spelling per address, so one bucket
    (0, "203.0.113.5", PROXY),  # no proxy trusted: the header is ignored
]


def test_client_ip_is_robust_to_junk_in_forwarded_for(rf, settings):
    for proxies, forwarded, expected in JUNK:
        settings.TRUSTED_PROXY_COUNT = proxies
        request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected, (proxies, forwarded)


def test_client_ip_is_none_rather_than_junk_when_the_peer_is_not_an_address(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(rf.get("/", REMOTE_ADDR="unix:socket")) is None


def test_axes_counts_addresses_with_the_one_rule(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.http.client_ip"


def _register(forwarded: str, event, n: int):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded).post(
        reverse("events:register", args=[event.slug]),
        {"name": "李明", "phone": f"1390000{n:04d}", "consent": "on"},
    )


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_registration_bucket(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    event = EventFactory(capacity=50)
    for n in range(REGISTRATIONS_PER_WINDOW):
        assert _register("198.51.100.7", event, n).status_code == 302
    assert _register("198.51.100.7", event, 90).status_code == 429
    # Another client behind the same proxy is not blocked by the first.
    assert _register("198.51.100.8", event, 91).status_code == 302
    # Nor can the blocked client pick a fresh bucket by writing an entry of its own to the left.
    assert _register("192.0.2.55, 198.51.100.7", event, 92).status_code == 429
    assert Registration.objects.count() == REGISTRATIONS_PER_WINDOW + 1
