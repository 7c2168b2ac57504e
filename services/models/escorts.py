"""Clinic escorts: hospitals and their clinic hours, volunteers, slots, bookings and reminders."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import in_english
from core.users import user_display
from services.registry.scoping import StreetScopedQuerySet

from .registry import ImmutableModel, Person, Street, TimeStampedModel, category_when_served


class Hospital(TimeStampedModel):
    """A hospital with a deaf-and-blind escort clinic (助聋助盲门诊)."""

    name_zh = models.CharField(_("Chinese name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    clinic = models.CharField(_("clinic"), max_length=80, blank=True, help_text=_("Where escorts meet patients."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")
        ordering = ["name_zh"]

    def __str__(self) -> str:
        return self.name_en if in_english() else self.name_zh


class ClinicHours(TimeStampedModel):
    """When a hospital's escort clinic runs, one row per weekday and session (editable data)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    hospital = models.ForeignKey(Hospital, models.CASCADE, related_name="hours", verbose_name=_("hospital"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("clinic hours")
        verbose_name_plural = _("clinic hours")
        ordering = ["hospital", "weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="clinic_hours_in_order")]

    def __str__(self) -> str:
        return f"{self.hospital} {self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class EscortService(TimeStampedModel):
    """One thing an escort does: registration 挂号, guiding 导盲, medicine pick-up 配药, signing 手翻."""

    SIGN_LANGUAGE = "sign_language"
    GUIDING = "guiding"

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)

    class Meta:
        verbose_name = _("escort service")
        verbose_name_plural = _("escort services")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name_en if in_english() else self.name_zh


