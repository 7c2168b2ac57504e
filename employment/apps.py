"""App configuration: adds courses, certificates and jobs to the person timeline and the field app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = _("Employment")

    def ready(self) -> None:
        from django.urls import reverse

        from services.registry import timeline
        from services.visits import extensions

        from .models import Enrollment, Placement, Referral
        from .timeline import employment_entries

        timeline.register(employment_entries)
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
        for need in ("training", "job"):
            extensions.register_need_action(
                need,
                extensions.NeedAction(
                    _("refer now"), lambda person, follow_up: reverse("field_employment:refer", args=[follow_up.pk])
                ),
            )
