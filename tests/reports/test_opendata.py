"""Open data: a frozen report's published figures as CSV and JSON, identical to the public page, and the API's rules."""

import csv
import io
import json

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from reports.actions import annual_report_compute, annual_report_freeze, annual_report_request, annual_report_start
from reports.api import DATASETS
from reports.figures import FIGURES
from reports.models import AnnualReport
from reports.opendata import csv_header
from reports.selectors import hidden_mark
from tests.reports.factories import AnnualPlanFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "en")


def run(year: int = 2023) -> AnnualReport:
    report, _started = annual_report_request(year=year, dispatch=False)
    return annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen(year_2023, staff_user, django_capture_on_commit_callbacks) -> AnnualReport:
    AnnualPlanFactory(figure="escort_person_visits", target=2)
    with django_capture_on_commit_callbacks(execute=True):
        return annual_report_freeze(report=run(), by=staff_user)


def page_figures(client, year: int, language: str) -> dict[tuple[str, str, str], tuple[str, str]]:
    """What the public page shows, read from the rows it rendered: (figure, breakdown, key) -> (label, value)."""
    client.cookies["django_language"] = language
    response = client.get(reverse("reports:public", args=[year]))
    assert response.status_code == 200
    shown = {}
    for row in response.context["rows"]:
        shown[row.figure.key, "", ""] = (str(row.figure.label), str(row.value))
        for view in row.breakdowns:
            for bar in view.bars:
                shown[row.figure.key, view.name, bar.key] = (bar.label, bar.shown)
    return shown


