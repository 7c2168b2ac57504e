"""Pagination that counts a long list only as far as it needs: a page costs the same at any size of the registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from core.input import parse_int

if TYPE_CHECKING:
    _Paginator = Paginator[Any]  # django-stubs makes Paginator generic; Django's class takes no subscript
else:
    _Paginator = Paginator

COUNT_BOUND = 1000  # rows counted at most on the first pages; past it a list says "more than 1,000"


MAX_PAGE = 100_000  # further than anyone pages by hand; a larger number would overflow the query's LIMIT


def page_number(value: Any) -> int:
    """The page asked for in the address, 1 for anything that is not a whole number from 1 to MAX_PAGE."""
    return parse_int(value if isinstance(value, str) else str(value), maximum=MAX_PAGE) or 1


class BoundedCountPaginator(_Paginator):
    """Counts the rows of a list up to `bound`, or up to the page after the one asked for when that is further.

    A full COUNT of a list of a million reads every row that matches; counting stops here at the bound, so the
    first pages of any list, searched or not, cost about what they cost on a small registry. Past the bound
    `more_than` holds the number counted and the pages say "more than N"; the last page counted is full and
    links on, so every row stays reachable page by page.
    """

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        wanted_page: Any = 1,
        bound: int = COUNT_BOUND,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.queryset = object_list
        self.limit = max(bound, int(self.per_page) * (page_number(wanted_page) + 1))

    @cached_property
    def count(self) -> int:
        """The rows counted: all of them, or `limit` + 1 when there are more."""
        # Unordered, and only the key: a sliced query keeps its order (PostgreSQL would sort every matching row
        # before counting) and its annotations (a subquery per row counted).
        return self.queryset.order_by().values("pk")[: self.limit + 1].count()

    @cached_property
    def more_than(self) -> int | None:
        """`limit` when the list holds more rows than were counted, else None (the count is exact)."""
        return self.limit if self.count > self.limit else None

    def page(self, number: Any) -> Page[Any]:
        """The page `number`, always a full page's rows: the last page counted may hold more than the count says."""
        number = self.validate_number(number)
        if self.more_than is None:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        return Page(self.queryset[bottom : bottom + self.per_page], number, self)


def page_links(page_obj: Page[Any], around: int = 2) -> list[int | None]:
    """The page numbers to link: the first, the last and `around` either side of the current; None for a gap."""
    last = page_obj.paginator.num_pages
    wanted = sorted({1, last, *range(max(1, page_obj.number - around), min(last, page_obj.number + around) + 1)})
    links: list[int | None] = []
    for number in wanted:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links
