"""Machine-checked rules of DESIGN.md and STYLE.md: the layers, lint, types, the public surface."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_layers__import_contracts_hold() -> None:
    result = _run("lint-imports")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", ["engine", "workflows", "web", "cli"])
def test_layers__ruff_is_clean(package: str) -> None:
    result = _run("ruff", "check", "--output-format", "concise", package)
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers__mypy_strict_on_engine_and_workflows() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers__engine_public_surface_is_exactly_all() -> None:
    assert len(set(engine.__all__)) == len(engine.__all__)
    for name in engine.__all__:
        assert hasattr(engine, name), name
    public = {n for n in vars(engine) if not n.startswith("_")}
    modules = {n for n, v in vars(engine).items() if type(v) is type(engine)}
    assert public - modules - {"annotations"} == set(engine.__all__)


def test_layers__no_module_is_oversized() -> None:
    for path in [
        *ROOT.glob("engine/*.py"),
        *ROOT.glob("workflows/*.py"),
        *ROOT.glob("web/*.py"),
        *ROOT.glob("cli/*.py"),
    ]:
        lines = len(path.read_text().splitlines())
        assert lines <= 800, f"{path.relative_to(ROOT)} has {lines} lines: split it"


def test_layers__web_never_runs_sql_or_spiff() -> None:
    for path in ROOT.glob("web/**/*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("SpiffWorkflow"), path
                if node.module.startswith("sqlalchemy"):
                    # The session type may be named; nothing that builds a query may.
                    names = {alias.name for alias in node.names}
                    assert names <= {"Session", "sessionmaker"}, (path, names)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(("sqlalchemy", "SpiffWorkflow")), path
