"""Party-building work beside its events (党日活动 are events of the party-building category): research topics.

The models are imported by events.models, so they are this app's like any other.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.models import TimeStampedModel


class ResearchTopic(TimeStampedModel):
    """A research topic (调研课题) the federation's party group studied, and when its report was done."""

    title = models.CharField(_("title"), max_length=200)
    started_on = models.DateField(_("started on"))
    reported_on = models.DateField(
        _("report done on"),
        null=True,
        blank=True,
        help_text=_("When its research report was finished; the report counts topics by this date."),
    )

    history = HistoricalRecords(verbose_name=_("historical research topic"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        ordering = ["-started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True) | Q(reported_on__gte=F("started_on")),
                name="research_topic_reported_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.reported_on and self.started_on and self.reported_on < self.started_on:
            raise ValidationError({"reported_on": _("A report cannot come before its research started.")})
