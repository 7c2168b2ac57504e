"""The generated junk-input walk (tests/project/test_fuzz_no_500.py) on the open-data addresses alone, as every role,
and what the junk gets: a JSON 400 or 404, never a server error and never the site's HTML error page."""

import json

import pytest
from django.urls import reverse

from tests.project import test_access_matrix
from tests.project import test_fuzz_no_500 as fuzz

world = test_access_matrix.world  # the matrix's records (a frozen 2023 report among them)
fuzz_world = fuzz.fuzz_world

pytestmark = pytest.mark.django_db


def open_data_targets(world, role):
    return [t for t in fuzz.fuzz_targets(world, role) if t[0] == "open_data" or t[0].startswith("api:")]


@pytest.mark.parametrize("role", fuzz.FUZZ_ROLES)
def test_no_junk_input_to_open_data_makes_a_server_error(fuzz_world, role, settings):
    targets = open_data_targets(fuzz_world, role)
    assert {key for key, *_rest in targets} == {
        "open_data",
        "api:index",
        "api:reports",
        "api:report",
        "api:report_csv",
        "api:places",
        "api:places_csv",
        "api:not_found",
    }
    fuzzer = fuzz.Fuzzer(fuzz_world, role)
    for key, route, pattern, url in targets:
        fuzzer.fuzz(key, route, pattern, url)
    assert not fuzzer.failures, f"{role}: " + fuzz.report(fuzzer.failures)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/reports/0/", 404, "not_found"),
        (f"/api/v1/reports/{fuzz.HUGE}/", 404, "not_found"),
        (f"/api/v1/reports/{fuzz.HUGE}/figures.csv", 404, "not_found"),
        ("/api/v1/reports/2023/figures.xlsx", 404, "not_found"),
        ("/api/v1/reports/王王/", 404, "not_found"),
        ("/api/v1/reports/2023/?page=2", 400, "unknown_parameter"),
        ("/api/v1/?" + "x" * 10_000 + "=1", 400, "unknown_parameter"),
        ("/api/v1/places/?kind=persons", 400, "bad_parameter"),
        ("/api/v1/places/?lang=fr", 400, "bad_parameter"),
        ("/api/v1/places/places.csv?street=" + "x" * 10_000, 400, "bad_parameter"),
        ("/api/v1/places/?id_number=310106", 400, "unknown_parameter"),
    ],
)
def test_junk_gets_a_json_error(fuzz_world, path, status, code):
    fuzz.cache.clear()
    response = fuzz_world.client(fuzz.ANON).get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["error"]["code"] == code
    assert body["error"]["documentation"] == reverse("open_data")
