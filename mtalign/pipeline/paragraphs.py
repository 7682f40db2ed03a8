"""``--unit paragraph``: whole paragraphs go to the model, then back to source sentences."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mtalign.pipeline.pivot import PIVOT_FLAG, PivotTranslator
from mtalign.pipeline.results import SegmentOutcome
from mtalign.pipeline.stage import SegmentTranslator
from mtalign.types import Document, Paragraph


def _joined(p: Paragraph) -> tuple[str, list[tuple[int, int]], list[str]]:
    """A paragraph's sentences as one text, with their protected spans shifted along."""
    text, prot, kinds = "", list[tuple[int, int]](), list[str]()
    for s in p.segments:
        if text:
            text += " "
        prot.extend((a + len(text), b + len(text)) for a, b in s.protected)
        kinds.extend(s.kinds or ["atom"] * len(s.protected))
        text += s.text
    return text, prot, kinds


def translate_paragraphs(
    doc: Document, stage: SegmentTranslator | PivotTranslator, bar: Any
) -> list[SegmentOutcome]:
    """One outcome per source sentence, from translations of whole paragraphs."""
    from mtalign.align import split_translation
    from mtalign.segment import split_sentences

    paras = [p for p in doc.paragraphs if p.segments]
    joined = [_joined(p) for p in paras]
    ids = [p.segments[0].id for p in paras]
    para_out = stage.translate_segments(
        [t for t, _, _ in joined], ids, [s for _, s, _ in joined], bar, [k for _, _, k in joined]
    )
    outcomes: list[SegmentOutcome] = []
    for p, po in zip(paras, para_out, strict=True):
        src_sents = [s.text for s in p.segments]
        if len(src_sents) == 1 or po.passthrough:
            parts = [po.text] + [""] * (len(src_sents) - 1) if not po.passthrough else src_sents
        else:
            tgt_sents = split_sentences(po.text, stage.tgt_lang) or [po.text]
            parts = split_translation(src_sents, tgt_sents, stage.src_lang, stage.tgt_lang)
        for k, part in enumerate(parts):
            # A pivot is true of every sentence; the other flags go to the first.
            flags = [
                replace(f, segment_id=p.segments[k].id)
                for f in po.flags
                if k == 0 or f.kind == PIVOT_FLAG
            ]
            outcomes.append(
                SegmentOutcome(
                    text=part, flags=flags, passthrough=po.passthrough, retried=po.retried
                )
            )
    return outcomes
