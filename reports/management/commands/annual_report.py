"""Run the annual report job for a year and print its figures (through the broker when one is configured)."""

import json
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reports.actions import annual_report_request
from reports.figures import FIGURES
from reports.models import AnnualReport
from reports.selectors import summary


class Command(BaseCommand):
    help = "Compute the annual report of YEAR with the Celery job and print its figures."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument("--timeout", type=float, default=600, help="Seconds to wait for the job.")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="Language of labels and summary.")

    def handle(self, *args, year: int, json: bool, timeout: float, language: str, **options):
        try:
            # Queued after commit like every task (apply_async_on_commit); a run under way is joined.
            report, _started = annual_report_request(year=year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        report = self._wait(report.pk, timeout)
        if report.status != AnnualReport.Status.DONE:
            raise CommandError(f"The report job for {year} failed: {report.error}")
        with translation.override(language):
            self._print(report, as_json=json)

    def _wait(self, pk: int, timeout: float) -> AnnualReport:
        """Wait for the run (ours, or one already under way) to finish."""
        deadline = time.monotonic() + timeout
        while True:
            report = AnnualReport.objects.get(pk=pk)
            if not report.is_active:
                return report
            if time.monotonic() > deadline:
                raise CommandError(f"The report job did not finish within {timeout:g} s.")
            time.sleep(0.5)

    def _print(self, report: AnnualReport, *, as_json: bool) -> None:
        if as_json:
            payload = {
                "year": report.year,
                "report": report.pk,
                "generated_at": report.generated_at.isoformat() if report.generated_at else None,
                "code_version": report.code_version,
                "task_id": report.task_id,
                "figures": report.figures,
                "summary": summary(report),
            }
            self.stdout.write(json_dumps(payload))
            return
        self.stdout.write(f"{report.year} (report #{report.pk}, {report.code_version})")
        for figure in FIGURES:
            entry = report.figures.get(figure.key)
            if entry is None:
                continue
            plan = f"  plan {entry['plan']} ({entry['percent_of_plan']}%)" if entry["plan"] else ""
            self.stdout.write(f"  {figure.label}: {entry['value']} {figure.unit}{plan}")
        for line in summary(report):
            self.stdout.write(line)


def json_dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)
