"""Events the federation holds, who registered and came, and the awards its teams and athletes won."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.models import TimeStampedModel, category_when_served
from services.registry.scoping import StreetScopedQuerySet

from .validators import event_errors, validate_alt_text, validate_https_url, validate_slug_not_reserved

# The accessibility provisions an event can offer: (field name, label). Each is a boolean field of
# Event, so the public filter is an indexed equality test on any database.
PROVISIONS: list[tuple[str, object]] = [
    ("step_free", _("Step-free access")),
    ("accessible_toilet", _("Accessible toilet")),
    ("sign_language", _("Sign-language interpretation")),
    ("captions", _("Live captions")),
    ("hearing_loop", _("Hearing loop")),
    ("guide_dogs", _("Guide dogs welcome")),
    ("large_print", _("Large-print materials")),
    ("easy_read", _("Easy-read summary")),
]
PROVISION_NAMES = [name for name, _label in PROVISIONS]

# What a registrant may ask for: (field name, label).
NEEDS: list[tuple[str, object]] = [
    ("needs_interpreter", _("Sign-language interpreter")),
    ("needs_wheelchair_space", _("Wheelchair space")),
    ("needs_companion", _("Coming with a companion or carer")),
]


class Event(TimeStampedModel):
    """A culture, sports or other event the federation holds, shown on the public site when published."""

    class Category(models.TextChoices):
        CULTURE = "culture", _("Culture")
        SPORTS = "sports", _("Sports")
        ESPORTS = "esports", _("E-sports")
        PREVENTION = "prevention", _("Prevention campaign")
        TRAINING = "training", _("Training")
        PARTY_BUILDING = "party_building", _("Party building")
        VOLUNTEERING = "volunteering", _("Volunteering")

    # The outcome: whether the event took place, which is what the statistics count. It is not whether
    # the public site shows it (`is_published`): taking a past event off the site changes no figure.
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(
        _("title in English"),
        max_length=200,
        blank=True,
        help_text=_("Shown in English mode; leave empty to show the Chinese."),
    )
    slug = models.SlugField(
        _("web address"),
        max_length=80,
        unique=True,
        blank=True,
        validators=[validate_slug_not_reserved],
        help_text=_(
            "Latin letters, digits and hyphens for the page address, e.g. 2023-darts-open. "
            "Leave empty to make one from the title."
        ),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two plain sentences, shown in lists, feeds and search results."),
    )
    summary_en = models.CharField(
        _("summary in English"),
        max_length=300,
        blank=True,
        help_text=_("Shown in English mode; leave empty to show the Chinese."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Markdown: blank lines between paragraphs, **bold**, lists with -, links as [text](https://…)."),
    )
    easy_read_text = models.TextField(
        _("easy-read summary"),
        blank=True,
        help_text=_("Short sentences, one idea each. Required when the easy-read provision is ticked."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200)
    venue_en = models.CharField(
        _("venue in English"),
        max_length=200,
        blank=True,
        help_text=_("Shown in English mode; leave empty to show the Chinese."),
    )
    address = models.CharField(_("address"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=200, default="静安区残疾人联合会")
    step_free = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    sign_language = models.BooleanField(_("sign-language interpretation"), default=False)
    captions = models.BooleanField(_("live captions"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    guide_dogs = models.BooleanField(_("guide dogs welcome"), default=False)
    large_print = models.BooleanField(_("large-print materials"), default=False)
    easy_read = models.BooleanField(_("easy-read summary available"), default=False)
    sign_language_video_url = models.URLField(
        _("sign-language video"),
        blank=True,
        validators=[validate_https_url],
        help_text=_("An https link to a video introducing the event in sign language."),
    )
    performers = models.PositiveSmallIntegerField(
        _("disabled performers"),
        null=True,
        blank=True,
        help_text=_("For a performance of the federation's art troupe: how many disabled performers were on stage."),
    )
    capacity = models.PositiveIntegerField(
        _("places"), help_text=_("Registrations beyond this number go on the waiting list.")
    )
    takes_registrations = models.BooleanField(
        _("takes registrations"), default=True, help_text=_("Untick for events open to all without registering.")
    )
    registration_deadline = models.DateTimeField(
        _("registration deadline"),
        null=True,
        blank=True,
        help_text=_("Leave empty to take registrations until the event starts."),
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published events appear on the public site.")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status,
        default=Status.SCHEDULED,
        editable=False,
        help_text=_("Held or cancelled, recorded by staff; the statistics count held events, published or not."),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical event"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "id"]
        indexes = [
            models.Index(fields=["is_published", "starts_at"], name="event_published_start_idx"),
            models.Index(fields=["category", "starts_at"], name="event_category_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(registration_deadline__isnull=True) | Q(registration_deadline__lte=F("starts_at")),
                name="event_deadline_not_after_start",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(easy_read=False) | ~Q(easy_read_text=""), name="event_easy_read_has_text"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "held"], cancelled_at__isnull=True)
                | Q(status="cancelled", cancelled_at__isnull=False),
                name="event_cancelled_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d})"

    def clean(self) -> None:
        errors = event_errors(self)
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def closes_at(self):
        """When registration closes: the deadline, or the start."""
        return self.registration_deadline or self.starts_at

    def registration_open(self, now=None) -> bool:
        """Whether the public may register now (published, scheduled, taking registrations, before closing)."""
        now = now or timezone.now()
        return bool(self.is_published and not self.is_cancelled and self.takes_registrations and now < self.closes_at)

    @property
    def provisions(self) -> list[tuple[str, object]]:
        """The provisions this event offers, as (field name, label)."""
        return [(name, label) for name, label in PROVISIONS if getattr(self, name)]


def photo_path(photo: "EventPhoto", filename: str) -> str:
    # A random name: the uploader's file name may say who is in the photo.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"events/{timezone.localdate():%Y}/{uuid.uuid4().hex}.{extension}"


class EventPhoto(TimeStampedModel):
    """A photo of an event, with the text alternative that describes it to people who cannot see it."""

    event = models.ForeignKey(Event, models.CASCADE, related_name="photos", verbose_name=_("event"))
    image = models.ImageField(
        _("photo"),
        upload_to=photo_path,
        width_field="width",
        height_field="height",
        help_text=_("JPEG or PNG, at most 5 MB."),
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    alt_text = models.CharField(
        _("text alternative"),
        max_length=250,
        help_text=_("What the photo shows, for people who cannot see it, e.g. “Choir members singing on stage”."),
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(verbose_name=_("historical event photo"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=GreaterThan(Length(Trim("alt_text")), 0), name="event_photo_has_alt_text")
        ]

    def __str__(self) -> str:
        return self.alt_text

    def clean(self) -> None:
        try:
            self.alt_text = validate_alt_text(self.alt_text)
        except ValidationError as exc:
            raise ValidationError({"alt_text": exc.error_list}) from exc


class Registration(TimeStampedModel):
    """One registration for an event: a registry person entered by staff, or a member of the public."""

    class Source(models.TextChoices):
        PUBLIC = "public", _("Member of the public")
        REGISTRY = "registry", _("Registry person")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        PENDING = "pending", _("Not recorded")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Did not attend")

    event = models.ForeignKey(Event, models.PROTECT, related_name="registrations", verbose_name=_("event"))
    source = models.CharField(_("registered as"), max_length=16, choices=Source, editable=False)
    person = models.ForeignKey(
        "services.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("person"),
    )
    # Copied from person.street, so a committee member's filter is one indexed join; empty for the public.
    street = models.ForeignKey(
        "services.Street", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("street")
    )
    category = category_when_served(null=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    needs_interpreter = models.BooleanField(_("sign-language interpreter"), default=False)
    needs_wheelchair_space = models.BooleanField(_("wheelchair space"), default=False)
    needs_companion = models.BooleanField(_("companion or carer"), default=False)
    needs_other = models.CharField(_("other needs"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, editable=False)
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance, default=Attendance.PENDING, editable=False
    )
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True, editable=False)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("attendance recorded by"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("entered by"),
    )
    consented_at = models.DateTimeField(_("consent given"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    # SHA-256 of the registrant's cancel token; the token itself is only ever in their link.
    token_hash = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical registration"), excluded_fields=["updated_at", "token_hash"])

    # A registry person's registration belongs to the person's street; a public one (no street) only
    # to district staff.
    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "id"]
        indexes = [models.Index(fields=["event", "status", "created_at"], name="registration_event_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="public", person__isnull=True) & ~Q(name="") & ~Q(phone=""))
                | Q(source="registry", person__isnull=False, street__isnull=False, name="", phone=""),
                name="registration_public_or_person",
            ),
            # A registry person's registration keeps their category when they registered; a public one has none.
            models.CheckConstraint(
                condition=Q(person__isnull=True, category__isnull=True)
                | Q(person__isnull=False, category__isnull=False),
                name="registration_category_with_person",
            ),
            models.UniqueConstraint(
                fields=["event", "phone"],
                condition=~Q(status="cancelled") & ~Q(phone=""),
                name="registration_one_per_phone",
            ),
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=~Q(status="cancelled") & Q(person__isnull=False),
                name="registration_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["token_hash"], condition=~Q(token_hash=""), name="registration_token_unique"
            ),
            models.CheckConstraint(
                condition=Q(attendance="pending") | Q(status="confirmed"),
                name="registration_attendance_only_confirmed",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="registration_cancelled_dated",
            ),
        ]

    def __str__(self) -> str:
        return _("%(what)s: %(detail)s") % {"what": self.event.title, "detail": self.get_status_display()}

    @property
    def who(self) -> str:
        """The registrant's name (staff pages only: a public page never shows it)."""
        return self.person.name if self.person_id else self.name

    @property
    def needs(self) -> list[str]:
        """The accommodations asked for, as labels."""
        labels = [str(label) for name, label in NEEDS if getattr(self, name)]
        if self.needs_other:
            labels.append(self.needs_other)
        return labels


