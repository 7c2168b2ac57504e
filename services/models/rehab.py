"""Rehabilitation: community health service centres (康复之家), family-doctor contracts, home sessions, referrals."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.registry.scoping import StreetScopedQuerySet

from .registry import Person, Street, TimeStampedModel, category_when_served
from .visits import FollowUp

# What a centre offers, as (field name, label): boolean fields, so the public page reads them without joins.
REHAB_SERVICES: list[tuple[str, object]] = [
    ("offers_physiotherapy", _("Physiotherapy")),
    ("offers_occupational_therapy", _("Occupational therapy")),
    ("offers_speech_therapy", _("Speech and language therapy")),
    ("offers_device_fitting", _("Assistive device fitting")),
    ("offers_home_rehabilitation", _("Rehabilitation at home")),
    ("offers_family_guidance", _("Guidance for families")),
]
# The accessibility facts of a centre's building, shown on the public page.
ACCESS_FACTS: list[tuple[str, object]] = [
    ("step_free", _("Step-free entrance")),
    ("accessible_toilet", _("Accessible toilet")),
    ("lift", _("Lift to every floor")),
    ("accessible_parking", _("Accessible parking")),
    ("sign_language", _("Sign-language service")),
    ("hearing_loop", _("Hearing loop")),
]
MAX_SESSION_MINUTES = 240


class RehabCentreQuerySet(models.QuerySet):
    def certified_at_end_of(self, year: int) -> "RehabCentreQuerySet":
        """Centres that were certified rehabilitation homes on 31 December of `year`."""
        year_end = datetime.date(year, 12, 31)
        return self.filter(accepted_on__lte=year_end).filter(
            Q(certification=RehabCentre.Certification.CERTIFIED)
            | Q(certification=RehabCentre.Certification.REVOKED, revoked_on__gt=year_end)
        )

    def certified_now(self) -> "RehabCentreQuerySet":
        return self.filter(certification=RehabCentre.Certification.CERTIFIED)


class RehabCentre(TimeStampedModel):
    """A community health service centre and its certification as a rehabilitation home (康复之家)."""

    class Certification(models.TextChoices):
        NONE = "none", _("Not applied")
        APPLIED = "applied", _("Applied, awaiting municipal acceptance")
        CERTIFIED = "certified", _("Certified rehabilitation home")
        REVOKED = "revoked", _("Certification revoked")

    name = models.CharField(_("name"), max_length=100, unique=True)
    street = models.ForeignKey(Street, models.PROTECT, related_name="rehab_centres", verbose_name=_("street"))
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, help_text=_("The centre's public number, never a personal mobile.")
    )
    contact = models.CharField(
        _("contact desk"),
        max_length=60,
        blank=True,
        help_text=_("The desk or department to ask for, e.g. rehabilitation department; not a person's name."),
    )
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, help_text=_("As the public should read them, e.g. Mon–Fri 8:00–16:30.")
    )
    opening_hours_en = models.CharField(
        _("opening hours in English"),
        max_length=200,
        blank=True,
        help_text=_("Shown in English mode; leave empty to show the Chinese."),
    )
    offers_physiotherapy = models.BooleanField(_("physiotherapy"), default=False)
    offers_occupational_therapy = models.BooleanField(_("occupational therapy"), default=False)
    offers_speech_therapy = models.BooleanField(_("speech and language therapy"), default=False)
    offers_device_fitting = models.BooleanField(_("assistive device fitting"), default=False)
    offers_home_rehabilitation = models.BooleanField(_("rehabilitation at home"), default=False)
    offers_family_guidance = models.BooleanField(_("guidance for families"), default=False)
    services_note = models.CharField(_("other services"), max_length=300, blank=True)
    services_note_en = models.CharField(
        _("other services in English"),
        max_length=300,
        blank=True,
        help_text=_("Shown in English mode; leave empty to show the Chinese."),
    )
    step_free = models.BooleanField(_("step-free entrance"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    lift = models.BooleanField(_("lift to every floor"), default=False)
    accessible_parking = models.BooleanField(_("accessible parking"), default=False)
    sign_language = models.BooleanField(_("sign-language service"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    certification = models.CharField(
        _("rehabilitation home certification"),
        max_length=16,
        choices=Certification,
        default=Certification.NONE,
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    accepted_on = models.DateField(
        _("municipal acceptance"),
        null=True,
        blank=True,
        help_text=_("The date the city accepted the centre as a rehabilitation home. Required once certified."),
    )
    revoked_on = models.DateField(
        _("revoked on"), null=True, blank=True, help_text=_("Only when the certification was revoked.")
    )

    history = HistoricalRecords(verbose_name=_("historical rehabilitation centre"), excluded_fields=["updated_at"])
    objects = RehabCentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("community health service centre")
        verbose_name_plural = _("community health service centres")
        ordering = ["street__code", "name"]
        indexes = [models.Index(fields=["certification", "accepted_on"], name="rehabcentre_cert_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(certification__in=["none", "applied"]) | Q(accepted_on__isnull=False),
                name="rehabcentre_certified_has_acceptance",
                violation_error_message=_("Give the date of municipal acceptance of a certified centre."),
            ),
            models.CheckConstraint(
                condition=Q(certification="revoked", revoked_on__isnull=False)
                | (~Q(certification="revoked") & Q(revoked_on__isnull=True)),
                name="rehabcentre_revoked_dated",
                violation_error_message=_("Give the date the certification was revoked, and only then."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("accepted_on")),
                name="rehabcentre_revoked_after_acceptance",
                violation_error_message=_("A certification cannot be revoked before it was given."),
            ),
            models.CheckConstraint(
                condition=Q(applied_on__isnull=True)
                | Q(accepted_on__isnull=True)
                | Q(accepted_on__gte=F("applied_on")),
                name="rehabcentre_accepted_after_applying",
                violation_error_message=_("Acceptance cannot come before the application."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        certified = self.certification in (self.Certification.CERTIFIED, self.Certification.REVOKED)
        if certified and self.accepted_on is None:
            errors["accepted_on"] = ValidationError(
                _("Give the date of municipal acceptance of a certified centre."), code="required"
            )
        if not certified and self.accepted_on is not None:
            errors["accepted_on"] = ValidationError(
                _("Only a certified (or revoked) centre has a date of municipal acceptance."), code="not_certified"
            )
        if self.certification == self.Certification.REVOKED and self.revoked_on is None:
            errors["revoked_on"] = ValidationError(_("Give the date the certification was revoked."), code="required")
        elif self.certification != self.Certification.REVOKED and self.revoked_on is not None:
            errors["revoked_on"] = ValidationError(
                _("Only a revoked certification has a revocation date."), code="not_revoked"
            )
        elif self.revoked_on and self.accepted_on and self.revoked_on < self.accepted_on:
            errors["revoked_on"] = ValidationError(_("A certification cannot be revoked before it was given."))
        if self.applied_on and self.accepted_on and self.accepted_on < self.applied_on and "accepted_on" not in errors:
            errors["accepted_on"] = ValidationError(_("Acceptance cannot come before the application."), code="order")
        today = timezone.localdate()
        for name in ("applied_on", "accepted_on", "revoked_on"):
            value = getattr(self, name)
            if value is not None and value > today and name not in errors:
                errors[name] = ValidationError(_("This date is in the future."), code="future")
        if errors:
            raise ValidationError(errors)

    @property
    def access_facts(self) -> list[object]:
        """The labels of the accessibility facts this centre offers."""
        return [label for name, label in ACCESS_FACTS if getattr(self, name)]

    @property
    def services_offered(self) -> list[object]:
        return [label for name, label in REHAB_SERVICES if getattr(self, name)]


class FamilyDoctorContract(TimeStampedModel):
    """A person's contract with a family doctor or team of a centre (家庭医生签约)."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="family_doctor_contracts", verbose_name=_("person"))
    # Copied from person.street when signed, so scoping is one indexed join.
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    centre = models.ForeignKey(
        RehabCentre, models.PROTECT, related_name="contracts", verbose_name=_("community health service centre")
    )
    doctor = models.CharField(_("family doctor or team"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True, help_text=_("Leave empty while it runs."))

    history = HistoricalRecords(verbose_name=_("historical family-doctor contract"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("family-doctor contract")
        verbose_name_plural = _("family-doctor contracts")
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["street", "signed_on"], name="fdcontract_street_signed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("signed_on")),
                name="fdcontract_dates_in_order",
                violation_error_message=_("A contract cannot end before it was signed."),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="fdcontract_one_running_per_person",
                violation_error_message=_(
                    "This person already has a running family-doctor contract: give it an end date first."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.centre} · {self.doctor}"

    def clean(self) -> None:
        if self.signed_on and self.signed_on > timezone.localdate():
            raise ValidationError({"signed_on": ValidationError(_("This date is in the future."), code="future")})
        if self.signed_on and self.ended_on and self.ended_on < self.signed_on:
            raise ValidationError(
                {"ended_on": ValidationError(_("A contract cannot end before it was signed."), code="order")}
            )

    def runs_on(self, day: datetime.date) -> bool:
        return self.signed_on <= day and (self.ended_on is None or day <= self.ended_on)


class RehabReferral(TimeStampedModel):
    """A committee member's referral of a person to a centre for rehabilitation, from a home visit's need."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the centre")
        ASSESSED = "assessed", _("Assessed at home")
        CLOSED = "closed", _("Closed without a session")

    person = models.ForeignKey(Person, models.PROTECT, related_name="rehab_referrals", verbose_name=_("person"))
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    centre = models.ForeignKey(
        RehabCentre, models.PROTECT, related_name="referrals", verbose_name=_("community health service centre")
    )
    contract = models.ForeignKey(
        FamilyDoctorContract,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("family-doctor contract"),
    )
    follow_up = models.ForeignKey(
        FollowUp, models.PROTECT, related_name="rehab_referrals", verbose_name=_("from the need")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN, editable=False)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False, verbose_name=_("referred by")
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical rehabilitation referral"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rehabilitation referral")
        verbose_name_plural = _("rehabilitation referrals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "centre"], name="rehabreferral_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up"],
                name="rehabreferral_one_per_need",
                violation_error_message=_("This need already has a rehabilitation referral."),
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="rehabreferral_resolved_dated",
                violation_error_message=_("A resolved referral needs the time it was resolved."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.centre}"


class HomeRehabSession(TimeStampedModel):
    """Rehabilitation given at a person's home (送康复服务上门) by a centre's doctor or therapist."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("Assessment")
        TRAINING = "training", _("Rehabilitation training")
        DEVICE_FITTING = "device_fitting", _("Assistive device fitting")
        FAMILY_GUIDANCE = "family_guidance", _("Guidance for the family")

    person = models.ForeignKey(Person, models.PROTECT, related_name="rehab_sessions", verbose_name=_("person"))
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    category = category_when_served()
    centre = models.ForeignKey(
        RehabCentre, models.PROTECT, related_name="sessions", verbose_name=_("community health service centre")
    )
    contract = models.ForeignKey(
        FamilyDoctorContract,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("family-doctor contract"),
        help_text=_("The contract under which it was given, if any; it must be the person's, with this centre."),
    )
    referral = models.ForeignKey(
        RehabReferral,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("answers the referral"),
    )
    given_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), help_text=_("Time spent with the person, from 1 to 240 minutes.")
    )
    given_by = models.CharField(_("given by"), max_length=60, help_text=_("The doctor, therapist or team."))
    note = models.TextField(_("note"), blank=True, max_length=2000)

    history = HistoricalRecords(
        verbose_name=_("historical home rehabilitation session"), excluded_fields=["updated_at"]
    )
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("home rehabilitation session")
        verbose_name_plural = _("home rehabilitation sessions")
        ordering = ["-given_on", "-id"]
        indexes = [
            models.Index(fields=["given_on", "street"], name="rehabsession_date_street_idx"),
            models.Index(fields=["person", "-given_on"], name="rehabsession_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MAX_SESSION_MINUTES),
                name="rehabsession_minutes_sane",
                violation_error_message=_("A home session lasts from 1 to 240 minutes."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_on} {self.person.name} · {self.get_kind_display()}"

    def clean(self) -> None:
        """The session's own rules and its agreement with its contract and referral (loaded when given)."""
        errors: dict[str, ValidationError] = {}
        if self.minutes is not None and not 1 <= self.minutes <= MAX_SESSION_MINUTES:
            errors["minutes"] = ValidationError(_("A home session lasts from 1 to 240 minutes."), code="minutes")
        if self.given_on and self.given_on > timezone.localdate():
            errors["given_on"] = ValidationError(_("A session cannot be recorded before it is given."), code="future")
        if self.contract_id is not None and self.person_id is not None:
            contract = self.contract
            if contract.person_id != self.person_id:
                errors["contract"] = ValidationError(_("This contract is another person's."), code="other_person")
            elif self.centre_id is not None and contract.centre_id != self.centre_id:
                errors["contract"] = ValidationError(
                    _("This contract is with another centre: %(centre)s."),
                    code="other_centre",
                    params={"centre": contract.centre},
                )
            elif self.given_on and not contract.runs_on(self.given_on):
                errors["given_on"] = ValidationError(
                    _("The contract did not run on this date."), code="outside_contract"
                )
        if self.referral_id is not None and self.person_id is not None and self.referral.person_id != self.person_id:
            errors["referral"] = ValidationError(_("This referral is another person's."), code="other_person")
        if "given_on" not in errors and self.is_recorded_twice():
            errors["given_on"] = ValidationError(
                _("This session is already recorded: same person, centre, kind and date."), code="duplicate"
            )
        if errors:
            raise ValidationError(errors)

    def is_recorded_twice(self) -> bool:
        """Another session of this person, centre and kind on the same day: the same session entered again."""
        if None in (self.person_id, self.centre_id, self.given_on) or not self.kind:
            return False
        twins = HomeRehabSession.objects.filter(
            person_id=self.person_id, centre_id=self.centre_id, kind=self.kind, given_on=self.given_on
        )
        return twins.exclude(pk=self.pk).exists()
