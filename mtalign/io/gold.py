"""Sentence-segmentation gold files: paragraphs of one-sentence lines.

Paragraphs are separated by a blank line; inside a paragraph each line is one sentence,
and the paragraph's text is its lines joined by single spaces. Lines starting with ``#``
are comments. Tests and ``benchmarks/segment_bench.py`` read the project's gold sets
(``tests/data/segment/*.txt``) with :func:`read_gold`.
"""

from __future__ import annotations

import os
from pathlib import Path


def read_gold(path: str | os.PathLike[str]) -> list[list[str]]:
    """Paragraphs (lists of sentences) of a gold file."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            if current:
                paragraphs.append(current)
            current = []
        else:
            current.append(line)
    if current:
        paragraphs.append(current)
    return paragraphs
