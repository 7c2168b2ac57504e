"""Every registered export runs as a job and writes the columns it declares (generated from the registry)."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from exports.actions import export_job_run
from exports.models import ExportJob
from exports.registry import EXPORTERS
from reports.figures import FIGURES

pytestmark = pytest.mark.django_db
# What each page stores for its job; the employment admins' action stores the list's query and selection.
PARAMS = {"services.persons": {"query": ""}, "accessibility.retrofits_accepted": {"year": 2023}}
# Each figure's drill-down stores its year, figure, report and filter.
PARAMS |= {
    f"reports.figure.{f.key}": {"year": 2023, "key": f.key, "report": None, "street": "", "q": ""} for f in FIGURES
}


def test_the_registry_holds_every_export_of_the_portal():
    employment = {"enrollment", "certificate", "placement", "placementfollowup", "graduate", "referral"}
    assert set(EXPORTERS) == {*PARAMS, *(f"employment.{model}" for model in employment)}


@pytest.mark.parametrize("kind", sorted(EXPORTERS))
def test_every_export_runs_as_a_job_with_its_columns(staff_user, kind):
    params = PARAMS.get(kind, {"query": "", "selected": None})
    job = ExportJob.objects.create(
        owner=staff_user, kind=kind, params=params, language="en", filename="x.xlsx", rows_total=0
    )

    export_job_run(job=job)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.params == {}  # what it was asked for (a search for a whole ID number) is not kept with the file
    with job.file.open("rb") as file:
        header = next(load_workbook(io.BytesIO(file.read()), read_only=True).active.iter_rows(values_only=True))
    with translation.override("en"):
        assert list(header) == [str(title) for title, _get in EXPORTERS[kind].columns]
