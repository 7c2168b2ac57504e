"""`manage.py annual_report YEAR [--json]` runs the job (eagerly here) and prints its figures."""

import json

import pytest
from django.core.management import CommandError, call_command

from reports.models import AnnualReport

# The command queues the job after its request commits (apply_async_on_commit): the tests must commit too.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_command_prints_the_figures_and_the_summary(year_2023, capsys):
    call_command("annual_report", "2023")
    out = capsys.readouterr().out
    assert "助聋助盲陪诊服务: 3 人次" in out
    assert "完成家庭无障碍改造3户，其中标准型2户、基本型1户" in out
    assert AnnualReport.objects.get().status == "done"


def test_the_command_prints_json(year_2023, capsys):
    call_command("annual_report", "2023", "--json", "--language", "en")
    payload = json.loads(capsys.readouterr().out)
    assert payload["year"] == 2023
    assert payload["figures"]["escort_person_visits"]["value"] == 3
    assert payload["figures"]["home_retrofits"]["breakdowns"]["type"] == {"basic": 1, "standard": 2}
    assert "3 home retrofits completed: 2 standard and 1 basic" in payload["summary"]


def test_the_command_refuses_a_bad_year():
    with pytest.raises(CommandError, match="2000"):
        call_command("annual_report", "1900")
    assert not AnnualReport.objects.exists()
