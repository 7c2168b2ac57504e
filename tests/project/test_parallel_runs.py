"""`make test PYTEST_WORKERS=2` runs the suite on two pytest-xdist workers: what must not run on two at once is
marked to stay on one (that xdist honours the marks is not yet shown; see the Makefile)."""

import subprocess
import sys

from django.conf import settings


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
    demo = collected("xdist_group(name='demo')", "tests/demo/test_idempotent.py", "tests/core/test_http.py")
    assert demo
    assert all(test.startswith("tests/demo/test_idempotent.py::") for test in demo)


def test_tests_that_use_redis_never_run_on_two_workers_at_once():
    paths = "tests/integration/test_celery_worker.py", "tests/events/test_caching.py"
    redis = collected("xdist_group(name='redis')", *paths)
    assert "tests/integration/test_celery_worker.py::test_a_real_worker_executes_a_task_against_the_database" in redis
    assert "tests/events/test_caching.py::test_pages_are_shared_through_redis_when_configured" in redis
    assert not {test for test in redis if test.startswith("tests/events/") and "redis" not in test}
