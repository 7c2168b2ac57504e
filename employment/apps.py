"""App configuration: adds courses, certificates and jobs to the person timeline and the field app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = _("Employment")

    def ready(self) -> None:
        from django.urls import reverse

        from services.registry import eligibility, lifecycle, timeline
        from services.visits import extensions

        from .actions.placements import placements_end
        from .actions.referrals import referrals_end
        from .actions.training import enrollments_end
        from .models import Enrollment, Placement, Referral
        from .timeline import employment_entries
        from .validation import working_age_refusal

        timeline.register(employment_entries)
        # A person who died or moved out: courses dropped, referrals closed, a job ended by death.
        lifecycle.register_ending(lifecycle.Ending("employment.enrollment", enrollments_end))
        lifecycle.register_ending(lifecycle.Ending("employment.referral", referrals_end))
        lifecycle.register_ending(lifecycle.Ending("employment.placement", placements_end))
        extensions.register_person_panel(
            extensions.PersonPanel(
                "employment/field/_person_employment.html",
                lambda person, user: {
                    "enrollments": Enrollment.objects.filter(person=person).select_related("course")[:5],
                    "placements": Placement.objects.filter(person=person).order_by("-started_on")[:5],
                    "referrals": Referral.objects.filter(person=person).order_by("-pk")[:5],
                },
            )
        )
        # Courses and jobs are for people of working age: shown before a referral is offered (the same rule refuses).
        eligibility.register_eligibility(
            eligibility.EligibilityRule(
                "training", _("Skills training"), working_age_refusal, models=("employment.enrollment",)
            )
        )
        eligibility.register_eligibility(
            eligibility.EligibilityRule("job", _("Job"), working_age_refusal, models=("employment.placement",))
        )
        for need in ("training", "job"):
            extensions.register_need_action(
                need,
                extensions.NeedAction(
                    _("refer now"), lambda person, follow_up: reverse("field_employment:refer", args=[follow_up.pk])
                ),
            )
