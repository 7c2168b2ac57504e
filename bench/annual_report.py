"""Benchmark of the annual report job for one year, against one hand-written SQL query.

The job (reports.tasks.compute_annual_report, run in process) computes every figure of the registry
with its breakdowns, one ORM query each. The reference is ONE SQL statement computing the same
headline figures; the benchmark checks both give the same values, then reports the job's wall time,
its query count and its ratio to the reference (targets: under 5 s and a ratio under 2).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingan_scale_20k \
        .venv/bin/python bench/annual_report.py [--year 2025]

Run it on a database filled by `manage.py generate_scale`; bench/run.py does that for you.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Measure, setup_django

JOB_TARGET_S = 5.0
RATIO_TARGET = 2.0

# One statement for the headline figures, written from the definitions in each app's stats.py.
# %(start)s / %(end)s: the year's first instant and the next year's, in Asia/Shanghai time.
REFERENCE_SQL = """
SELECT
  (SELECT COUNT(*) FROM services_escortbooking b JOIN services_escortslot s ON s.id = b.slot_id
    WHERE b.status = 'completed' AND s.starts_at >= %(start)s AND s.starts_at < %(end)s) AS escort_person_visits,
  (SELECT COUNT(*) FROM accessibility_retrofit
    WHERE status IN ('accepted', 'followed_up') AND accepted_on BETWEEN %(first)s AND %(last)s) AS home_retrofits,
  ramps.passages AS ramp_passages,
  ramps.streets AS ramp_streets,
  (SELECT COUNT(*) FROM accessibility_signlanguagepoint
    WHERE in_service_from <= %(last)s AND (in_service_to IS NULL OR in_service_to >= %(last)s)) AS sign_language_points,
  (SELECT COUNT(*) FROM accessibility_deviceissue
    WHERE device_type = 'smart_wristband' AND issued_on BETWEEN %(first)s AND %(last)s) AS smart_wristbands,
  (SELECT COUNT(DISTINCT e.person_id) FROM employment_enrollment e
    JOIN employment_course c ON c.id = e.course_id JOIN services_person p ON p.id = e.person_id
    WHERE e.status = 'completed' AND c.ends_on BETWEEN %(first)s AND %(last)s
      AND EXTRACT(YEAR FROM AGE(c.starts_on, p.birth_date)) BETWEEN 16 AND 59) AS trained,
  (SELECT COUNT(DISTINCT person_id) FROM employment_enrollment
    WHERE certificate_level <> '' AND certificate_issued_on BETWEEN %(first)s AND %(last)s) AS certified,
  (SELECT COUNT(DISTINCT person_id) FROM employment_placement
    WHERE recommended AND started_on BETWEEN %(first)s AND %(last)s) AS placed,
  grads.graduates AS new_graduates,
  grads.placed AS new_graduates_placed,
  culture.events AS culture_events,
  culture.participants AS culture_participants,
  (SELECT COUNT(*) FROM services_rehabcentre WHERE accepted_on <= %(last)s
    AND (certification = 'certified' OR (certification = 'revoked' AND revoked_on > %(last)s))) AS rehab_homes,
  rehab.people AS home_rehab_people,
  rehab.sessions AS home_rehab_sessions,
  (SELECT COUNT(*) FROM events_preventionmaterial
    WHERE kind = 'video' AND published_on BETWEEN %(first)s AND %(last)s) AS prevention_videos,
  (SELECT COALESCE(SUM(participants), 0) FROM events_quizcampaign
    WHERE ends_on BETWEEN %(first)s AND %(last)s) AS quiz_participants,
  (SELECT COUNT(*) FROM services_homevisit v WHERE v.purpose = 'campaign'
    AND v.visited_on BETWEEN %(first)s AND %(last)s
    AND EXISTS (SELECT 1 FROM services_followup f WHERE f.visit_id = v.id)) AS campaign_visits_helped
