"""The dashboard that refreshes while a report is computed says, in words, when the run has finished or failed."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import AnnualReport

pytestmark = pytest.mark.django_db

URL = reverse("reports:dashboard", kwargs={"year": 2023})


def status_regions(page: str) -> list[str]:
    return re.findall(r'<p role="status"[^>]*>(.*?)</p>', page, flags=re.S)


def test_the_refresh_of_a_running_report_follows_that_run(client, staff_user):
    running = AnnualReport.objects.create(year=2023, status="running", progress_done=4, progress_total=13)
    client.force_login(staff_user)
    page = client.get(URL).content.decode()
    assert f'<meta http-equiv="refresh" content="5; url=?run={running.pk}">' in page


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_finished_run_says_it_is_finished_in_its_live_region(client, staff_user, lang):
    run = AnnualReport.objects.create(year=2023, status="running", progress_done=12, progress_total=13)
    client.force_login(staff_user)
    client.cookies["django_language"] = lang
    generated = timezone.now()
    AnnualReport.objects.filter(pk=run.pk).update(status="done", generated_at=generated, duration_ms=321)
    response = client.get(URL, {"run": run.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'http-equiv="refresh"' not in page  # it stops refreshing
    regions = status_regions(page)
    assert len(regions) == 1
    words = "Finished: the 2023 report was computed" if lang == "en" else "已完成"
    assert words in regions[0]
    assert timezone.localtime(generated).strftime("%Y-%m-%d %H:%M") in regions[0]


def test_a_failed_run_says_it_finished_without_figures(client, staff_user, in_english):
    run = AnnualReport.objects.create(year=2023, status="failed", error="boom")
    client.force_login(staff_user)
    regions = status_regions(client.get(URL, {"run": run.pk}).content.decode())
    assert len(regions) == 1
    assert "failed" in regions[0]
    assert "boom" not in regions[0]  # the error is for the server log and the admin, not this line


@pytest.mark.parametrize("junk", ["abc", "-1", "0", "9" * 30, "１２", ""])
def test_a_junk_or_unknown_run_is_ignored_without_an_error(client, staff_user, junk):
    client.force_login(staff_user)
    response = client.get(URL, {"run": junk})
    assert response.status_code == 200
    assert "report-run-ended" not in response.content.decode()


def test_a_run_of_another_year_says_nothing_here(client, staff_user):
    other = AnnualReport.objects.create(year=2022, status="failed")
    client.force_login(staff_user)
    assert "report-run-ended" not in client.get(URL, {"run": other.pk}).content.decode()


def test_compute_leads_to_the_page_that_follows_the_new_run(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("reports:compute", kwargs={"year": 2023}))
    run = AnnualReport.objects.latest("id")
    assert response["Location"] == f"{URL}?run={run.pk}"
