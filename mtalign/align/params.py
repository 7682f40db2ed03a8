"""The tunable settings of the bead dynamic program, in one frozen dataclass.

Defaults are the values fitted on the development sets of ``benchmarks/align_devsets.py``
(see docs/alignment-quality.md for the ablation that justifies each one). The held-out
sets were never used to choose them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from mtalign.errors import ConfigError


@dataclass(frozen=True)
class AlignParams:
    """Weights and switches of the alignment cost.

    ``overlap``: the largest group of consecutive sentences embedded as one joined text
    (vecalign's overlaps); larger beads use the normalised sum of member vectors.
    ``skip_cost``: cost of one 1-0 / 0-1 sentence when vectors are compared.
    ``multi_penalty``: extra cost per sentence beyond the first on each side of a bead.
    ``length_weight``: weight of the Gale-Church cost next to the vector sources.
    ``lexical_weight``: cost per unmatched surface token (numbers, ?, !, quotes, names)
    that occurs on both sides of the document (:mod:`mtalign.align.lexical`).
    ``skip_adapt``: how much a sentence's best match elsewhere raises its skip cost (its
    best cosine to any sentence of the other side, minus the median of those bests).
    ``max_chars``: characters of one text the encoder sees at most (head and tail kept).

    ``scoring``: ``"knn"`` (the default) divides a bead's cosine distance by the mean
    distance of each side to its nearest neighbours of the same shape
    (:mod:`mtalign.align.neighbours`); ``"cosine"`` divides by the distance to the other
    document's mean vector (round 1's default). ``knn_weight``: how much of the
    neighbours' mean cosine enters that denominator.
    ``refine``: with ``overlap`` > 1, first align with single-sentence vectors, then
    embed joined texts only for runs that hold a sentence the first pass left outside a
    confident 1-1 bead (not 1-1, or among the ``refine_quantile`` least similar 1-1
    beads), and align again (bertalign's two passes; most of the encoder time saved).
    """

    overlap: int = 3
    skip_cost: float = 0.9
    multi_penalty: float = 0.4
    length_weight: float = 0.07
    lexical_weight: float = 0.05
    skip_adapt: float = 0.0
    max_chars: int = 2000
    scoring: str = "knn"
    knn_weight: float = 1.0
    refine: bool = True
    refine_quantile: float = 0.05
    anchor_ratio: bool = True
    pooled_runs: bool = True

    def __post_init__(self) -> None:
        if self.scoring not in ("knn", "cosine"):
            raise ConfigError(f"scoring: expected 'knn' or 'cosine', got {self.scoring!r}")
        for flag in ("refine", "anchor_ratio", "pooled_runs"):
            if not isinstance(getattr(self, flag), bool):
                raise ConfigError(f"{flag}: expected True or False, got {getattr(self, flag)!r}")
        if not 0 <= self.refine_quantile < 1:
            raise ConfigError(f"refine_quantile: expected 0 <= q < 1, got {self.refine_quantile!r}")
        for f in fields(self):
            if f.name in ("scoring", "refine", "anchor_ratio", "pooled_runs"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{f.name}: expected a number >= 0, got {value!r}")
        if not isinstance(self.overlap, int) or self.overlap < 1:
            raise ConfigError(f"overlap: expected a whole number >= 1, got {self.overlap!r}")
        if not isinstance(self.max_chars, int) or self.max_chars < 16:
            raise ConfigError(f"max_chars: expected a whole number >= 16, got {self.max_chars!r}")
