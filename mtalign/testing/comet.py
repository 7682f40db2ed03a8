"""A stand-in for a COMET checkpoint: deterministic, no weights, the same interface.

:class:`StubScorer` implements :class:`mtalign.evaluate.comet.Scorer`. With references it
returns sentence chrF++ / 100 against the reference (so better translations score higher,
as with COMET); reference-free it scores the character-length agreement with the source
and penalises copies. It counts its calls, so tests can check that each system is scored
once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class StubScorer:
    """A deterministic COMET stand-in (``model_id`` goes into signatures like a real one)."""

    model_id: str = "stub/comet-da"
    reference_free: bool = False
    version: str = "mtalign-stub 1"
    calls: list[int] = field(default_factory=list)

    def score(
        self, srcs: Sequence[str], hyps: Sequence[str], refs: Sequence[str] | None
    ) -> list[float]:
        """One score in 0..1 per segment."""
        from sacrebleu.metrics import CHRF

        self.calls.append(len(hyps))
        if len(srcs) != len(hyps):
            raise ValueError(f"{len(hyps)} hypotheses for {len(srcs)} sources")
        if not self.reference_free:
            if refs is None:
                raise ValueError("a reference-based stub needs references")
            chrf = CHRF(word_order=2)
            return [
                chrf.sentence_score(h, [r]).score / 100 for h, r in zip(hyps, refs, strict=True)
            ]
        out = []
        for s, h in zip(srcs, hyps, strict=True):
            a, b = len(s.strip()), len(h.strip())
            agree = min(a, b) / max(a, b) if max(a, b) else 1.0
            out.append(0.2 * agree if h.strip() == s.strip() else agree)
        return out