class VolunteerTeam(TimeStampedModel):
    """A team that staffs the clinics, such as a party branch vanguard team (党员先锋队)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    party_vanguard = models.BooleanField(_("party vanguard team"), default=False)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamService(TimeStampedModel):
    """One volunteer service a team gave (一次志愿服务), with the person-times (人次) it served.

    The party vanguard teams report their services this way ("累计已提供志愿服务100余次，总服务人次超过
    3100余人"): a count per occasion, as the team recorded it, not one record per person served.
    """

    team = models.ForeignKey(VolunteerTeam, models.PROTECT, related_name="services", verbose_name=_("team"))
    served_on = models.DateField(_("served on"))
    place = models.CharField(
        _("location"), max_length=200, help_text=_("Where the service was given, e.g. the escort clinic of a hospital.")
    )
    person_times = models.PositiveIntegerField(
        _("person-times served"), help_text=_("How many person-times (人次) the service served, as the team counted.")
    )

    history = HistoricalRecords(verbose_name=_("historical team service"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("team volunteer service")
        verbose_name_plural = _("team volunteer services")
        ordering = ["-served_on", "id"]
        indexes = [models.Index(fields=["served_on"], name="team_service_served_on_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(person_times__gte=1), name="team_service_serves_someone"),
        ]

    def __str__(self) -> str:
        return _("%(what)s: %(detail)s") % {"what": f"{self.team} {self.served_on}", "detail": self.place}


class Volunteer(TimeStampedModel):
    """A volunteer escort, with the skills that decide which patients they may accompany."""

    class SignLanguage(models.TextChoices):
        NONE = "none", _("None")
        BASIC = "basic", _("Basic")
        FLUENT = "fluent", _("Fluent")
        INTERPRETER = "interpreter", _("Certified interpreter")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="volunteer", verbose_name=_("account")
    )
    team = models.ForeignKey(
        VolunteerTeam, models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    sign_language = models.CharField(
        _("sign language"),
        max_length=12,
        choices=SignLanguage,
        default=SignLanguage.NONE,
        help_text=_("Fluent or better may escort patients who need sign-language interpretation."),
    )
    guide_trained = models.BooleanField(_("trained to guide blind people"), default=False)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(verbose_name=_("historical volunteer"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return user_display(self.user)

    @property
    def signs(self) -> bool:
        return self.sign_language in (self.SignLanguage.FLUENT, self.SignLanguage.INTERPRETER)


class EscortSlot(TimeStampedModel):
    """A clinic session at one hospital; it takes at most `capacity` patients (one per volunteer)."""

    hospital = models.ForeignKey(Hospital, models.PROTECT, related_name="slots", verbose_name=_("hospital"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"), help_text=_("How many patients volunteers can take."))
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("escort slot")
        verbose_name_plural = _("escort slots")
        ordering = ["starts_at", "hospital"]
        indexes = [models.Index(fields=["starts_at"], name="escort_slot_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="escort_slot_in_order"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="escort_slot_has_places"),
            models.UniqueConstraint(fields=["hospital", "starts_at"], name="escort_slot_unique_start"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.hospital} {local:%Y-%m-%d %H:%M}"


class EscortBooking(TimeStampedModel):
    """A patient escorted at a clinic session; a completed booking is one person-visit (人次)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Did not come")
        # Set only by escort_booking_correct: a closed booking entered in error. A status, not a flag, so every
        # count of completed escorts (the figures, the hours ledger) leaves it out without knowing of it.
        VOIDED = "voided", _("Voided (entered in error)")

    class Need(models.TextChoices):
        DEAF = "deaf", _("Deaf or hard of hearing")
        BLIND = "blind", _("Blind or low vision")
        OTHER = "other", _("Other")

    # The only legal status moves; the escort actions check every move against it.
    NEXT = {
        Status.BOOKED: {Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW},
    }
    ACTIVE = (Status.BOOKED, Status.COMPLETED)
    # What a correction may void: an escort recorded as given, or as not come.
    CORRECTABLE = (Status.COMPLETED, Status.NO_SHOW)

    person = models.ForeignKey(Person, models.PROTECT, related_name="escort_bookings", verbose_name=_("person"))
    # Copied from person.street, so the access filter is one indexed join.
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    category = category_when_served()
    slot = models.ForeignKey(EscortSlot, models.PROTECT, related_name="bookings", verbose_name=_("clinic session"))
    department = models.CharField(_("department"), max_length=60, blank=True, help_text=_("For example: ENT, eyes."))
    services = models.ManyToManyField(EscortService, related_name="+", verbose_name=_("services asked"))
    need = models.CharField(_("need"), max_length=8, choices=Need)
    volunteer = models.ForeignKey(
        Volunteer,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("volunteer"),
        help_text=_("Leave empty until a volunteer is assigned."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.BOOKED, editable=False)
    minutes = models.PositiveSmallIntegerField(_("minutes spent"), null=True, blank=True, editable=False)
    eligibility_override = models.CharField(
        _("eligibility exception"),
        max_length=200,
        blank=True,
        help_text=_("Only for a person outside the rules: why staff accept the booking."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical escort booking"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("clinic escort booking")
        verbose_name_plural = _("clinic escort bookings")
        ordering = ["-slot__starts_at", "-id"]
        permissions = [("override_escort_eligibility", _("Can book a person outside the escort rules"))]
        indexes = [
            models.Index(fields=["street", "status"], name="escort_street_status_idx"),
            models.Index(fields=["person", "status"], name="escort_person_status_idx"),
            # A volunteer's completed escorts of a year, read without the table (their minutes are in the index):
            # the suggestions on a booking's page, 200,000 persons: 160-175 ms -> 23-64 ms.
            models.Index(
                fields=["volunteer", "status", "slot"], include=["minutes"], name="escort_volunteer_status_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(minutes__isnull=False), name="escort_completed_has_minutes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot} {self.person.name}"

    @property
    def is_open(self) -> bool:
        """True while the booking may still move (EscortBooking.NEXT): a volunteer can be assigned or decline."""
        return bool(self.NEXT.get(self.status))

    def can_move_to(self, target: str) -> bool:
        return target in self.NEXT.get(self.status, ())

    def required_skills(self) -> set[str]:
        """ "signs" for a deaf patient or a signing request, "guides" for a blind patient or guiding."""
        codes = {s.code for s in self.services.all()}
        skills = set()
        if self.need == self.Need.DEAF or EscortService.SIGN_LANGUAGE in codes:
            skills.add("signs")
        if self.need == self.Need.BLIND or EscortService.GUIDING in codes:
            skills.add("guides")
        return skills


class EscortStatusChange(ImmutableModel):
    """Who moved a booking to which status, and when."""

    booking = models.ForeignKey(EscortBooking, models.PROTECT, related_name="changes", verbose_name=_("booking"))
    old = models.CharField(_("from"), max_length=12, choices=EscortBooking.Status, blank=True)
    new = models.CharField(_("to"), max_length=12, choices=EscortBooking.Status)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("escort status change")
        verbose_name_plural = _("escort status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.old} → {self.new}"


class VolunteerDecline(ImmutableModel):
    """A volunteer said no to an assignment; the booking went back to the queue."""

    booking = models.ForeignKey(EscortBooking, models.PROTECT, related_name="declines", verbose_name=_("booking"))
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="declines", verbose_name=_("volunteer"))
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("declined assignment")
        verbose_name_plural = _("declined assignments")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.volunteer} ✗ {self.booking_id}"


class Reminder(ImmutableModel):
    """A day-before reminder sent for a booking: to whom, how, and what it said."""

    class Recipient(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer")
        PATIENT = "patient", _("Patient or guardian")

    booking = models.ForeignKey(EscortBooking, models.PROTECT, related_name="reminders", verbose_name=_("booking"))
    recipient = models.CharField(_("to"), max_length=12, choices=Recipient)
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("sent to"), max_length=60, help_text=_("Phone or e-mail, masked."))
    message = models.TextField(_("message"))
    at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["booking", "recipient"], name="reminder_once_per_recipient")]

    def __str__(self) -> str:
        return f"{self.booking_id} → {self.get_recipient_display()}"
