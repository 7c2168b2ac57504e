"""Login throttling (django-axes): 5 failures cool off a user name from one address, 20 cool off the address,
with one message for all."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.http import client_ip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

PASSWORD = "pw-for-tests-only"
LOCKED = "Too many failed log-in attempts. Logging in is paused for 15 minutes. Please try again later."


def attempt(client: Client, username: str, password: str, *, address: str = "10.0.0.1", **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def fail(client: Client, username: str, times: int, *, address: str = "10.0.0.1", **headers) -> list:
    return [attempt(client, username, "wrong-password", address=address, **headers) for _ in range(times)]


def test_four_failures_still_let_the_right_password_in(client, staff_user):
    for response in fail(client, "staff", 4):
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()
    assert attempt(client, "staff", PASSWORD).status_code == 302


def test_the_fifth_failure_locks_even_the_right_password_out(client, staff_user):
    *_, fifth = fail(client, "staff", 5)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    locked = attempt(client, "staff", PASSWORD)
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_names_get_the_same_page_so_nobody_learns_who_exists(client, staff_user):
    known = fail(client, "staff", 5, address="10.0.0.1")[-1]
    unknown = fail(client, "nobody-by-this-name", 5, address="10.0.0.2")[-1]
    assert known.status_code == 429
    assert unknown.status_code == 429
    strip = lambda r: r.content.decode().replace("nobody-by-this-name", "").replace("staff", "")  # noqa: E731
    assert LOCKED in strip(unknown)
    # The pages differ only in the CSRF token.
    import re

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", strip(known)) == token.sub("", strip(unknown))
    # And before the lockout, a wrong password and an unknown name read the same too.
    first_known = attempt(Client(), "staff", "nope", address="10.0.0.3").context["form"].non_field_errors()
    first_unknown = attempt(Client(), "ghost", "nope", address="10.0.0.4").context["form"].non_field_errors()
    assert first_known == first_unknown


def test_the_user_name_is_locked_from_any_address_that_failed_for_it(client, staff_user):
    # Each of these addresses failed five times for "staff": each is locked for it.
    for i in range(2):
        fail(client, "staff", 5, address=f"10.0.1.{i}")
        elsewhere = attempt(Client(), "staff", PASSWORD, address=f"10.0.1.{i}")
        assert elsewhere.status_code == 429


def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(client, staff_user):
    *_, fifth = fail(client, "staff", 5, address="10.0.6.1")
    assert fifth.status_code == 429
    assert attempt(Client(), "staff", PASSWORD, address="10.0.6.1").status_code == 429
    # The real user, at their own desk, still logs in.
    assert attempt(Client(), "staff", PASSWORD, address="10.0.6.2").status_code == 302
    # And the locked page says the same whether the user name exists or not.
    other = Client()
    other.cookies["django_language"] = "en"
    unknown = fail(other, "nobody-by-this-name", 5, address="10.0.6.3")[-1]
    assert unknown.status_code == 429
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    strip = lambda r: token.sub("", r.content.decode().replace("nobody-by-this-name", "").replace("staff", ""))  # noqa: E731
    assert LOCKED in strip(unknown)
    assert strip(fifth) == strip(unknown)


def test_password_spraying_from_one_address_is_paused_at_the_address_limit(client, staff_user, member, settings):
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        attempt(client, f"spray{i}", "wrong", address="10.0.7.1")
    assert attempt(Client(), "member_a", PASSWORD, address="10.0.7.1").status_code == 302
    attempt(client, "spray-last", "wrong", address="10.0.7.1")
    assert attempt(Client(), "staff", PASSWORD, address="10.0.7.1").status_code == 429
    assert attempt(Client(), "staff", PASSWORD, address="10.0.7.2").status_code == 302


def test_the_address_is_locked_for_any_user_name(client, staff_user, member, settings):
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        attempt(client, f"guess{i}", "wrong", address="10.0.2.1")
    same_address = attempt(Client(), "member_a", PASSWORD, address="10.0.2.1")
    assert same_address.status_code == 429
    other_address = attempt(Client(), "member_a", PASSWORD, address="10.0.2.2")
    assert other_address.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, staff_user, settings):
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        fail(client, "staff", 5)
        clock.shift(datetime.timedelta(minutes=14))
        assert attempt(client, "staff", PASSWORD).status_code == 429
        # A try during the lockout starts the cool-off again (django-axes' default).
        clock.shift(datetime.timedelta(minutes=16))
        assert attempt(client, "staff", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, staff_user):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "staff", "password": "wrong"}, REMOTE_ADDR="10.0.3.1")
    locked = client.post(reverse("admin:login"), {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="10.0.3.1")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()


def test_a_forged_forwarded_for_header_does_not_dodge_the_address_lock(client, staff_user, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        attempt(client, f"guess{i}", "wrong", address="10.0.4.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    retry = attempt(Client(), "staff", PASSWORD, address="10.0.4.1", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert retry.status_code == 429


def test_behind_a_trusted_proxy_each_client_address_is_counted(client, staff_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.5.1"
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        attempt(client, f"guess{i}", "wrong", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    # The attacker's address is locked; another client behind the same proxy is not.
    attacker = attempt(Client(), "staff", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert attacker.status_code == 429
    neighbour = attempt(Client(), "staff", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert neighbour.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.1.1.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the left entry came from the client: ignored
        (2, "6.6.6.6, 203.0.113.5, 10.2.2.2", "203.0.113.5"),
        (2, "203.0.113.5", "10.1.1.1"),  # fewer entries than proxies: not through them, use the peer
    ],
)
def test_client_address_trusts_forwarded_for_only_as_far_as_configured(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_lockout_page_is_translated(staff_user):
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    page = fail(client, "staff", 5)[-1]
    assert page.status_code == 429
    assert '<html lang="zh-hans"' in page.content.decode()
    assert 'id="error-summary"' in page.content.decode()
