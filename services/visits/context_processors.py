"""Template context of the field app: links other apps add to its navigation, and whether a page is the app's."""

from django.http import HttpRequest
from django.urls import reverse

from services.visits.extensions import nav_links


def field_nav(request: HttpRequest) -> dict[str, object]:
    # Whether the page is one of the field app's, which its service worker may keep for use offline.
    return {"field_nav_links": nav_links, "in_field_app": request.path.startswith(reverse("field:home"))}
