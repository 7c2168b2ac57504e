"""Input taken from a request that is not a form: the one way to read a number, a year or text from it.

A malformed value is treated as absent (None), never passed on to the database: a number out of the
database's range, a year Python's dates cannot hold, text with a NUL character (PostgreSQL refuses it).
The middleware below answers 400 to any query string holding a NUL, before a view reads it.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# PostgreSQL's bigint; a primary key or a count beyond it cannot exist.
BIGINT_MAX = 2**63 - 1
# The years a page may be asked about (the annual reports' range, reports.models, is the same).
FIRST_YEAR = 2000
LAST_YEAR = 2100
YEAR_OUT_OF_RANGE = gettext_lazy("The year must be between %(first)s and %(last)s.")


def parse_int(raw: object, *, minimum: int = 1, maximum: int = BIGINT_MAX) -> int | None:
    """`raw` as a whole number in [minimum, maximum] (ASCII digits, optional minus), else None."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    digits = text.removeprefix("-")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_year(raw: object) -> int | None:
    """`raw` as a year from FIRST_YEAR to LAST_YEAR, else None."""
    return parse_int(str(raw) if isinstance(raw, int) else raw, minimum=FIRST_YEAR, maximum=LAST_YEAR)


def has_nul(request: HttpRequest) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


class RejectNulInQueryMiddleware:
    """A NUL in the query string is a 400 with a translated message, before any view (or the admin) reads it.

    No page has a use for it, and PostgreSQL refuses it in text, so letting it through would make each
    search box and list filter a server error. POSTed forms are left to their fields' own check
    (Django's CharField refuses NUL with a form error beside the field).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            return HttpResponseBadRequest(
                _("The address holds a character that is not allowed. Please check the link and try again."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
