"""The boundaries `make lint` enforces bite: an import against a contract fails, and the strict typing
scope (pyproject.toml) covers every actions and selectors module with the acting user typed."""

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
ACTING_USER = {"by", "user"}


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_packages(tmp_path: Path) -> Path:
    config = PYPROJECT["tool"]["importlinter"]
    for package in config["root_packages"]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_import_contracts_hold_and_a_forbidden_import_breaks_them(tmp_path):
    tree = _copy_packages(tmp_path)
    kept = _lint_imports(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr

    selectors = tree / "services" / "registry" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nfrom events import models as _events_models  # noqa\n")
    admin = tree / "events" / "admin.py"
    admin.write_text(admin.read_text() + "\nfrom services.registry.audit import audit_record as _audit  # noqa\n")
    broken = _lint_imports(tree)
    out = " ".join(broken.stdout.split())  # the report wraps long lines
    assert broken.returncode == 1, out
    assert "services imports no other domain app BROKEN" in out
    assert "services.registry.selectors -> events.models" in out
    assert "Views, admin and tasks write through actions, never through the audit-trail helper BROKEN" in out
    assert "events.admin -> services.registry.audit" in out


def _strict_patterns() -> list[re.Pattern[str]]:
    """mypy's module patterns of the strict override, as regular expressions (`*` is zero or more parts)."""
    override = next(o for o in PYPROJECT["tool"]["mypy"]["overrides"] if o.get("disallow_untyped_defs"))
    patterns = []
    for pattern in override["module"]:
        regex = r"\.".join("@" if part == "*" else re.escape(part) for part in pattern.split("."))
        regex = regex.replace(r"@\.", r"(?:.+\.)?").replace(r"\.@", r"(?:\..+)?")
        patterns.append(re.compile(f"^{regex}$"))
    return patterns


def _modules() -> dict[str, Path]:
    found = {}
    for package in PYPROJECT["tool"]["importlinter"]["root_packages"]:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def test_strict_typing_covers_every_actions_and_selectors_module():
    patterns = _strict_patterns()
    rooms = [name for name in _modules() if re.search(r"(^|\.)(actions|selectors)(\.|$)", name)]
    assert rooms
    assert [name for name in rooms if not any(p.match(name) for p in patterns)] == []


def test_the_acting_user_is_typed_as_a_user_in_the_strict_scope():
    patterns = _strict_patterns()
    untyped = []
    for name, path in _modules().items():
        if not any(p.match(name) for p in patterns):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                if arg.arg in ACTING_USER and (arg.annotation is None or "Any" in ast.unparse(arg.annotation)):
                    untyped.append(f"{name}.{node.name}({arg.arg})")
    assert untyped == []
