"""Template context shared by every page: the reader's display preference."""

from django.http import HttpRequest

DISPLAY_COOKIE = "display"
DISPLAY_CHOICES = ("standard", "large")


def display_mode(request: HttpRequest) -> str:
    """The reader's chosen display: "large" (large text, high contrast) or "standard"."""
    value = request.COOKIES.get(DISPLAY_COOKIE, "standard")
    return value if value in DISPLAY_CHOICES else "standard"


def display(request: HttpRequest) -> dict[str, object]:
    return {"display_mode": display_mode(request)}
