"""Strict and lax precision/recall/F1 of an alignment against a gold one (vecalign's definitions).

Strict: a predicted bead counts if the gold alignment has exactly the same bead; 1-0 and
0-1 beads are left out of both sides. Lax: every bead with sentences on both sides is
expanded into its source x target sentence links, and links are compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mtalign.types import Alignment, Bead

BeadLike = Bead | tuple[Iterable[int], Iterable[int]]


@dataclass(frozen=True)
class AlignmentScores:
    """Counts and precision/recall/F1, strict and lax."""

    strict_tp: int
    strict_pred: int
    strict_gold: int
    lax_tp: int
    lax_pred: int
    lax_gold: int

    @staticmethod
    def _prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
        p = tp / pred if pred else (1.0 if not gold else 0.0)
        r = tp / gold if gold else (1.0 if not pred else 0.0)
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    @property
    def strict(self) -> tuple[float, float, float]:
        """(precision, recall, F1) on exact beads."""
        return self._prf(self.strict_tp, self.strict_pred, self.strict_gold)

    @property
    def lax(self) -> tuple[float, float, float]:
        """(precision, recall, F1) on sentence links."""
        return self._prf(self.lax_tp, self.lax_pred, self.lax_gold)

    def __add__(self, other: AlignmentScores) -> AlignmentScores:
        return AlignmentScores(
            *(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__)
        )

    def as_dict(self) -> dict[str, float]:
        sp, sr, sf = self.strict
        lp, lr, lf = self.lax
        return {
            "strict_precision": sp, "strict_recall": sr, "strict_f1": sf,
            "lax_precision": lp, "lax_recall": lr, "lax_f1": lf,
        }  # fmt: skip


def _pairs(beads: Iterable[BeadLike]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    out = []
    for b in beads:
        s, t = (b.src, b.tgt) if isinstance(b, Bead) else b
        out.append((tuple(s), tuple(t)))
    return out


def score_beads(
    predicted: Alignment | Iterable[BeadLike], gold: Alignment | Iterable[BeadLike]
) -> AlignmentScores:
    """Strict and lax scores of ``predicted`` beads against ``gold`` beads."""
    pred = _pairs(predicted.beads if isinstance(predicted, Alignment) else predicted)
    ref = _pairs(gold.beads if isinstance(gold, Alignment) else gold)
    pred_s = {p for p in pred if p[0] and p[1]}
    gold_s = {p for p in ref if p[0] and p[1]}
    pred_l = {(i, j) for s, t in pred_s for i in s for j in t}
    gold_l = {(i, j) for s, t in gold_s for i in s for j in t}
    return AlignmentScores(
        len(pred_s & gold_s), len(pred_s), len(gold_s),
        len(pred_l & gold_l), len(pred_l), len(gold_l),
    )  # fmt: skip
