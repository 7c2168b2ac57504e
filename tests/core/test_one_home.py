"""What every app shares has one home, core (#18); that core imports no domain app is import-linter's contract."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", "node_modules", "tests", "migrations", "bench"}
# Each shared helper is defined in core only; a second definition elsewhere is a copy that will drift.
SHARED = {
    "safe_next",
    "client_ip",
    "display_mode",
    "xlsx_response",
    "neutralise",
    "validate_image",
    "add_action_errors",
    "page_required",
    "run_each",
    "bulk_action",
    "ReadOnlyInline",
    "choice_filter",
    "fields_only_helper",
    "adopt",
    "with_version_check",
    "OptimisticLockAdminMixin",
    "PortalAdminSite",
    "ReadOnlyLogAdmin",
    "NoDeleteMixin",
    "RefusableSaveMixin",
    "ActionErrorsMixin",
    "DefaultChoiceFilter",
    "backup_create",
    "backup_restore",
    "refused_page",
    "with_retry_after",
    "confirmed_post",
    "require_text",
}


def _modules() -> list[Path]:
    return [path for path in ROOT.rglob("*.py") if not SKIPPED.intersection(path.relative_to(ROOT).parts)]


def _definitions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def test_each_shared_helper_is_defined_in_core_only():
    homes: dict[str, list[str]] = {}
    for path in _modules():
        for name in _definitions(path) & SHARED:
            homes.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert {name: places for name, places in homes.items() if any(not p.startswith("core/") for p in places)} == {}
    assert set(homes) == SHARED, f"not found in core: {SHARED - set(homes)}"
