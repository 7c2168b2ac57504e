"""The export jobs' Celery tasks (named exports.*, so they go to the reports queue)."""

from celery import shared_task
from django.utils import timezone

from .actions import export_job_run, export_jobs_expire
from .models import ExportJob


@shared_task(name="exports.run_export_job")
def run_export_job(job_id: int) -> None:
    """Make the file of export job `job_id`."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        export_job_run(job=job)


@shared_task(name="exports.expire_export_jobs")
def expire_export_jobs() -> int:
    """Delete the files of export jobs past their day."""
    return export_jobs_expire(now=timezone.now())
