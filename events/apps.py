"""App configuration: puts event registrations and awards on the person's timeline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from services.registry import timeline
        from services.visits import extensions

        from .timeline import person_entries

        timeline.register(person_entries)
        extensions.register_nav(extensions.NavLink(_("Events"), "field_events:list", "events"))
