"""N-way alignment by pivoting on the source document.

Each target is aligned to the source; source sentences that any pairwise alignment puts
in one bead are kept in one unit, so every unit is consistent with every pairwise
alignment. A target sentence aligned to nothing (0-1) becomes a unit of its own at its
position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mtalign.types import Alignment


@dataclass(frozen=True)
class NwayUnit:
    """Sentence ids per language (the source first) and each target's bead score."""

    ids: Mapping[str, tuple[int, ...]]
    scores: Mapping[str, float] = field(default_factory=dict)


def pivot_units(src_lang: str, alignments: Sequence[Alignment]) -> list[NwayUnit]:
    """Merge pairwise alignments that share the source side into n-way units."""
    if not alignments:
        return []
    n = len(alignments[0].src)
    # join[i] is True when source sentence i and i+1 belong to the same unit.
    join = [False] * max(n - 1, 0)
    for al in alignments:
        for b in al.beads:
            for i in b.src[:-1]:
                join[i] = True
    unit_of = [0] * n
    starts = [0] if n else []
    for i in range(1, n):
        unit_of[i] = unit_of[i - 1] + (0 if join[i - 1] else 1)
        if not join[i - 1]:
            starts.append(i)
    # Per unit: ids per language, plus 0-1 beads that come after it, per language.
    ids: list[dict[str, list[int]]] = [{src_lang: []} for _ in starts]
    scores: list[dict[str, list[float]]] = [{} for _ in starts]
    for i in range(n):
        ids[unit_of[i]][src_lang].append(i)
    orphans: dict[int, list[tuple[str, int]]] = {}  # unit index before them (-1: start)
    for al in alignments:
        lang = al.tgt_lang
        last = -1
        for b in al.beads:
            if b.src:
                u = unit_of[b.src[0]]
                ids[u].setdefault(lang, []).extend(b.tgt)
                if b.tgt:
                    scores[u].setdefault(lang, []).append(b.score)
                last = unit_of[b.src[-1]]
            else:
                orphans.setdefault(last, []).extend((lang, j) for j in b.tgt)
    out: list[NwayUnit] = []

    def emit_orphans(key: int) -> None:
        for lang, j in orphans.get(key, []):
            out.append(NwayUnit({lang: (j,)}, {}))

    emit_orphans(-1)
    for u in range(len(starts)):
        sc = {lang: round(min(v), 4) for lang, v in scores[u].items()}
        out.append(NwayUnit({k: tuple(v) for k, v in ids[u].items()}, sc))
        emit_orphans(u)
    return out
