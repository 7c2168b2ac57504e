"""Disability prevention work (残疾预防): published prevention materials and online quiz campaigns.

Both may belong to a prevention-campaign event (Event.Category.PREVENTION). The models are
imported by events.models, so they are this app's like any other.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.models import TimeStampedModel

from .validators import validate_https_url


def _campaign_error(campaign) -> ValidationError | None:
    if campaign is not None and campaign.category != "prevention":
        return ValidationError(_("Choose an event of the prevention campaign category."), code="not_prevention")
    return None


class PreventionMaterial(TimeStampedModel):
    """A prevention video or article the federation published (e.g. on its WeChat account)."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        ARTICLE = "article", _("Article")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(
        _("link"),
        max_length=500,
        validators=[validate_https_url],
        help_text=_("An https link to where it is published."),
    )
    published_on = models.DateField(_("published on"))
    captioned = models.BooleanField(_("captioned"), default=False, help_text=_("Videos: has captions."))
    signed = models.BooleanField(_("sign language"), default=False, help_text=_("Videos: has a sign-language version."))
    campaign = models.ForeignKey(
        "events.Event",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="prevention_materials",
        verbose_name=_("prevention campaign"),
        help_text=_("Optional: the prevention-campaign event it was published for."),
    )

    history = HistoricalRecords(verbose_name=_("historical prevention material"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("prevention material")
        verbose_name_plural = _("prevention materials")
        ordering = ["-published_on", "id"]
        indexes = [models.Index(fields=["kind", "published_on"], name="prevention_kind_published_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                name="prevention_material_url_unique",
                violation_error_message=_("A material with this link is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return _("%(title)s (%(kind)s, %(day)s)") % {
            "title": self.title,
            "kind": self.get_kind_display(),
            "day": self.published_on,
        }

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if error := _campaign_error(self.campaign if self.campaign_id else None):
            errors["campaign"] = error
        if self.kind == self.Kind.ARTICLE and (self.captioned or self.signed):
            errors["kind"] = ValidationError(
                _("Only a video has captions or a sign-language version."), code="article_captioned"
            )
        if errors:
            raise ValidationError(errors)


class QuizCampaign(TimeStampedModel):
    """An online prevention quiz with prizes (有奖知识竞答): its dates, how many took part and won."""

    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    url = models.URLField(_("link"), max_length=500, blank=True, validators=[validate_https_url])
    participants = models.PositiveIntegerField(
        _("participants"), default=0, help_text=_("How many took the quiz, from the platform's count.")
    )
    prize_winners = models.PositiveIntegerField(
        _("prize winners"), default=0, help_text=_("Cannot be more than the participants.")
    )
    campaign = models.ForeignKey(
        "events.Event",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="quiz_campaigns",
        verbose_name=_("prevention campaign"),
        help_text=_("Optional: the prevention-campaign event it belongs to."),
    )

    history = HistoricalRecords(verbose_name=_("historical quiz campaign"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("quiz campaign")
        verbose_name_plural = _("quiz campaigns")
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["ends_on"], name="quiz_ends_on_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="quiz_dates_in_order",
                violation_error_message=_("The quiz cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(prize_winners__lte=F("participants")),
                name="quiz_winners_within",
                violation_error_message=_("There cannot be more prize winners than participants."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on} – {self.ends_on})"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        dated = isinstance(self.starts_on, datetime.date) and isinstance(self.ends_on, datetime.date)
        if dated and self.ends_on < self.starts_on:
            errors["ends_on"] = ValidationError(_("The quiz cannot end before it starts."), code="order")
        counted = self.participants is not None and self.prize_winners is not None
        if counted and self.prize_winners > self.participants:
            errors["prize_winners"] = ValidationError(
                _("There cannot be more prize winners than participants."), code="winners"
            )
        if error := _campaign_error(self.campaign if self.campaign_id else None):
            errors["campaign"] = error
        if errors:
            raise ValidationError(errors)
