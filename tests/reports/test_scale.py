"""The district-scale generator: exact counts, valid records of every app, refusals, and the report job over it."""

import datetime
import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import translation

from bench.annual_report import reference_figures
from reports.actions import annual_report_request
from reports.models import AnnualReport
from reports.scale import ScaleRefused, generate_scale, stamp, tables
from reports.scale.tables import Table
from reports.tasks import compute_annual_report
from services.models import HomeVisit, Person
from services.registry.identity import validate_certificate_number, validate_id_number
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 6, 30)
# Every model whose rows the generator writes.
GENERATED = [
    "services.Person",
    "services.HomeVisit",
    "services.FollowUp",
    "services.EscortSlot",
    "services.EscortBooking",
    "services.EscortStatusChange",
    "accessibility.Retrofit",
    "accessibility.RetrofitLine",
    "accessibility.RetrofitStatusChange",
    "accessibility.RampRetrofit",
    "accessibility.SignLanguagePoint",
    "accessibility.DeviceIssue",
    "employment.Employer",
    "employment.Course",
    "employment.Enrollment",
    "employment.Placement",
    "employment.PlacementFollowUp",
    "employment.Graduate",
    "events.Event",
    "events.Registration",
    "events.Award",
    "services.RehabCentre",
    "services.FamilyDoctorContract",
    "services.HomeRehabSession",
    "events.PreventionMaterial",
    "events.QuizCampaign",
]


def generated_models():
    return [apps.get_model(n) for n in GENERATED]


@pytest.fixture
def small_run(needs_postgres):
    """300 persons and two years of records (2025 and 2026 up to 30 June)."""
    return generate_scale(persons=300, years=2, seed=11, today=TODAY, vacuum=False)


def test_the_run_adds_exactly_the_persons_asked(small_run):
    assert Person.objects.count() == 300
    assert small_run.rows["services_person"] == 300
    assert stamp()["persons"] == 300


def test_every_app_gets_rows_and_the_counts_printed_are_the_rows_written(small_run):
    for model in generated_models():
        count = model.objects.count()
        assert count > 0, model.__name__
        assert small_run.rows[model._meta.db_table] == count, model.__name__
    assert small_run.rows["services_escortbooking_services"] > 0


def test_every_id_and_certificate_number_is_valid(small_run):
    for id_number, certificate, category, grade in Person.objects.values_list(
        "id_number", "certificate_number", "category", "grade"
    ):
        validate_id_number(id_number, today=TODAY)
        if certificate:
            validate_certificate_number(certificate, id_number=id_number, category=category, grade=grade)
    assert Person.objects.exclude(certificate_number="").count() > 250


def test_a_sample_of_every_model_passes_full_clean(small_run):
    # The models' own rules (choices, lengths, constraints, clean()) on 25 random rows of each.
    rng = random.Random(1)
    with translation.override("en"):
        for model in generated_models():
            pks = list(model.objects.values_list("pk", flat=True))
            for pk in rng.sample(pks, min(25, len(pks))):
                model.objects.get(pk=pk).full_clean()


def test_records_stay_within_the_years_and_the_persons_lifetimes(small_run):
    assert not HomeVisit.objects.filter(visited_on__lt=datetime.date(2025, 1, 1)).exists()
    assert not HomeVisit.objects.filter(visited_on__gt=TODAY).exists()
    for visit in HomeVisit.objects.select_related("person")[:200]:
        assert visit.street_id == visit.person.street_id
        assert visit.visited_on >= visit.person.birth_date
        if visit.person.status_changed_on:
            assert visit.visited_on <= visit.person.status_changed_on


def test_every_service_record_keeps_its_persons_street_and_category(small_run):
    # Nobody moves or is reassessed in generated data, so what a record kept is what its person has.
    kept = [m for m in generated_models() if {"person", "category"} <= {f.name for f in m._meta.fields}]
    assert len(kept) >= 9, kept
    for model in kept:
        records = model.objects.filter(person__isnull=False)
        assert records.exists(), model.__name__
        assert not records.exclude(street=F("person__street"), category=F("person__category")).exists(), model.__name__


def test_streets_categories_and_grades_are_all_represented(small_run):
    assert Person.objects.values("street").distinct().count() == 14
    assert set(Person.objects.values_list("category", flat=True)) == set(range(1, 8))
    assert set(Person.objects.values_list("grade", flat=True)) == {1, 2, 3, 4}


def test_the_annual_report_job_runs_over_it_and_agrees_with_the_hand_written_query(small_run):
    report, started = annual_report_request(year=2025, dispatch=False)
    assert started
    compute_annual_report.apply(args=[report.pk], task_id=report.task_id, throw=True)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DONE
    reference, _seconds = reference_figures(2025)
    assert {key: report.value(key) for key in reference} == reference
    assert report.value("escort_person_visits") > 0
    assert report.value("ramp_passages") > 0
    assert report.value("placed") + report.value("trained") > 0
    assert report.value("culture_participants") > 0


