"""The layering of the house, checked the way `make lint` checks it.

The import-linter contracts live in pyproject.toml: `pipeline` over `storage` over
`extractors` (the libraries never import the application), the stages of `pipeline`
under its composers, and no import cycles between siblings. These tests run the real
`lint-imports` on the tree, and on a copy with one upward import added, so a contract
that stopped catching violations would fail here too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "storage", "extractors")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.skip(f"{LINT_IMPORTS} is not installed (make install installs it)")
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True
    )


def _copy_tree(dest: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__", "data")
        )


def test_the_contracts_hold_on_the_tree() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("storage/db.py", "import pipeline.core.config\n"),  # a library importing the app
        ("extractors/records.py", "import storage.db\n"),  # extractors importing storage
        ("pipeline/text/urls.py", "import pipeline.run\n"),  # a stage importing its composer
    ],
)
def test_an_upward_import_breaks_a_contract(tmp_path: Path, module: str, line: str) -> None:
    _copy_tree(tmp_path)
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_a_cycle_between_siblings_breaks_a_contract(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    target = tmp_path / "storage" / "names.py"  # storage.entities imports storage.names
    target.write_text(target.read_text(encoding="utf-8") + "import storage.entities\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0


def test_no_module_is_over_450_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert long == {}


def test_pipeline_is_split_by_stage() -> None:
    stages = {p.name for p in (ROOT / "pipeline").iterdir() if (p / "__init__.py").exists()}
    assert {"acquire", "text", "read", "digest", "daemon", "cli", "core"} <= stages
