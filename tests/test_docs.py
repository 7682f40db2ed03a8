"""The command-line and API documentation is what the code does (issue #10).

* every ``sh`` and ``python`` block of docs/cli.md, docs/api.md and the README's
  "Commands" and "Python API" sections runs, in a folder where ``models/en-tr`` and
  ``models/en-ru`` are tiny random Marian checkpoints (``text`` blocks are output, not run);
* the command table and the help reference of docs/cli.md are the help's own text
  (``MTALIGN_WRITE_DOCS=1 pytest tests/test_docs.py`` rewrites them after a change).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mtalign.cli.help import commands_table, reference

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = ROOT / "docs" / "cli.md"
API_DOC = ROOT / "docs" / "api.md"
README = ROOT / "README.md"
WRITE = os.environ.get("MTALIGN_WRITE_DOCS") == "1"
COMMANDS_MARK = "<!-- commands: generated from mtalign --help -->"


def _sections(text: str, titles: tuple[str, ...]) -> str:
    """The ``## title`` sections of a Markdown text (all of it when ``titles`` is empty)."""
    if not titles:
        return text
    parts = re.split(r"^(?=## )", text, flags=re.M)
    return "".join(p for p in parts if p.startswith(tuple(f"## {t}\n" for t in titles)))


def _blocks() -> list[tuple[str, str, str]]:
    out = []
    for path, titles in ((CLI_DOC, ()), (API_DOC, ()), (README, ("Commands", "Python API"))):
        text = _sections(path.read_text(encoding="utf-8"), titles)
        for k, (lang, code) in enumerate(
            re.findall(r"^```(sh|python)\n(.*?)^```", text, re.M | re.S)
        ):
            out.append((f"{path.name}:{k}", lang, code))
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, marian_tiny) -> Path:
    """Repository data linked in, tiny models at models/, an `mtalign` on PATH."""
    work = tmp_path_factory.mktemp("docs")
    for name in ("configs", "seeds", "tests"):
        (work / name).symlink_to(ROOT / name)
    (work / "models").mkdir()
    for tgt in ("tr", "ru"):
        (work / "models" / f"en-{tgt}").symlink_to(marian_tiny(tgt))
    bin_dir = work / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "mtalign"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mtalign "$@"\n')
    shim.chmod(0o755)
    return work


@pytest.mark.parametrize("name, lang, code", _blocks(), ids=[b[0] for b in _blocks()])
def test_example_runs(name, lang, code, workdir, tmp_path_factory):
    env = {
        **os.environ,
        "PATH": f"{workdir / '.bin'}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
    }
    if lang == "sh":
        argv = ["bash", "-e", "-o", "pipefail", "-c", code]
    else:
        argv = [sys.executable, "-c", code]
    done = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (
        f"{name} failed:\n{code}\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    )
    assert "Traceback" not in done.stderr


def _replace(doc: str, start: str, end: str, body: str) -> str:
    i, j = doc.index(start) + len(start), doc.index(end, doc.index(start) + len(start))
    return doc[:i] + "\n" + body + doc[j:]


def _check_block(path: Path, start: str, end: str, body: str) -> None:
    doc = path.read_text(encoding="utf-8")
    expected = _replace(doc, start, end, body)
    if WRITE and doc != expected:
        path.write_text(expected, encoding="utf-8")
        return
    assert doc == expected, (
        f"{path.name} is out of date with mtalign --help; "
        "rewrite it with MTALIGN_WRITE_DOCS=1 pytest tests/test_docs.py"
    )


def test_cli_doc_commands_table_is_the_help():
    _check_block(CLI_DOC, COMMANDS_MARK, "<!-- end of commands -->", commands_table())


def test_cli_doc_reference_is_the_help():
    _check_block(CLI_DOC, "<!-- cli-reference -->", "<!-- cli-reference -->", reference())


def test_readme_lists_the_commands_of_the_help_in_order():
    """The README's table: exactly the help's once it carries the marker, else its order."""
    readme = README.read_text(encoding="utf-8")
    if COMMANDS_MARK in readme:
        table = readme.split(COMMANDS_MARK)[1].split("<!-- end of commands -->")[0]
        assert table.strip() == commands_table().strip()
        return
    table = _sections(readme, ("Commands",))
    row = re.compile(r"^\| `mtalign ([a-z-]+)", re.M)
    assert row.findall(table) == row.findall(commands_table())
