"""Skills training and certificates, employers, job placements and their follow-ups, graduates, referrals."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.models import TimeStampedModel, category_when_served
from services.registry.scoping import StreetScopedQuerySet

from .validation import normalise_credit_code, validate_credit_code


class Course(TimeStampedModel):
    """A vocational skills training course the federation runs or pays for."""

    title = models.CharField(_("title"), max_length=100)
    trade = models.CharField(
        _("trade"),
        max_length=60,
        help_text=_("The occupation the course trains for, e.g. 中式面点师 (Chinese pastry)."),
    )
    provider = models.CharField(_("provider"), max_length=100, help_text=_("The training organisation."))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    capacity = models.PositiveSmallIntegerField(_("places"), help_text=_("How many people can enrol."))
    place = models.CharField(_("where"), max_length=200, blank=True, help_text=_("Address or venue of the course."))

    history = HistoricalRecords(verbose_name=_("historical course"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on", "title", "id"]
        indexes = [models.Index(fields=["ends_on"], name="course_ends_on_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="course_ends_after_start",
                violation_error_message=_("A course cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="course_has_places",
                violation_error_message=_("A course needs at least one place."),
            ),
            models.UniqueConstraint(
                fields=["title", "provider", "starts_on"],
                name="course_unique_title_provider_start",
                violation_error_message=_("This provider already has a course of this title starting that day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on})"

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ValidationError(_("The last day is before the first day."), code="order")
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = ValidationError(_("A course needs at least one place."), code="min")
        if errors:
            raise ValidationError(errors)


class CertificateLevel(models.TextChoices):
    """The five levels of a vocational skill certificate (职业技能等级), 五级 the entry level."""

    LEVEL_5 = "5", _("Level 5 / junior worker")
    LEVEL_4 = "4", _("Level 4 / intermediate worker")
    LEVEL_3 = "3", _("Level 3 / senior worker")
    LEVEL_2 = "2", _("Level 2 / technician")
    LEVEL_1 = "1", _("Level 1 / senior technician")


NO_CERTIFICATE = (
    Q(certificate_level="")
    & Q(certificate_number="")
    & Q(certificate_issuer="")
    & Q(certificate_issued_on__isnull=True)
)
HAS_CERTIFICATE = ~Q(certificate_level="") & ~Q(certificate_issuer="") & Q(certificate_issued_on__isnull=False)


class Enrollment(TimeStampedModel):
    """A person's place on a course, whether they completed it, and the certificate they earned."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        DROPPED_OUT = "dropped_out", _("Dropped out")

    person = models.ForeignKey("services.Person", models.PROTECT, related_name="enrollments", verbose_name=_("person"))
    # Copied from person.street on enrolment, so scoping is one indexed join and a later move keeps history.
    street = models.ForeignKey("services.Street", models.PROTECT, related_name="+", verbose_name=_("street"))
    category = category_when_served()
    course = models.ForeignKey(Course, models.PROTECT, related_name="enrollments", verbose_name=_("course"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ENROLLED, editable=False)
    certificate_level = models.CharField(_("certificate level"), max_length=1, choices=CertificateLevel, blank=True)
    certificate_number = models.CharField(
        _("certificate number"), max_length=40, blank=True, help_text=_("As printed on the certificate, if it has one.")
    )
    certificate_issuer = models.CharField(
        _("issued by"), max_length=100, blank=True, help_text=_("The assessment body that issued the certificate.")
    )
    certificate_issued_on = models.DateField(_("certificate date"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("historical enrolment"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-course__starts_on", "course", "person__name", "id"]
        indexes = [
            models.Index(fields=["street", "status"], name="enrollment_street_status_idx"),
            models.Index(fields=["certificate_issued_on"], name="enrollment_cert_issued_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course"],
                name="enrollment_person_course_unique",
                violation_error_message=_("This person is already enrolled on this course."),
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="enrollment_certificate_number_unique",
                violation_error_message=_("This certificate number is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(certificate_level="") | Q(status="completed"),
                name="enrollment_certificate_needs_completion",
                violation_error_message=_("A certificate can only be recorded for a completed course."),
            ),
            models.CheckConstraint(
                condition=NO_CERTIFICATE | HAS_CERTIFICATE,
                name="enrollment_certificate_complete",
                violation_error_message=_("A certificate needs its level, issuer and date."),
            ),
            models.CheckConstraint(
                condition=Q(certificate_level__in=["", *CertificateLevel.values]),
                name="enrollment_certificate_level_valid",
                violation_error_message=_("Choose a certificate level from 5 to 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.course.title}"

    @property
    def has_certificate(self) -> bool:
        return bool(self.certificate_level)


class CertificateManager(models.Manager.from_queryset(StreetScopedQuerySet)):
    def get_queryset(self) -> StreetScopedQuerySet:
        return super().get_queryset().exclude(certificate_level="")


class Certificate(Enrollment):
    """The certificate register: enrollments that earned a vocational skill certificate."""

    objects = CertificateManager()

    class Meta:
        proxy = True
        verbose_name = _("vocational skill certificate")
        verbose_name_plural = _("certificate register")
        ordering = ["-certificate_issued_on", "id"]


class Employer(TimeStampedModel):
    """An employer the federation places people with."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        help_text=_("18 characters (统一社会信用代码); spaces and full-width characters are corrected automatically."),
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    district = models.CharField(_("district"), max_length=20, default="静安区", help_text=_("Where the employer is."))
    counts_toward_quota = models.BooleanField(
        _("counts toward its quota"),
        default=True,
        help_text=_("Whether disabled people employed here count toward the employer's legal quota (按比例就业)."),
    )

    history = HistoricalRecords(verbose_name=_("historical employer"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                name="employer_credit_code_unique",
                violation_error_message=_("An employer with this credit code is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.credit_code = normalise_credit_code(self.credit_code)
        try:
            validate_credit_code(self.credit_code)
        except ValidationError as exc:
            raise ValidationError({"credit_code": exc.error_list}) from None


class Placement(TimeStampedModel):
    """A job a person started, with whether the federation recommended them, and how it ended."""

    class ContractType(models.TextChoices):
        FIXED_TERM = "fixed_term", _("Fixed-term contract")
        OPEN_ENDED = "open_ended", _("Open-ended contract")
        PART_TIME = "part_time", _("Part-time work")
        DISPATCHED = "dispatched", _("Agency (dispatched) work")
        SUPPORTED = "supported", _("Supported employment")

    class EndReason(models.TextChoices):
        CONTRACT_ENDED = "contract_ended", _("Contract ended")
        RESIGNED = "resigned", _("Resigned")
        DISMISSED = "dismissed", _("Dismissed")
        EMPLOYER_CLOSED = "employer_closed", _("Employer closed or moved")
        HEALTH = "health", _("Health")
        OTHER = "other", _("Other")

    person = models.ForeignKey("services.Person", models.PROTECT, related_name="placements", verbose_name=_("person"))
    # Copied from person.street when recorded, so scoping is one indexed join.
    street = models.ForeignKey("services.Street", models.PROTECT, related_name="+", verbose_name=_("street"))
    category = category_when_served()
    employer = models.ForeignKey(Employer, models.PROTECT, related_name="placements", verbose_name=_("employer"))
    job_title = models.CharField(_("job title"), max_length=100)
    started_on = models.DateField(_("start date"))
    contract_type = models.CharField(_("contract type"), max_length=16, choices=ContractType)
    recommended = models.BooleanField(
        _("recommended by the federation"),
        default=True,
        help_text=_("Tick when the person got the job on the federation's recommendation (推荐就业)."),
    )
    new_graduate = models.BooleanField(
        _("new graduate"), default=False, help_text=_("A disabled university graduate of this year (应届毕业生).")
    )
    graduation_year = models.PositiveSmallIntegerField(
        _("graduation year"), null=True, blank=True, help_text=_("Required for a new graduate.")
    )
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=16, choices=EndReason, blank=True)

    history = HistoricalRecords(verbose_name=_("historical placement"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("job placement")
        verbose_name_plural = _("job placements")
        ordering = ["-started_on", "id"]
        indexes = [
            models.Index(fields=["street", "started_on"], name="placement_street_start_idx"),
            models.Index(fields=["started_on"], name="placement_start_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "employer", "started_on"],
                name="placement_unique_start",
                violation_error_message=_("This placement is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="placement_ends_after_start",
                violation_error_message=_("A placement cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="") | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="placement_end_has_reason",
                violation_error_message=_("An ended placement needs both its end date and the reason."),
            ),
            models.CheckConstraint(
                condition=Q(new_graduate=True, graduation_year__isnull=False)
                | Q(new_graduate=False, graduation_year__isnull=True),
                name="placement_graduate_has_year",
                violation_error_message=_("A new graduate needs a graduation year, and only a new graduate has one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.employer.name} ({self.started_on})"


class PlacementFollowUp(TimeStampedModel):
    """A check with the person, due 1, 3, 6 and 12 months after a placement starts: still employed?"""

    class Months(models.IntegerChoices):
        ONE = 1, _("1 month")
        THREE = 3, _("3 months")
        SIX = 6, _("6 months")
        TWELVE = 12, _("12 months")

    placement = models.ForeignKey(Placement, models.PROTECT, related_name="follow_ups", verbose_name=_("placement"))
    months = models.PositiveSmallIntegerField(_("after"), choices=Months, editable=False)
    due_on = models.DateField(_("due"), editable=False)
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True, editable=False)
    still_employed = models.BooleanField(_("still employed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords(verbose_name=_("historical placement follow-up"), excluded_fields=["updated_at"])
    street_lookup = "placement__street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement follow-up")
        verbose_name_plural = _("placement follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(recorded_on__isnull=True), name="placement_followup_pending_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "months"],
                name="placement_follow_up_once_per_point",
                violation_error_message=_("This follow-up already exists."),
            ),
            models.CheckConstraint(
                condition=Q(months__in=[1, 3, 6, 12]),
                name="placement_follow_up_months_valid",
                violation_error_message=_("Follow-ups are due at 1, 3, 6 or 12 months."),
            ),
            models.CheckConstraint(
                condition=Q(recorded_on__isnull=True, still_employed__isnull=True)
                | Q(recorded_on__isnull=False, still_employed__isnull=False),
                name="placement_follow_up_recorded_complete",
                violation_error_message=_("A recorded follow-up says whether the person is still employed."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(what)s: %(detail)s") % {"what": self.get_months_display(), "detail": self.placement}

    @property
    def recorded(self) -> bool:
        return self.recorded_on is not None


class Graduate(TimeStampedModel):
    """A disabled person who graduated from university in a year (应届大学毕业生), whom the federation helps."""

    person = models.ForeignKey("services.Person", models.PROTECT, related_name="graduations", verbose_name=_("person"))
    # Copied from person.street when registered, so scoping is one indexed join.
    street = models.ForeignKey("services.Street", models.PROTECT, related_name="+", verbose_name=_("street"))
    category = category_when_served()
    graduation_year = models.PositiveSmallIntegerField(_("graduation year"))
    school = models.CharField(_("university"), max_length=100, blank=True)
    major = models.CharField(_("subject"), max_length=100, blank=True)

    history = HistoricalRecords(verbose_name=_("historical graduate"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("new graduate")
        verbose_name_plural = _("new graduates")
        ordering = ["-graduation_year", "person__name", "id"]
        indexes = [models.Index(fields=["graduation_year", "street"], name="graduate_year_street_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "graduation_year"],
                name="graduate_once_per_year",
                violation_error_message=_("This person is already registered as a graduate of that year."),
            ),
            models.CheckConstraint(
                condition=Q(graduation_year__gte=1950, graduation_year__lte=2100),
                name="graduate_year_plausible",
                violation_error_message=_("Give a graduation year between 1950 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.graduation_year})"

    def clean(self) -> None:
        if self.graduation_year is not None and not 1950 <= self.graduation_year <= 2100:
            raise ValidationError(
                {"graduation_year": ValidationError(_("Give a graduation year between 1950 and 2100."), code="range")}
            )


class Referral(TimeStampedModel):
    """A committee member's referral of a person to a course or to job matching, from a home visit's need."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Skills training")
        JOB = "job", _("Job matching")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ENROLLED = "enrolled", _("Enrolled on a course")
        PLACED = "placed", _("Placed in a job")
        CLOSED = "closed", _("Closed")

    person = models.ForeignKey("services.Person", models.PROTECT, related_name="referrals", verbose_name=_("person"))
    # Copied from person.street when referred, so scoping is one indexed join.
    street = models.ForeignKey("services.Street", models.PROTECT, related_name="+", verbose_name=_("street"))
    kind = models.CharField(_("referred to"), max_length=8, choices=Kind)
    course = models.ForeignKey(
        Course,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("course"),
        help_text=_("Optional: the course the person is referred to, if one is chosen."),
    )
    follow_up = models.ForeignKey(
        "services.FollowUp",
        models.PROTECT,
        related_name="referrals",
        verbose_name=_("from the need"),
        limit_choices_to={"need__in": ["training", "job"], "status": "open"},
        help_text=_("An open training or job need found on a home visit."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN, editable=False)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False, verbose_name=_("referred by")
    )
    enrollment = models.OneToOneField(
        Enrollment,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="referral",
        editable=False,
        verbose_name=_("enrolment"),
    )
    placement = models.OneToOneField(
        Placement,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="referral",
        editable=False,
        verbose_name=_("placement"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical referral"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["street", "status"], name="referral_street_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up"],
                condition=Q(status="open"),
                name="referral_one_open_per_follow_up",
                violation_error_message=_("This need already has an open referral."),
            ),
            models.CheckConstraint(
                condition=Q(kind="course") | Q(course__isnull=True),
                name="referral_course_only_for_training",
                violation_error_message=_("Only a referral to training names a course."),
            ),
            models.CheckConstraint(
                condition=~Q(status="enrolled") | Q(kind="course", enrollment__isnull=False),
                name="referral_enrolled_has_enrollment",
                violation_error_message=_("An enrolled referral needs its enrolment."),
            ),
            models.CheckConstraint(
                condition=~Q(status="placed") | Q(kind="job", placement__isnull=False),
                name="referral_placed_has_placement",
                violation_error_message=_("A placed referral needs its placement."),
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="referral_resolved_dated",
                violation_error_message=_("A resolved referral needs the time it was resolved."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.get_kind_display()}"
