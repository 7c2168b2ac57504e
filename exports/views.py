"""An export's answer (the file now, or a job), the job's progress page and its download, for its owner alone."""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import replica_reads
from core.excel import XLSX, table, write_xlsx, xlsx_response

from .actions import CHUNK, export_job_start
from .models import ExportJob
from .registry import Params, exporter_for
from .selectors import export_job_get_for

logger = logging.getLogger(__name__)


def export_response(
    request: HttpRequest, *, kind: str, params: Params, records: QuerySet[Any], rows: int
) -> HttpResponse:
    """Up to EXPORTS_IMMEDIATE_MAX_ROWS rows, the file now (streamed); more, a job and its progress page.

    `records` are the rows the page found for the user; the job lists them again from `params`. The
    caller has logged the reveal.
    """
    exporter = exporter_for(kind)
    if rows <= settings.EXPORTS_IMMEDIATE_MAX_ROWS:
        with replica_reads():  # the file is written before the response is sent: every read is in the scope
            sheet = table(exporter.title(), exporter.columns, records.iterator(chunk_size=CHUNK))
            file = write_xlsx([sheet])
        return xlsx_response(file, exporter.filename(params))
    job = export_job_start(owner=request.user, kind=kind, params=params, rows=rows)
    return redirect("exports:job", pk=job.pk)


def _status_text(job: ExportJob, *, missing: bool = False) -> str:
    if missing:
        return _("The file of this export can no longer be read. Ask for it again.")
    if job.expired_at(timezone.now()):
        return _("This export has expired and its file has been deleted. Ask for it again.")
    if job.status == ExportJob.Status.RUNNING:
        return _("%(done)s of %(total)s rows written (%(percent)s%%).") % {
            "done": f"{job.rows_done:,}",
            "total": f"{job.rows_total:,}",
            "percent": job.percent,
        }
    if job.status == ExportJob.Status.DONE:
        return _("The file is ready: %(rows)s rows.") % {"rows": f"{job.rows_done:,}"}
    if job.status == ExportJob.Status.FAILED:
        return _("The export failed. Ask for it again; if it fails again, tell the administrator.")
    return _("The export is waiting to start.")


@login_required
def job_page(request: HttpRequest, pk: int, *, status: int = 200, missing: bool = False) -> HttpResponse:
    """The job's page; `missing`: its file is done but cannot be read (no link is offered then)."""
    job = export_job_get_for(request.user, pk)
    gone = missing or job.expired_at(timezone.now())
    context = {"job": job, "expired": gone, "status_text": _status_text(job, missing=missing)}
    response = render(request, "exports/exportjob_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The job's progress for the page's script (the page refreshes itself without it)."""
    job = export_job_get_for(request.user, pk)
    response = JsonResponse(
        {"status": job.status, "finished": job.finished, "percent": job.percent, "text": _status_text(job)}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get_for(request.user, pk)
    if job.expired_at(timezone.now()):
        return job_page(request, pk, status=410)
    if job.status != ExportJob.Status.DONE:
        return redirect("exports:job", pk=job.pk)
    try:
        opened = job.file.open("rb")
    except OSError:  # gone, or EXPORTS_ROOT is not shared between the worker and this web node
        logger.error("export job %s: its file cannot be read", job.pk)
        return job_page(request, pk, status=410, missing=True)
    response = FileResponse(opened, as_attachment=True, filename=job.filename, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
