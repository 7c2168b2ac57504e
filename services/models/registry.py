"""The registry: streets, users and their streets, people served, and the audit trails."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import in_english
from services.registry.expressions import birth_date_from_id, gender_from_id
from services.registry.identity import mask_number
from services.registry.scoping import StreetScopedQuerySet


class TimeStampedModel(models.Model):
    """Adds timezone-aware creation and update times."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)
    # Who django-simple-history names on the next history row; actions set it before saving. Declared
    # (not assigned) so type checkers know it, while an unset one still falls back to the request's user.
    _history_user: "User | None"

    class Meta:
        abstract = True


class User(AbstractUser):
    """A portal account; its roles are groups (see services.registry.roles)."""

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Street(TimeStampedModel):
    """One of Jing'an's 14 sub-districts (13 streets and Pengpu town)."""

    code = models.CharField(_("code"), max_length=9, unique=True, help_text=_("9-digit administrative code"))
    name_zh = models.CharField(_("Chinese name"), max_length=20, unique=True)
    name_en = models.CharField(_("English name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["code"]
        permissions = [("view_all_streets", _("Can see the records of every street"))]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_en if in_english() else self.name_zh


class StreetAssignment(TimeStampedModel):
    """Links a committee member to a street they work in; a member may have several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="street_assignments", verbose_name=_("user")
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="assignments", verbose_name=_("street"))

    class Meta:
        verbose_name = _("street assignment")
        verbose_name_plural = _("street assignments")
        constraints = [models.UniqueConstraint(fields=["user", "street"], name="street_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.street}"


class PersonQuerySet(StreetScopedQuerySet):
    """Persons; a record merged into another is left out of what a user sees (lists, searches, choices)."""

    def visible_to(self, user: "User", *, resolve_streets: bool = False) -> "StreetScopedQuerySet":
        return super().visible_to(user, resolve_streets=resolve_streets).filter(merged_into__isnull=True)

    def visible_with_merged_to(self, user: "User") -> "StreetScopedQuerySet":
        """Every person `user` may see, merged records included: a frozen report still lists whom it counted."""
        return super().visible_to(user)

    def merged_visible_to(self, user: "User") -> "StreetScopedQuerySet":
        """The merged records `user` may see: their page says where they went."""
        return super().visible_to(user).filter(merged_into__isnull=False)


class Household(TimeStampedModel):
    """A home (户): an address in a street and the persons of the registry who live there.

    Derived from the persons' addresses (services.registry.households), never typed: a person's household follows
    their street and address. A home retrofit belongs to the household, so two disabled members of one
    household make one retrofitted home.
    """

    street = models.ForeignKey(Street, models.PROTECT, related_name="households", verbose_name=_("street"))
    # Blank only for the household of one person whose address is not on record yet.
    address = models.CharField(_("address"), max_length=200, blank=True)

    street_lookup = "street"
    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["street", "address", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "address"], condition=~Q(address=""), name="household_one_per_address"
            ),
        ]

    def __str__(self) -> str:
        return self.address or _("household #%(number)d (no address on record)") % {"number": self.pk}


class Person(TimeStampedModel):
    """One person served by the federation (一人一档)."""

    class Category(models.IntegerChoices):
        # The national category digits, as printed in the certificate number.
        VISUAL = 1, _("visual")
        HEARING = 2, _("hearing")
        SPEECH = 3, _("speech")
        PHYSICAL = 4, _("physical")
        INTELLECTUAL = 5, _("intellectual")
        MENTAL = 6, _("mental")
        MULTIPLE = 7, _("multiple")

    class Grade(models.IntegerChoices):
        GRADE_1 = 1, _("grade 1 (most severe)")
        GRADE_2 = 2, _("grade 2")
        GRADE_3 = 3, _("grade 3")
        GRADE_4 = 4, _("grade 4 (least severe)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MOVED_OUT = "moved_out", _("Moved out")
        DECEASED = "deceased", _("Deceased")

    class ConsentBasis(models.TextChoices):
        PERSON = "person", _("Written consent of the person")
        GUARDIAN = "guardian", _("Written consent of the guardian")
        LEGAL_DUTY = "legal_duty", _("Required to perform a statutory duty")

    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        unique=True,
        help_text=_("18 characters; spaces, full-width digits and a lower-case x are corrected automatically."),
    )
    certificate_number = models.CharField(
        _("disability certificate number"),
        max_length=20,
        blank=True,
        help_text=_("20 characters: the ID number, then the category digit, then the grade digit."),
    )
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    category = models.PositiveSmallIntegerField(_("disability category"), choices=Category)
    grade = models.PositiveSmallIntegerField(_("disability grade"), choices=Grade)
    multiple_categories = models.CharField(
        _("categories included"),
        max_length=6,
        blank=True,
        help_text=_("Only for a multiple disability: the digits of the categories it includes, e.g. 24."),
    )
    # Derived by the database from the ID number, so they are never typed twice nor disagree.
    birth_date = models.GeneratedField(
        expression=birth_date_from_id("id_number"),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=_("birth date"),
    )
    gender = models.GeneratedField(
        expression=gender_from_id("id_number"),
        output_field=models.CharField(max_length=6, choices=Gender),
        db_persist=True,
        verbose_name=_("gender"),
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="persons", verbose_name=_("street"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Set from street and address by services.registry.households whenever they are written.
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="members",
        verbose_name=_("household"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    guardian_name = models.CharField(_("guardian's name"), max_length=50, blank=True)
    guardian_relation = models.CharField(
        _("guardian's relation"), max_length=20, blank=True, help_text=_("For example: mother, son, spouse.")
    )
    guardian_phone = models.CharField(_("guardian's phone"), max_length=20, blank=True)
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE)
    status_changed_on = models.DateField(
        _("status since"), null=True, blank=True, help_text=_("Required when the person moved out or died.")
    )
    consent_basis = models.CharField(_("basis for processing"), max_length=16, choices=ConsentBasis)
    consent_given_on = models.DateField(_("consent given on"))
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # A duplicate record is kept (never deleted) and points at the record its services moved to.
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_records",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged"), null=True, blank=True, editable=False)

    history = HistoricalRecords(
        verbose_name=_("historical person"),
        # Generated columns cannot be written, so the history keeps only what people typed.
        excluded_fields=["updated_at", "birth_date", "gender", "household"],
    )

    street_lookup = "street"
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["street", "name", "id"]
        permissions = [
            ("reveal_id_number", _("Can reveal full ID and certificate numbers")),
            ("merge_person", _("Can merge duplicate person records")),
        ]
        indexes = [
            models.Index(fields=["street", "name"], name="person_street_name_idx"),
            # The person list searched and filtered by street and category counts and pages from this index alone
            # (the name is matched in it); 200,000 persons: count 75-185 ms -> 1 ms, page 63-73 ms -> 16-19 ms.
            models.Index(
                fields=["street", "category", "name"],
                condition=Q(merged_into__isnull=True),
                name="person_street_cat_name_idx",
            ),
            models.Index(fields=["phone"], name="person_phone_idx"),
            models.Index(fields=["certificate_number"], name="person_certificate_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="person_certificate_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(status_changed_on__isnull=False),
                name="person_status_change_dated",
            ),
            models.CheckConstraint(condition=Q(category__gte=1, category__lte=7), name="person_category_range"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=4), name="person_grade_range"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True, merged_at__isnull=True)
                | Q(merged_at__isnull=False, merged_into__isnull=False) & ~Q(merged_into=F("pk")),
                name="person_merged_into_other",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id_number})"

    @property
    def masked_id_number(self) -> str:
        return mask_number(self.id_number)

    def has_category(self, category: int) -> bool:
        """True if the person's disability is, or (for a multiple one) includes, `category`."""
        return self.category == category or (
            self.category == self.Category.MULTIPLE and str(category) in self.multiple_categories
        )

    @property
    def gender_label(self) -> str:
        """The translated gender (generated fields get no get_FOO_display)."""
        return str(self.Gender(self.gender).label)

    @property
    def masked_certificate_number(self) -> str:
        return mask_number(self.certificate_number) if self.certificate_number else ""

    def clean(self) -> None:
        from services.registry.validation import person_errors

        errors = person_errors(
            id_number=self.id_number,
            certificate_number=self.certificate_number,
            category=self.category,
            grade=self.grade,
            multiple_categories=self.multiple_categories,
            status=self.status,
            status_changed_on=self.status_changed_on,
            consent_given_on=self.consent_given_on,
            certificate_valid_until=self.certificate_valid_until,
            phone=self.phone,
            guardian_phone=self.guardian_phone,
        )
        if errors:
            raise ValidationError(errors)

    def as_served(self) -> dict[str, int]:
        """The street and category a service record given to this person now keeps as its own.

        The action that creates a service record sets them, and nothing else does: correcting the
        record later leaves them, so a closed year does not move when the person is reassessed or moves.
        """
        return {"street_id": self.street_id, "category": self.category}


def category_when_served(*, null: bool = False) -> models.PositiveSmallIntegerField:
    """The field of a service record that keeps the person's disability category when the service was given.

    `null` for records that may have no registry person (a member of the public's registration).
    """
    return models.PositiveSmallIntegerField(
        _("disability category when served"),
        choices=Person.Category,
        null=null,
        blank=null,
        editable=False,
        help_text=_("The person's category when the service was given; a later reassessment does not change it."),
    )


class ImmutableQuerySet(models.QuerySet):
    """Rows of a log: no bulk change, no bulk delete; only the retention purge removes old rows."""

    def update(self, **kwargs):
        raise ValidationError(_("Log entries cannot be changed."), code="immutable")

    def delete(self):
        raise ValidationError(_("Log entries cannot be deleted."), code="immutable")

    def purge(self) -> int:
        """Delete these rows, for the retention purge only; returns how many.

        Log tables have no delete signals and nothing points at their rows, so Django deletes them
        in one DELETE ... WHERE, without loading them.
        """
        return super().delete()[0]


class ImmutableModel(models.Model):
    """A record that is written once and never changed or deleted through the portal."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Log entries cannot be changed."), code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Log entries cannot be deleted."), code="immutable")


class AccessLog(ImmutableModel):
    """Who opened a person's full record, revealed a number or exported persons, and when."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Opened the full record")
        REVEALED = "revealed", _("Revealed the full ID and certificate numbers")
        EXPORTED = "exported", _("Exported persons")

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("who"))
    action = models.CharField(_("what"), max_length=16, choices=Action)
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="access_logs", verbose_name=_("person")
    )
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="accesslog_person_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"


class AuditEntry(ImmutableModel):
    """One business action taken in the portal, by whom, on what (never holding ID numbers)."""

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    code = models.CharField(_("action"), max_length=80, help_text=_("A dotted code such as services.person.updated."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("who")
    )
    model = models.CharField(_("record type"), max_length=80)
    object_id = models.CharField(_("record id"), max_length=40)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.code} {self.model}#{self.object_id}"
