"""Corrections of closed records: what was changed, why, by whom, and what it moved in the year's figures."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.users import user_display

from .registry import ImmutableModel, Person


class Correction(ImmutableModel):
    """One correction of a closed service record (voided, or its type changed), with its required reason.

    Written by the `*_correct` actions only, beside their audit entry. It keeps what the correction moved
    in the figures of the record's year (`effects`), counted before and after it under the same lock,
    so a later report run can list each correction made since its year's report was frozen.
    """

    class Kind(models.TextChoices):
        VOIDED = "voided", _("voided")
        TYPE_CHANGED = "type_changed", _("type changed")

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    model = models.CharField(_("record type"), max_length=80, help_text=_("For example services.escortbooking."))
    object_id = models.PositiveBigIntegerField(_("record id"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="corrections", verbose_name=_("person"))
    kind = models.CharField(_("correction"), max_length=16, choices=Kind)
    old = models.CharField(_("before"), max_length=40, help_text=_("The status or type before the correction."))
    new = models.CharField(_("after"), max_length=40, help_text=_("The status or type after the correction."))
    year = models.PositiveSmallIntegerField(_("year of the service"))
    reason = models.CharField(_("reason"), max_length=200)
    # {figure key: {"value": delta, "breakdowns": {name: {key: delta}}}}, only what moved.
    effects = models.JSONField(_("effect on the figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-at", "-id"]
        permissions = [
            ("correct_closed_record", _("Can correct a closed record (void it, change its type) with a reason")),
        ]
        indexes = [
            models.Index(fields=["year", "at"], name="correction_year_at_idx"),
            models.Index(fields=["model", "object_id"], name="correction_record_idx"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.record_label} {self.change_label}"

    @property
    def record_label(self) -> str:
        """The corrected record as staff name it: its kind and number ("clinic escort booking 3412")."""
        return f"{apps.get_model(self.model)._meta.verbose_name} {self.object_id}"

    @property
    def change_label(self) -> str:
        """What the correction did, in the active language ("voided", "type changed from … to …")."""
        if self.kind == self.Kind.TYPE_CHANGED:
            labels = dict(apps.get_model(self.model)._meta.get_field("type").flatchoices)
            return gettext("type changed from %(old)s to %(new)s") % {
                "old": labels.get(self.old, self.old),
                "new": labels.get(self.new, self.new),
            }
        return str(self.get_kind_display())

    @property
    def by_label(self) -> str:
        """Who made it: their full name, else their user name."""
        return user_display(self.by)
