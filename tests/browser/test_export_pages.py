"""An export job's page in headless Chromium: an accessible progress bar and live status, then the link."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exports.models import ExportJob
from tests.browser.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_job(owner, **fields) -> ExportJob:
    values = {"kind": "services.persons", "language": "en", "filename": "persons.xlsx", "rows_total": 20_000}
    return ExportJob.objects.create(owner=owner, **{**values, **fields})


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_running_job_shows_a_progress_bar_with_its_text_and_a_live_status(logged_in, staff_user, language):
    job = make_job(staff_user, status=ExportJob.Status.RUNNING, rows_done=5_000)

    page = logged_in(staff_user, f"/exports/{job.pk}/", language=language, width=1280)

    bar = page.locator("progress#export-progress")
    assert bar.get_attribute("value") == "25"
    assert page.get_by_label("Progress" if language == "en" else "进度").count() == 1
    status = page.get_by_role("status")
    assert "25%" in status.inner_text()
    assert_no_axe_violations(page)


def test_the_page_follows_the_job_and_shows_the_link_when_it_is_done(logged_in, staff_user):
    job = make_job(staff_user, status=ExportJob.Status.RUNNING, rows_done=5_000)
    page = logged_in(staff_user, f"/exports/{job.pk}/", language="en", width=1280)

    ExportJob.objects.filter(pk=job.pk).update(rows_done=15_000)
    expect(page.locator("progress#export-progress")).to_have_attribute("value", "75", timeout=10_000)
    expect(page.get_by_role("status")).to_contain_text("15,000 of 20,000 rows written (75%).")
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, rows_done=20_000, expires_at=timezone.now() + datetime.timedelta(hours=24)
    )
    link = page.get_by_role("link", name="Download persons.xlsx")
    link.wait_for(timeout=10_000)
    assert link.get_attribute("href") == f"/exports/{job.pk}/download/"
    assert_no_axe_violations(page)
