"""The command-line documentation is the help's own text (issue #10).

The command table and the help reference in docs/cli.md, and the README's command table,
are rendered from the same declarations as ``mtalign --help``;
``MTALIGN_WRITE_DOCS=1 pytest tests/test_docs_cli.py`` rewrites them after a change. The
examples of those pages run in ``tests/test_docs.py`` with every other example.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from mtalign.cli.help import commands_table, reference

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"
WRITE = os.environ.get("MTALIGN_WRITE_DOCS") == "1"
COMMANDS_MARK = "<!-- commands: generated from mtalign --help -->"
END_MARK = "<!-- end of commands -->"


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
        "rewrite it with MTALIGN_WRITE_DOCS=1 pytest tests/test_docs_cli.py"
    )


def test_cli_doc_commands_table_is_the_help() -> None:
    _check_block(CLI_DOC, COMMANDS_MARK, END_MARK, commands_table())


def test_cli_doc_reference_is_the_help() -> None:
    _check_block(CLI_DOC, "<!-- cli-reference -->", "<!-- cli-reference -->", reference())


def test_readme_commands_table_is_the_help() -> None:
    readme = README.read_text(encoding="utf-8")
    assert COMMANDS_MARK in readme, "the README's command table carries the generated marker"
    _check_block(README, COMMANDS_MARK, END_MARK, commands_table())


def test_readme_lists_the_commands_in_the_help_order() -> None:
    row = re.compile(r"^\| `mtalign ([a-z-]+)", re.M)
    table = README.read_text(encoding="utf-8").split(COMMANDS_MARK)[1].split(END_MARK)[0]
    assert row.findall(table) == row.findall(commands_table())
