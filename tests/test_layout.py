"""The layout rules of ARCHITECTURE.md, checked on the source itself so a new module cannot break them.

Imports are read with ``ast`` (every ``import`` and ``from ... import``, also those inside functions and
``TYPE_CHECKING`` blocks), so the check sees the dependency even where it is only used lazily.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "recommender", "dj", "services")

ALLOWED: dict[str, tuple[str, ...]] = {
    "core": (),
    "recommender": ("core",),
    "dj": ("core", "recommender.types"),
    "services": ("core", "recommender", "dj"),
}
"""Which Selecta modules each package may import (a name allows it and everything under it)."""

NAMED_FOR_WHAT_THEY_SERVE = ("services/cli", "services/api/routes")
"""Command and route modules are named for the command group or resource (``selecta catalog``,
``/sessions``), so they may share a name with the module that does the work."""

SHARED_NAMES = {"__init__.py", "errors.py"}
"""``errors.py`` is each package's branch of the one error tree, the same thing in each place."""


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _selecta_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _allowed(importer: str, name: str) -> bool:
    if name.split(".")[0] == importer:
        return True
    return any(name == rule or name.startswith(rule + ".") for rule in ALLOWED[importer])


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_follow_the_dependency_rule(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in sorted(_selecta_imports(path))
        if not _allowed(package, name)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_rule_check_sees_a_wrong_import(tmp_path: Path) -> None:
    """The checker itself: a core module importing dj, even lazily, is caught."""
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from dj.audio import decode_audio\n    return decode_audio\n")
    names = _selecta_imports(module)
    assert names == {"dj.audio.decode_audio"}
    assert not _allowed("core", "dj.audio.decode_audio")
    assert not _allowed("dj", "recommender.recommender.Recommender")
    assert _allowed("dj", "recommender.types.Constraints")


def test_no_two_modules_share_a_name() -> None:
    by_name: dict[str, list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in _modules(package):
            rel = path.relative_to(ROOT).as_posix()
            if path.name in SHARED_NAMES or rel.startswith(NAMED_FOR_WHAT_THEY_SERVE):
                continue
            by_name[path.name].append(rel)
    clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert not clashes, clashes
