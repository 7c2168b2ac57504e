"""Admin forms of the employment app: input shape only; the rules are the actions' own rule functions."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import add_action_errors
from services.models import User

from . import actions
from .models import Course, Employer, Enrollment, Graduate, Placement, PlacementFollowUp, Referral
from .validation import normalise_credit_code


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "trade", "provider", "starts_on", "ends_on", "capacity", "place"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        add_action_errors(
            self, ValidationError(actions.course_errors(course=self.instance, capacity=cleaned.get("capacity")))
        )
        return cleaned


class EmployerForm(forms.ModelForm):
    # Wider than the stored 18 characters: spaces and full-width characters are removed when cleaned.
    credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=40,
        help_text=Employer._meta.get_field("credit_code").help_text,
    )

    class Meta:
        model = Employer
        fields = ["name", "credit_code", "contact_name", "contact_phone", "district", "counts_toward_quota"]

    def clean_credit_code(self) -> str:
        return normalise_credit_code(self.cleaned_data["credit_code"])


class EnrollmentAddForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ["person", "course"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        person, course = cleaned.get("person"), cleaned.get("course")
        if person is not None and course is not None:
            add_action_errors(self, ValidationError(actions.enrollment_errors(person=person, course=course)))
        return cleaned


CERTIFICATE_FIELDS = ["certificate_level", "certificate_number", "certificate_issuer", "certificate_issued_on"]


class CertificateForm(forms.ModelForm):
    """Record the certificate of a completed enrolment; all fields blank records nothing."""

    class Meta:
        model = Enrollment
        fields = CERTIFICATE_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if any(cleaned.get(name) for name in CERTIFICATE_FIELDS):
            add_action_errors(
                self,
                ValidationError(
                    actions.certificate_errors(
                        enrollment=self.instance,
                        level=cleaned.get("certificate_level") or "",
                        issuer=cleaned.get("certificate_issuer") or "",
                        issued_on=cleaned.get("certificate_issued_on"),
                        today=timezone.localdate(),
                    ),
                ),
            )
        return cleaned


class PlacementAddForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = [
            "person",
            "employer",
            "job_title",
            "started_on",
            "contract_type",
            "recommended",
            "new_graduate",
            "graduation_year",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        person, started_on = cleaned.get("person"), cleaned.get("started_on")
        if person is not None and started_on is not None:
            errors = actions.placement_errors(
                person=person,
                started_on=started_on,
                new_graduate=bool(cleaned.get("new_graduate")),
                graduation_year=cleaned.get("graduation_year"),
            )
            add_action_errors(self, ValidationError(errors))
        return cleaned


class PlacementEndForm(forms.ModelForm):
    """End a placement: both fields, or neither to change nothing."""

    class Meta:
        model = Placement
        fields = ["ended_on", "end_reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ended_on, reason = cleaned.get("ended_on"), cleaned.get("end_reason") or ""
        if ended_on or reason:
            # The form copies the new values onto the instance only after clean(): it is still the stored one.
            add_action_errors(
                self,
                ValidationError(
                    actions.placement_end_errors(
                        placement=self.instance, ended_on=ended_on, reason=reason, today=timezone.localdate()
                    ),
                ),
            )
        return cleaned


YES_NO = [("yes", _("Yes, still employed")), ("no", _("No longer employed"))]


class FollowUpRecordForm(forms.ModelForm):
    answer = forms.ChoiceField(label=_("still employed"), choices=YES_NO, widget=forms.RadioSelect)

    class Meta:
        model = PlacementFollowUp
        fields = ["note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("answer"):
            cleaned["still_employed"] = cleaned["answer"] == "yes"
            today = timezone.localdate()
            add_action_errors(
                self,
                ValidationError(
                    actions.follow_up_errors(
                        follow_up=self.instance,
                        still_employed=cleaned["still_employed"],
                        recorded_on=today,
                        today=today,
                    ),
                ),
            )
        return cleaned


class GraduateForm(forms.ModelForm):
    class Meta:
        model = Graduate
        fields = ["person", "graduation_year", "school", "major"]


class ReferralAddForm(forms.ModelForm):
    user: User | None = None  # set by the admin's get_form, for the rules that depend on who refers

    class Meta:
        model = Referral
        fields = ["follow_up", "kind", "course", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        follow_up, kind = cleaned.get("follow_up"), cleaned.get("kind")
        if follow_up is not None and kind:
            add_action_errors(
                self,
                ValidationError(
                    actions.referral_errors(
                        follow_up=follow_up,
                        kind=kind,
                        course=cleaned.get("course"),
                        by=self.user,
                        today=timezone.localdate(),
                    ),
                ),
            )
        return cleaned
