"""The glossary in the pipeline: enforced translation, post-editing, checks, consistency."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from mtalign.glossary.enforce import (
    check_batch,
    enforce_batch,
    enforcement_report,
    post_edit_batch,
)
from mtalign.glossary.model import Glossary
from mtalign.pipeline.results import SegmentOutcome
from mtalign.pipeline.settings import decode_options
from mtalign.pipeline.stage import SegmentTranslator
from mtalign.tm import MemoryEntry, settings_digest
from mtalign.types import QualityFlag, Segment, without_placeholders


def _norm(segs: Sequence[Segment]) -> list[str]:
    # Inline tags out, so a term that spans a tag boundary ("New <b>York</b>") is found.
    return [" ".join(without_placeholders(s.text).split()) for s in segs]


def translate_enforced(
    segs: Sequence[Segment],
    stage: SegmentTranslator,
    glossary: Glossary,
    fingerprint: str,
    bar: Any,
) -> tuple[list[SegmentOutcome], dict[int, str]]:
    """Enforce mode: segments with terms are decoded with n-best and attention, then
    repaired (rerank -> prefix repair -> post-edit); the others go the normal way.

    Returns the outcomes in order and, per segment index with terms, the stage that
    rendered them (kept in the memory with the translation).
    """
    src, tgt = stage.src_lang, stage.tgt_lang
    matcher = glossary.matcher(src)
    norm = _norm(segs)
    limit = stage.max_input_tokens - 8
    term_idx = [
        k
        for k, s in enumerate(segs)
        if not s.protected and len(norm[k]) <= limit and matcher.find(norm[k])
    ]
    term_set = set(term_idx)
    other_idx = [k for k in range(len(segs)) if k not in term_set]
    outcomes: dict[int, SegmentOutcome] = {}
    plain = stage.translate_segments(
        [segs[k].text for k in other_idx],
        [segs[k].id for k in other_idx],
        [segs[k].protected for k in other_idx],
        bar,
        kinds=[segs[k].kinds for k in other_idx],
    )
    outcomes.update(zip(other_idx, plain, strict=True))
    base = decode_options(stage.settings)
    rich = replace(base, num_hypotheses=min(base.beam_size, 4), return_attention=True)

    def work(part: list[str]) -> dict[str, MemoryEntry]:
        results = stage.call_engine(part, rich)
        enforced = enforce_batch(
            part, results, stage.translator, rich, glossary, src, tgt, mode="enforce"
        )
        return {p: MemoryEntry(e.text, stage=e.stage) for p, e in zip(part, enforced, strict=True)}

    digest = settings_digest({"base": stage.digest, "glossary": fingerprint, "mode": "enforce"})
    found, fresh = stage.cached_batches(digest, [norm[k] for k in term_idx], work, bar)
    stages: dict[int, str] = {}
    for k in term_idx:
        entry = found[norm[k]]
        flags = [
            QualityFlag(segs[k].id, tgt, kind, detail)
            for kind, detail in stage.gate(norm[k], entry.output)
        ]
        outcomes[k] = SegmentOutcome(text=entry.output, flags=flags, cached=norm[k] not in fresh)
        # The stage that made it, also when it comes from the memory (a resumed job
        # reports what an unbroken one does).
        stages[k] = entry.stage or "cached"
    return [outcomes[k] for k in range(len(segs))], stages


def post_edit_terms(
    glossary: Glossary,
    segs: Sequence[Segment],
    outcomes: list[SegmentOutcome],
    src: str,
    tgt: str,
) -> list[SegmentOutcome]:
    """Post-edit only (no model): used where the model's n-best/attention are not at hand."""
    fixed = post_edit_batch(_norm(segs), [o.text for o in outcomes], glossary, src, tgt)
    return [replace(o, text=f.text) for o, f in zip(outcomes, fixed, strict=True)]


def make_consistent(
    segs: Sequence[Segment], outcomes: list[SegmentOutcome], src: str, tgt: str
) -> tuple[Glossary | None, list[SegmentOutcome]]:
    """``--consistency`` without a glossary: each named entity found in the source keeps
    one rendering (its dominant one over the batch) everywhere, by post-editing."""
    from mtalign.glossary.mine import consistency_glossary

    mined = consistency_glossary(_norm(segs), [o.text for o in outcomes], src, tgt)
    if not len(mined):
        return None, outcomes
    return mined, post_edit_terms(mined, segs, outcomes, src, tgt)


def glossary_report(
    glossary: Glossary,
    segs: Sequence[Segment],
    outcomes: list[SegmentOutcome],
    src: str,
    tgt: str,
    stages: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """Every term occurrence of the document checked against the final translations."""
    outs = [without_placeholders(o.text) for o in outcomes]
    checked = check_batch(_norm(segs), outs, glossary, src, tgt)
    if stages:
        checked = [
            replace(c, stage=stages[k]) if k in stages and c.stage != "none" else c
            for k, c in enumerate(checked)
        ]
    report = enforcement_report(checked)
    report["hits"] = [
        {
            "segment": segs[h.segment].id,
            "term": h.term_id,
            "source": h.source_form,
            "expected": list(h.expected),
            "found": h.found,
            "status": h.status,
            "stage": h.stage,
        }
        for c in checked
        for h in c.hits
    ]
    return report
