"""Export jobs: start one, make its file in a worker, and delete what has expired."""

import datetime
import logging
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from core.db import replica_reads
from core.excel import table, write_xlsx

from .models import ExportJob
from .registry import Params, exporter_for

logger = logging.getLogger(__name__)
CHUNK = 2000


@transaction.atomic
def export_job_start(*, owner: AbstractBaseUser, kind: str, params: Params, rows: int) -> ExportJob:
    """Queue the export `kind` of `params` for `owner`; a worker makes it after commit.

    Raises KeyError for a kind nobody registered.
    """
    from .tasks import run_export_job

    exporter = exporter_for(kind)
    job = ExportJob.objects.create(
        owner_id=owner.pk,
        kind=kind,
        params=params,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        filename=exporter.filename(params),
        rows_total=rows,
    )
    run_export_job.delay_on_commit(job.pk)
    return job


def _claim(job: ExportJob) -> bool:
    """Mark the job running under a row lock; False when it is done, or running in a worker still alive."""
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        # A worker that died mid-export (its task is delivered again) left it running and silent.
        silent_since = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        if locked.status == ExportJob.Status.RUNNING and locked.updated_at > silent_since:
            return False
        if locked.status not in {ExportJob.Status.QUEUED, ExportJob.Status.RUNNING}:
            return False
        locked.status = ExportJob.Status.RUNNING
        locked.rows_done = 0
        locked.save(update_fields=["status", "rows_done", "updated_at"])
    return True


def export_job_run(*, job: ExportJob) -> ExportJob:
    """Write the job's file, scoped to its owner, recording progress; running it again is harmless."""
    if not _claim(job):
        return job

    written = 0

    def progress(rows: int) -> None:
        nonlocal written
        written = rows
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows, updated_at=timezone.now())

    exporter = exporter_for(job.kind)
    try:
        # The rows may lag (a replica when one is set up); the job's own rows stay on the primary.
        with translation.override(job.language), replica_reads():
            records = exporter.records(job.owner, job.params).iterator(chunk_size=CHUNK)
            file = write_xlsx([table(exporter.title(), exporter.columns, records)], progress=progress, every=CHUNK)
    except Exception as exc:
        # The error's text may quote a record (a name, an address): only its kind goes to the log.
        logger.error("export job %s (%s) failed: %s", job.pk, job.kind, type(exc).__name__)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, params={}, updated_at=timezone.now())
        raise
    with file, transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        job.file.save(f"{uuid.uuid4().hex}.xlsx", File(file), save=False)
        job.status = ExportJob.Status.DONE
        job.rows_done = written
        job.expires_at = timezone.now() + datetime.timedelta(hours=settings.EXPORTS_KEEP_HOURS)
        # Listing the rows was all the parameters were for: a search for a whole ID number is not kept a day.
        job.params = {}
        job.save(update_fields=["file", "status", "rows_done", "expires_at", "params", "updated_at"])
    return job


def export_jobs_expire(*, now: datetime.datetime) -> int:
    """Delete the files of jobs past their day (and forget their parameters); returns how many expired.

    A job that never finished expires a day after it was asked for.
    """
    keep = datetime.timedelta(hours=settings.EXPORTS_KEEP_HOURS)
    expired = 0
    due = ExportJob.objects.exclude(status=ExportJob.Status.EXPIRED).filter(
        Q(expires_at__lte=now) | Q(expires_at__isnull=True, created_at__lte=now - keep)
    )
    for pk in due.values_list("pk", flat=True).iterator(chunk_size=CHUNK):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is None or job.status == ExportJob.Status.EXPIRED:
                continue
            if job.file:
                job.file.delete(save=False)
            job.status = ExportJob.Status.EXPIRED
            job.params = {}
            job.save(update_fields=["file", "status", "params", "updated_at"])
            expired += 1
    return expired
