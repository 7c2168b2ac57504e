"""The audit trails: nobody alters or deletes them in the portal, auditors search them, the purge keeps six months."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.models import AccessLog, AuditEntry, Person, User
from services.registry.access_log import access_log_record
from services.registry.actions import person_save
from services.registry.audit import audit_record
from services.registry.retention import MIN_RETENTION_DAYS, audit_trail_purge, audit_trails
from services.registry.tasks import purge_audit_trails
from tests.helpers.logs import assert_append_only

from .factories import PersonFactory

pytestmark = pytest.mark.django_db

HistoricalPerson = Person.history.model
NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", password="pw-for-tests-only")


@pytest.fixture
def trail(street, staff_user):
    """A person with a change, an audit entry and an access-log row."""
    person = PersonFactory(street=street, name="张桂英")
    person.phone = "13900000009"
    person_save(person=person, by=staff_user)
    access_log_record(user=staff_user, action=AccessLog.Action.OPENED, person=person)
    return person


# --- nothing alters or deletes them ----------------------------------------------------------------------

LOG_ADMINS = ["services_accesslog", "services_auditentry", "services_historicalperson"]


def first_row_pk(name: str) -> int:
    model = {"services_accesslog": AccessLog, "services_auditentry": AuditEntry}.get(name, HistoricalPerson)
    return model._default_manager.order_by("pk").values_list("pk", flat=True).first()


@pytest.mark.parametrize("name", LOG_ADMINS)
def test_not_even_a_superuser_can_change_or_delete_log_rows_in_the_admin(superuser, trail, name):
    client = client_for(superuser)
    pk = first_row_pk(name)
    rows = AccessLog.objects.count(), AuditEntry.objects.count(), HistoricalPerson.objects.count()
    change = reverse(f"admin:{name}_change", args=[pk])

    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # a read-only page: no save button
    assert client.post(change, {"detail": "altered", "code": "altered", "name": "altered"}).status_code == 403
    assert client.get(reverse(f"admin:{name}_delete", args=[pk])).status_code == 403
    assert client.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403

    changelist = client.get(reverse(f"admin:{name}_changelist"))
    assert changelist.context["action_form"] is None  # no actions at all, so no "delete selected"
    client.post(reverse(f"admin:{name}_changelist"), {"action": "delete_selected", "_selected_action": [pk]})
    assert (AccessLog.objects.count(), AuditEntry.objects.count(), HistoricalPerson.objects.count()) == rows


def test_log_rows_refuse_changes_and_deletion_in_code(trail):
    assert_append_only(AccessLog.objects.get(), detail="altered")
    with pytest.raises(ValidationError):
        AccessLog.objects.update(detail="altered")
    with pytest.raises(ValidationError):
        AuditEntry.objects.all().delete()
    with pytest.raises(ValidationError), transaction.atomic():
        AuditEntry.objects.bulk_update(list(AuditEntry.objects.all()), ["code"])
    assert AccessLog.objects.get().detail == ""
    assert AuditEntry.objects.filter(code="services.person.updated").count() == 1


# --- auditors search them ------------------------------------------------------------------------------


def results(client, name: str, **params) -> list:
    response = client.get(reverse(f"admin:{name}_changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_auditors_search_the_access_log_by_user_person_date_range_and_action(auditor, staff_user, street):
    zhang, li = PersonFactory(street=street, name="张桂英"), PersonFactory(street=street, name="李明")
    other_staff = User.objects.create_user("staff_wang", password="pw-for-tests-only")
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC), tick=False):
        old = access_log_record(user=staff_user, action=AccessLog.Action.OPENED, person=zhang)
    recent = access_log_record(user=other_staff, action=AccessLog.Action.REVEALED, person=zhang)
    other = access_log_record(user=staff_user, action=AccessLog.Action.OPENED, person=li)
    client = client_for(auditor)

    assert set(results(client, "services_accesslog", q="staff_wang")) == {recent}
    assert set(results(client, "services_accesslog", q="张桂英")) == {old, recent}
    assert set(results(client, "services_accesslog", action="opened")) == {old, other}
    in_march = results(client, "services_accesslog", at__from="2026-03-01", at__to="2026-03-10")
    assert in_march == [old]
    assert results(client, "services_accesslog", at__from="2026-03-11", at__to="2026-03-31") == []


def test_auditors_search_audit_entries_by_person_user_code_and_date(auditor, staff_user, street):
    zhang = PersonFactory(street=street, name="张桂英")
    zhang.phone = "13900000008"
    person_save(person=zhang, by=staff_user)
    unrelated = audit_record(obj=PersonFactory(street=street, name="李明"), code="services.person.exported", by=None)
    client = client_for(auditor)

    about_zhang = results(client, "services_auditentry", q="张桂英")
    assert [e.code for e in about_zhang] == ["services.person.updated"]
    assert unrelated not in results(client, "services_auditentry", q="staff")
    assert [e.code for e in results(client, "services_auditentry", code="services.person.exported")] == [
        "services.person.exported"
    ]
    today = timezone.localdate().isoformat()
    assert len(results(client, "services_auditentry", at__from=today, at__to=today)) == 2
    assert results(client, "services_auditentry", at__to="2000-01-01") == []


def test_auditors_search_the_change_history_of_persons(auditor, staff_user, street):
    zhang = PersonFactory(street=street, name="张桂英", id_number="11010519491231002X", certificate_number="")
    zhang.address = "常德路1号"
    person_save(person=zhang, by=staff_user)
    client = client_for(auditor)

    by_user = results(client, "services_historicalperson", q="staff")
    assert [(row.id, row.history_type) for row in by_user] == [(zhang.pk, "~")]
    assert {row.history_type for row in results(client, "services_historicalperson", q=str(zhang.pk))} == {"+", "~"}
    assert [row.history_type for row in results(client, "services_historicalperson", history_type="+")] == ["+"]
    page = client.get(reverse("admin:services_historicalperson_change", args=[by_user[0].history_id]))
    assert page.status_code == 200
    assert "11010519491231002X" not in page.content.decode()  # numbers stay masked
    assert "110105************" in page.content.decode()


def test_a_date_that_is_not_one_is_named_and_ignored(auditor, trail):
    client = client_for(auditor)
    response = client.get(reverse("admin:services_accesslog_changelist"), {"at__from": "2026-13-45"})
    assert response.status_code == 200
    assert "“2026-13-45” is not a date" in response.content.decode()
    assert len(response.context["cl"].result_list) == 1


def test_a_range_that_ends_before_it_starts_is_named_and_ignored(auditor, trail):
    client = client_for(auditor)
    response = client.get(
        reverse("admin:services_accesslog_changelist"), {"at__from": "2026-03-31", "at__to": "2026-03-01"}
    )
    assert response.status_code == 200
    assert response.content.decode().count("The range starts on 2026-03-31, after it ends on 2026-03-01") == 1
    assert len(response.context["cl"].result_list) == 1
    bad_end = client.get(reverse("admin:services_auditentry_changelist"), {"at__to": "31/03/2026"})
    assert "“31/03/2026” is not a date" in bad_end.content.decode()
    assert len(bad_end.context["cl"].result_list) == AuditEntry.objects.count()


def test_the_date_filter_speaks_the_reader_s_language(auditor, trail):
    client = client_for(auditor)
    client.cookies["django_language"] = "zh-hans"
    url = reverse("admin:services_accesslog_changelist")
    page = client.get(url).content.decode()
    assert "起始日期" in page
    assert "截止日期（含当天）" in page
    assert "“2026-13-45”不是有效日期" in client.get(url, {"at__from": "2026-13-45"}).content.decode()
    backwards = client.get(url, {"at__from": "2026-03-31", "at__to": "2026-03-01"}).content.decode()
    assert "起始日期 2026-03-31 晚于截止日期 2026-03-01" in backwards


def test_staff_and_members_cannot_read_the_trails(staff_user, member):
    assert client_for(staff_user).get(reverse("admin:services_accesslog_changelist")).status_code == 403
    assert client_for(staff_user).get(reverse("admin:services_historicalperson_changelist")).status_code == 403
    assert client_for(member).get(reverse("admin:services_auditentry_changelist")).status_code == 302


@pytest.mark.parametrize(
    ("name", "queries"),
    [("services_accesslog", 8), ("services_auditentry", 9), ("services_historicalperson", 9)],
)
def test_the_trail_lists_take_the_same_few_queries_however_many_rows(
    auditor, staff_user, street, django_assert_num_queries, name, queries
):
    client = client_for(auditor)
    client.get(reverse("admin:index"))  # the session and permissions are cached from here on
    for first, count in [(0, 3), (3, 30)]:
        for n in range(first, first + count):
            person = PersonFactory(street=street)
            access_log_record(user=staff_user, action=AccessLog.Action.OPENED, person=person)
            person.phone = f"1380000{n:04d}"
            person_save(person=person, by=staff_user)
        with django_assert_num_queries(queries):
            assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


# --- the retention purge -------------------------------------------------------------------------------


def dated_rows(user, person, days_ago: int) -> None:
    """One access-log row, one audit entry and one history row dated `days_ago` before NOW."""
    at = NOW - datetime.timedelta(days=days_ago)
    AccessLog.objects.create(user=user, action=AccessLog.Action.OPENED, person=person, at=at, detail=str(days_ago))
    AuditEntry.objects.create(code=f"test.{days_ago}", model="services.person", object_id=str(person.pk), at=at)
    person.notes = str(days_ago)
    person.save()
    HistoricalPerson.objects.filter(id=person.pk, notes=str(days_ago)).update(history_date=at)


def left(days: int) -> tuple[bool, bool, bool]:
    return (
        AccessLog.objects.filter(detail=str(days)).exists(),
        AuditEntry.objects.filter(code=f"test.{days}").exists(),
        HistoricalPerson.objects.filter(notes=str(days)).exists(),
    )


@pytest.fixture
def aged(staff_user, street):
    person = PersonFactory(street=street)
    HistoricalPerson.objects.filter(id=person.pk).update(history_date=NOW)
    for days in (182, 183, 184, 1094, 1096):
        dated_rows(staff_user, person, days)
    return person


def test_the_purge_at_the_minimum_keeps_six_months_and_removes_older_rows(settings, aged):
    settings.AUDIT_RETENTION_DAYS = MIN_RETENTION_DAYS
    deleted = audit_trail_purge(now=NOW)
    assert left(182) == left(183) == (True, True, True)
    assert left(184) == left(1094) == left(1096) == (False, False, False)
    assert deleted == {"services.accesslog": 3, "services.auditentry": 3, "services.historicalperson": 3}
    purge = AuditEntry.objects.get(code="services.audit.purged")
    assert purge.data["deleted"] == deleted


def test_the_default_keeps_three_years(aged):
    assert settings.AUDIT_RETENTION_DAYS == 3 * 365
    audit_trail_purge(now=NOW)
    assert left(184) == left(1094) == (True, True, True)
    assert left(1096) == (False, False, False)


@pytest.mark.parametrize("days", [182, 0, -1, "365", None])
def test_a_retention_below_six_months_is_refused_and_deletes_nothing(settings, aged, days):
    settings.AUDIT_RETENTION_DAYS = days
    rows = AccessLog.objects.count(), AuditEntry.objects.count(), HistoricalPerson.objects.count()
    with pytest.raises(ImproperlyConfigured, match="at least 183 days"):
        audit_trail_purge(now=NOW)
    assert (AccessLog.objects.count(), AuditEntry.objects.count(), HistoricalPerson.objects.count()) == rows


def test_the_portal_refuses_to_start_with_a_short_retention():
    env = {**os.environ, "AUDIT_RETENTION_DAYS": "100", "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.test"}
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "AUDIT_RETENTION_DAYS is 100" in run.stderr


def test_the_purge_is_one_delete_per_table_and_loads_no_rows(settings, aged):
    settings.AUDIT_RETENTION_DAYS = MIN_RETENTION_DAYS
    tables = {model._meta.db_table for model, _field in audit_trails()}
    with CaptureQueriesContext(connection) as queries:
        audit_trail_purge(now=NOW)
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == len(tables)
    assert {sql.split('"')[1] for sql in deletes} == tables
    selects_of_trails = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and any(f'"{t}"' in q["sql"] for t in tables)
    ]
    assert selects_of_trails == []


def test_the_nightly_task_purges_with_the_current_time(settings, aged):
    settings.AUDIT_RETENTION_DAYS = MIN_RETENTION_DAYS
    with time_machine.travel(NOW, tick=False):
        result = purge_audit_trails.delay().get()
    assert result["services.accesslog"] == 3
    assert left(182) == (True, True, True)
    schedule = settings.CELERY_BEAT_SCHEDULE["audit-trail-purge"]
    assert schedule["task"] == purge_audit_trails.name


def test_only_auditors_hold_the_trail_permissions():
    for codename in ["view_accesslog", "view_auditentry", "view_historicalperson"]:
        holders = Permission.objects.get(content_type__app_label="services", codename=codename).group_set
        assert list(holders.values_list("name", flat=True)) == ["auditor"], codename
    assert not Permission.objects.filter(
        codename__regex=r"^(change|delete|add)_(accesslog|auditentry|historicalperson)$", group__isnull=False
    ).exists()


# --- the database's own guard (migration services 0009) ----------------------------------------------


def log_rows(user, person, days_ago: int) -> tuple[AccessLog, AuditEntry]:
    at = timezone.now() - datetime.timedelta(days=days_ago)
    opened = AccessLog.objects.create(user=user, action=AccessLog.Action.OPENED, person=person, at=at)
    entry = AuditEntry.objects.create(code=f"test.{days_ago}", model="services.person", object_id=str(person.pk), at=at)
    return opened, entry


def raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_to_change_or_delete_a_log_row_for_any_client(needs_postgres, staff_user, street):
    rows = log_rows(staff_user, PersonFactory(street=street), days_ago=400)
    for row in rows:
        table = row._meta.db_table
        for sql in (f"UPDATE {table} SET at = now() WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
            with pytest.raises(DatabaseError, match="log entries cannot be changed or deleted"), transaction.atomic():
                raw(sql, row.pk)
    assert [AccessLog.objects.get(pk=rows[0].pk).at, AuditEntry.objects.get(pk=rows[1].pk).at] == [r.at for r in rows]


def test_the_purge_flag_lets_only_rows_older_than_six_months_go(needs_postgres, staff_user, street):
    person = PersonFactory(street=street)
    old, young = log_rows(staff_user, person, days_ago=184), log_rows(staff_user, person, days_ago=182)
    raw("SET LOCAL jingan.audit_purge = 'on'")
    for row in young:
        with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
            raw(f"DELETE FROM {row._meta.db_table} WHERE id = %s", row.pk)
        with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
            raw(f"UPDATE {row._meta.db_table} SET at = at WHERE id = %s", row.pk)
    for row in old:
        raw(f"DELETE FROM {row._meta.db_table} WHERE id = %s", row.pk)
    assert set(AuditEntry.objects.filter(code__startswith="test.").values_list("code", flat=True)) == {"test.182"}
    assert AccessLog.objects.filter(pk=young[0].pk).exists()
    assert not AccessLog.objects.filter(pk=old[0].pk).exists()
