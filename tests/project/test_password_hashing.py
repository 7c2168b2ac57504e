"""Log-in hashes with Argon2id at OWASP's parameters (issue #20: a log-in took 1 to 3 s, most of it PBKDF2 at
1,000,000 iterations); every older password still logs in and is rehashed on the way."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core import checks
from django.urls import reverse

from accounts.checks import first_hasher_loads
from accounts.hashers import Argon2idHasher
from jingan_portal.settings import base

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

PASSWORD = "pw-for-tests-only"
ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"
# Pinned: axes' two lock-out sums (the pair, the address), the user, the new session (its key checked, inserted in a
# savepoint), axes' attempts and its log row, last_login, the session's activity (an update in a savepoint). Nothing
# per past log-in, and no rehash: the password is already Argon2id.
LOGIN_QUERIES = 13


@pytest.fixture
def real_hashers(settings):
    """The hashers of the running portal (the tests' own settings hash with MD5, for speed)."""
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def log_in(client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.9.1")


@pytest.mark.parametrize("old", ["pbkdf2_sha256", "pbkdf2_sha1", "argon2-django-default"])
def test_an_older_password_logs_in_and_is_rehashed_with_argon2id(client, staff_user, real_hashers, old):
    if old == "argon2-django-default":
        from django.contrib.auth.hashers import Argon2PasswordHasher

        staff_user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    else:
        staff_user.password = make_password(PASSWORD, hasher=old)
    staff_user.save(update_fields=["password"])
    assert not staff_user.password.startswith(ARGON2ID)
    assert log_in(client, "staff").status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.password.startswith(ARGON2ID)
    assert staff_user.check_password(PASSWORD)


def test_a_new_password_is_argon2id_and_stays_so_at_log_in(client, staff_user, real_hashers):
    staff_user.set_password(PASSWORD)
    staff_user.save()
    hashed = staff_user.password
    assert hashed.startswith(ARGON2ID)
    assert log_in(client, "staff").status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.password == hashed  # verified, not rehashed: one hash a log-in


def test_a_wrong_password_is_refused_and_changes_nothing(client, staff_user, real_hashers):
    staff_user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    staff_user.save(update_fields=["password"])
    response = log_in(client, "staff", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.password.startswith("pbkdf2_sha256$")


def test_a_log_in_costs_the_same_queries_however_often_the_user_logged_in(
    client, staff_user, real_hashers, django_assert_num_queries
):
    staff_user.set_password(PASSWORD)
    staff_user.save()
    for _ in range(3):
        assert log_in(client, "staff").status_code == 302
        client.logout()
    with django_assert_num_queries(LOGIN_QUERIES):
        assert log_in(client, "staff").status_code == 302


def test_the_hasher_is_argon2id_at_owasps_parameters():
    hasher = Argon2idHasher()
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (2, 19456, 1)
    assert base.PASSWORD_HASHERS[0] == "accounts.hashers.Argon2idHasher"


def test_the_portal_refuses_to_start_without_the_argon2_library(settings, monkeypatch):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert first_hasher_loads() == []
    monkeypatch.setattr(Argon2idHasher, "library", "argon2_not_installed")
    errors = first_hasher_loads()
    assert [e.id for e in errors] == ["accounts.E001"]
    assert errors[0].level == checks.ERROR
