"""Searching persons by a whole ID or certificate number: a reveal, so allowed, logged and rate-limited.

An exact search confirms a guessed number, so it is a reveal like the button on the record page:
only roles holding `services.reveal_id_number` may do it, each one is written to the access log
naming the persons found (or none), and each user may do at most SEARCHES_PER_HOUR of them. Every
search box over persons (admin lists, autocompletes, the field app) goes through `number_search`.
"""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core import ratelimit
from core.admin_links import admin_links, link_for
from services.models import AccessLog, Person, User
from services.registry.access_log import access_log_record
from services.registry.identity import CERTIFICATE_LENGTH, ID_LENGTH, searched_number

REVEAL_PERMISSION = "services.reveal_id_number"
SEARCHES_PER_HOUR = 30
WINDOW_SECONDS = 60 * 60
# More persons than this for one number would be a data error; the log names the first ones.
LOGGED_MATCHES = 20


def number_search_refusal(user: User) -> str | None:
    """Why `user` may not search by number at all, or None."""
    if not user.has_perm(REVEAL_PERMISSION):
        return _(
            "A search by a whole ID or certificate number reveals the number, and your role may not "
            "reveal numbers. Search by name instead."
        )
    return None


def number_search(request: HttpRequest, queryset: QuerySet, term: str, *, where: str) -> QuerySet:
    """The persons of `queryset` holding the number in `term`, logged as revealed to the user.

    Refused (a message, and no persons whether the number exists or not) for a role that may not
    reveal, or past the hourly limit. `where` names the search box in the log. A term of 15 to 17
    or 19 characters matches nobody (numbers are matched whole): it finds nothing and, as the
    autocompletes send the term while it is typed, is neither logged nor counted.
    """
    refusal = number_search_refusal(request.user)
    number = searched_number(term)
    if refusal is None and len(number) not in {ID_LENGTH, CERTIFICATE_LENGTH}:
        return queryset.none()
    if (
        refusal is None
        and ratelimit.hit("number-search", str(request.user.pk), window=WINDOW_SECONDS) > SEARCHES_PER_HOUR
    ):
        refusal = _(
            "You have searched by ID or certificate number %(count)d times in the last hour, the most "
            "allowed. Search by name, or try again later."
        ) % {"count": SEARCHES_PER_HOUR}
    if refusal is not None:
        messages.error(request, refusal)
        return queryset.none()
    field = "certificate_number" if len(number) == CERTIFICATE_LENGTH else "id_number"
    found = queryset.filter(**{field: number})
    persons = list(found.order_by().select_related(None).only("pk")[:LOGGED_MATCHES])
    detail = f"search by number: {where}"
    for person in persons:
        access_log_record(user=request.user, action=AccessLog.Action.REVEALED, person=person, detail=detail)
    if not persons:
        access_log_record(user=request.user, action=AccessLog.Action.REVEALED, detail=f"{detail}; no match")
    return found


def holder_links(request: HttpRequest, holders: list[Person], *, where: str) -> dict[int, str]:
    """For persons found holding a number the user typed (a duplicate on a form or in an import), the address of
    each one's full record, by pk: only for a role that may reveal numbers, within the hourly limit, and for the
    persons the user may open in the admin; each link given is logged as a reveal. Otherwise nothing, so the
    page confirms no more than its message already says."""
    if not holders or number_search_refusal(request.user) is not None:
        return {}
    if ratelimit.hit("number-search", str(request.user.pk), window=WINDOW_SECONDS) > SEARCHES_PER_HOUR:
        return {}
    links = admin_links(request, holders)
    found = {}
    for person in holders:
        url = link_for(links, person)
        if url:
            access_log_record(
                user=request.user, action=AccessLog.Action.REVEALED, person=person, detail=f"duplicate number: {where}"
            )
            found[person.pk] = url
    return found