class Award(TimeStampedModel):
    """A place won by a Jing'an team or athlete, at one of the federation's events or a competition elsewhere."""

    class Kind(models.TextChoices):
        TEAM = "team", _("Team")
        PERSON = "person", _("Individual")

    class Place(models.TextChoices):
        FIRST = "first", _("First place (champion)")
        SECOND = "second", _("Second place")
        THIRD = "third", _("Third place")
        FOURTH = "fourth", _("Fourth place")
        FIFTH = "fifth", _("Fifth place")
        SIXTH = "sixth", _("Sixth place")
        GOLD = "gold", _("Gold medal")
        SILVER = "silver", _("Silver medal")
        BRONZE = "bronze", _("Bronze medal")
        FIRST_PRIZE = "first_prize", _("First prize")
        SECOND_PRIZE = "second_prize", _("Second prize")
        THIRD_PRIZE = "third_prize", _("Third prize")
        MERIT = "merit", _("Award of merit")

    competition = models.CharField(
        _("competition"),
        max_length=200,
        help_text=_("The competition and discipline, e.g. “13th Fitness Week, darts, individual”."),
    )
    event = models.ForeignKey(
        Event,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("event"),
        help_text=_("The federation's event where it was won; empty for a competition held by others."),
    )
    awarded_on = models.DateField(_("awarded on"))
    kind = models.CharField(_("won by"), max_length=8, choices=Kind)
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    person = models.ForeignKey(
        "services.Person", models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("person")
    )
    place = models.CharField(_("place"), max_length=16, choices=Place)

    history = HistoricalRecords(verbose_name=_("historical award"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_on", "id"]
        indexes = [models.Index(fields=["awarded_on"], name="award_awarded_on_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="team", person__isnull=True) & ~Q(team_name=""))
                | Q(kind="person", person__isnull=False, team_name=""),
                name="award_team_or_person",
            ),
        ]

    def __str__(self) -> str:
        return _("%(what)s: %(detail)s") % {"what": self.competition, "detail": self.get_place_display()}

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.kind == self.Kind.TEAM:
            if not self.team_name.strip():
                errors["team_name"] = ValidationError(_("Name the team."), code="required")
            if self.person_id:
                errors["person"] = ValidationError(_("A team award names no person."), code="team_person")
        elif self.kind == self.Kind.PERSON:
            if not self.person_id:
                errors["person"] = ValidationError(_("Choose the person who won."), code="required")
            if self.team_name:
                errors["team_name"] = ValidationError(_("An individual award names no team."), code="person_team")
        if self.event_id and self.awarded_on and self.awarded_on < timezone.localdate(self.event.starts_at):
            errors["awarded_on"] = ValidationError(_("An award cannot come before its event."), code="order")
        if errors:
            raise ValidationError(errors)

    @property
    def public_winner(self) -> str:
        """Who won, as the public site may say it: the team's name, never a person's."""
        return self.team_name if self.kind == self.Kind.TEAM else gettext("A Jing'an athlete")


# Prevention materials and quizzes live in their own module; imported here so they are this app's models.
from .party import ResearchTopic  # noqa: E402
from .prevention import PreventionMaterial, QuizCampaign  # noqa: E402

__all__ = ["Award", "Event", "EventPhoto", "PreventionMaterial", "QuizCampaign", "Registration", "ResearchTopic"]
