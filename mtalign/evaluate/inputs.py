"""Reading line-aligned hypothesis, reference and source files for evaluation."""

from __future__ import annotations

import os
from pathlib import Path

from mtalign.errors import InputError
from mtalign.io import read_text


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` the way sacrebleu's command line sees them.

    Only ``\\n`` ends a line (``str.splitlines`` would also split on U+2028, U+0085 ...,
    which changes the line count); trailing whitespace is dropped like sacrebleu's
    ``rstrip``; one final newline does not start an extra empty line.
    """
    if text.endswith("\n"):
        text = text[:-1]
    return [line.rstrip() for line in text.split("\n")]


def read_lines(path: str | os.PathLike[str], role: str = "input") -> list[str]:
    """Read a UTF-8 (or UTF-16 with BOM) text file as one segment per line.

    An empty or whitespace-only file is an :class:`InputError` naming ``role`` and the path.
    """
    name = str(path)
    decoded = read_text(path)
    if not decoded.text.strip():
        raise InputError(f"{role} {name}: the file is empty; give one segment per line")
    return split_lines(decoded.text)


def display_name(path: str | os.PathLike[str]) -> str:
    """A short system name from a path: the file name without ``.txt`` and language suffix."""
    name = Path(path).name
    for ext in (".txt", ".text"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    return name or str(path)
