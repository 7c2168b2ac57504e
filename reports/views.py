"""Views of the reports app: the staff dashboard, drill-downs, export, print, the public page and open data.

The pages that only show figures and records read from the replica when one may be read
(`core.db.replica_reads`, inside the permission checks); the page after a save reads from the primary.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.admin_links import admin_links, link_for
from core.db import replica_reads
from core.excel import xlsx_response
from core.input import FIRST_YEAR, LAST_YEAR, parse_int
from exports.views import export_response
from services.models import AccessLog, Street
from services.registry.access_log import access_log_record
from services.registry.scoping import sees_all_streets, street_ids_for

from . import api, drilldown_exports, figures, opendata, selectors
from .actions import annual_report_freeze, annual_report_request
from .disclosure import SMALL_COUNT
from .forms import DrilldownFilterForm
from .models import AnnualReport
from .spreadsheets import report_workbook

VIEW = "reports.view_annualreport"
RUN = "reports.run_annualreport"
FREEZE = "reports.freeze_annualreport"
RECORDS = "reports.view_figure_records"
PER_PAGE = 50


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    return year


def _asked_report(request, year: int) -> AnnualReport | None:
    """The finished run asked for with ?report=<id> (404 when there is no such run of `year`), or None."""
    raw = request.GET.get("report", "")
    if not raw:
        return None
    pk = parse_int(raw)
    if pk is None:
        raise Http404
    return get_object_or_404(AnnualReport.objects.filter(status=AnnualReport.Status.DONE), pk=pk, year=year)


def _chosen_report(request, year: int) -> AnnualReport | None:
    """The run asked for with ?report=<id>, or else the latest finished one."""
    return _asked_report(request, year) or selectors.latest_report(year)


def _context(request, year: int) -> dict:
    report = _chosen_report(request, year)
    official = selectors.official_report(year)
    previous = selectors.public_report(year - 1)
    rows = selectors.report_rows(report, previous=previous, official=official) if report else []
    return {
        "year": year,
        "report": report,
        "official": official,
        "previous": previous,
        "rows": rows,
        "summary": [row.sentence for row in rows if row.sentence],
        "changes": selectors.changed_figures(report, official) if report else [],
        "corrections": selectors.corrections_since(report, official),
        "rules": selectors.counting_rules(),
    }


def _ended_run(request, year: int) -> AnnualReport | None:
    """The run of `year` named by ?run=<id> if it has finished or failed; None for anything else (never an error)."""
    pk = parse_int(request.GET.get("run", ""))
    if pk is None:
        return None
    return (
        AnnualReport.objects.filter(pk=pk, year=year, status__in=(AnnualReport.Status.DONE, AnnualReport.Status.FAILED))
        .only("pk", "status", "generated_at", "duration_ms")
        .first()
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def dashboard_index(request):
    years = selectors.report_years()
    return redirect("reports:dashboard", year=years[0] if years else timezone.localdate().year)


@login_required
@permission_required(VIEW, raise_exception=True)
@replica_reads()
def dashboard(request, year: int):
    context = _context(request, _year(year))
    active = selectors.active_report(year)
    context.update(
        active=active,
        # The run this page was refreshing for (?run=<id>, set by the refresh itself): once it has ended,
        # the page says so in words, as the refreshes' status line said how far it had come.
        ended=_ended_run(request, year) if active is None else None,
        # Running, but its worker gave no sign of life for the lease: the sweep will start it again.
        stalled=active is not None and active.status == AnnualReport.Status.RUNNING and active.is_stale(timezone.now()),
        history=selectors.report_history(year)[:12],
        years=selectors.report_years(),
        can_run=request.user.has_perm(RUN),
        can_freeze=request.user.has_perm(FREEZE),
        can_drill=request.user.has_perm(RECORDS),
    )
    return render(request, "reports/annualreport_dashboard.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
@replica_reads()
def report_print(request, year: int):
    return render(request, "reports/annualreport_print.html", _context(request, _year(year)))


@login_required
@permission_required(VIEW, raise_exception=True)
@replica_reads()
def report_export(request, year: int):
    context = _context(request, _year(year))
    if context["report"] is None:
        raise Http404
    return xlsx_response(report_workbook(context["report"], context["rows"]), f"annual-report-{year}.xlsx")


@require_POST
@login_required
@permission_required(RUN, raise_exception=True)
def report_compute(request, year: int):
    try:
        report, started = annual_report_request(year=_year(year), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if started:
            messages.success(request, _("The report for %(year)s is being computed.") % {"year": year})
        else:
            messages.info(request, _("The report for %(year)s is already being computed.") % {"year": year})
        return redirect(f"{reverse('reports:dashboard', args=[year])}?run={report.pk}")
    return redirect("reports:dashboard", year=year)


@require_POST
@login_required
@permission_required(FREEZE, raise_exception=True)
def report_freeze(request, pk: int):
    report = get_object_or_404(AnnualReport, pk=pk)
    try:
        annual_report_freeze(report=report, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report is now the official one for %(year)s.") % {"year": report.year})
    return redirect(reverse("reports:dashboard", kwargs={"year": report.year}) + f"?report={report.pk}")


def _drilldown(request, year: int, key: str) -> tuple[figures.Figure, AnnualReport | None, DrilldownFilterForm, Any]:
    """The figure, the report whose rows are listed, the filter form as submitted and the rows it leaves."""
    try:
        figure = figures.get(key)
    except KeyError:
        raise Http404 from None
    # The run asked for, else the official report: a frozen report lists the rows it kept.
    report = _asked_report(request, _year(year)) or selectors.official_report(year)
    records = selectors.drilldown_records(figure, year, request.user, report)
    streets = (
        Street.objects.all()
        if sees_all_streets(request.user)
        else Street.objects.filter(pk__in=street_ids_for(request.user))
    )
    with_street = figures.street_lookup(records.model) is not None
    form = DrilldownFilterForm(request.GET, streets=streets, with_street=with_street)
    if form.is_valid():
        records = selectors.drilldown_filtered(
            records, street=form.cleaned_data.get("street"), search=form.cleaned_data["q"]
        )
    return figure, report, form, records


def _filter_query(report: AnnualReport | None, form: DrilldownFilterForm) -> str:
    """The page's filter as a query string (the report, street and search asked for, when valid)."""
    params = {"report": report.pk} if report else {}
    if form.is_valid():
        street = form.cleaned_data.get("street")
        params.update(
            {k: v for k, v in {"street": street.code if street else "", "q": form.cleaned_data["q"]}.items() if v}
        )
    return urlencode(params)


