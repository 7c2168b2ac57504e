"""Demo records of the reports app: the demo year's plan targets and its computed report."""

from typing import Any

from .actions import annual_report_compute, annual_report_request, annual_report_start
from .models import AnnualPlan

# Demo plans: the article gives only the escort plan (2000); the others are plausible targets
# made up for the demo, so the dashboard has something to compare every figure with.
DEMO_PLANS = {
    "escort_person_visits": 2000,
    "home_retrofits": 400,
    "ramp_passages": 200,
    "sign_language_points": 30,
    "smart_wristbands": 240,
    "trained": 200,
    "certified": 20,
    "placed": 300,
    "culture_events": 15,
    "culture_participants": 1500,
}


def seed_plans(*, year: int) -> int:
    """Set the demo targets for `year` (the same on every run)."""
    for figure, target in DEMO_PLANS.items():
        AnnualPlan.objects.update_or_create(year=year, figure=figure, defaults={"target": target, "note": "demo plan"})
    return len(DEMO_PLANS)


def seed(*, year: int, persons: int, stdout: Any) -> None:
    stdout.write(f"Annual plan {year}: {seed_plans(year=year)} targets.")
    report, started = annual_report_request(year=year, dispatch=False)
    if started:
        report = annual_report_start(report_id=report.pk, task_id=report.task_id)
        if report is not None:
            report = annual_report_compute(report=report)
            stdout.write(f"Annual report {year}: computed (#{report.pk}).")
