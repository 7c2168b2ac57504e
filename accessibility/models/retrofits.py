"""Home retrofits: the item catalogue and caps, the case and its workflow, its items, steps and photos."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.models import ImmutableModel, TimeStampedModel, category_when_served
from services.registry.scoping import StreetScopedQuerySet

from ..photos import photo_path, validate_photo


class RetrofitType(models.TextChoices):
    """The two retrofit packages of the programme."""

    STANDARD = "standard", _("Standard type")
    BASIC = "basic", _("Basic type")


class RetrofitItem(TimeStampedModel):
    """One kind of work the programme pays for, the packages that allow it and its reference cost."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True, help_text=_("For example: 个, 处, 套, 米."))
    allowed_standard = models.BooleanField(_("allowed in the standard type"), default=True)
    allowed_basic = models.BooleanField(_("allowed in the basic type"), default=False)
    reference_cost = models.DecimalField(
        _("reference cost (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("The usual price of one unit; the cost of a case may differ."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive items stay on old cases but cannot be chosen again.")
    )

    history = HistoricalRecords(verbose_name=_("historical retrofit item"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("retrofit item")
        verbose_name_plural = _("retrofit items")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allowed_standard=True) | Q(allowed_basic=True), name="retrofit_item_allowed_somewhere"
            ),
            models.CheckConstraint(condition=Q(reference_cost__gte=0), name="retrofit_item_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def allows(self, retrofit_type: str) -> bool:
        return self.allowed_standard if retrofit_type == RetrofitType.STANDARD else self.allowed_basic


class RetrofitTypeCap(TimeStampedModel):
    """The most the programme pays for one household's retrofit of a type."""

    type = models.CharField(_("retrofit type"), max_length=10, choices=RetrofitType, unique=True)
    cap = models.DecimalField(
        _("cost cap per household (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(1))]
    )

    history = HistoricalRecords(verbose_name=_("historical retrofit cost cap"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("retrofit cost cap")
        verbose_name_plural = _("retrofit cost caps")
        ordering = ["type"]
        constraints = [
            models.CheckConstraint(condition=Q(cap__gt=0), name="retrofit_cap_positive"),
            models.CheckConstraint(condition=Q(type__in=RetrofitType.values), name="retrofit_cap_type_valid"),
        ]

    def __str__(self) -> str:
        return _("%(what)s: %(detail)s") % {"what": self.get_type_display(), "detail": self.cap}


class RetrofitStatus(models.TextChoices):
    """Where a home retrofit stands; Retrofit.NEXT lists the legal moves."""

    APPLIED = "applied", _("Applied")
    ASSESSED = "assessed", _("Assessed")
    APPROVED = "approved", _("Approved")
    IN_WORKS = "in_works", _("Works in progress")
    ACCEPTED = "accepted", _("Accepted")
    FOLLOWED_UP = "followed_up", _("Followed up")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Set only by retrofit_correct: an accepted case entered in error. Not a workflow step (not in NEXT).
    VOIDED = "voided", _("Voided (entered in error)")


Status = RetrofitStatus
# A case in one of these blocks a second application for the person and for anyone of their household.
OPEN_STATUSES = (Status.APPLIED, Status.ASSESSED, Status.APPROVED, Status.IN_WORKS)
# Jointly accepted: the works are done (and counted in the year of acceptance). The home is retrofitted:
# no second application for the household (每户一次), whichever member applies.
DONE_STATUSES = (Status.ACCEPTED, Status.FOLLOWED_UP)


class Retrofit(TimeStampedModel):
    """A home retrofit for a person's household, from application to the check on use afterwards."""

    Type = RetrofitType
    Status = RetrofitStatus

    # The only legal moves. Rejection makes sense before approval; a household may withdraw until works start.
    NEXT = {
        Status.APPLIED: (Status.ASSESSED, Status.REJECTED, Status.WITHDRAWN),
        Status.ASSESSED: (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN),
        Status.APPROVED: (Status.IN_WORKS, Status.WITHDRAWN),
        Status.IN_WORKS: (Status.ACCEPTED,),
        Status.ACCEPTED: (Status.FOLLOWED_UP,),
    }
    OPEN = OPEN_STATUSES
    DONE = DONE_STATUSES
    # Type, contractor and items may change only until approval fixes the cost.
    EDITABLE = (Status.APPLIED, Status.ASSESSED)
    FOLLOW_UP_AFTER_DAYS = 90

    person = models.ForeignKey("services.Person", models.PROTECT, related_name="retrofits", verbose_name=_("person"))
    # Copied from person.street on application, so scoping is one indexed join and the case stays put.
    street = models.ForeignKey("services.Street", models.PROTECT, related_name="+", verbose_name=_("street"))
    category = category_when_served()
    # The home retrofitted: the applicant's household on application (the figure counts households, 户).
    household = models.ForeignKey(
        "services.Household",
        models.PROTECT,
        related_name="retrofits",
        editable=False,
        verbose_name=_("household"),
    )
    type = models.CharField(_("retrofit type"), max_length=10, choices=RetrofitType)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.APPLIED, editable=False)
    applied_on = models.DateField(_("applied on"))
    application_note = models.TextField(_("application note"), blank=True, max_length=2000)
    from_follow_up = models.ForeignKey(
        "services.FollowUp",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="retrofits",
        editable=False,
        verbose_name=_("from the home-visit need"),
    )
    contractor = models.CharField(
        _("contractor"),
        max_length=100,
        blank=True,
        help_text=_("The company doing the works; needed before they start."),
    )
    assessed_on = models.DateField(_("assessed on"), null=True, editable=False)
    assessment_note = models.TextField(_("home assessment"), blank=True, editable=False)
    approved_on = models.DateField(_("approved on"), null=True, editable=False)
    approved_total = models.DecimalField(
        _("approved cost (yuan)"), max_digits=10, decimal_places=2, null=True, editable=False
    )
    cap_exception_reason = models.TextField(_("reason for exceeding the cap"), blank=True, editable=False)
    cap_exception_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("cap exception recorded by"),
    )
    works_started_on = models.DateField(_("works started on"), null=True, editable=False)
    accepted_on = models.DateField(_("accepted on"), null=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("signed off for the federation by"),
    )
    household_signatory = models.CharField(
        _("signed off for the household by"), max_length=50, blank=True, editable=False
    )
    contractor_signatory = models.CharField(
        _("signed off for the contractor by"), max_length=50, blank=True, editable=False
    )
    followed_up_on = models.DateField(_("followed up on"), null=True, editable=False)
    follow_up_note = models.TextField(_("follow-up note"), blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, editable=False)
    closing_reason = models.TextField(_("reason for closing"), blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical retrofit"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("home retrofit")
        verbose_name_plural = _("home retrofits")
        ordering = ["-applied_on", "-id"]
        permissions = [
            ("advance_retrofit", _("Can move home retrofits through every step")),
            ("apply_retrofit", _("Can apply for home retrofits and withdraw applications in their streets")),
            ("approve_over_cap", _("Can approve a home retrofit above the cost cap, with a reason")),
        ]
        indexes = [
            models.Index(fields=["status", "applied_on"], name="retrofit_status_applied_idx"),
            models.Index(fields=["street", "status"], name="retrofit_street_status_idx"),
            models.Index(fields=["accepted_on"], name="retrofit_accepted_idx"),
            models.Index(fields=["followed_up_on"], name="retrofit_followed_up_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_STATUSES),
                name="retrofit_one_open_per_person",
                violation_error_message=_("This person already has an open home retrofit."),
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="retrofit_status_valid"),
            models.CheckConstraint(condition=Q(type__in=RetrofitType.values), name="retrofit_type_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.ASSESSED, Status.APPROVED, Status.IN_WORKS, *DONE_STATUSES])
                | (Q(assessed_on__isnull=False) & ~Q(assessment_note="")),
                name="retrofit_assessment_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.APPROVED, Status.IN_WORKS, *DONE_STATUSES])
                | Q(approved_on__isnull=False, approved_total__isnull=False),
                name="retrofit_approval_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.IN_WORKS, *DONE_STATUSES])
                | (Q(works_started_on__isnull=False) & ~Q(contractor="")),
                name="retrofit_works_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=DONE_STATUSES)
                | (
                    Q(accepted_on__isnull=False, accepted_by__isnull=False)
                    & ~Q(household_signatory="")
                    & ~Q(contractor_signatory="")
                ),
                name="retrofit_acceptance_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.FOLLOWED_UP) | (Q(followed_up_on__isnull=False) & ~Q(follow_up_note="")),
                name="retrofit_follow_up_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.REJECTED, Status.WITHDRAWN])
                | (Q(closed_on__isnull=False) & ~Q(closing_reason="")),
                name="retrofit_closing_recorded",
            ),
            models.CheckConstraint(
                condition=Q(cap_exception_reason="") | Q(cap_exception_by__isnull=False),
                name="retrofit_cap_exception_signed",
            ),
            models.CheckConstraint(
                condition=(Q(assessed_on__isnull=True) | Q(assessed_on__gte=F("applied_on")))
                & (Q(approved_on__isnull=True) | Q(approved_on__gte=F("assessed_on")))
                & (Q(works_started_on__isnull=True) | Q(works_started_on__gte=F("approved_on")))
                & (Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("works_started_on")))
                & (Q(followed_up_on__isnull=True) | Q(followed_up_on__gte=F("accepted_on")))
                & (Q(closed_on__isnull=True) | Q(closed_on__gte=F("applied_on"))),
                name="retrofit_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.person.name} · {self.get_type_display()}"

    def can_move_to(self, target: str) -> bool:
        return target in self.NEXT.get(self.status, ())

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def lines_editable(self) -> bool:
        """Type and items may change only until approval fixes the cost (EDITABLE)."""
        return self.status in self.EDITABLE

    @property
    def contractor_editable(self) -> bool:
        """The contractor may change until works start."""
        return self.status in (*self.EDITABLE, self.Status.APPROVED)

    @property
    def step_date(self):
        """The date of the step the case is at, from which the next step's date may not go back."""
        return {
            self.Status.APPLIED: self.applied_on,
            self.Status.ASSESSED: self.assessed_on,
            self.Status.APPROVED: self.approved_on,
            self.Status.IN_WORKS: self.works_started_on,
            self.Status.ACCEPTED: self.accepted_on,
            self.Status.FOLLOWED_UP: self.followed_up_on,
        }.get(self.status, self.closed_on)


class RetrofitLine(TimeStampedModel):
    """One item chosen for a retrofit, how many and at what unit cost."""

    retrofit = models.ForeignKey(Retrofit, models.PROTECT, related_name="lines", verbose_name=_("home retrofit"))
    item = models.ForeignKey(RetrofitItem, models.PROTECT, related_name="lines", verbose_name=_("item"))
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_cost = models.DecimalField(
        _("unit cost (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Leave empty to use the item's reference cost."),
    )

    history = HistoricalRecords(verbose_name=_("historical retrofit item line"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("retrofit item line")
        verbose_name_plural = _("retrofit item lines")
        ordering = ["retrofit", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["retrofit", "item"], name="retrofit_line_item_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="retrofit_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="retrofit_line_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    @property
    def cost(self) -> Decimal:
        return self.unit_cost * self.quantity


class RetrofitStatusChange(ImmutableModel, TimeStampedModel):
    """One step of a retrofit: from which status to which, on what date, by whom and why."""

    retrofit = models.ForeignKey(
        Retrofit, models.PROTECT, related_name="status_changes", verbose_name=_("home retrofit")
    )
    old = models.CharField(_("from"), max_length=12, choices=Retrofit.Status, blank=True)
    new = models.CharField(_("to"), max_length=12, choices=Retrofit.Status)
    on = models.DateField(_("date of the step"))
    at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)

    street_lookup = "retrofit__street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("retrofit status change")
        verbose_name_plural = _("retrofit status changes")
        ordering = ["retrofit", "at", "id"]
        indexes = [models.Index(fields=["retrofit", "at"], name="retrofit_change_case_at_idx")]

    def __str__(self) -> str:
        return f"#{self.retrofit_id} {self.get_old_display() or '—'} → {self.get_new_display()} ({self.on})"


class RetrofitPhoto(TimeStampedModel):
    """A photo of the home before or after the works; for federation staff only, never on a public URL."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Before the works")
        AFTER = "after", _("After the works")

    retrofit = models.ForeignKey(Retrofit, models.PROTECT, related_name="photos", verbose_name=_("home retrofit"))
    stage = models.CharField(_("stage"), max_length=8, choices=Stage)
    image = models.FileField(
        _("photo"),
        upload_to=photo_path,
        max_length=200,
        validators=[validate_photo],
        help_text=_("A JPEG or PNG photo of at most 5 MB."),
    )
    alt_text = models.CharField(
        _("text alternative"),
        max_length=250,
        help_text=_("What the photo shows, for someone who cannot see it: “Bathroom, new grab bar beside the toilet”."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False, verbose_name=_("uploaded by")
    )

    history = HistoricalRecords(verbose_name=_("historical retrofit photo"), excluded_fields=["updated_at"])
    street_lookup = "retrofit__street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("retrofit photo")
        verbose_name_plural = _("retrofit photos")
        ordering = ["retrofit", "stage", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="retrofit_photo_has_alt_text"),
            models.CheckConstraint(condition=Q(stage__in=["before", "after"]), name="retrofit_photo_stage_valid"),
        ]

    def __str__(self) -> str:
        return _("%(what)s: %(detail)s") % {
            "what": f"#{self.retrofit_id} {self.get_stage_display()}",
            "detail": self.alt_text,
        }
