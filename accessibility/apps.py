"""App configuration: adds retrofits to the person's timeline and to the field app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessibilityConfig(AppConfig):
    name = "accessibility"
    verbose_name = _("Accessibility")

    def ready(self) -> None:
        from django.urls import reverse

        from services.registry import eligibility, lifecycle, timeline
        from services.visits import extensions

        from .actions.workflow import retrofit_refusal, retrofits_end
        from .selectors import retrofits_for_person
        from .timeline import person_entries

        timeline.register(person_entries)
        # A person who died or moved out: applications not yet in works are withdrawn.
        lifecycle.register_ending(lifecycle.Ending("accessibility.retrofit", retrofits_end))
        extensions.register_nav(extensions.NavLink(_("Home retrofits"), "field_retrofits:list", "retrofits"))
        extensions.register_person_panel(
            extensions.PersonPanel(
                "accessibility/field/_person_retrofits.html",
                lambda person, user: {"retrofits": retrofits_for_person(person)},
            )
        )
        # The field app and the admin show who may apply before anything is offered (the same rule refuses).
        eligibility.register_eligibility(
            eligibility.EligibilityRule(
                "retrofit", _("Home retrofit"), retrofit_refusal, models=("accessibility.retrofit",), queries=True
            )
        )
        extensions.register_need_action(
            "retrofit",
            extensions.NeedAction(
                _("start an application"),
                lambda person, follow_up: (
                    f"{reverse('field_retrofits:apply', args=[person.pk])}?follow_up={follow_up.pk}"
                ),
            ),
        )