@login_required
@permission_required(RECORDS, raise_exception=True)
@replica_reads()
def figure_records(request, year: int, key: str):
    figure, report, form, records = _drilldown(request, year, key)
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    links = admin_links(request, shown)
    table = selectors.figure_rows(figure, shown)
    return render(
        request,
        "reports/figure_records.html",
        {
            "year": year,
            "figure": figure,
            "report": report,
            "kept": selectors.keeps_records(report, figure),
            "total": selectors.drilldown_total(figure, records),
            "page": page,
            "form": form,
            "query": _filter_query(report, form),
            "columns": [c.label for c in figure.columns],
            "table": table,
            # Each row with its record's admin page, where this user may open it (one query per kind of record).
            "rows": [(link_for(links, record), cells) for record, cells in zip(shown, table, strict=True)],
        },
    )


@login_required
@permission_required(RECORDS, raise_exception=True)
def figure_records_export(request, year: int, key: str):
    """The drill-down as filtered, as .xlsx (masked numbers, as on the page): the file now, or an export job."""
    figure, report, form, records = _drilldown(request, year, key)
    if not form.is_valid():
        messages.error(
            request,
            _("The export was not made: %(errors)s")
            % {"errors": " ".join(str(m) for errors in form.errors.values() for m in errors)},
        )
        return redirect(reverse("reports:records", kwargs={"year": year, "key": key}))
    street = form.cleaned_data.get("street")
    params = {
        "year": year,
        "key": key,
        "report": report.pk if report else None,
        "street": street.code if street else "",
        "q": form.cleaned_data["q"],
    }
    rows = records.count()
    # What was exported, as the person export logs its query (the access log masks any number in it).
    detail = f"{rows} rows; figure {key} {year}; street={params['street']}; q={params['q']}"
    access_log_record(user=request.user, action=AccessLog.Action.EXPORTED, detail=detail)
    return export_response(request, kind=drilldown_exports.kind(figure), params=params, records=records, rows=rows)


@login_required
@permission_required(VIEW, raise_exception=True)
@replica_reads()
def more_figures(request, year: int):
    """The year's figures beyond the report's own, counted from the records now (never stored)."""
    year = _year(year)
    return render(request, "reports/more_figures.html", {"year": year, "more": selectors.more_figures(year)})


def open_data(request) -> HttpResponse:
    """The open-data page: the downloads of every official report and the API's documentation, in words."""
    years = selectors.published_years()
    example_year = years[0][0] if years else timezone.localdate().year - 1
    return render(
        request,
        "reports/public/open_data.html",
        {
            "years": [year for year, _frozen_at in years],
            "example_year": example_year,
            "datasets": api.documented(example_year),
            "api_prefix": reverse("api:index"),
            "api_index": request.build_absolute_uri(reverse("api:index")),
            "example": request.build_absolute_uri(reverse("api:report", args=[example_year])),
            "csv_columns": opendata.csv_header(),
            "figures": figures.FIGURES,
            "small_count": SMALL_COUNT,
            "per_minute": settings.OPEN_DATA_REQUESTS_PER_MINUTE,
            "max_age": settings.OPEN_DATA_MAX_AGE_SECONDS,
            "licence": opendata.LICENCE,
        },
    )


def public_report_page(request, year: int) -> HttpResponse:
    report = selectors.public_report(_year(year))
    if report is None:
        raise Http404
    rows = selectors.published_rows(report)
    return render(
        request,
        "reports/public/annualreport_public.html",
        {"year": year, "report": report, "rows": rows, "summary": [r.sentence for r in rows if r.sentence]},
    )
