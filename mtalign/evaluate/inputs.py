"""Reading line-aligned hypothesis, reference and source files for evaluation."""

from __future__ import annotations

import os
from pathlib import Path

from mtalign.io.lines import read_lines, split_lines

__all__ = ["display_name", "read_lines", "split_lines"]


def display_name(path: str | os.PathLike[str]) -> str:
    """A short system name from a path: the file name without ``.txt`` and language suffix."""
    if str(path) == "-":
        return "stdin"
    name = Path(path).name
    for ext in (".txt", ".text"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    return name or str(path)
