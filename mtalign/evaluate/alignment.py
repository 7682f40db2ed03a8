"""Hypotheses whose segment count differs from the reference's: align, then regroup.

Each system whose line count differs from the references is aligned to the first
reference by :mod:`mtalign.evaluate.realign` (token overlap, same language). The beads of all systems are merged into one common
grouping of reference lines (a boundary between two reference lines is kept only when
every system has it), so all systems are scored on the same units and paired tests
stay valid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mtalign.errors import InputError
from mtalign.langs import without_spaces
from mtalign.types import Alignment

#: ``(src_sents, tgt_sents, src_lang, tgt_lang) -> Alignment``
Aligner = Callable[..., Alignment]


def default_aligner() -> Aligner:
    """The aligner for hypothesis and reference lines: both are target-language text, so
    :func:`mtalign.evaluate.realign.realign` compares their tokens directly (offline,
    deterministic, no model).
    """
    from mtalign.evaluate.realign import realign

    return realign


@dataclass(frozen=True)
class SystemAlignment:
    """How one system's lines were aligned to the reference lines."""

    method: str
    hyp_segments: int
    ref_segments: int
    beads: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    kinds: dict[str, int] = field(default_factory=dict)

    def as_dict(self, units: int) -> dict[str, Any]:
        return {
            "method": self.method,
            "hyp_segments": self.hyp_segments,
            "ref_segments": self.ref_segments,
            "beads": len(self.beads),
            "bead_kinds": dict(self.kinds),
            "units": units,
        }


def _check_beads(
    beads: Sequence[Any], n_hyp: int, n_ref: int
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    out = []
    next_h = next_r = 0
    for b in beads:
        h, r = tuple(b.src), tuple(b.tgt)
        if h != tuple(range(next_h, next_h + len(h))) or r != tuple(range(next_r, next_r + len(r))):
            raise RuntimeError(f"aligner returned beads out of order or with gaps at {b!r}")
        next_h += len(h)
        next_r += len(r)
        out.append((h, r))
    if next_h != n_hyp or next_r != n_ref:
        raise RuntimeError(
            f"aligner beads cover {next_h}/{n_hyp} hypothesis and {next_r}/{n_ref} reference lines"
        )
    return out


def align_system(
    hyps: Sequence[str], ref: Sequence[str], lang: str, aligner: Aligner
) -> SystemAlignment:
    """Align one system's lines (as source) to the reference lines (as target)."""
    result = aligner(list(hyps), list(ref), lang, lang)
    beads = _check_beads(result.beads, len(hyps), len(ref))
    kinds = Counter(f"{len(h)}-{len(r)}" for h, r in beads)
    return SystemAlignment(
        method=result.method or "unnamed aligner",
        hyp_segments=len(hyps),
        ref_segments=len(ref),
        beads=tuple(beads),
        kinds=dict(sorted(kinds.items())),
    )


def _boundaries(beads: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]) -> set[int]:
    """Reference indices i where a unit starts (between ref i-1 and i), i > 0."""
    return {r[0] for _, r in beads if r and r[0] > 0}


def common_units(n_ref: int, alignments: Sequence[SystemAlignment | None]) -> list[tuple[int, ...]]:
    """Groups of consecutive reference lines that every system's alignment respects."""
    cuts = set(range(1, n_ref))
    for al in alignments:
        if al is not None:
            cuts &= _boundaries(al.beads)
    starts = [0, *sorted(cuts), n_ref]
    return [tuple(range(a, b)) for a, b in zip(starts, starts[1:], strict=False) if b > a]


def hyp_lines_per_unit(
    units: Sequence[tuple[int, ...]], n_hyp: int, alignment: SystemAlignment | None
) -> list[tuple[int, ...]]:
    """Which hypothesis lines fall into each unit; hypothesis-only beads join the unit before."""
    if alignment is None:
        return [u for u in units]
    unit_of_ref = {r: k for k, u in enumerate(units) for r in u}
    groups: list[list[int]] = [[] for _ in units]
    pending: list[int] = []
    last = -1
    for h, r in alignment.beads:
        if r:
            k = unit_of_ref[r[0]]
            if pending:
                # Hypothesis lines before the first reference-bearing bead go to unit 0.
                groups[k].extend(pending)
                pending = []
            groups[k].extend(h)
            last = k
        elif last >= 0:
            groups[last].extend(h)
        else:
            pending.extend(h)
    if pending and groups:
        groups[0].extend(pending)
    return [tuple(sorted(g)) for g in groups]


def join_lines(lines: Sequence[str], idxs: Sequence[int], lang: str) -> str:
    """The lines at ``idxs`` as one segment (no space for languages written without one)."""
    sep = "" if without_spaces(lang) else " "
    return sep.join(lines[i] for i in idxs if lines[i])


def require_same_length(n_hyp: int, n_ref: int, hyp_name: str, ref_name: str) -> None:
    """The error for different line counts when realigning is off (or impossible)."""
    if n_hyp != n_ref:
        raise InputError(
            f"hypothesis {hyp_name} has {n_hyp} lines but reference {ref_name} has {n_ref}; "
            "give line-aligned files (one segment per line), or score them by realigning "
            "(--realign, or realign=True in mtalign.evaluate)"
        )
