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
    ``lexical_weight``: cost per unmatched surface token (numbers, ?, !, quotes, names).
    ``skip_adapt``: how much a sentence's best match elsewhere raises its skip cost (its
    best cosine to any sentence of the other side, minus the median of those bests).
    ``max_chars``: characters of one text the encoder sees at most (head and tail kept).
    """

    overlap: int = 1
    skip_cost: float = 0.9
    multi_penalty: float = 0.4
    length_weight: float = 0.1
    lexical_weight: float = 0.0
    skip_adapt: float = 0.0
    max_chars: int = 2000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{f.name}: expected a number >= 0, got {value!r}")
        if not isinstance(self.overlap, int) or self.overlap < 1:
            raise ConfigError(f"overlap: expected a whole number >= 1, got {self.overlap!r}")
        if not isinstance(self.max_chars, int) or self.max_chars < 16:
            raise ConfigError(f"max_chars: expected a whole number >= 16, got {self.max_chars!r}")
