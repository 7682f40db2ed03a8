"""The layers of DESIGN.md and the absence of import cycles, checked (not hoped for).

The contracts live in ``pyproject.toml`` ([tool.importlinter]); ``make lint`` runs them too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_import_contracts_are_kept() -> None:
    done = _lint_imports()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_every_layer_of_the_package_is_in_the_contract() -> None:
    """A new top-level module must be placed in a layer, or it escapes the check."""
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    layers = next(c for c in conf["tool"]["importlinter"]["contracts"] if c["id"] == "layers")[
        "layers"
    ]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    pkg = ROOT / "mtalign"
    found = {
        p.stem if p.is_file() else p.name
        for p in pkg.iterdir()
        if (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
        or (p.is_dir() and (p / "__init__.py").is_file())
    }
    assert found - placed == set(), f"modules in no layer: {sorted(found - placed)}"


def test_benchmarks_and_the_package_do_not_import_tests() -> None:
    """Shared readers live in the package; benchmarks and mtalign never reach into tests/."""
    import ast

    offenders = []
    for folder in ("mtalign", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n == "tests" or n.startswith("tests.") for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
