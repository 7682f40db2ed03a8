"""Reading the segmentation gold sets (tests/data/segment/*.txt), for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent / "data" / "segment"


def read_gold(path: Path) -> list[list[str]]:
    """Paragraphs (lists of sentences) of a gold file; see its header for the format."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
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
