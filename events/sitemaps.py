"""/sitemap.xml: the public pages and every published event."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Event


class PublicPagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        return [
            "home",
            "events:list",
            "events:past",
            "accessibility_statement",
            "places:list",
            "open_data",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class EventSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 5000

    def items(self):
        return Event.objects.filter(is_published=True).only("slug", "updated_at").order_by("-starts_at", "id")

    def location(self, item: Event) -> str:
        return reverse("events:detail", args=[item.slug])

    def lastmod(self, item: Event):
        return item.updated_at


SITEMAPS = {"pages": PublicPagesSitemap, "events": EventSitemap}
