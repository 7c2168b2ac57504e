"""The annual report's numbers: every figure of the registry for a year, with plan and percentages."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .figures import FIGURES, counted
from .models import AnnualPlan
from .tally import Counted


def percent(part: int, whole: int | None) -> int | None:
    """`part` as a whole percentage of `whole`, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plans_for(year: int) -> dict[str, int]:
    """The approved targets for `year`, by figure key (one query); a draft is no fact to compare with."""
    approved = AnnualPlan.objects.filter(year=year, status=AnnualPlan.Status.APPROVED)
    return dict(approved.values_list("figure", "target"))


def figure_entry(counted: Counted, plan: int | None) -> dict[str, Any]:
    """One figure as the report stores it: value, breakdowns, plan and percentages of plan."""
    return {
        "value": counted.value,
        "breakdowns": counted.breakdowns,
        "plan": plan,
        "percent_of_plan": percent(counted.value, plan),
        "above_plan": None if plan is None else percent(counted.value - plan, plan),
    }


def annual_figures(year: int) -> dict[str, dict[str, Any]]:
    """Every figure of the registry for `year` with its plan, in two queries (no progress, no storing)."""
    plans = plans_for(year)
    values = counted(year)
    return {figure.key: figure_entry(values[figure.key], plans.get(figure.key)) for figure in FIGURES}