def api_json(client, year: int) -> dict:
    response = client.get(reverse("api:report", args=[year]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def api_csv(client, year: int) -> list[dict[str, str]]:
    response = client.get(reverse("api:report_csv", args=[year]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="jingan-annual-report-{year}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_every_published_figure_is_in_the_json_and_csv_as_on_the_page(client, frozen):
    document = api_json(client, 2023)
    lines = api_csv(client, 2023)
    as_json = {}
    for figure in document["figures"]:
        as_json[figure["key"], "", ""] = ({c: figure["label"][c] for c in LANGUAGES}, figure["value"])
        for breakdown in figure["breakdowns"]:
            for count in breakdown["counts"]:
                key = (figure["key"], breakdown["name"], count["key"])
                as_json[key] = ({c: count["label"][c] for c in LANGUAGES}, count["value"])
    as_csv = {
        (line["figure"], line["breakdown"], line["key"]): (
            {c: line[("key_label_" if line["breakdown"] else "label_") + c.replace("-", "_")] for c in LANGUAGES},
            line["value"],
        )
        for line in lines
    }
    for language in LANGUAGES:
        with translation.override(language):
            mark = hidden_mark()
        shown = page_figures(client, 2023, language)
        # Every figure of the registry the report holds is on the page, and so in both files.
        assert {key for key, _b, _k in shown} == {f.key for f in FIGURES if f.key in frozen.figures}
        assert set(as_json) == set(shown) == set(as_csv)
        for key, (label, value) in shown.items():
            assert as_json[key][0][language] == label == as_csv[key][0][language], key
            assert as_json[key][1] == (None if value == mark else int(value)), key
            assert as_csv[key][1] == ("" if value == mark else value), key
    # Registry order, as on the page.
    assert [f["key"] for f in document["figures"]] == [f.key for f in FIGURES if f.key in frozen.figures]
    escorts = document["figures"][0]
    assert (escorts["key"], escorts["value"], escorts["plan"], escorts["above_plan"]) == (
        "escort_person_visits",
        3,
        2,
        50,
    )
    assert escorts["sentence"]["zh-hans"].startswith("全年提供助聋助盲陪诊服务3人次")
    assert escorts["label"]["en"] == "Escort clinic person-visits"


def test_small_counts_are_hidden_in_csv_and_json_as_on_the_page(client, frozen):
    shown = page_figures(client, 2023, "zh-hans")
    hidden = {key for key, (_label, value) in shown.items() if value == "不公开"}
    assert len(hidden) >= 5  # the small year hides counts in many breakdowns
    document = api_json(client, 2023)
    nulls = {
        (figure["key"], breakdown["name"], count["key"])
        for figure in document["figures"]
        for breakdown in figure["breakdowns"]
        for count in breakdown["counts"]
        if count["value"] is None
    }
    lines = api_csv(client, 2023)
    empties = {(line["figure"], line["breakdown"], line["key"]) for line in lines if line["value"] == ""}
    assert nulls == empties == hidden
    assert document["suppression"] == {"small_count": 5, "hidden_value": None}
    # No raw count under 5 is published in any breakdown.
    assert all(
        count["value"] is None or count["value"] >= 5
        for figure in document["figures"]
        for breakdown in figure["breakdowns"]
        for count in breakdown["counts"]
    )


def test_the_csv_has_both_languages_columns_from_the_settings(client, frozen):
    lines = api_csv(client, 2023)
    assert list(lines[0]) == csv_header()
    assert {"label_zh_hans", "label_en", "key_label_zh_hans", "key_label_en"} <= set(csv_header())
    first = lines[0]
    assert (first["figure"], first["label_zh_hans"], first["label_en"], first["value"], first["plan"]) == (
        "escort_person_visits",
        "助聋助盲陪诊服务",
        "Escort clinic person-visits",
        "3",
        "2",
    )


def test_unfrozen_and_junk_years_are_json_404s(client, year_2023):
    run()  # finished, shown on the public page as provisional, but not official: no open data
    assert client.get(reverse("reports:public", args=[2023])).status_code == 200
    for url in [
        reverse("api:report", args=[2023]),
        reverse("api:report_csv", args=[2023]),
        reverse("api:report", args=[1999]),
        reverse("api:report", args=[2**64]),
        "/api/v1/reports/abc/",
        "/api/v1/reports/2023.csv",
        "/api/v2/reports/",
        "/api/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert json.loads(response.content)["error"]["code"] == "not_found", url
    assert json.loads(client.get(reverse("api:reports")).content)["years"] == []


def test_unknown_query_parameters_are_a_json_400(client, frozen):
    for query in ["?format=xml", "?year=2023", "?callback=x", "?x=%FF"]:
        response = client.get(reverse("api:report", args=[2023]) + query)
        assert response.status_code == 400, query
        assert json.loads(response.content)["error"]["code"] == "unknown_parameter"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_other_methods_than_get_are_405(client, frozen, method):
    for url in [reverse("api:index"), reverse("api:reports"), reverse("api:report", args=[2023])]:
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == "GET, HEAD"
        assert json.loads(response.content)["error"]["code"] == "method_not_allowed"
    assert client.head(reverse("api:report", args=[2023])).status_code == 200


def test_a_cached_answer_takes_no_query(client, frozen, django_assert_num_queries):
    url = reverse("api:report", args=[2023])
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    for other in (reverse("api:report_csv", args=[2023]), reverse("api:reports"), reverse("api:index")):
        client.get(other)  # each answer has its own entry
    with django_assert_num_queries(0):
        client.get(reverse("api:report_csv", args=[2023]))
        client.get(reverse("api:reports"))
        client.get(reverse("api:index"))


def test_the_cache_headers_and_conditional_get(client, frozen):
    response = client.get(reverse("api:report", args=[2023]))
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Last-Modified"]
    again = client.get(reverse("api:report", args=[2023]), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_freezing_a_year_renews_the_cached_lists(client, frozen, staff_user, django_capture_on_commit_callbacks):
    assert [y["year"] for y in json.loads(client.get(reverse("api:reports")).content)["years"]] == [2023]
    assert client.get(reverse("api:report", args=[2022])).status_code == 404
    report_2022 = run(2022)
    # Not frozen yet: the cached list stays right.
    assert [y["year"] for y in json.loads(client.get(reverse("api:reports")).content)["years"]] == [2023]
    with django_capture_on_commit_callbacks(execute=True):
        annual_report_freeze(report=report_2022, by=staff_user)
    assert [y["year"] for y in json.loads(client.get(reverse("api:reports")).content)["years"]] == [2023, 2022]
    assert client.get(reverse("api:report", args=[2022])).status_code == 200


def test_the_rate_limit_answers_429_then_recovers(client, frozen, settings):
    settings.OPEN_DATA_REQUESTS_PER_MINUTE = 3
    url = reverse("api:report", args=[2023])
    with time_machine.travel("2026-12-07 10:00:05 +0000", tick=False) as traveller:
        assert [client.get(url).status_code for _i in range(3)] == [200, 200, 200]
        limited = client.get(url)
        assert limited.status_code == 429
        assert int(limited["Retry-After"]) == 56
        assert json.loads(limited.content)["error"]["code"] == "rate_limited"
        # Another address has its own count.
        assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200
        traveller.shift(60)
        assert client.get(url).status_code == 200


def test_one_ipv6_host_cannot_dodge_the_rate_limit_by_changing_address(client, frozen, settings):
    """An IPv6 client is given a whole /64 and picks any address in it: the limit counts the /64, or a loop over
    addresses reads without limit. Another /64 has its own count."""
    settings.OPEN_DATA_REQUESTS_PER_MINUTE = 3
    url = reverse("api:report", args=[2023])
    with time_machine.travel("2026-12-07 10:00:05 +0000", tick=False):
        answers = [client.get(url, REMOTE_ADDR=f"2001:db8:1:2::{n:x}").status_code for n in range(1, 5)]
        assert answers == [200, 200, 200, 429]
        assert client.get(url, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_the_index_lists_every_dataset_of_the_registry(client, frozen):
    index = json.loads(client.get(reverse("api:index")).content)
    assert [d["key"] for d in index["datasets"]] == [d.key for d in DATASETS]
    assert index["datasets"][0]["url"] == reverse("api:reports")
    assert index["datasets"][0]["title"] == {"zh-hans": "年度报告数据", "en": "Annual report figures"}
    years = json.loads(client.get(index["datasets"][0]["url"]).content)["years"]
    assert years[0]["json"] == reverse("api:report", args=[2023])


def test_the_public_page_links_the_downloads_of_a_frozen_report_only(client, year_2023, staff_user):
    report = run()
    page = client.get(reverse("reports:public", args=[2023])).content.decode()
    assert reverse("api:report_csv", args=[2023]) not in page
    assert reverse("open_data") in page
    annual_report_freeze(report=report, by=staff_user)
    page = client.get(reverse("reports:public", args=[2023])).content.decode()
    assert reverse("api:report_csv", args=[2023]) in page
    assert reverse("api:report", args=[2023]) in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_documentation_page_lists_endpoints_fields_units_and_downloads(client, frozen, language):
    client.cookies["django_language"] = language
    response = client.get(reverse("open_data"))
    page = response.content.decode()
    assert response.status_code == 200
    for dataset in DATASETS:
        for field in dataset.fields:
            assert field.name in page
    with translation.override(language):
        for figure in FIGURES:
            assert figure.key in page
            assert str(figure.unit) in page
    assert reverse("api:report_csv", args=[2023]) in page
    assert reverse("open_data") in client.get(reverse("home")).content.decode()  # the footer
    assert reverse("open_data") in client.get(reverse("sitemap")).content.decode()


# Pinned: the official report, then the street, hospital and service names once per language (3 x 2).
REPORT_MISS_QUERIES = 7


def test_an_uncached_year_costs_its_pinned_queries_and_a_cached_one_none(client, frozen, django_assert_num_queries):
    with django_assert_num_queries(REPORT_MISS_QUERIES):
        assert client.get(reverse("api:report", args=[2023])).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(reverse("api:report", args=[2023])).status_code == 200


def test_the_documentation_page_costs_one_query_however_many_years(client, frozen, django_assert_num_queries):
    with django_assert_num_queries(1):  # the frozen years
        assert client.get(reverse("open_data")).status_code == 200
    for year in (2021, 2022):
        report = run(year)
        AnnualReport.objects.filter(pk=report.pk).update(frozen_at=frozen.frozen_at, frozen_by=frozen.frozen_by)
    with django_assert_num_queries(1):
        page = client.get(reverse("open_data")).content.decode()
    assert all(reverse("api:report_csv", args=[year]) in page for year in (2021, 2022, 2023))


def test_every_dataset_text_of_the_documentation_page_reads_in_chinese(client, frozen):
    """The places dataset came with the directory: its description, addresses and fields read in Chinese too."""
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("open_data")).content.decode()
    texts = [
        text
        for dataset in DATASETS
        for text in (
            dataset.title,
            dataset.description,
            *(endpoint.description for endpoint in dataset.endpoints),
            *(field.description for field in dataset.fields),
        )
    ]
    with translation.override("en"):
        english = [str(text) for text in texts]
    with translation.override("zh-hans"):
        assert [text for text in english if translation.gettext(text) == text] == []
    assert [text for text in english if text in page] == []


def test_an_unknown_language_of_the_places_is_refused_in_the_visitors_language(client):
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("api:places"), {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "lang must be one of" not in response.content.decode()
