"""Services asked for online by residents: the application, its steps, and the one-time identity codes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .escorts import EscortSlot
from .registry import ImmutableModel, Person, Street, StreetScopedQuerySet, TimeStampedModel
from .visits import FollowUp


class Application(TimeStampedModel):
    """A service a resident (or someone for them) asked for on the public site, followed by a private link."""

    class Service(models.TextChoices):
        # The same values as FollowUp.Need, so an application's follow-up needs no mapping.
        RETROFIT = "retrofit", _("Home retrofit")
        ESCORT = "escort", _("Escort to hospital")
        REHABILITATION = "rehabilitation", _("Home rehabilitation")
        TRAINING = "training", _("Skills training")

    class Applicant(models.TextChoices):
        SELF = "self", _("The person themselves")
        FAMILY = "family", _("A family member")
        GUARDIAN = "guardian", _("The guardian")

    class Contact(models.TextChoices):
        # Which number on file gets the code and the messages; the number itself is read when sending.
        PERSON = "person", _("The person's phone")
        GUARDIAN = "guardian", _("The guardian's phone")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Assigned to a committee member")
        VISIT_SCHEDULED = "visit_scheduled", _("Visit scheduled")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The only legal moves; the applicant may withdraw until a decision is taken.
    NEXT = {
        Status.RECEIVED: {Status.ASSIGNED, Status.REFUSED, Status.WITHDRAWN},
        Status.ASSIGNED: {Status.VISIT_SCHEDULED, Status.APPROVED, Status.REFUSED, Status.WITHDRAWN},
        Status.VISIT_SCHEDULED: {Status.APPROVED, Status.REFUSED, Status.WITHDRAWN},
        Status.APPROVED: {Status.DONE},
    }
    CLOSED = frozenset({Status.REFUSED, Status.DONE, Status.WITHDRAWN})

    person = models.ForeignKey(Person, models.PROTECT, related_name="applications", verbose_name=_("person"))
    # As at the application, like every service record: the queue it waits in and the figures it feeds.
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    service = models.CharField(_("service"), max_length=16, choices=Service)
    applicant = models.CharField(_("applied by"), max_length=10, choices=Applicant, default=Applicant.SELF)
    applicant_name = models.CharField(
        _("applicant's name"), max_length=50, blank=True, help_text=_("Empty when the person applied themselves.")
    )
    escort_slot = models.ForeignKey(
        EscortSlot,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clinic session asked for"),
    )
    note = models.TextField(_("what is asked"), max_length=1000, blank=True)
    contact = models.CharField(_("messages to"), max_length=10, choices=Contact, default=Contact.PERSON, editable=False)
    # The interface language the applicant used: their messages are written in it.
    language = models.CharField(_("language"), max_length=10, default="zh-hans", editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.RECEIVED, editable=False)
    # The private status link's token is never stored: only its SHA-256, so a database copy opens no link.
    token_hash = models.CharField(_("status link digest"), max_length=64, unique=True, editable=False)
    follow_up = models.OneToOneField(
        FollowUp,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        editable=False,
        verbose_name=_("follow-up"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("committee member"),
    )
    visit_on = models.DateField(_("visit on"), null=True, blank=True, editable=False)
    reason = models.TextField(_("reason"), max_length=1000, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, editable=False, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical application"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("online application")
        verbose_name_plural = _("online applications")
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["street", "status", "submitted_at"], name="application_queue_idx")]
        permissions = [("decide_application", _("Can approve, refuse and complete online applications"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reason=""), name="application_refused_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["refused", "done", "withdrawn"]) | Q(closed_at__isnull=False),
                name="application_closed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(applicant="self") | ~Q(applicant_name=""), name="application_names_its_applicant"
            ),
        ]

    def __str__(self) -> str:
        return _("%(service)s application %(number)s") % {"service": self.get_service_display(), "number": self.pk}

    def can_move_to(self, target: str) -> bool:
        return target in self.NEXT.get(self.Status(self.status), ())

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED


class ApplicationStatusChange(ImmutableModel):
    """One step of an application, as the applicant's status page and the staff history show it."""

    application = models.ForeignKey(Application, models.PROTECT, related_name="changes", verbose_name=_("application"))
    old = models.CharField(_("from"), max_length=16, choices=Application.Status, blank=True)
    new = models.CharField(_("to"), max_length=16, choices=Application.Status)
    # Empty when the applicant took the step (submitting, withdrawing) from the public site.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.old} → {self.new}"


class ApplicationChallenge(TimeStampedModel):
    """One identity check of the public form: what was asked and a one-time code sent to the contact on file.

    A row is written for every accepted form, whether or not the numbers matched a person (then `person` is
    empty and no code is ever sent), so a match and a non-match do the same work. Only a keyed digest of the
    code is stored.
    """

    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", editable=False, verbose_name=_("person")
    )
    service = models.CharField(_("service"), max_length=16, choices=Application.Service)
    applicant = models.CharField(_("applied by"), max_length=10, choices=Application.Applicant)
    applicant_name = models.CharField(_("applicant's name"), max_length=50, blank=True)
    escort_slot = models.ForeignKey(
        EscortSlot, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("clinic session asked for")
    )
    note = models.TextField(_("what is asked"), max_length=1000, blank=True)
    contact = models.CharField(_("code sent to"), max_length=10, choices=Application.Contact)
    language = models.CharField(_("language"), max_length=10, default="zh-hans", editable=False)
    # "salt$digest" (HMAC-SHA256 keyed with SECRET_KEY); empty until the task has made and sent the code.
    code_hash = models.CharField(_("code digest"), max_length=100, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), editable=False)
    attempts = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0, editable=False)
    used_at = models.DateTimeField(_("used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("application identity check")
        verbose_name_plural = _("application identity checks")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["expires_at"], name="application_challenge_exp_idx")]

    def __str__(self) -> str:
        return _("identity check %(number)s") % {"number": self.pk}
