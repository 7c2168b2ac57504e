"""Log in, log out and change password, with Django's password validators."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_log_in_and_out(client, staff_user):
    response = client.post(reverse("login"), {"username": "staff", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302


def test_password_change_applies_the_validators(client, staff_user):
    client.force_login(staff_user)
    url = reverse("password_change")
    weak = client.post(url, {"old_password": "pw-for-tests-only", "new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]
    staff_user.refresh_from_db()
    assert staff_user.check_password("pw-for-tests-only")
    good = "a-much-better-passphrase-2026"
    done = client.post(url, {"old_password": "pw-for-tests-only", "new_password1": good, "new_password2": good})
    assert done.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password(good)


def test_display_preference_redirects_only_to_this_site(client):
    response = client.post(reverse("set_display"), {"display": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies["display"].value == "large"
    ignored = client.post(reverse("set_display"), {"display": "<script>", "next": "/accounts/login/"})
    assert ignored["Location"] == "/accounts/login/"
    assert "display" not in ignored.cookies
