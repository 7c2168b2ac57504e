"""An export too large to send at once: made by a Celery job, kept for its owner alone for a day."""

import datetime
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportStorage(FileSystemStorage):
    """EXPORTS_ROOT, read at each use (as FileSystemStorage reads MEDIA_ROOT), so a changed setting holds."""

    @property
    def base_location(self) -> str:
        return str(settings.EXPORTS_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def export_storage() -> FileSystemStorage:
    """Where finished exports wait for their owner: outside MEDIA_ROOT, served only by the download view."""
    return ExportStorage()


class ExportJob(models.Model):
    """One large export asked for by one user: its progress, then its file until it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", editable=False, verbose_name=_("asked by")
    )
    kind = models.CharField(_("export"), max_length=64, editable=False)
    # What the export is of (a list's filters, a year): the owner's own search may be in it, so it is
    # cleared when the job expires.
    params = models.JSONField(_("parameters"), default=dict, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=16, editable=False)
    filename = models.CharField(_("file name"), max_length=100, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED, editable=False)
    rows_total = models.PositiveIntegerField(_("rows"), editable=False)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0, editable=False)
    file = models.FileField(_("file"), storage=export_storage, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"], name="exportjob_status_expires_idx")]
        constraints = [
            models.CheckConstraint(
                name="exportjob_done_expires", condition=~Q(status="done") | Q(expires_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def expired_at(self, now: datetime.datetime) -> bool:
        """True once the file is gone, or past its day even before the sweep has deleted it."""
        if self.status == self.Status.EXPIRED:
            return True
        return self.status == self.Status.DONE and self.expires_at is not None and self.expires_at <= now

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED}

    @property
    def percent(self) -> int:
        if self.status in {self.Status.DONE, self.Status.EXPIRED}:
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