FROM
  (SELECT COUNT(DISTINCT person_id) AS people, COUNT(*) AS sessions FROM services_homerehabsession
    WHERE given_on BETWEEN %(first)s AND %(last)s) AS rehab,
  (SELECT COUNT(*) AS passages, COUNT(DISTINCT street_id) AS streets FROM accessibility_rampretrofit
    WHERE completed_on BETWEEN %(first)s AND %(last)s) AS ramps,
  (SELECT COUNT(DISTINCT g.person_id) AS graduates,
          COUNT(DISTINCT g.person_id) FILTER (WHERE EXISTS (
            SELECT 1 FROM employment_placement pl WHERE pl.person_id = g.person_id
              AND pl.new_graduate AND pl.graduation_year = %(year)s)) AS placed
     FROM employment_graduate g WHERE g.graduation_year = %(year)s) AS grads,
  (SELECT COUNT(DISTINCT ev.id) AS events, COUNT(r.id) FILTER (WHERE r.attendance = 'attended') AS participants
     FROM events_event ev LEFT JOIN events_registration r ON r.event_id = ev.id
    WHERE ev.is_published AND ev.status = 'scheduled' AND ev.starts_at >= %(start)s AND ev.starts_at < %(end)s
      AND ev.category IN ('culture', 'sports', 'esports')) AS culture
"""


def reference_figures(year: int) -> tuple[dict[str, int], float]:
    """The headline figures of `year` from REFERENCE_SQL, and its wall time in seconds."""
    import datetime

    from django.db import connection

    from events.selectors import year_bounds

    start, end = year_bounds(year)
    params = {
        "start": start,
        "end": end,
        "first": datetime.date(year, 1, 1),
        "last": datetime.date(year, 12, 31),
        "year": year,
    }
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(REFERENCE_SQL, params)
        row = cursor.fetchone()
        seconds = time.perf_counter() - started
        names = [c.name for c in cursor.description]
    return dict(zip(names, row, strict=True)), seconds


def run_job(year: int) -> tuple[Any, float, int]:
    """Run the report job for `year` in process, as the Celery worker would; (report, seconds, queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.actions import annual_report_request
    from reports.models import AnnualReport
    from reports.tasks import compute_annual_report

    # A run left active by an interrupted benchmark would make this one a no-op.
    AnnualReport.objects.filter(year=year, status__in=AnnualReport.ACTIVE).update(status=AnnualReport.Status.FAILED)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report, _started = annual_report_request(year=year, dispatch=False)
        compute_annual_report.apply(args=[report.pk], task_id=report.task_id, throw=True)
        seconds = time.perf_counter() - started
    report.refresh_from_db()
    if report.status != AnnualReport.Status.DONE:
        sys.exit(f"The report job for {year} ended {report.status}: {report.error}")
    return report, seconds, len(queries.captured_queries)


def measure(*, size: str, year: int, rounds: int = 3) -> list[Measure]:
    """The job's median wall time, its queries, and its ratio to the reference query (median of rounds)."""
    job_times, sql_times = [], []
    for _round in range(rounds):
        reference, sql_seconds = reference_figures(year)
        report, job_seconds, queries = run_job(year)
        job_times.append(job_seconds)
        sql_times.append(sql_seconds)
        differ = {k: (v, report.value(k)) for k, v in reference.items() if report.value(k) != v}
        if differ:
            sys.exit(f"The reference query and the job disagree (reference, job): {differ}")
    job_s, sql_s = statistics.median(job_times), statistics.median(sql_times)
    covered = f"{len(reference)} of {len(report.figures)} figures"
    return [
        Measure(
            f"annual report job {year}: wall time",
            size,
            f"{job_s:.2f} s, {queries} queries",
            f"1 SQL query, {sql_s:.2f} s ({covered})",
            job_s / sql_s,
            ok=job_s < JOB_TARGET_S and job_s / sql_s < RATIO_TARGET,
            target=f"< {JOB_TARGET_S:.0f} s, ratio < {RATIO_TARGET:.0f}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, help="default: last year")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    setup_django()
    from django.utils import timezone

    from bench.common import print_table

    rows = measure(size="", year=args.year or timezone.localdate().year - 1, rounds=args.rounds)
    print_table(rows)
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
