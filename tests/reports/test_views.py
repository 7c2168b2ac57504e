"""The dashboard, drill-downs, export, print and public pages: who may see them, what they show, in how many queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from reports.actions import annual_report_compute, annual_report_request, annual_report_start
from reports.figures import get
from reports.models import AnnualReport
from tests.reports.factories import AnnualPlanFactory
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db


def run(year: int = 2023) -> AnnualReport:
    report, _started = annual_report_request(year=year, dispatch=False)
    return annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))


@pytest.fixture
def report(year_2023) -> AnnualReport:
    AnnualPlanFactory(figure="escort_person_visits", target=2)
    return run()


STAFF_PAGES = [
    ("reports:dashboard", {"year": 2023}),
    ("reports:print", {"year": 2023}),
    ("reports:export", {"year": 2023}),
    ("reports:records", {"year": 2023, "key": "escort_person_visits"}),
    ("reports:more", {"year": 2023}),
]


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_answer_by_role(client, report, staff_user, auditor, member, volunteer, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, expected in [(member, 403), (volunteer, 403), (auditor, 200), (staff_user, 200)]:
        client.force_login(user)
        response = client.get(url)
        response.getvalue()  # read a streamed download to its end, as a server sends it: its file is closed then
        assert response.status_code == expected, (user.username, url)


def test_only_staff_may_compute_and_freeze(client, report, auditor, staff_user):
    client.force_login(auditor)
    assert client.post(reverse("reports:compute", kwargs={"year": 2023})).status_code == 403
    assert client.post(reverse("reports:freeze", kwargs={"pk": report.pk})).status_code == 403
    client.force_login(staff_user)
    assert client.get(reverse("reports:freeze", kwargs={"pk": report.pk})).status_code == 405
    response = client.post(reverse("reports:freeze", kwargs={"pk": report.pk}))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_frozen
    assert report.frozen_by == staff_user


def test_compute_button_queues_one_run(client, staff_user, year_2023, django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("reports:compute", kwargs={"year": 2023}))
        client.post(reverse("reports:compute", kwargs={"year": 2023}))
    assert len(callbacks) == 1
    assert AnnualReport.objects.get().status == "queued"


def test_the_dashboard_shows_figures_plan_charts_and_drilldown_links(client, staff_user, report):
    client.force_login(staff_user)
    page = client.get(reverse("reports:dashboard", kwargs={"year": 2023})).content.decode()
    assert "全年提供助聋助盲陪诊服务3人次，超出计划量50%" in page
    assert "150%" in page
    assert page.count('role="img"') == page.count('<table class="table table-sm report-table">')
    assert reverse("reports:records", kwargs={"year": 2023, "key": "home_retrofits"}) in page


def test_a_running_job_shows_its_progress(client, staff_user):
    AnnualReport.objects.create(year=2023, status="running", progress_done=4, progress_total=13)
    client.force_login(staff_user)
    page = client.get(reverse("reports:dashboard", kwargs={"year": 2023})).content.decode()
    assert '<progress class="w-100" max="13" value="4"' in page
    assert 'http-equiv="refresh"' in page


def test_the_dashboard_compares_with_the_previous_year_and_the_official_report(client, staff_user, report, street):
    from tests.accessibility.factories import RampRetrofitFactory

    client.force_login(staff_user)
    client.post(reverse("reports:freeze", kwargs={"pk": report.pk}))
    import datetime

    RampRetrofitFactory(street=street, completed_on=datetime.date(2023, 10, 1))
    run()
    page = client.get(reverse("reports:dashboard", kwargs={"year": 2023})).content.decode()
    assert "正式报告" in page or "Official report" in page
    assert "3 → 4" in page


def test_the_dashboard_query_count_does_not_grow_with_records(client, staff_user, report, street, other_street):
    client.force_login(staff_user)
    url = reverse("reports:dashboard", kwargs={"year": 2023})
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    PersonFactory.create_batch(5, street=street)
    build_year_again = run()
    assert build_year_again.pk != report.pk
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before) <= 15


def test_a_drilldown_lists_exactly_the_records_counted_with_masked_numbers(client, staff_user, report):
    from services.models import EscortBooking

    client.force_login(staff_user)
    url = reverse("reports:records", kwargs={"year": 2023, "key": "escort_person_visits"})
    page = client.get(url).content.decode()
    counted = EscortBooking.objects.filter(
        status="completed", slot__starts_at__year=2023, eligibility_override=""
    ).select_related("person")
    assert counted.count() == 3
    for booking in counted:
        assert booking.person.masked_id_number in page
        assert booking.person.id_number not in page
    not_counted = EscortBooking.objects.exclude(pk__in=counted.values("pk")).select_related("person")
    # Masked numbers show the area code only, the same for every person here: names tell them apart.
    assert all(b.person.name not in page or b.person_id in {c.person_id for c in counted} for b in not_counted)


def test_drilldown_pages_take_the_same_queries_for_few_and_many_rows(client, staff_user, street, other_street):
    from tests.accessibility.factories import DeviceIssueFactory

    client.force_login(staff_user)
    url = reverse("reports:records", kwargs={"year": 2023, "key": "smart_wristbands"})
    DeviceIssueFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    DeviceIssueFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert "32" in page


def test_an_unknown_figure_or_year_is_not_found(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("reports:records", kwargs={"year": 2023, "key": "nope"})).status_code == 404
    assert client.get(reverse("reports:dashboard", kwargs={"year": 1800})).status_code == 404
    assert client.get(reverse("reports:dashboard", kwargs={"year": 2023}) + "?report=x").status_code == 404


def test_the_excel_export_has_a_sheet_per_breakdown_with_numbers_as_numbers(client, staff_user, report):
    client.force_login(staff_user)
    response = client.get(reverse("reports:export", kwargs={"year": 2023}))
    assert response["Content-Disposition"] == 'attachment; filename="annual-report-2023.xlsx"'
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    with translation.override("zh-hans"):
        first = gettext("Figures")
    assert book.sheetnames[0] == first
    assert {"按街道（镇）", "按医院", "按改造类型", "按残疾类别"} <= set(book.sheetnames)
    figures = {row[0]: row for row in book[first].iter_rows(min_row=2, values_only=True)}
    assert figures["助聋助盲陪诊服务"][2:5] == (3, 2, 1.5)  # 150% of plan, a percentage cell (below)
    hospital = list(book["按医院"].iter_rows(min_row=2, values_only=True))
    assert ("助聋助盲陪诊服务", "华东医院", "华东医院", 2) in hospital


def test_the_excel_export_writes_per_cent_of_plan_as_a_percentage(client, staff_user, report):
    client.force_login(staff_user)
    response = client.get(reverse("reports:export", kwargs={"year": 2023}))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    with translation.override("zh-hans"):
        column = [cell.value for cell in sheet[1]].index(gettext("Per cent of plan"))
    cells = {row[0].value: row[column] for row in sheet.iter_rows(min_row=2)}
    escorts = cells["助聋助盲陪诊服务"]
    assert (escorts.value, escorts.number_format) == (1.5, "0%")  # Excel shows "150%"
    assert {cell.value for name, cell in cells.items() if name != "助聋助盲陪诊服务"} == {None}  # no plan: empty


def test_the_public_page_shows_headlines_and_hides_small_counts(client, report):
    page = client.get(reverse("reports:public", kwargs={"year": 2023})).content.decode()
    assert "全年提供助聋助盲陪诊服务3人次" in page
    assert "不公开" in page  # counts under 5, and those hidden with them (tests/reports/test_disclosure.py)
    from services.models import Person

    for person in Person.objects.all():
        assert person.name not in page
        assert person.masked_id_number not in page


def test_the_public_page_prefers_the_official_report(client, report, staff_user, street):
    import datetime

    from reports.actions import annual_report_freeze
    from tests.accessibility.factories import RampRetrofitFactory

    annual_report_freeze(report=report, by=staff_user)
    RampRetrofitFactory(street=street, completed_on=datetime.date(2023, 10, 1))
    run()
    page = client.get(reverse("reports:public", kwargs={"year": 2023})).content.decode()
    assert "对2个街道（镇）的3条老旧小区通道进行无障碍坡道改造" in page


def test_the_public_page_takes_at_most_five_queries(client, report, django_assert_max_num_queries):
    # The report to show (official, else the latest: 2), then the street, hospital and service names (3).
    url = reverse("reports:public", kwargs={"year": 2023})
    client.get(url)
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200


def test_no_public_page_before_a_report_exists(client, db):
    assert client.get(reverse("reports:public", kwargs={"year": 2023})).status_code == 404


def test_the_english_dashboard_reads_in_english(client, staff_user, report):
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("reports:dashboard", kwargs={"year": 2023}), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 escort clinic person-visits for deaf and blind patients in the year, 50% above plan" in page


def test_the_dashboard_links_the_years_other_figures_counted_from_the_records(client, staff_user, report):
    """Retention after placement, events by category, awards and prevention work feed the dashboard."""
    from employment.stats import retention
    from events.stats import awards, events_by_category

    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    more = reverse("reports:more", kwargs={"year": 2023})
    assert more in client.get(reverse("reports:dashboard", kwargs={"year": 2023})).content.decode()
    page = client.get(more).content.decode()
    assert "More figures of the year" in page
    kept, events, won = retention(2023), events_by_category(year=2023), awards(year=2023)
    assert f"{kept.employed_6} / {kept.checked_6}" in page
    assert f"{events.events} ({events.participants})" in page
    assert f"{won.total} ({won.team} / {won.individual})" in page
    with translation.override("zh-hans"):
        client.cookies["django_language"] = "zh-hans"
        assert "本年度其他数据" in client.get(more).content.decode()
    assert client.get(reverse("reports:more", kwargs={"year": 1900})).status_code == 404


def test_the_drilldown_of_the_official_report_lists_what_was_frozen_after_a_record_is_added(
    client, staff_user, report, street
):
    import datetime

    from reports.actions import annual_report_freeze
    from tests.accessibility.factories import RampRetrofitFactory

    client.force_login(staff_user)
    official = annual_report_freeze(report=report, by=staff_user)
    RampRetrofitFactory(street=street, completed_on=datetime.date(2023, 10, 1))
    later = run()
    url = reverse("reports:records", kwargs={"year": 2023, "key": "ramp_passages"})
    assert (official.value("ramp_passages"), later.value("ramp_passages")) == (3, 4)
    for query, rows in [("", 3), (f"?report={official.pk}", 3), (f"?report={later.pk}", 4)]:
        response = client.get(url + query)
        assert response.context["page"].paginator.count == rows, query
        assert len(response.context["table"]) == rows, query
    assert "冻结时保留的记录" in client.get(url).content.decode()
    assert "当前统计的记录" in client.get(url + f"?report={later.pk}").content.decode()
    dashboard = client.get(reverse("reports:dashboard", kwargs={"year": 2023})).content.decode()
    assert f"{url}?report={later.pk}" in dashboard
    assert client.get(url + "?report=999999").status_code == 404


def test_a_drilldown_that_sums_shows_the_total_of_its_figure(client, staff_user, year_with_repeats):
    client.force_login(staff_user)
    run()
    response = client.get(reverse("reports:records", kwargs={"year": 2023, "key": "quiz_participants"}))
    assert response.context["total"] == year_with_repeats["quiz_participants"] == 150
    assert response.context["page"].paginator.count == 2
    assert "合计150人次" in response.content.decode()


def test_a_run_whose_worker_went_silent_tells_staff_it_will_be_retried(client, staff_user, in_english, settings):
    import datetime

    from django.utils import timezone

    settings.REPORTS_STALE_AFTER_SECONDS = 60
    client.force_login(staff_user)
    url = reverse("reports:dashboard", kwargs={"year": 2023})
    last_sign = timezone.now() - datetime.timedelta(minutes=2)
    report = AnnualReport.objects.create(year=2023, status="running", attempts=1, heartbeat_at=last_sign)
    page = client.get(url).content.decode()
    assert "stopped answering at" in page
    assert timezone.localtime(last_sign).strftime("%Y-%m-%d %H:%M") in page
    assert "started again automatically as soon as a worker answers" in page

    AnnualReport.objects.filter(pk=report.pk).update(status="queued", heartbeat_at=timezone.now())
    page = client.get(url).content.decode()
    assert "Being retried (attempt 2)" in page
    assert "stopped answering" not in page


def test_a_first_run_under_way_shows_no_retry_message(client, staff_user, in_english):
    from django.utils import timezone

    AnnualReport.objects.create(year=2023, status="running", attempts=1, heartbeat_at=timezone.now())
    client.force_login(staff_user)
    page = client.get(reverse("reports:dashboard", kwargs={"year": 2023})).content.decode()
    assert "Computation under way" in page
    assert "retried" not in page
    assert "stopped answering" not in page


@pytest.mark.parametrize("key", [figure.key for figure in __import__("reports.figures").figures.FIGURES])
def test_every_figures_drilldown_page_answers_and_lists_as_many_as_it_counts(
    client, staff_user, year_with_repeats, key
):
    """Generated from the figure registry: each drill-down page renders (live and frozen) and lists its figure."""
    from reports.actions import annual_report_freeze

    figure = get(key)
    client.force_login(staff_user)
    report = run()
    url = reverse("reports:records", kwargs={"year": 2023, "key": key})
    for query in ("", f"?report={annual_report_freeze(report=report, by=staff_user).pk}"):
        response = client.get(url + query)
        assert response.status_code == 200, query
        listed = response.context["total"] if figure.tally.total else response.context["page"].paginator.count
        assert listed == report.value(key), query


def test_the_column_of_change_on_the_previous_year_keeps_its_word_and_the_admins_change_is_modify(
    client, staff_user, report
):
    """Issue #20: our "Change" (变化, against the previous year) overrode Django's "Change" (修改) in the admin."""
    client.force_login(staff_user)
    client.cookies["django_language"] = "zh-hans"
    dashboard = client.get(reverse("reports:dashboard", kwargs={"year": 2023})).content.decode()
    assert '<th scope="col" class="text-end">变化</th>' in dashboard
    admin_index = client.get(reverse("admin:index")).content.decode()
    assert ">修改</a>" in admin_index
    assert "变化" not in admin_index
    event_list = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "变化" not in event_list
