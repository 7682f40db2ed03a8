"""Pivoting: a pair with no direct model translated through a third language (``--pivot en``).

:class:`PivotTranslator` chains two :class:`~mtalign.pipeline.stage.SegmentTranslator`
legs (source -> pivot, pivot -> target) behind the same N-in/N-out contract. Each leg keeps
its own memory, batching, quality gate and retry; protected spans (inline code, tags) are
found again in the pivot text so the second leg keeps them verbatim too. Every segment
that went through both legs carries a ``pivot`` :class:`~mtalign.types.QualityFlag`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from mtalign.pipeline.results import SegmentOutcome
from mtalign.pipeline.stage import SegmentTranslator
from mtalign.types import QualityFlag

#: The flag kind of a segment translated through a pivot language.
PIVOT_FLAG = "pivot"


class PivotTranslator:
    """Two segment translators in a chain, used like one for the ``src``-``tgt`` pair."""

    def __init__(self, first: SegmentTranslator, second: SegmentTranslator) -> None:
        if first.tgt_lang != second.src_lang:
            raise ValueError(f"legs do not meet: {first.tgt_lang} != {second.src_lang}")
        self.first, self.second = first, second
        self.src_lang, self.tgt_lang = first.src_lang, second.tgt_lang
        self.pivot = first.tgt_lang
        self.settings = second.settings
        self.max_input_tokens = min(first.max_input_tokens, second.max_input_tokens)

    @property
    def model_calls(self) -> int:
        return self.first.model_calls + self.second.model_calls

    @property
    def loaded(self) -> bool:
        return self.first.loaded or self.second.loaded

    def close(self) -> None:
        """Release both engines."""
        self.first.close()
        self.second.close()

    def translate_segments(
        self,
        texts: Sequence[str],
        ids: Sequence[str] | None = None,
        protected: Sequence[Sequence[tuple[int, int]]] | None = None,
        bar: Any = None,
        kinds: Sequence[Sequence[str]] | None = None,
    ) -> list[SegmentOutcome]:
        """N segments in, N outcomes out: source -> pivot, then pivot -> target."""
        ids = list(ids) if ids is not None else [str(i) for i in range(len(texts))]
        if bar is not None:
            bar.total += len(texts)  # each leg counts its own pieces against the bar
            bar.refresh()
        mid = self.first.translate_segments(texts, ids, protected, bar, kinds)
        spans: list[tuple[tuple[int, int], ...]] = []
        span_kinds: list[tuple[str, ...]] = []
        for k, o in enumerate(mid):
            found = relocate_spans(
                texts[k], protected[k] if protected else (), kinds[k] if kinds else (), o.text
            )
            spans.append(tuple(s for s, _ in found))
            span_kinds.append(tuple(kd for _, kd in found))
        final = self.second.translate_segments(
            [o.text for o in mid], ids, spans, bar, kinds=span_kinds
        )
        return [self._merge(ids[k], m, f) for k, (m, f) in enumerate(zip(mid, final, strict=True))]

    def _merge(self, seg_id: str, mid: SegmentOutcome, out: SegmentOutcome) -> SegmentOutcome:
        """One outcome from both legs: the first leg's flags named as such, plus ``pivot``."""
        if mid.passthrough:
            return out
        leg = f"{self.src_lang}-{self.pivot}"
        flags = [
            replace(f, lang=self.tgt_lang, detail=f"{leg} leg: {f.detail or f.kind}")
            for f in mid.flags
        ]
        via = f"via {self.pivot} ({leg}, {self.pivot}-{self.tgt_lang})"
        flags.append(QualityFlag(seg_id, self.tgt_lang, PIVOT_FLAG, via))
        return replace(
            out,
            flags=[*flags, *out.flags],
            retried=mid.retried or out.retried,
            cached=mid.cached and out.cached,
            pieces=max(mid.pieces, out.pieces),
        )


def relocate_spans(
    source: str,
    spans: Sequence[tuple[int, int]],
    kinds: Sequence[str],
    text: str,
) -> list[tuple[tuple[int, int], str]]:
    """The protected spans of ``source`` found again in ``text`` (the first leg's output,
    where they came back verbatim), with their kinds; a span not found is left out (the
    first leg already flagged it as ``markup``)."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[tuple[int, int], str]] = []
    for k, (a, b) in enumerate(spans):
        piece = source[a:b]
        start = text.find(piece) if piece else -1
        while start >= 0 and any(s < start + len(piece) and start < e for s, e in taken):
            start = text.find(piece, start + 1)
        if start < 0:
            continue
        taken.append((start, start + len(piece)))
        out.append(((start, start + len(piece)), kinds[k] if k < len(kinds) else "atom"))
    return out
