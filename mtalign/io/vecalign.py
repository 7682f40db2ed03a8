"""vecalign's alignment format: one bead per line, ``[0, 1]:[2]:0.134``.

The number is a cost (lower is better), as vecalign writes it. mtalign's bead scores
are similarities in 0..1, so the writer stores ``1 - score`` and the reader turns it
back; files from vecalign itself read as ``score = 1 - cost``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable

from mtalign.errors import InputError
from mtalign.io.atomic import atomic_write_text
from mtalign.io.source import STDIN, read_text
from mtalign.types import Bead

_LINE = re.compile(r"^\[([\d,\s]*)\]:\[([\d,\s]*)\](?::\s*([-+0-9.eEinfINFaN]+))?\s*$")


def render_vecalign(beads: Iterable[Bead]) -> str:
    """The beads as vecalign lines (with a final newline when there are any)."""
    lines = []
    for b in beads:
        src = ", ".join(str(i) for i in b.src)
        tgt = ", ".join(str(i) for i in b.tgt)
        lines.append(f"[{src}]:[{tgt}]:{1.0 - b.score:.6f}")
    return "".join(line + "\n" for line in lines)


def parse_vecalign(text: str, name: str = "<vecalign>") -> list[Bead]:
    """Beads from vecalign text; blank lines are skipped, anything else malformed is an error."""
    beads = []
    for k, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        mt = _LINE.match(line.strip())
        if not mt:
            raise InputError(
                f"{name}:{k}: expected a bead like '[0, 1]:[2]:0.134', got {line.strip()[:60]!r}"
            )
        src = tuple(int(x) for x in mt.group(1).replace(",", " ").split())
        tgt = tuple(int(x) for x in mt.group(2).replace(",", " ").split())
        if not src and not tgt:
            raise InputError(f"{name}:{k}: a bead needs at least one sentence on one side")
        cost = float(mt.group(3)) if mt.group(3) else 1.0
        beads.append(Bead(src, tgt, round(1.0 - cost, 6)))
    return beads


def read_vecalign(path: str | os.PathLike[str]) -> list[Bead]:
    """Read a vecalign alignment file (``-`` for stdin)."""
    return parse_vecalign(read_text(path).text, str(path))


def write_vecalign(beads: Iterable[Bead], path: str | os.PathLike[str]) -> None:
    """Write beads atomically (``-`` for stdout)."""
    text = render_vecalign(beads)
    if str(path) == STDIN:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(path, text)
