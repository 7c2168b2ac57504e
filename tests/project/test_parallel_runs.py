"""`make test` runs the suite on pytest-xdist workers (--dist loadgroup): what must not run on two workers at once,
or shares a fixture set up once per package or module, is marked at collection to stay on one (tests/conftest.py).
Each run on workers checks at its end that the groups held and the demo year was seeded once."""

import ast
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.conftest import SHARED_FIXTURES, broken_groups


def collected(marker: str, *paths: str) -> set[str]:
    """The ids of the tests in `paths` that `-m marker` selects, from a collection in a fresh pytest."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", marker, *paths],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 5), run.stdout + run.stderr  # 5: nothing selected
    return {line for line in run.stdout.splitlines() if "::" in line}


def test_every_demo_test_runs_on_the_one_worker_that_seeds_the_demo():
    demo = collected("xdist_group(name='tests/demo')", "tests/demo/test_idempotent.py", "tests/core/test_http.py")
    assert demo
    assert all(test.startswith("tests/demo/test_idempotent.py::") for test in demo)


def test_tests_that_use_redis_never_run_on_two_workers_at_once():
    paths = "tests/integration/test_celery_worker.py", "tests/events/test_caching.py"
    redis = collected("xdist_group(name='redis')", *paths)
    assert "tests/integration/test_celery_worker.py::test_a_real_worker_executes_a_task_against_the_database" in redis
    assert "tests/events/test_caching.py::test_pages_are_shared_through_redis_when_configured" in redis
    assert not {test for test in redis if test.startswith("tests/events/") and "redis" not in test}


def test_the_tests_of_a_module_wide_fixture_run_on_one_worker():
    """The access matrix's records and each browser module's Chromium are set up once, not once per worker."""
    matrix, browser = "tests/project/test_access_matrix.py", "tests/browser/test_base_pages.py"
    grouped = collected(f"xdist_group(name='{matrix}') or xdist_group(name='{browser}')", matrix, browser)
    assert f"{matrix}::test_only_staff_run_or_freeze_reports[auditor-403]" in grouped  # uses the records
    assert f"{matrix}::test_rules_name_no_url_that_is_gone" not in grouped  # does not: any worker runs it
    assert f"{browser}::test_language_switch_persists_across_pages" in grouped


def wider_fixtures(tree: ast.AST) -> dict[str, str]:
    """The fixtures a test module or conftest defines with a scope wider than one test: name -> scope."""
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            for keyword in decorator.keywords if isinstance(decorator, ast.Call) else ():
                if keyword.arg == "scope" and isinstance(keyword.value, ast.Constant):
                    found[node.name] = keyword.value.value
    return {name: scope for name, scope in found.items() if scope != "function"}


def test_every_fixture_wider_than_a_test_keeps_its_tests_on_one_worker():
    """A fixture of module or package scope on two workers is set up twice: each is in SHARED_FIXTURES."""
    tests = Path(settings.BASE_DIR) / "tests"
    defined = {}
    for path in tests.rglob("*.py"):
        defined.update(wider_fixtures(ast.parse(path.read_text(encoding="utf-8"))))
    assert defined == SHARED_FIXTURES


def test_a_group_on_two_workers_or_a_second_seeding_fails_the_run():
    assert broken_groups({"redis": {"gw1"}, "tests/demo": {"gw0"}}, ["gw0"]) == []
    assert broken_groups({"redis": {"gw0", "gw1"}, "tests/demo": {"gw0"}}, ["gw0", "gw1"]) == [
        "group redis ran on gw0, gw1",
        "the demo year was seeded 2 times (gw0, gw1)",
    ]
