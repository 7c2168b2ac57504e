"""Reads of the reports app: which report to show, its rows, sentences, comparisons and drill-downs."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext, pgettext

from employment import stats as employment_stats
from employment.validation import working_age_counted
from events import stats as event_stats
from services.models import Correction, Street, User

from .disclosure import suppress
from .figures import BY_KEY, FIGURES, Figure, breakdown_name, key_labels, search_fields, street_lookup
from .models import AnnualReport, FrozenRecord
from .stats import percent


@dataclass(frozen=True)
class CountingRule:
    """A counting rule that is a policy choice: what it decides, its value now and the setting that holds it."""

    label: str
    value: str
    setting: str


def counting_rules() -> list[CountingRule]:
    """The report's policy-choice rules as set now (settings), in the active language."""
    youngest, men_oldest = working_age_counted("male")
    women_oldest = working_age_counted("female")[1]
    days = settings.PLACEMENT_MIN_DAYS
    return [
        CountingRule(
            gettext("Working age of women counted as trained"),
            gettext("%(youngest)d to %(oldest)d") % {"youngest": youngest, "oldest": women_oldest},
            "WORKING_AGE_WOMEN_OLDEST",
        ),
        CountingRule(
            gettext("Working age of men counted as trained"),
            gettext("%(youngest)d to %(oldest)d") % {"youngest": youngest, "oldest": men_oldest},
            "",
        ),
        CountingRule(
            gettext("Least duration of a placement counted as placed"),
            ngettext("%(days)d day", "%(days)d days", days) % {"days": days},
            "PLACEMENT_MIN_DAYS",
        ),
    ]


def latest_report(year: int) -> AnnualReport | None:
    """The most recent finished run for `year`."""
    return (
        AnnualReport.objects.filter(year=year, status=AnnualReport.Status.DONE)
        .select_related("frozen_by")
        .order_by("-generated_at", "-id")
        .first()
    )


def official_report(year: int) -> AnnualReport | None:
    """The frozen (official) report for `year`."""
    return AnnualReport.objects.filter(year=year, frozen_at__isnull=False).first()


def active_report(year: int) -> AnnualReport | None:
    """The run under way for `year`, if any."""
    return AnnualReport.objects.filter(year=year, status__in=AnnualReport.ACTIVE).first()


def public_report(year: int) -> AnnualReport | None:
    """What the public sees for `year`: the official report, or else the latest finished run."""
    return official_report(year) or latest_report(year)


def published_years() -> list[tuple[int, Any]]:
    """The years whose report is frozen (the official ones: what open data publishes), latest first, with when."""
    return list(AnnualReport.objects.filter(frozen_at__isnull=False).order_by("-year").values_list("year", "frozen_at"))


def report_years() -> list[int]:
    return list(AnnualReport.objects.order_by("-year").values_list("year", flat=True).distinct())


def report_history(year: int) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(year=year).select_related("requested_by", "frozen_by").order_by("-created_at")


def public_figures(report: AnnualReport) -> dict[str, dict[str, Any]]:
    """The report's figures as every public output shows them: each breakdown through `disclosure.suppress`
    (hidden counts None, a breakdown that cannot be shown safely empty)."""
    return {
        key: {**entry, "breakdowns": {name: suppress(counts) for name, counts in entry["breakdowns"].items()}}
        for key, entry in report.figures.items()
    }


def hidden_mark() -> str:
    """How a hidden count reads on public pages, in the active language."""
    return pgettext("suppressed count", "hidden")


def sentence(figure: Figure, report: AnnualReport) -> str:
    """The figure as a sentence in the active language, from the registry's template and the stored numbers."""
    return _sentence(figure, report.figures)


def _sentence(figure: Figure, entries: dict[str, dict[str, Any]]) -> str:
    """The sentence of `figure` from `entries` (the stored figures, or `public_figures`)."""
    template = str(figure.sentence)
    entry = entries.get(figure.key)
    if not template or entry is None:
        return ""
    values = defaultdict(int, {key: e["value"] for key, e in entries.items()})
    # A key a breakdown leaves out counted nothing (0), unless the whole breakdown was withheld (public_figures
    # empties one that cannot be shown safely): then every count of it reads as hidden, never as 0.
    breakdowns = {
        name: defaultdict(
            (lambda: hidden_mark()) if not counts and entry["value"] else int,
            {key: hidden_mark() if n is None else n for key, n in counts.items()},
        )
        for name, counts in entry["breakdowns"].items()
    }
    share = percent(entry["value"], values[figure.share_of]) if figure.share_of else None
    vs_plan = (
        plan_clause(entry["value"], entry["plan"], entry["percent_of_plan"], entry["above_plan"])
        if entry["plan"]
        else ""
    )
    context = {
        "vs_plan": vs_plan,
        "value": entry["value"],
        "unit": str(figure.unit),
        "plan": entry["plan"],
        "percent": entry["percent_of_plan"],
        "above": entry["above_plan"],
        "share": share,
        "f": values,
        "b": defaultdict(lambda: defaultdict(int), breakdowns),
    }
    text = template.format_map(context)
    # The plan is the figure's own: appended only when the template does not place it after its value.
    return text if "{vs_plan}" in template else text + vs_plan


