"""Two-factor log-in (django-otp): staff and auditors set up an authenticator, then give a code before staff pages."""

import datetime
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions import recovery_codes_issue
from accounts.models import UserSession
from services.models import AuditEntry

pytestmark = [pytest.mark.django_db]

PASSWORD = "pw-for-tests-only"


@pytest.fixture(autouse=True)
def _otp_required(settings):
    settings.OTP_REQUIRED_FOR_STAFF = True


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for the device's key (RFC 6238)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(username: str, *, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    return client


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def test_staff_without_an_authenticator_is_sent_to_set_one_up_and_reaches_nothing_else(staff_user):
    client = log_in("staff")
    for path in [reverse("admin:index"), reverse("reports:dashboard_index"), reverse("home"), reverse("field:home")]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("otp_setup")), path


def test_set_up_shows_the_key_and_a_qr_code_then_a_wrong_code_is_refused(staff_user):
    client = log_in("staff")
    page = client.get(reverse("otp_setup") + "?next=/admin/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    html = page.content.decode()
    assert " ".join(key[i : i + 4] for i in range(0, len(key), 4)) in html
    assert 'src="data:image/svg+xml' in html
    assert "http" not in re.search(r'<img src="([^"]+)"', html).group(1)[:30]
    # Reloading keeps the same secret.
    client.get(reverse("otp_setup"))
    assert TOTPDevice.objects.get(user=staff_user).key == device.key

    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("otp_setup"), {"token": wrong, "next": "/admin/"})
    assert refused.status_code == 400
    assert "That code is not right." in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=staff_user).exists()
    not_digits = client.post(reverse("otp_setup"), {"token": "abc"})
    assert "Enter the 6 digits your authenticator app shows." in not_digits.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_set_up_with_a_real_code_shows_ten_recovery_codes_once_and_opens_the_admin(staff_user):
    client = log_in("staff")
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=staff_user)
    response = client.post(reverse("otp_setup"), {"token": code_for(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_recovery_codes"))
    device.refresh_from_db()
    assert device.confirmed
    shown = client.get(response["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=staff_user).values_list("token", flat=True))
    again = client.get(response["Location"]).content.decode()
    assert not any(code in again for code in codes)
    assert client.get(reverse("admin:index")).status_code == 200
    assert AuditEntry.objects.filter(code="accounts.otp.set_up", object_id=str(staff_user.pk)).count() == 1


@pytest.mark.parametrize("bad", ["12345", "1234567", "12a456", "", "------"])
def test_set_up_refuses_a_code_that_is_not_six_digits_and_changes_nothing(staff_user, bad):
    client = log_in("staff")
    client.get(reverse("otp_setup"))
    refused = client.post(reverse("otp_setup"), {"token": bad, "next": "/admin/"})
    assert refused.status_code == 400
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=staff_user).exists()
    assert client.get(reverse("admin:index")).status_code == 302


def test_set_up_accepts_the_code_typed_with_a_dash_as_the_verify_page_does(staff_user):
    client = log_in("staff")
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=staff_user)
    code = code_for(device)
    response = client.post(reverse("otp_setup"), {"token": f"{code[:3]}-{code[3:]}", "next": "/admin/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_a_staff_member_with_an_authenticator_gives_a_code_before_any_staff_page(staff_user):
    device = confirmed_device(staff_user)
    client = log_in("staff")
    blocked = client.get(reverse("admin:index"))
    assert blocked["Location"] == f"{reverse('otp_verify')}?next=%2Fadmin%2F"
    assert client.get(reverse("reports:dashboard_index"))["Location"].startswith(reverse("otp_verify"))
    page = client.get(blocked["Location"])
    assert page.status_code == 200
    done = client.post(reverse("otp_verify"), {"token": code_for(device), "next": "/admin/"})
    assert done.status_code == 302
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("reports:dashboard_index")).status_code == 302  # to this year's report
    assert client.get(reverse("reports:dashboard_index"), follow=True).status_code == 200


def test_the_same_code_does_not_verify_a_second_session(staff_user):
    device = confirmed_device(staff_user)
    code = code_for(device)
    first, second = log_in("staff"), log_in("staff")
    assert first.post(reverse("otp_verify"), {"token": code}).status_code == 302
    refused = second.post(reverse("otp_verify"), {"token": code})
    assert refused.status_code == 400
    assert second.get(reverse("admin:index")).status_code == 302


def test_a_wrong_code_is_refused_and_repeated_wrong_codes_make_one_wait(staff_user):
    device = confirmed_device(staff_user)
    client = log_in("staff")
    right = code_for(device)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    first = client.post(reverse("otp_verify"), {"token": wrong})
    assert first.status_code == 400
    assert "That code is not right, or it has been used already." in first.content.decode()
    # Right away even the right code waits: django-otp doubles the wait after each wrong code.
    second = client.post(reverse("otp_verify"), {"token": right})
    assert "Too many wrong codes. Wait 1 second, then try again." in second.content.decode() or (
        "Too many wrong codes. Wait 2 seconds" in second.content.decode()
    )
    assert client.get(reverse("admin:index")).status_code == 302
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3), tick=False):
        assert client.post(reverse("otp_verify"), {"token": code_for(device)}).status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200


def test_a_recovery_code_works_once(staff_user):
    confirmed_device(staff_user)
    codes = recovery_codes_issue(user=staff_user)
    client = log_in("staff")
    used = client.post(reverse("otp_verify"), {"token": codes[0].upper(), "next": "/admin/"}, follow=True)
    assert used.status_code == 200
    assert "You used a recovery code. 9 recovery codes are left." in used.content.decode()
    assert client.get(reverse("admin:index")).status_code == 200
    other = log_in("staff")
    reused = other.post(reverse("otp_verify"), {"token": codes[0]})
    assert reused.status_code == 400
    assert other.get(reverse("admin:index")).status_code == 302
    assert StaticToken.objects.filter(device__user=staff_user).count() == 9


def test_auditors_need_the_second_factor_too(auditor):
    client = log_in("auditor")
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("otp_setup"))


def test_committee_members_and_volunteers_are_not_asked_and_cannot_open_the_pages(member):
    client = log_in("member_a")
    assert client.get(reverse("field:home")).status_code == 200
    for name in ["otp_setup", "otp_verify", "otp_recovery_codes"]:
        assert client.get(reverse(name)).status_code == 403, name


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in ["otp_setup", "otp_verify", "otp_recovery_codes"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_next_address_never_leads_off_the_site(staff_user):
    device = confirmed_device(staff_user)
    client = log_in("staff")
    done = client.post(reverse("otp_verify"), {"token": code_for(device), "next": "https://evil.example/"})
    assert done["Location"] == reverse("admin:index")


def test_without_the_setting_staff_work_as_before(staff_user, settings):
    settings.OTP_REQUIRED_FOR_STAFF = False
    confirmed_device(staff_user)
    client = log_in("staff")
    assert client.get(reverse("admin:index")).status_code == 200


def test_resetting_a_lost_phone_removes_the_devices_and_ends_the_sessions(staff_user, auditor):
    device = confirmed_device(staff_user)
    recovery_codes_issue(user=staff_user)
    client = log_in("staff")
    client.post(reverse("otp_verify"), {"token": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200
    # Resetting needs the change permission on users (read-only roles write nothing, #17): a superuser here.
    superior = type(staff_user).objects.create_user("head", password=PASSWORD, is_staff=True, is_superuser=True)
    call_command("otp_reset", "staff", by="head")
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert not StaticDevice.objects.filter(user=staff_user).exists()
    assert not UserSession.objects.filter(user=staff_user).exists()
    assert client.get(reverse("admin:index")).status_code == 302
    entry = AuditEntry.objects.get(code="accounts.otp.reset")
    assert (entry.user, entry.object_id, entry.data) == (superior, str(staff_user.pk), {"devices": 2})
    fresh = log_in("staff")
    assert fresh.get(reverse("admin:index"))["Location"].startswith(reverse("otp_setup"))


def test_reset_refuses_an_unknown_user_or_a_non_staff_actor(staff_user, member):
    from django.core.management.base import CommandError

    confirmed_device(staff_user)
    with pytest.raises(CommandError):
        call_command("otp_reset", "nobody", by="staff")
    with pytest.raises(CommandError):
        call_command("otp_reset", "staff", by="member_a")
    assert TOTPDevice.objects.filter(user=staff_user).exists()


def test_the_user_admin_resets_a_lost_phone_without_a_shell(staff_user):
    device = confirmed_device(staff_user)
    recovery_codes_issue(user=staff_user)
    lost = log_in("staff")
    lost.post(reverse("otp_verify"), {"token": code_for(device)})
    head = type(staff_user).objects.create_superuser("head", password=PASSWORD)
    admin_client = Client()
    admin_client.cookies["django_language"] = "en"
    admin_client.force_login(head)
    # The superuser proves a second factor too before the admin opens.
    head_device = confirmed_device(head)
    admin_client.post(reverse("otp_verify"), {"token": code_for(head_device)})
    response = admin_client.post(
        reverse("admin:services_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [staff_user.pk]},
        follow=True,
    )
    assert "Removed 2 two-factor devices of 1 user" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert not StaticDevice.objects.filter(user=staff_user).exists()
    assert TOTPDevice.objects.filter(user=head).exists()
    assert lost.get(reverse("admin:index")).status_code == 302  # their sessions ended
    entry = AuditEntry.objects.get(code="accounts.otp.reset")
    assert (entry.user, entry.object_id) == (head, str(staff_user.pk))


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "------", "x" * 25, "12345", "1234567", "¹²³⁴⁵⁶", "abc!@#", "12\x003456", "<script>", "0" * 24],
)
def test_verify_refuses_a_malformed_code_with_the_form_not_an_error_page(staff_user, bad):
    confirmed_device(staff_user)
    recovery_codes_issue(user=staff_user)
    client = log_in("staff")
    refused = client.post(reverse("otp_verify"), {"token": bad, "next": "/admin/"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["token"]
    assert client.get(reverse("admin:index")).status_code == 302
    assert StaticToken.objects.filter(device__user=staff_user).count() == 10


@pytest.mark.parametrize("bad", ["12\x003456", "１２３４５", "x" * 13])
def test_set_up_refuses_a_malformed_code_with_the_form_not_an_error_page(staff_user, bad):
    client = log_in("staff")
    client.get(reverse("otp_setup"))
    refused = client.post(reverse("otp_setup"), {"token": bad, "next": "/admin/"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["token"]
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()


def test_a_code_typed_in_full_width_characters_is_read_as_the_same_code(staff_user):
    """A Chinese input method in full-width mode types ａｂｃ１２３ for abc123."""
    full_width = str.maketrans(
        "0123456789abcdefghijklmnopqrstuvwxyz-",
        "０１２３４５６７８９ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ－",
    )
    client = log_in("staff")
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=staff_user)
    code = code_for(device)
    set_up = client.post(reverse("otp_setup"), {"token": f"{code[:3]}－{code[3:]}".translate(full_width)})
    assert set_up.status_code == 302
    codes = StaticToken.objects.filter(device__user=staff_user).values_list("token", flat=True)
    other = log_in("staff")
    used = other.post(reverse("otp_verify"), {"token": codes[0].translate(full_width), "next": "/admin/"})
    assert used.status_code == 302
    assert other.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("name", ["otp_setup", "otp_verify"])
def test_a_refused_code_is_named_in_the_title_and_summary_linked_to_the_field(staff_user, name):
    if name == "otp_verify":
        confirmed_device(staff_user)
    client = log_in("staff")
    client.get(reverse(name))
    refused = client.post(reverse(name), {"token": "12a456"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert re.search(r"<title>Error: ", html)
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S).group(0)
    assert 'href="#id_token"' in summary


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", "http://testserver/admin/"],
)
def test_no_two_factor_page_leads_off_the_site_or_down_to_http(staff_user, target):
    device = confirmed_device(staff_user)
    client = log_in("staff")
    page = client.get(reverse("otp_verify"), {"next": target}, secure=True)
    assert 'name="next" value="/admin/"' in page.content.decode()
    done = client.post(reverse("otp_verify"), {"token": code_for(device), "next": target}, secure=True)
    assert done["Location"] == reverse("admin:index")
    codes = client.get(reverse("otp_recovery_codes"), {"next": target}, secure=True)
    assert 'href="/admin/"' in codes.content.decode()
