"""Annual plans (the year's targets) and annual reports (one computation of a year's figures)."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.input import FIRST_YEAR, LAST_YEAR
from services.models import ImmutableModel, TimeStampedModel

from .figures import plan_choices


class AnnualPlan(TimeStampedModel):
    """The target for one figure in one year, such as 2000 escort person-visits in 2023, and the document
    that set it.

    A plan is a fact only once approved: staff name the approved document and its date, then approve it
    (`annual_plan_approve`). Only approved plans are compared with the figures in the report, its sentences
    and its columns; a draft stays in the admin.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    year = models.PositiveSmallIntegerField(_("year"))
    figure = models.CharField(_("figure"), max_length=40, choices=plan_choices)
    target = models.PositiveIntegerField(
        _("target"),
        validators=[MinValueValidator(1, message=_("A target must be at least 1."))],
        help_text=_("The planned count for the year, in the figure's unit."),
    )
    document = models.CharField(
        _("approved document"),
        max_length=200,
        blank=True,
        help_text=_(
            "The approved document that sets the target and its reference, e.g. the district's practical projects."
        ),
    )
    document_date = models.DateField(_("document date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
        editable=False,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("historical annual plan"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("annual plan target")
        verbose_name_plural = _("annual plan targets")
        ordering = ["-year", "figure"]
        permissions = [("approve_annualplan", _("Can record an annual plan target as approved"))]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "figure"],
                name="annualplan_one_target_per_figure",
                violation_error_message=_("This figure already has a target for that year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), name="annualplan_year_in_range"
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="annualplan_target_positive"),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(status="approved", document_date__isnull=False, approved_at__isnull=False) & ~Q(document="")),
                name="annualplan_approved_has_source",
            ),
        ]

    def __str__(self) -> str:
        return _("%(what)s: %(detail)s") % {"what": f"{self.year} {self.get_figure_display()}", "detail": self.target}

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


def lease() -> datetime.timedelta:
    """How long a run may give no sign of life before it is taken for dead (REPORTS_STALE_AFTER_SECONDS)."""
    return datetime.timedelta(seconds=settings.REPORTS_STALE_AFTER_SECONDS)


class AnnualReport(TimeStampedModel):
    """One computation of a year's figures by the report job; a frozen one is the official report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED, editable=False)
    # {key: {"value", "breakdowns": {name: {key: n}}, "plan", "percent_of_plan", "above_plan"}}
    figures = models.JSONField(_("figures"), default=dict, blank=True, editable=False)
    progress_done = models.PositiveSmallIntegerField(_("figures computed"), default=0, editable=False)
    progress_total = models.PositiveSmallIntegerField(_("figures to compute"), default=0, editable=False)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty when a schedule or the command started it."),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Renewed while the job counts; a run silent for longer than its lease is started again."),
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"),
        default=0,
        editable=False,
        help_text=_("How many times a worker started this run; more than one means it was retried."),
    )
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True, editable=False)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True, editable=False)
    code_version = models.CharField(_("code version"), max_length=40, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True, editable=False)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("frozen by"),
        editable=False,
    )
    records_kept = models.BooleanField(
        _("records kept"),
        default=False,
        editable=False,
        help_text=_("Freezing kept the records behind each figure: its drill-downs list those, not today's."),
    )

    history = HistoricalRecords(
        verbose_name=_("historical annual report"),
        # Progress changes after every figure; the history keeps the states that matter.
        excluded_fields=["updated_at", "progress_done", "heartbeat_at"],
    )

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "-created_at", "-id"]
        permissions = [
            ("run_annualreport", _("Can start the computation of an annual report")),
            ("freeze_annualreport", _("Can freeze an annual report as the official one")),
            ("view_figure_records", _("Can list the records behind a figure")),
        ]
        indexes = [models.Index(fields=["year", "status", "-created_at"], name="annualreport_year_status_idx")]
        constraints = [
            # Two triggers for one year give one run: the second finds this row instead of adding one.
            models.UniqueConstraint(
                fields=["year"], condition=Q(status__in=["queued", "running"]), name="annualreport_one_run_per_year"
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(frozen_at__isnull=False), name="annualreport_one_official_per_year"
            ),
            models.CheckConstraint(
                condition=Q(frozen_at__isnull=True) | Q(status="done", frozen_by__isnull=False),
                name="annualreport_frozen_only_when_done",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(generated_at__isnull=False), name="annualreport_done_has_time"
            ),
            models.CheckConstraint(
                condition=Q(records_kept=False) | Q(frozen_at__isnull=False), name="annualreport_kept_only_when_frozen"
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=F("progress_total")), name="annualreport_progress_in_range"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), name="annualreport_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} #{self.pk} {self.get_status_display()}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def is_stale(self, now: datetime.datetime) -> bool:
        """Its worker has given no sign of life for longer than the lease: the run is taken for dead."""
        return now - (self.heartbeat_at or self.created_at) > lease()

    @property
    def attempt(self) -> int:
        """The number of the attempt under way, or of the next one while queued (above 1: a retry)."""
        return self.attempts + 1 if self.status == self.Status.QUEUED else self.attempts

    @property
    def progress_percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    def value(self, key: str) -> int | None:
        entry = self.figures.get(key)
        return None if entry is None else entry["value"]


class FrozenRecord(ImmutableModel):
    """One record behind a figure of a frozen report, kept so the figure's drill-down lists what was counted.

    One row per (report, figure, record), the three columns forming the primary key: about 7,000 rows for
    the 2023 demo, for the one frozen report of a year. A row-per-id table rather than an array per figure
    works the same on PostgreSQL and SQLite, and the drill-down pages through it in SQL with the key's index.
    """

    pk = models.CompositePrimaryKey("report", "figure", "record_id")
    report = models.ForeignKey(
        AnnualReport, models.CASCADE, related_name="frozen_records", verbose_name=_("annual report")
    )
    figure = models.CharField(_("figure"), max_length=40)
    # The primary key of the row the figure's drill-down listed (a booking, a person, a street...).
    record_id = models.BigIntegerField(_("record"))

    class Meta:
        verbose_name = _("frozen record")
        verbose_name_plural = _("frozen records")

    def __str__(self) -> str:
        return f"{self.report_id} {self.figure} {self.record_id}"
