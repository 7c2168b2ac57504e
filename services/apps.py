"""App configuration: syncs role permissions after every migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Registry and services")

    def ready(self) -> None:
        from services.registry.roles import sync_role_permissions

        # Permissions exist only after migrate has run for every app, so roles get theirs here.
        post_migrate.connect(sync_role_permissions, dispatch_uid="services.sync_role_permissions")
        self._register_rehabilitation()
        self._register_endings()
        self._register_escort_eligibility()
        self._register_applications()

    def _register_applications(self) -> None:
        """The field app's queue of online applications."""
        from services.visits import extensions

        extensions.register_nav(extensions.NavLink(_("Online applications"), "field_applications:list", "applications"))

    def _register_escort_eligibility(self) -> None:
        """The escort clinics' rule, shown in the field app and the admin before a booking is offered."""
        from services.escorts.actions import escort_ineligibility
        from services.registry import eligibility

        eligibility.register_eligibility(
            eligibility.EligibilityRule(
                "escort", _("Escort to hospital"), escort_ineligibility, models=("services.escortbooking",)
            )
        )

    def _register_endings(self) -> None:
        """What of a person's ends when they die or move out (services.registry.lifecycle); other apps add theirs."""
        from services.applications.actions import applications_end
        from services.escorts.actions import escort_bookings_end
        from services.registry import lifecycle
        from services.rehab.actions import rehab_referrals_end
        from services.visits.actions import follow_ups_end

        lifecycle.register_ending(lifecycle.Ending("services.escortbooking", escort_bookings_end))
        lifecycle.register_ending(lifecycle.Ending("services.followup", follow_ups_end))
        lifecycle.register_ending(lifecycle.Ending("services.rehabreferral", rehab_referrals_end))
        lifecycle.register_ending(lifecycle.Ending("services.application", applications_end))

    def _register_rehabilitation(self) -> None:
        """A visit's rehabilitation need refers the person to a centre; the person page shows their rehabilitation."""
        from django.urls import reverse

        from services.registry import timeline
        from services.rehab import selectors as rehab
        from services.visits import extensions

        timeline.register(rehab.timeline_entries)
        extensions.register_need_action(
            "rehabilitation",
            extensions.NeedAction(
                _("refer to a centre"), lambda person, follow_up: reverse("field:rehab_refer", args=[follow_up.pk])
            ),
        )
        extensions.register_person_panel(
            extensions.PersonPanel(
                "services/field/_person_rehab.html", lambda person, user: rehab.person_rehab_panel(person)
            )
        )