def plan_clause(value: int, plan: int, percent_of_plan: int, above: int) -> str:
    """How the value compares with the plan, as a clause appended to the figure's sentence."""
    if value > plan:
        return gettext(", %(above)s%% above plan") % {"above": above}
    if value == plan:
        return gettext(", on plan")
    return gettext(", %(percent)s%% of plan") % {"percent": percent_of_plan}


def summary(report: AnnualReport) -> list[str]:
    """The report's summary: one sentence per figure that has a template, in registry order."""
    return [s for s in (sentence(f, report) for f in FIGURES) if s]


@dataclass
class Bar:
    key: str
    label: str
    value: int | None  # None: hidden from the public (reports.disclosure)
    shown: str  # the value as displayed
    width: float  # percentage of the longest bar


@dataclass
class BreakdownView:
    name: str
    title: str
    bars: list[Bar]


@dataclass
class FigureRow:
    figure: Figure
    value: int
    plan: int | None
    percent_of_plan: int | None
    above_plan: int | None
    sentence: str
    previous: int | None = None
    change: int | None = None
    change_percent: int | None = None
    official: int | None = None
    official_change: int | None = None
    breakdowns: list[BreakdownView] = field(default_factory=list)


def breakdown_view(name: str, counts: dict[str, int | None], labels: dict[str, str]) -> BreakdownView:
    """Bars for one breakdown, largest first; counts hidden from the public (None) come last, in key order
    and without a bar, so neither their place nor their length tells their size."""
    shown = sorted(((key, n) for key, n in counts.items() if n is not None), key=lambda kv: (-kv[1], kv[0]))
    hidden = sorted((key, n) for key, n in counts.items() if n is None)
    top = max([n for _key, n in shown] or [1])
    bars = [
        Bar(
            key=key,
            label=labels.get(key, key),
            value=n,
            shown=hidden_mark() if n is None else str(n),
            width=0.0 if n is None else round(100 * n / top, 1),
        )
        for key, n in [*shown, *hidden]
    ]
    return BreakdownView(name=name, title=breakdown_name(name), bars=bars)


def report_rows(
    report: AnnualReport,
    *,
    previous: AnnualReport | None = None,
    official: AnnualReport | None = None,
    public: bool = False,
) -> list[FigureRow]:
    """The report's figures in registry order, with breakdowns as bars, compared with the previous year's
    report and (when `report` is not itself the official one) with the official report of its year.
    `public`: the figures as the public sees them (`public_figures`)."""
    entries = public_figures(report) if public else report.figures
    names = {name for entry in entries.values() for name in entry["breakdowns"]}
    labels = key_labels(names)
    rows = []
    for figure in FIGURES:
        entry = entries.get(figure.key)
        if entry is None:
            continue  # a figure added to the registry after this report was computed
        row = FigureRow(
            figure=figure,
            value=entry["value"],
            plan=entry["plan"],
            percent_of_plan=entry["percent_of_plan"],
            above_plan=entry["above_plan"],
            sentence=_sentence(figure, entries),
            breakdowns=[
                breakdown_view(name, counts, labels.get(name, {}))
                for name, counts in entry["breakdowns"].items()
                if counts
            ],
        )
        if previous is not None and figure.key in previous.figures:
            row.previous = previous.figures[figure.key]["value"]
            row.change = row.value - row.previous
            row.change_percent = percent(row.change, row.previous)
        if official is not None and official.pk != report.pk and figure.key in official.figures:
            row.official = official.figures[figure.key]["value"]
            row.official_change = row.value - row.official
        rows.append(row)
    return rows


def published_rows(report: AnnualReport) -> list[FigureRow]:
    """The report as every public output shows it (the public page, its CSV and JSON): its figures in registry
    order with their breakdowns through `public_figures`, so small counts are hidden in one place."""
    return report_rows(report, public=True)


def keeps_records(report: AnnualReport | None, figure: Figure) -> bool:
    """Whether `report` kept the rows behind `figure` when it was frozen (its drill-down lists those)."""
    return report is not None and report.records_kept and figure.key in report.figures


def drilldown_records(figure: Figure, year: int, user: User, report: AnnualReport | None = None) -> QuerySet[Any]:
    """The rows behind `figure` for `year` (as many as it counts), narrowed to what `user` may see, in a
    stable order: those kept when `report` was frozen, else those counted now."""
    records = figure.drilldown(year)
    frozen = keeps_records(report, figure)
    if frozen:
        kept = FrozenRecord.objects.filter(report=report, figure=figure.key).values("record_id")
        records = records.model._default_manager.filter(pk__in=kept)
    if hasattr(records, "visible_to"):
        # What was frozen stays listed, a person since merged into another record included.
        records = (
            getattr(records, "visible_with_merged_to", records.visible_to)(user) if frozen else records.visible_to(user)
        )
    if figure.select_related:
        records = records.select_related(*figure.select_related)
    return records.order_by("pk")


