"""Template context of the field app: links other apps add to its navigation."""

from django.http import HttpRequest

from services.visits.extensions import nav_links


def field_nav(request: HttpRequest) -> dict[str, object]:
    return {"field_nav_links": nav_links}
