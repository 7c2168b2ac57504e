"""Reads of the reports app: which report to show, its rows, sentences, comparisons and drill-downs."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext

from employment import stats as employment_stats
from employment.validation import working_age_counted
from events import stats as event_stats
from services.models import User

from .figures import FIGURES, Figure, breakdown_name, key_labels
from .models import AnnualReport
from .stats import percent

SMALL_COUNT = 5  # counts under this are shown as "<5" on public pages


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


def report_years() -> list[int]:
    return list(AnnualReport.objects.order_by("-year").values_list("year", flat=True).distinct())


def report_history(year: int) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(year=year).select_related("requested_by", "frozen_by").order_by("-created_at")


def sentence(figure: Figure, report: AnnualReport) -> str:
    """The figure as a sentence in the active language, from the registry's template and the stored numbers."""
    template = str(figure.sentence)
    entry = report.figures.get(figure.key)
    if not template or entry is None:
        return ""
    values = defaultdict(int, {key: e["value"] for key, e in report.figures.items()})
    share = percent(entry["value"], values[figure.share_of]) if figure.share_of else None
    context = {
        "value": entry["value"],
        "unit": str(figure.unit),
        "plan": entry["plan"],
        "percent": entry["percent_of_plan"],
        "above": entry["above_plan"],
        "share": share,
        "f": values,
        "b": defaultdict(lambda: defaultdict(int), {n: defaultdict(int, d) for n, d in entry["breakdowns"].items()}),
    }
    text = template.format_map(context)
    if entry["plan"]:
        text += plan_clause(entry["value"], entry["plan"], entry["percent_of_plan"], entry["above_plan"])
    return text


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
    value: int
    shown: str  # the value as displayed ("<5" on public pages)
    width: float  # percentage of the longest bar
    y: int = 0
    length: float = 0.0  # in SVG units, the longest bar BAR_LENGTH

    @property
    def value_x(self) -> float:
        return self.length + 205


@dataclass
class BreakdownView:
    name: str
    title: str
    bars: list[Bar]
    total: int
    height: int = 0


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


BAR_HEIGHT = 22
BAR_LENGTH = 330


def breakdown_view(name: str, counts: dict[str, int], labels: dict[str, str], *, public: bool) -> BreakdownView:
    """Bars for one breakdown, largest first; on public pages counts under 5 read "<5"."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = max([*counts.values(), SMALL_COUNT if public else 1])
    bars = [
        Bar(
            key=key,
            label=labels.get(key, key),
            value=n,
            shown=f"<{SMALL_COUNT}" if public and n < SMALL_COUNT else str(n),
            width=round(100 * (max(n, SMALL_COUNT) if public and n < SMALL_COUNT else n) / top, 1),
            y=i * BAR_HEIGHT,
            length=round(BAR_LENGTH * max(n, SMALL_COUNT if public else 0) / top, 1),
        )
        for i, (key, n) in enumerate(ordered)
    ]
    return BreakdownView(
        name=name,
        title=breakdown_name(name),
        bars=bars,
        total=sum(counts.values()),
        height=max(len(bars), 1) * BAR_HEIGHT,
    )


def report_rows(
    report: AnnualReport,
    *,
    previous: AnnualReport | None = None,
    official: AnnualReport | None = None,
    public: bool = False,
) -> list[FigureRow]:
    """The report's figures in registry order, with breakdowns as bars, compared with the previous year's
    report and (when `report` is not itself the official one) with the official report of its year."""
    names = {name for entry in report.figures.values() for name in entry["breakdowns"]}
    labels = key_labels(names)
    rows = []
    for figure in FIGURES:
        entry = report.figures.get(figure.key)
        if entry is None:
            continue  # a figure added to the registry after this report was computed
        row = FigureRow(
            figure=figure,
            value=entry["value"],
            plan=entry["plan"],
            percent_of_plan=entry["percent_of_plan"],
            above_plan=entry["above_plan"],
            sentence=sentence(figure, report),
            breakdowns=[
                breakdown_view(name, counts, labels.get(name, {}), public=public)
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


def drilldown_records(figure: Figure, year: int, user: User) -> QuerySet[Any]:
    """Exactly the records `figure` counts for `year`, narrowed to what `user` may see, in a stable order."""
    records = figure.drilldown(year)
    if hasattr(records, "visible_to"):
        records = records.visible_to(user)
    if figure.select_related:
        records = records.select_related(*figure.select_related)
    return records.order_by("pk")


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
