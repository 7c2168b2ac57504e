"""Home visits by committee members and the follow-ups their findings start."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.registry.scoping import StreetScopedQuerySet

from .registry import Person, Street, TimeStampedModel, category_when_served


class HomeVisit(TimeStampedModel):
    """A committee member's visit to (or call with) a person, and what they found."""

    class Mode(models.TextChoices):
        HOME = "home", _("Home visit")
        IN_PERSON = "in_person", _("Met in person")
        PHONE = "phone", _("Phone call")
        LOST_CONTACT = "lost_contact", _("Could not be reached")

    class Purpose(models.TextChoices):
        ROUTINE = "routine", _("Routine visit")
        NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment")
        RETROFIT_FOLLOW_UP = "retrofit_follow_up", _("Retrofit follow-up")
        CAMPAIGN = "campaign", _("Campaign visit (四百走访)")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, models.PROTECT, related_name="visits", verbose_name=_("person"))
    # Copied from person.street when filed, so scoping is one indexed join and history stays put.
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    category = category_when_served()
    visited_on = models.DateField(_("date of visit"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="home_visits", verbose_name=_("visited by")
    )
    mode = models.CharField(_("how"), max_length=16, choices=Mode, default=Mode.HOME)
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose, default=Purpose.ROUTINE)
    findings = models.TextField(_("findings"), blank=True, max_length=4000)
    # A key made when the form is shown: a second submit of the same form files nothing new.
    submission_key = models.UUIDField(_("submission key"), unique=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical home visit"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-id"]
        permissions = [("use_field_app", _("Can use the field app"))]
        indexes = [
            models.Index(fields=["person", "-visited_on"], name="visit_person_date_idx"),
            models.Index(fields=["street", "visited_on"], name="visit_street_date_idx"),
            # The staff list's order (issue #20): a page of the newest visits is read from the index, not sorted out
            # of every visit of every year.
            models.Index(fields=["-visited_on", "-id"], name="visit_date_idx"),
            # The campaign-visits figure selects one purpose in one year (bench/annual_report.py).
            models.Index(fields=["purpose", "visited_on"], name="visit_purpose_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.person.name} ({self.get_mode_display()})"


class FollowUp(TimeStampedModel):
    """A need found on a visit, waiting in a staff work queue until closed with an outcome."""

    class Need(models.TextChoices):
        RETROFIT = "retrofit", _("Home retrofit")
        REHABILITATION = "rehabilitation", _("Rehabilitation")
        ESCORT = "escort", _("Escort to hospital")
        TRAINING = "training", _("Skills training")
        JOB = "job", _("Job")
        SUBSIDY = "subsidy", _("Subsidy")
        DEVICE = "device", _("Assistive device")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    # Empty for a need that came from an online application (Application.follow_up) rather than a visit.
    visit = models.ForeignKey(
        HomeVisit, models.PROTECT, null=True, blank=True, related_name="follow_ups", verbose_name=_("home visit")
    )
    person = models.ForeignKey(Person, models.PROTECT, related_name="follow_ups", verbose_name=_("person"))
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    need = models.CharField(_("need"), max_length=16, choices=Need)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN, editable=False)
    outcome = models.TextField(_("outcome"), blank=True, max_length=2000)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("closed by"),
    )

    history = HistoricalRecords(verbose_name=_("historical follow-up"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="followup_status_due_idx"),
            models.Index(fields=["person", "status"], name="followup_person_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["visit", "need"], name="followup_one_per_need_per_visit"),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="followup_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return _("%(need)s: %(person)s (%(due)s)") % {
            "need": self.get_need_display(),
            "person": self.person.name,
            "due": self.due_on,
        }


class DigestSent(TimeStampedModel):
    """Marks the day's overdue follow-up digest as sent, so a repeated run sends nothing."""

    sent_on = models.DateField(_("day"), unique=True)
    follow_ups = models.PositiveIntegerField(_("overdue follow-ups"))
    recipients = models.PositiveIntegerField(_("recipients"))

    class Meta:
        verbose_name = _("follow-up digest")
        verbose_name_plural = _("follow-up digests")
        ordering = ["-sent_on"]

    def __str__(self) -> str:
        return str(self.sent_on)
