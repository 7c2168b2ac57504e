"""RSS and Atom feeds of the events announced on the public site."""

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from core.i18n import localized

from .models import Event

FEED_ITEMS = 30


class EventFeed(Feed):
    """The latest published events, newest announcement first (summaries only)."""

    title = _("Jing'an District Disabled Persons' Federation: events")
    link = reverse_lazy("events:list")
    description = _("Culture and sports events, campaigns and trainings of the federation, open to the public.")

    def items(self):
        return (
            Event.objects.filter(is_published=True)
            .defer("description", "easy_read_text")
            .order_by("-created_at", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item: Event) -> str:
        prefix = f"[{_('Cancelled')}] " if item.is_cancelled else ""
        return f"{prefix}{localized(item, 'title')}"

    def item_description(self, item: Event) -> str:
        return localized(item, "summary")

    def item_link(self, item: Event) -> str:
        return reverse("events:detail", args=[item.slug])

    def item_pubdate(self, item: Event):
        return item.created_at

    def item_updateddate(self, item: Event):
        return item.updated_at

    def item_categories(self, item: Event):
        return [str(item.get_category_display())]


class EventAtomFeed(EventFeed):
    feed_type = Atom1Feed
    subtitle = EventFeed.description
