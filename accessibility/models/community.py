"""Ramp retrofits on old compounds, sign-language video points, and assistive devices issued."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.models import TimeStampedModel, category_when_served
from services.registry.scoping import StreetScopedQuerySet

HOURS_HELP = _("As the public should read them, e.g. Mon–Fri 9:00–17:00.")
ENGLISH_HELP = _("Shown in English mode; leave empty to show the Chinese.")
ACCESS_NOTES_HELP = _(
    "What a visitor in a wheelchair, a blind or a deaf visitor should know, e.g. the entrance to use. "
    "Never a person's name or phone."
)


class PublicPlaceFields(models.Model):
    """What the public directory of accessible places shows of a place, beside its name, kind and street."""

    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True, help_text=HOURS_HELP)
    opening_hours_en = models.CharField(
        _("opening hours in English"), max_length=200, blank=True, help_text=ENGLISH_HELP
    )
    access_notes = models.CharField(_("access notes"), max_length=300, blank=True, help_text=ACCESS_NOTES_HELP)
    access_notes_en = models.CharField(_("access notes in English"), max_length=300, blank=True, help_text=ENGLISH_HELP)

    class Meta:
        abstract = True


class RampRetrofit(PublicPlaceFields, TimeStampedModel):
    """A ramp built on a passage of an old residential compound."""

    street = models.ForeignKey("services.Street", models.PROTECT, related_name="+", verbose_name=_("street"))
    compound = models.CharField(_("residential compound"), max_length=100, help_text=_("For example: 彭浦新村."))
    passage = models.CharField(_("passage"), max_length=100, help_text=_("For example: 12号楼入口."))
    completed_on = models.DateField(_("completed on"))
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("Internal; never shown to the public."))
    # A ramp inside a gated compound is of no use to a visitor; staff mark the ones anyone can reach.
    public = models.BooleanField(
        _("listed in the public directory"),
        default=False,
        help_text=_("Tick when anyone may use this passage; the directory then shows it with its address."),
    )

    history = HistoricalRecords(verbose_name=_("historical ramp retrofit"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("ramp retrofit")
        verbose_name_plural = _("ramp retrofits")
        ordering = ["-completed_on", "street", "compound", "passage"]
        indexes = [
            models.Index(fields=["completed_on", "street"], name="ramp_completed_street_idx"),
            models.Index(fields=["street"], condition=Q(public=True), name="ramp_public_street_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "compound", "passage"],
                name="ramp_passage_once",
                violation_error_message=_("This passage already has a ramp on record."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.passage}"


class SignLanguagePoint(PublicPlaceFields, TimeStampedModel):
    """A public service counter with a remote sign-language interpreter on video."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE_HALL = "administrative_hall", _("Administrative service hall")
        MARRIAGE_REGISTRY = "marriage_registry", _("Marriage registry")
        LEGAL_SERVICE = "legal_service", _("Legal service centre")
        HOSPITAL = "hospital", _("District hospital")
        STREET_COUNTER = "street_counter", _("Street service counter")
        HEALTH_CENTRE = "health_centre", _("Community health centre")
        OTHER = "other", _("Other")

    venue = models.CharField(_("venue"), max_length=100, unique=True)
    kind = models.CharField(_("kind of venue"), max_length=24, choices=Kind)
    street = models.ForeignKey("services.Street", models.PROTECT, related_name="+", verbose_name=_("street"))
    in_service_from = models.DateField(_("in service from"))
    in_service_to = models.DateField(
        _("in service until"), null=True, blank=True, help_text=_("The last day of service; empty while it runs.")
    )

    history = HistoricalRecords(verbose_name=_("historical sign-language point"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("sign-language video point")
        verbose_name_plural = _("sign-language video points")
        ordering = ["street", "venue"]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_service_to__isnull=True) | Q(in_service_to__gte=F("in_service_from")),
                name="sign_point_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.venue


class DeviceType(models.TextChoices):
    """Kinds of assistive device the federation issues."""

    SMART_WRISTBAND = "smart_wristband", _("Smart wristband")
    HEARING_AID = "hearing_aid", _("Hearing aid")
    WHEELCHAIR = "wheelchair", _("Wheelchair")
    WHITE_CANE = "white_cane", _("White cane")
    MAGNIFIER = "magnifier", _("Electronic magnifier")
    OTHER = "other", _("Other")


class DeviceIssue(TimeStampedModel):
    """An assistive device issued to a person, and its return."""

    DeviceType = DeviceType

    person = models.ForeignKey("services.Person", models.PROTECT, related_name="devices", verbose_name=_("person"))
    # Copied from person.street when issued, so scoping is one indexed join.
    street = models.ForeignKey("services.Street", models.PROTECT, related_name="+", verbose_name=_("street"))
    category = category_when_served()
    device_type = models.CharField(_("device type"), max_length=20, choices=DeviceType)
    serial_number = models.CharField(_("serial number"), max_length=40, blank=True)
    issued_on = models.DateField(_("issued on"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("historical device issue"), excluded_fields=["updated_at"])
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("device issued")
        verbose_name_plural = _("devices issued")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["issued_on", "device_type"], name="device_issued_type_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("issued_on")),
                name="device_returned_after_issue",
            ),
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=~Q(serial_number=""),
                name="device_serial_unique",
                violation_error_message=_("Another device has this serial number."),
            ),
            models.UniqueConstraint(
                fields=["person", "device_type"],
                condition=Q(returned_on__isnull=True),
                name="device_one_unreturned_per_type",
                violation_error_message=_("This person already has an unreturned device of this type."),
            ),
            models.CheckConstraint(condition=Q(device_type__in=DeviceType.values), name="device_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_device_type_display()} → {self.person.name} ({self.issued_on})"
