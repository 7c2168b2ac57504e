"""The portal's own code uses Django's public APIs only, and carries no hooks for its tests."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accessibility", "accounts", "bench", "core", "employment", "events", "jingan_portal", "reports", "services")

# What must not appear in production code, and why.
FORBIDDEN = {
    r"\._raw_delete\(": "a private QuerySet method: QuerySet.delete() does one DELETE when it can",
    r"\._servers\b": "a private attribute of the cache backend: read settings.CACHES",
    r"rev-parse": "git at run time: the deployment sets CODE_VERSION",
    r"REPORTS_STORE_DELAY": "a pause for a test: the worker test wraps the store step itself",
}


def production_files() -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize(("pattern", "why"), FORBIDDEN.items(), ids=list(FORBIDDEN))
def test_production_code_uses_no_private_api_and_no_test_hook(pattern, why):
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in production_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(pattern, line)
    ]
    assert not found, f"{why}: {found}"