def drilldown_filtered(records: QuerySet[Any], *, street: Street | None, search: str) -> QuerySet[Any]:
    """`records` of one street (when given and its rows have streets) whose names or titles contain `search`
    (figures.SEARCH_FIELDS: never an ID number)."""
    lookup = street_lookup(records.model)
    if street is not None and lookup is not None:
        records = records.filter(**{lookup: street.code})
    if search:
        condition = Q()
        for name in search_fields(records.model):
            condition |= Q(**{f"{name}__icontains": search})
        records = records.filter(condition)
    return records


def drilldown_total(figure: Figure, records: QuerySet[Any]) -> int | None:
    """For a figure that sums a field of its rows (quiz participants), that field summed over `records`."""
    if not figure.tally.total:
        return None
    return records.aggregate(n=Coalesce(Sum(figure.tally.total), 0))["n"]


def figure_rows(figure: Figure, records: Any) -> list[list[Any]]:
    """The drill-down table's cells for a page of records (already loaded, no queries)."""
    return [[column.value(record) for column in figure.columns] for record in records]


def changed_figures(report: AnnualReport, official: AnnualReport | None) -> list[tuple[Figure, Any, Any]]:
    """Figures whose value differs between `report` and the official report: (figure, official, now)."""
    if official is None or official.pk == report.pk:
        return []
    changes = []
    for figure in FIGURES:
        old = official.figures.get(figure.key, {}).get("value")
        new = report.figures.get(figure.key, {}).get("value")
        if old != new:
            changes.append((figure, old, new))
    return changes


@dataclass(frozen=True)
class CorrectionLine:
    """One correction made after the year's report was frozen, and how it moved one figure of that year."""

    correction: Correction
    figure: Figure
    value: int  # how the figure's value moved (0 when only a breakdown did: a type corrected)
    text: str  # "-1 Escort clinic person-visits: clinic escort booking 3412 voided by Zhang San: entered twice"


def _moved(figure: Figure, effect: dict[str, Any], labels: dict[str, dict[str, str]]) -> str:
    """How a correction moved `figure`: its value ("-1 Home retrofits"), or else its breakdowns
    ("Home retrofits, by retrofit type: Standard type -1, Basic type +1")."""
    if effect["value"]:
        return f"{effect['value']:+d} {figure.label}"
    parts = [
        f"{breakdown_name(name).lower()}: "
        + ", ".join(f"{labels.get(name, {}).get(key, key)} {delta:+d}" for key, delta in keys.items())
        for name, keys in effect["breakdowns"].items()
    ]
    return f"{figure.label}, {'; '.join(parts)}"


def corrections_since(report: AnnualReport | None, official: AnnualReport | None) -> list[CorrectionLine]:
    """The corrections that `report` counts and the official report of its year does not: those made after the
    freeze and before `report` was generated that moved a figure of the year, one line per figure moved, with who
    made each and why (empty when `report` is the official one or there is none). Two queries."""
    if report is None or official is None or official.pk == report.pk or report.generated_at is None:
        return []
    assert official.frozen_at is not None  # official_report() returns frozen reports only
    corrections = list(
        Correction.objects.filter(year=report.year, at__gt=official.frozen_at, at__lte=report.generated_at)
        .exclude(effects={})
        .select_related("by")
        .order_by("at", "pk")
    )
    labels = key_labels(
        {
            name
            for c in corrections
            for effect in c.effects.values()
            if not effect["value"]
            for name in effect["breakdowns"]
        }
    )
    lines = []
    for correction in corrections:
        for key, effect in correction.effects.items():
            figure = BY_KEY.get(key)
            if figure is None:
                continue  # a figure since removed from the registry
            text = gettext("%(moved)s: %(record)s %(what)s by %(who)s: %(reason)s") % {
                "moved": _moved(figure, effect, labels),
                "record": correction.record_label,
                "what": correction.change_label,
                "who": correction.by_label,
                "reason": correction.reason,
            }
            lines.append(CorrectionLine(correction=correction, figure=figure, value=effect["value"], text=text))
    return lines


@dataclass(frozen=True)
class MoreFigures:
    """Figures of a year beyond the report's own, counted from the records when asked (never stored)."""

    retention: employment_stats.Retention
    events: event_stats.EventYear
    awards: event_stats.AwardYear
    prevention: event_stats.PreventionYear


def more_figures(year: int) -> MoreFigures:
    """Retention after placement, events by category, awards and prevention work of `year`, in six queries."""
    return MoreFigures(
        retention=employment_stats.retention(year),
        events=event_stats.events_by_category(year=year),
        awards=event_stats.awards(year=year),
        prevention=event_stats.prevention(year=year),
    )
