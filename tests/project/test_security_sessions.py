"""Sessions: idle limits per role; logout and disabling end sessions on the server; password change keeps one."""

import datetime
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from services.registry import roles

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"


class _FormReader(HTMLParser):
    """The values a browser would submit from one form of a page (text, checked boxes, selected options)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.select, self.textarea = form_id, False, None, None
        self.data: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            default = "on" if a.get("type") in {"checkbox", "radio"} else ""
            self.data.setdefault(a["name"], []).append(a.get("value") or default)
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.data.setdefault(self.select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.data.setdefault(self.textarea, []).append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data


def form_data(html: str, *, form_id: str) -> dict[str, list[str]]:
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.data


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_logged_in(client: Client) -> bool:
    return client.get(reverse("password_change")).status_code == 200


def test_each_session_records_its_user(staff_user, member):
    logged_in_client(staff_user)
    logged_in_client(staff_user)
    logged_in_client(member)
    assert UserSession.objects.filter(user=staff_user).count() == 2
    assert UserSession.objects.filter(user=member).count() == 1


def test_staff_session_ends_after_30_minutes_idle_but_not_while_in_use(staff_user, settings):
    assert settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = logged_in_client(staff_user)
        for _ in range(4):  # active every 25 minutes for 100 minutes
            clock.shift(datetime.timedelta(minutes=25))
            assert is_logged_in(client)
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("admin:index"), follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("admin:login"))
        assert not UserSession.objects.filter(user=staff_user).exists()


def test_the_idle_logout_says_why_in_the_readers_language(staff_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = logged_in_client(staff_user)
        client.cookies["django_language"] = "en"
        clock.shift(datetime.timedelta(minutes=31))
        page = client.get(reverse("login")).content.decode()
    assert "You were logged out after 30 minutes without activity. Please log in again." in page


def test_auditor_has_the_staff_limit_and_members_a_longer_one(auditor, member, settings):
    settings.FIELD_SESSION_IDLE_SECONDS = 8 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        auditor_client = logged_in_client(auditor)
        member_client = logged_in_client(member)
        clock.shift(datetime.timedelta(minutes=45))
        assert not is_logged_in(auditor_client)
        assert is_logged_in(member_client)
        clock.shift(datetime.timedelta(hours=8, minutes=5))
        assert not is_logged_in(member_client)


def test_the_session_expires_in_the_database_with_the_idle_limit(staff_user, member):
    staff_client = logged_in_client(staff_user)
    member_client = logged_in_client(member)
    now = timezone.now()
    staff_expiry = UserSession.objects.get(session_key=staff_client.session.session_key).expire_date
    member_expiry = UserSession.objects.get(session_key=member_client.session.session_key).expire_date
    # The idle limit plus a grace of 10 minutes in which the idle rule ends it with a message.
    assert abs((staff_expiry - now).total_seconds() - (30 + 10) * 60) < 60
    assert abs((member_expiry - now).total_seconds() - (8 * 3600 + 10 * 60)) < 60


def test_a_group_based_staff_member_without_is_staff_still_gets_the_staff_limit(db):
    from tests.conftest import make_user

    reporter = make_user("reporter", roles.STAFF, is_staff=False)
    client = logged_in_client(reporter)
    expiry = UserSession.objects.get(session_key=client.session.session_key).expire_date
    assert abs((expiry - timezone.now()).total_seconds() - (30 + 10) * 60) < 60


def test_logging_out_deletes_the_session_on_the_server(client, staff_user):
    client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    key = client.cookies["sessionid"].value
    assert UserSession.objects.filter(session_key=key, user=staff_user).exists()
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(session_key=key).exists()
    # The old cookie opens nothing.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get(reverse("admin:index")).status_code == 302


def test_disabling_an_account_in_the_admin_ends_all_its_sessions(member, other_member):
    phone, desktop = logged_in_client(member), logged_in_client(member)
    bystander = logged_in_client(other_member)
    assert is_logged_in(phone)
    assert is_logged_in(desktop)
    admin = Client()
    admin.force_login(type(member).objects.create_superuser("root", password=PASSWORD))
    url = reverse("admin:services_user_change", args=[member.pk])
    data = form_data(admin.get(url).content.decode(), form_id="user_form")
    data.pop("is_active")
    data["_save"] = "Save"
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    member.refresh_from_db()
    assert member.is_active is False
    assert not is_logged_in(phone)
    assert not is_logged_in(desktop)
    assert not UserSession.objects.filter(user=member).exists()
    assert is_logged_in(bystander)


def test_disabling_an_account_in_code_ends_its_sessions_at_once(member):
    first, second = logged_in_client(member), logged_in_client(member)
    member.is_active = False
    member.save()
    assert UserSession.objects.filter(user=member).count() == 0
    assert not is_logged_in(first)
    assert not is_logged_in(second)


def test_removing_a_role_ends_all_sessions_of_that_user(staff_user, member):
    first, second = logged_in_client(staff_user), logged_in_client(staff_user)
    other = logged_in_client(member)
    staff_user.groups.remove(Group.objects.get(name=roles.STAFF))
    assert not is_logged_in(first)
    assert not is_logged_in(second)
    assert is_logged_in(other)


def test_removing_people_from_a_role_group_ends_their_sessions(member, other_member, staff_user):
    a, b, staff = logged_in_client(member), logged_in_client(other_member), logged_in_client(staff_user)
    group = Group.objects.get(name=roles.COMMITTEE_MEMBER)
    group.user_set.remove(member)
    assert not is_logged_in(a)
    assert is_logged_in(b)
    group.user_set.clear()
    assert not is_logged_in(b)
    assert is_logged_in(staff)


def test_changing_nothing_that_matters_keeps_the_sessions(member):
    client = logged_in_client(member)
    member.first_name = "秀英"
    member.save()
    assert is_logged_in(client)


def test_password_change_keeps_only_the_session_it_was_made_in(staff_user):
    here, elsewhere, third = logged_in_client(staff_user), logged_in_client(staff_user), logged_in_client(staff_user)
    new = "a-much-better-passphrase-2026"
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
    assert not is_logged_in(third)
    assert UserSession.objects.filter(user=staff_user).count() == 1


def test_the_nightly_job_removes_only_expired_sessions(staff_user, member, django_assert_num_queries):
    from accounts.tasks import clear_expired_sessions

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        logged_in_client(staff_user)  # expires after 40 minutes (idle limit and grace)
        clock.shift(datetime.timedelta(hours=1))
        fresh = logged_in_client(member)
        with django_assert_num_queries(1):
            assert clear_expired_sessions.delay().get() == 1
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [fresh.session.session_key]
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["expired-sessions"]["task"] == "accounts.clear_expired_sessions"


def test_removing_many_people_from_a_role_group_is_one_delete(member, other_member, staff_user):
    a, b, staff = logged_in_client(member), logged_in_client(other_member), logged_in_client(staff_user)
    group = Group.objects.get(name=roles.COMMITTEE_MEMBER)
    with CaptureQueriesContext(connection) as removing:
        group.user_set.remove(member, other_member)
    session_deletes = [q["sql"] for q in removing.captured_queries if 'DELETE FROM "accounts_usersession"' in q["sql"]]
    assert len(session_deletes) == 1
    assert not is_logged_in(a)
    assert not is_logged_in(b)
    assert is_logged_in(staff)
    group.user_set.add(member, other_member)
    a, b = logged_in_client(member), logged_in_client(other_member)
    with CaptureQueriesContext(connection) as clearing:
        group.user_set.clear()
    session_deletes = [q["sql"] for q in clearing.captured_queries if 'DELETE FROM "accounts_usersession"' in q["sql"]]
    assert len(session_deletes) == 1
    assert not is_logged_in(a)
    assert not is_logged_in(b)
    assert is_logged_in(staff)


def test_adding_a_role_someone_already_has_keeps_their_sessions(staff_user, member):
    staff, field = logged_in_client(staff_user), logged_in_client(member)
    staff_user.groups.add(Group.objects.get(name=roles.STAFF))
    Group.objects.get(name=roles.COMMITTEE_MEMBER).user_set.add(member)
    assert is_logged_in(staff)
    assert is_logged_in(field)


def test_gaining_a_role_ends_the_sessions_so_it_applies_at_a_fresh_log_in(member):
    client = logged_in_client(member)
    member.groups.add(Group.objects.get(name=roles.AUDITOR))
    assert not is_logged_in(client)
