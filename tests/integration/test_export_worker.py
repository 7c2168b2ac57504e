"""A large export on a real Celery worker (Redis, PostgreSQL): progress, the owner's download, a 404 for others."""

import io
import time

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from exports.models import ExportJob
from services.registry import roles
from services.registry.spreadsheets import EXPORT_COLUMNS
from tests.conftest import make_user
from tests.integration.workers import Worker, running
from tests.services.factories import PersonFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(needs_redis, needs_postgres, tmp_path, settings):
    """`celery worker` as production starts it, writing export files where this process reads them."""
    settings.EXPORTS_ROOT = tmp_path / "exports"
    env = {"EXPORTS_ROOT": str(settings.EXPORTS_ROOT)}
    with running(Worker(needs_redis, tmp_path / "worker.log", paused=False, env=env)) as w:
        yield w


def test_a_large_export_runs_on_the_worker_and_only_its_owner_downloads_it(
    worker, through_the_broker, settings, staff_user, street, other_street
):
    settings.EXPORTS_IMMEDIATE_MAX_ROWS = 2
    for n in range(5):
        PersonFactory(street=street, name=f"人员{n}")
    PersonFactory(street=other_street, name="别街")
    owner = Client()
    owner.force_login(staff_user)

    asked = owner.get(reverse("admin:services_person_export"), {"street__id__exact": street.pk})

    job = ExportJob.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == reverse("exports:job", args=[job.pk])
    assert owner.get(asked["Location"]).status_code == 200  # queued or running: the progress page
    deadline = time.monotonic() + 60
    while (job := ExportJob.objects.get()).status in {"queued", "running"}:
        assert time.monotonic() < deadline, f"the worker did not finish the export: {job.status}"
        time.sleep(0.2)
    assert (job.status, job.rows_done, job.rows_total) == ("done", 5, 5)
    page = owner.get(asked["Location"]).content.decode()
    download = reverse("exports:download", args=[job.pk])
    assert download in page
    rows = list(load_workbook(io.BytesIO(owner.get(download).getvalue())).active.iter_rows(values_only=True))
    assert list(rows[0]) == [str(header) for header, _get in EXPORT_COLUMNS]
    assert sorted(row[0] for row in rows[1:]) == [f"人员{n}" for n in range(5)]
    other = Client()
    other.force_login(make_user("other_staff", roles.STAFF, is_staff=True))
    assert other.get(download).status_code == 404
    assert other.get(asked["Location"]).status_code == 404