def test_the_same_seed_gives_the_same_persons(needs_postgres):
    generate_scale(persons=40, years=1, seed=5, today=TODAY, vacuum=False)
    first = list(Person.objects.order_by("pk").values_list("id_number", "street_id", "category"))
    generate_scale(persons=40, years=1, seed=5, today=TODAY, force=True, vacuum=False)
    assert list(Person.objects.order_by("pk").values_list("id_number", "street_id", "category")) == first


def test_memory_grows_with_the_persons_kept_not_with_their_rows(needs_postgres, monkeypatch):
    # Rows go to disk in sorted runs (of 200 rows here, so that both sizes spill as a million persons
    # do), so four times the persons add only what is kept of each person: a few numbers and, while the
    # registry is made, their home's address. Holding every row took about 5 KB a person (ten years).
    monkeypatch.setattr(tables, "RUN_ROWS", 200)
    peaks = []
    for persons in (400, 1_600):
        tracemalloc.start()
        try:
            generate_scale(persons=persons, years=10, seed=7, today=TODAY, force=True, vacuum=False)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert Person.objects.count() == 1_600
    per_person = (peaks[1] - peaks[0]) / 1_200
    assert per_person < 1_500, f"{per_person:,.0f} bytes more a person (peaks {peaks[0]:,} and {peaks[1]:,})"


def test_text_that_copy_would_misread_is_escaped():
    table = Table(HomeVisit, with_id=True)
    row = {
        "created_at": "2026-06-30 10:00:00+08",
        "updated_at": "2026-06-30 10:00:00+08",
        "person_id": 1,
        "street_id": 1,
        "category": 1,
        "visited_on": TODAY,
        "visitor_id": None,
        "mode": "home",
        "purpose": "routine",
        "submission_key": "k",
    }
    for findings in ("平稳", "a\tb", "c\\d", "e\nf\rg", "\\N", None):
        table.add(id=1, **row, findings=findings)
    written = [line.split("\t")[-2] for line in table.lines]
    assert written == ["平稳", "a\\tb", "c\\\\d", "e\\nf\\rg", "\\\\N", "\\N"]
    assert all(line.count("\t") == len(table.fields) for line in table.lines)  # the sort key's and the fields'


def test_append_adds_exactly_the_persons_asked_beside_those_there(needs_postgres):
    generate_scale(persons=50, years=1, seed=3, today=TODAY, vacuum=False)
    generate_scale(persons=30, years=1, seed=3, today=TODAY, append=True, vacuum=False)
    assert Person.objects.count() == 80
    assert stamp()["persons"] == 80
    assert stamp()["runs"] == 2


def test_the_command_refuses_a_registry_with_persons_and_writes_nothing(needs_postgres):
    PersonFactory()
    with translation.override("en"), pytest.raises(CommandError, match="already has persons"):
        call_command("generate_scale", persons=10, years=1, no_vacuum=True)
    assert Person.objects.count() == 1
    assert not HomeVisit.objects.exists()


def test_force_empties_the_registry_first(needs_postgres, capsys):
    PersonFactory()
    call_command("generate_scale", persons=20, years=1, force=True, no_vacuum=True)
    assert Person.objects.count() == 20
    assert "emptied the registry" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("persons", "years", "message"),
    [(0, 2, "between 1 and 2,000,000 persons"), (10, 0, "between 1 and 30 years"), (10, 31, "between 1 and 30")],
)
def test_bad_counts_are_refused_with_a_message(needs_postgres, persons, years, message):
    with translation.override("en"), pytest.raises(ScaleRefused, match=message):
        generate_scale(persons=persons, years=years, vacuum=False)
    assert not Person.objects.exists()


def test_append_and_force_together_are_refused(needs_postgres):
    with translation.override("en"), pytest.raises(ScaleRefused, match="not both"):
        generate_scale(persons=5, years=1, append=True, force=True, vacuum=False)


def test_the_command_prints_rows_per_table_and_the_elapsed_time(needs_postgres, capsys):
    call_command("generate_scale", persons=30, years=1, no_vacuum=True)
    out = capsys.readouterr().out
    assert "services_homevisit" in out
    assert "elapsed" in out
    assert "rows/s" in out


def test_the_command_refuses_sqlite(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/scale.sqlite3",
        "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.test",
        "LANGUAGE": "en",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "generate_scale", "--persons", "10", "--years", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert "PostgreSQL" in done.stderr
