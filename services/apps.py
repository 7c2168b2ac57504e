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
