"""The person export over HTTP: small ones at once, large ones as a job its owner alone downloads for a day."""

import datetime
import io
import os

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exports.actions import export_jobs_expire
from exports.models import ExportJob
from services.models import AccessLog
from services.registry import roles
from services.registry.spreadsheets import EXPORT_COLUMNS
from tests.conftest import make_user
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db
EXPORT = "admin:services_person_export"


def rows_of(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def persons(street, other_street):
    return [PersonFactory(street=street, name=f"人员{n}") for n in range(4)] + [
        PersonFactory(street=other_street, name="别街")
    ]


@pytest.fixture
def large(settings):
    """Lower the threshold: an export of more than 2 rows runs as a job."""
    settings.EXPORTS_IMMEDIATE_MAX_ROWS = 2


def ask(client, django_capture_on_commit_callbacks, **query):
    """Ask for the export; the job (dispatched on commit) runs eagerly, as the test settings run tasks."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(reverse(EXPORT), query)


def test_a_small_export_is_sent_at_once_and_makes_no_job(staff_client, persons):
    response = staff_client.get(reverse(EXPORT))

    assert response.status_code == 200
    assert response.streaming  # the file is sent in chunks from a temporary file, never built in memory
    assert response["Content-Disposition"] == 'attachment; filename="persons.xlsx"'
    rows = rows_of(response.getvalue())
    assert list(rows[0]) == [str(header) for header, _get in EXPORT_COLUMNS]
    assert len(rows) == 1 + len(persons)
    assert not ExportJob.objects.exists()


def test_a_large_export_becomes_a_job_whose_page_shows_progress_then_the_link(
    staff_client, staff_user, persons, large, django_capture_on_commit_callbacks
):
    response = ask(staff_client, django_capture_on_commit_callbacks, q="人员")

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert (job.owner, job.kind, job.status, job.rows_total, job.rows_done) == (
        staff_user,
        "services.persons",
        "done",
        4,
        4,
    )
    assert abs(job.expires_at - timezone.now() - datetime.timedelta(hours=24)) < datetime.timedelta(minutes=1)
    page = staff_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'role="status"' in page
    assert '<progress id="export-progress" class="w-100" max="100" value="100"' in page
    assert reverse("exports:download", args=[job.pk]) in page
    assert "The file is ready: 4 rows." in page
    status = staff_client.get(reverse("exports:status", args=[job.pk])).json()
    assert (status["status"], status["finished"], status["percent"]) == ("done", True, 100)


def test_the_owner_downloads_the_same_columns_as_an_immediate_export(
    staff_client, persons, settings, django_capture_on_commit_callbacks
):
    immediate = rows_of(staff_client.get(reverse(EXPORT), {"q": "人员"}).getvalue())
    settings.EXPORTS_IMMEDIATE_MAX_ROWS = 2
    ask(staff_client, django_capture_on_commit_callbacks, q="人员")

    download = staff_client.get(reverse("exports:download", args=[ExportJob.objects.get().pk]))

    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="persons.xlsx"'
    assert "no-store" in download["Cache-Control"]
    assert rows_of(download.getvalue()) == immediate  # the same search, the same rows, the same columns


def test_a_job_lists_only_what_its_owner_may_see(member, persons, large, django_capture_on_commit_callbacks):
    member.is_staff = True
    member.save()
    client = Client()
    client.force_login(member)

    ask(client, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    names = [row[0] for row in rows_of(client.get(reverse("exports:download", args=[job.pk])).getvalue())[1:]]
    assert sorted(names) == [f"人员{n}" for n in range(4)]  # not the other street's person


@pytest.mark.parametrize("name", ["exports:job", "exports:status", "exports:download"])
def test_another_user_even_staff_or_a_superuser_gets_404(
    staff_client, persons, large, django_capture_on_commit_callbacks, name
):
    ask(staff_client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    other_staff = make_user("other_staff", roles.STAFF, is_staff=True)
    superuser = make_user("root", roles.STAFF, is_staff=True)
    superuser.is_superuser = True
    superuser.save()

    for user in (other_staff, superuser):
        client = Client()
        client.force_login(user)
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert Client().get(reverse(name, args=[job.pk])).status_code == 302  # anonymous: to log in


def test_the_job_logs_the_reveal_as_the_immediate_export_does(
    staff_client, staff_user, persons, street, large, django_capture_on_commit_callbacks
):
    ask(staff_client, django_capture_on_commit_callbacks, street__id__exact=street.pk)
    staff_client.get(reverse("exports:download", args=[ExportJob.objects.get().pk])).getvalue()

    log = AccessLog.objects.get()  # one row: asking is the reveal; the download adds none
    assert (log.user, log.action, log.person) == (staff_user, "exported", None)
    assert log.detail == f"4 persons; street__id__exact={street.pk}"


def test_after_a_day_the_sweep_deletes_the_file_and_the_link_says_it_expired(
    staff_client, staff_user, persons, large, django_capture_on_commit_callbacks
):
    ask(staff_client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    path = job.file.path
    download = reverse("exports:download", args=[job.pk])

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=23), tick=False):
        assert export_jobs_expire(now=timezone.now()) == 0
        staff_client.force_login(staff_user)  # the session itself has ended by then
        assert staff_client.get(download).getvalue()[:2] == b"PK"
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25), tick=False):
        staff_client.force_login(staff_user)
        late = staff_client.get(download, HTTP_ACCEPT_LANGUAGE="en")  # before the sweep: expired all the same
        assert late.status_code == 410
        assert export_jobs_expire(now=timezone.now()) == 1
        assert export_jobs_expire(now=timezone.now()) == 0  # a second sweep finds nothing to do
        gone = staff_client.get(download, HTTP_ACCEPT_LANGUAGE="en")

    job.refresh_from_db()
    assert (job.status, job.file.name, job.params) == ("expired", "", {})
    assert not os.path.exists(path)
    assert gone.status_code == 410
    assert "This export has expired" in gone.content.decode()
    assert "This export has expired" in late.content.decode()


def test_running_the_job_again_is_harmless(staff_client, persons, large, django_capture_on_commit_callbacks):
    from exports.actions import export_job_run

    ask(staff_client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    name = job.file.name

    export_job_run(job=job)

    job.refresh_from_db()
    assert (job.status, job.file.name) == ("done", name)


def test_a_file_gone_from_the_disk_is_410_not_a_server_error(
    staff_client, persons, large, django_capture_on_commit_callbacks, caplog
):
    ask(staff_client, django_capture_on_commit_callbacks, q="人员")
    job = ExportJob.objects.get()
    job.file.storage.delete(job.file.name)  # a web node that does not share EXPORTS_ROOT sees the same

    download = staff_client.get(reverse("exports:download", args=[job.pk]))

    assert download.status_code == 410
    assert f"export job {job.pk}: its file cannot be read" in caplog.text
    # The page says so and offers no link to what cannot be sent, rather than "the file is ready".
    page = download.content.decode()
    assert f'href="{reverse("exports:download", args=[job.pk])}"' not in page
    assert "该导出的文件已无法读取" in page
