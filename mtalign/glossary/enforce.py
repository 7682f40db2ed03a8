"""Glossary enforcement for the translation pipeline.

For each segment whose source contains terms, stop at the first stage after which every
term is rendered with an accepted form:

1. ``best``: the model's best translation;
2. ``nbest``: the highest-scoring hypothesis of the n-best list that renders every term;
3. ``prefix``: prefix repair. The model's cross-attention says where the first missing
   term belongs; the translation up to that word plus the canonical form is forced as the
   target prefix and the model finishes the sentence (one batched call for all such
   segments), so suffixes and agreement follow naturally;
4. ``postedit``: variants are rewritten in place (Turkish suffix, Russian case, Arabic
   proclitics kept); a missing term replaces the word attention aligns it with, or, when
   no word can be aligned, is inserted at the predicted position.

In ``check`` mode nothing changes; every occurrence is reported. Each hit's ``stage`` is
the stage that satisfied it (None when none did).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from mtalign.engines.base import (
    DecodeOptions,
    Hypothesis,
    PrefixTooLong,
    TranslationResult,
    Translator,
    check_count,
)
from mtalign.glossary.check import Occurrence, check_segment
from mtalign.glossary.fix import apply_edits
from mtalign.glossary.model import Glossary
from mtalign.glossary.target import get_morph
from mtalign.glossary.textutil import APOSTROPHES, WORD_CHARS
from mtalign.settings import GLOSSARY_MODES
from mtalign.types import TermHit

log = logging.getLogger(__name__)

MODES = GLOSSARY_MODES
STAGES = ("best", "nbest", "prefix", "postedit")
#: Attention mass on the term's source pieces above which the peak target word is taken
#: to be the term's (wrong) rendering and replaced, rather than the term inserted.
ALIGN_CONFIDENCE = 0.3
_WORD = re.compile(f"[{WORD_CHARS}]+(?:[{APOSTROPHES}][{WORD_CHARS}]+)?")


@dataclass(frozen=True)
class EnforcedSegment:
    """The final text of one segment, its term hits, and the stage that produced it.

    ``stage`` is ``none`` (no terms in the source), one of ``best``, ``nbest``,
    ``prefix``, ``postedit``, or ``unresolved`` (some term still not ok, or check mode
    found problems). ``occurrences`` carries the hits with the data the reports need.
    """

    text: str
    hits: tuple[TermHit, ...]
    stage: str
    occurrences: tuple[Occurrence, ...] = ()


def _all_ok(occ: list[Occurrence]) -> bool:
    return all(o.hit.status in ("ok", "no-target") for o in occ)


def _n_ok(occ: list[Occurrence]) -> int:
    return sum(o.hit.status == "ok" for o in occ)


def _staged(
    occ: list[Occurrence], stage: str, before: list[Occurrence] | None = None
) -> list[Occurrence]:
    """Occurrences with ``stage`` set: hits already ok before keep their earlier stage."""
    out = []
    for k, o in enumerate(occ):
        if o.hit.status != "ok":
            out.append(replace(o, hit=replace(o.hit, stage=None)))
        elif before is not None and k < len(before) and before[k].hit.stage:
            out.append(replace(o, hit=replace(o.hit, stage=before[k].hit.stage)))
        else:
            out.append(replace(o, hit=replace(o.hit, stage=stage)))
    return out


def _done(text: str, occ: list[Occurrence], stage: str) -> EnforcedSegment:
    final = stage if _all_ok(occ) else "unresolved"
    return EnforcedSegment(text, tuple(o.hit for o in occ), final, tuple(occ))


def enforce_batch(
    sources: list[str],
    results: list[TranslationResult],
    translator: Translator | None,
    options: DecodeOptions,
    glossary: Glossary,
    src_lang: str,
    tgt_lang: str,
    mode: str = "enforce",
    segment_offset: int = 0,
) -> list[EnforcedSegment]:
    """Check (``mode="check"``) or enforce the glossary on translated segments.

    ``results`` are the engine's outputs for ``sources`` (ask for ``num_hypotheses`` > 1
    and ``return_attention=True`` to give stages 2-4 material). ``translator`` is called
    at most once, for all segments needing prefix repair. Hit segment numbers are
    ``segment_offset + index``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if len(sources) != len(results):
        raise ValueError(f"{len(sources)} sources but {len(results)} results")
    ctx = _Batch(sources, glossary, src_lang, tgt_lang, segment_offset)
    out, pending = rerank(ctx, results, mode)
    if pending:
        repaired = prefix_repair(ctx, pending, translator, options)
        out.update(finish(ctx, pending, repaired))
    return [out[i] for i in range(len(sources))]


def check_batch(
    sources: list[str],
    texts: list[str],
    glossary: Glossary,
    src_lang: str,
    tgt_lang: str,
    segment_offset: int = 0,
) -> list[EnforcedSegment]:
    """Check finished translations against the glossary; nothing is changed."""
    if len(sources) != len(texts):
        raise ValueError(f"{len(sources)} sources but {len(texts)} texts")
    ctx = _Batch(sources, glossary, src_lang, tgt_lang, segment_offset)
    out, _ = rerank(ctx, [_only(t) for t in texts], "check")
    return [out[i] for i in range(len(sources))]


def post_edit_batch(
    sources: list[str],
    texts: list[str],
    glossary: Glossary,
    src_lang: str,
    tgt_lang: str,
    segment_offset: int = 0,
) -> list[EnforcedSegment]:
    """Enforce the glossary on finished translations by post-editing alone (no model)."""
    if len(sources) != len(texts):
        raise ValueError(f"{len(sources)} sources but {len(texts)} texts")
    ctx = _Batch(sources, glossary, src_lang, tgt_lang, segment_offset)
    out, pending = rerank(ctx, [_only(t) for t in texts], "enforce")
    out.update(finish(ctx, pending, {}))
    return [out[i] for i in range(len(sources))]


def _only(text: str) -> TranslationResult:
    """A finished text in the shape the stages take (one hypothesis, no tokens)."""
    return TranslationResult((Hypothesis(text=text, tokens=()),))


@dataclass(frozen=True)
class _Batch:
    """What every stage of one batch needs: the sources, the glossary and the languages."""

    sources: list[str]
    glossary: Glossary
    src_lang: str
    tgt_lang: str
    offset: int = 0

    def check(self, i: int, text: str, matches: list | None = None) -> list[Occurrence]:
        return check_segment(
            self.sources[i], text, self.glossary, self.src_lang, self.tgt_lang,
            self.offset + i, matches,
        )  # fmt: skip


#: Segments still missing a term after reranking: their occurrences and best hypothesis.
_Pending = dict[int, tuple[list[Occurrence], Hypothesis]]


def rerank(
    ctx: _Batch, results: list[TranslationResult], mode: str
) -> tuple[dict[int, EnforcedSegment], _Pending]:
    """Stages 1-2: the best hypothesis, else the first of the n-best list that renders
    every term. Returns finished segments and those still pending (by index)."""
    matcher = ctx.glossary.matcher(ctx.src_lang)
    out: dict[int, EnforcedSegment] = {}
    pending: _Pending = {}
    for i, res in enumerate(results):
        best = res.best
        matches = matcher.find(ctx.sources[i])
        if mode == "off" or not matches:
            out[i] = EnforcedSegment(best.text, (), "none")
            continue
        occ = ctx.check(i, best.text, matches)
        if mode == "check" or _all_ok(occ):
            out[i] = _done(best.text, _staged(occ, "best"), "best")
            continue
        first = _staged(occ, "best")
        for hyp in res.hypotheses[1:]:
            o2 = ctx.check(i, hyp.text, matches)
            if _all_ok(o2):
                out[i] = _done(hyp.text, _staged(o2, "nbest", first), "nbest")
                break
        else:
            pending[i] = (first, best)
    return out, pending


def prefix_repair(
    ctx: _Batch, pending: _Pending, translator: Translator | None, options: DecodeOptions
) -> dict[int, Hypothesis]:
    """Stage 3: force "translation up to the first missing term + its canonical form" as
    the target prefix and let the model finish, in one batched call."""
    prefixes: dict[int, str] = {}
    for i, (occ, hyp) in pending.items():
        p = _repair_prefix(ctx.sources[i], hyp, occ)
        if p is not None:
            prefixes[i] = p
    if not prefixes or translator is None:
        return {}
    idx = sorted(prefixes)
    # The forced prefix fixes the hard part; the rest is finished with a narrow beam,
    # which keeps the repair's cost well under a second full decode.
    opts = replace(
        options, beam_size=min(options.beam_size, 2), num_hypotheses=1, return_attention=True
    )
    try:
        new = _translate_prefixed(translator, ctx, idx, prefixes, opts)
    except NotImplementedError as exc:  # the Translator protocol's word for "no prefixes"
        log.warning(
            "prefix repair skipped: %s cannot force target prefixes (%s)", translator.name, exc
        )
        return {}
    # Anything else (out of memory, a broken model) is a fault, not a skipped stage.
    check_count(translator, len(idx), new)
    return {i: r.best for i, r in zip(idx, new, strict=True) if r.hypotheses}


def _translate_prefixed(
    translator: Translator,
    ctx: _Batch,
    idx: list[int],
    prefixes: dict[int, str],
    opts: DecodeOptions,
) -> list[TranslationResult]:
    """One prefixed call for ``idx``; prefixes the decoder cannot hold are left out (their
    segments keep the unrepaired text and go to post-editing) and the rest is tried once."""
    try:
        return translator.translate(
            [ctx.sources[i] for i in idx], opts, target_prefix=[prefixes[i] for i in idx]
        )
    except PrefixTooLong as exc:
        dropped = {idx[k] for k in exc.indexes}
        log.warning("prefix repair: %d prefix(es) too long for the model", len(dropped))
        keep = [i for i in idx if i not in dropped]
        done = translator.translate(
            [ctx.sources[i] for i in keep], opts, target_prefix=[prefixes[i] for i in keep]
        ) if keep else []  # fmt: skip
        check_count(translator, len(keep), done)
        by_index = dict(zip(keep, done, strict=True))
        empty = TranslationResult(())
        return [by_index.get(i, empty) for i in idx]


def finish(
    ctx: _Batch, pending: _Pending, repaired: dict[int, Hypothesis]
) -> dict[int, EnforcedSegment]:
    """Stage 4: keep a repair that renders every term, else post-edit the better text."""
    out: dict[int, EnforcedSegment] = {}
    for i, (occ, hyp) in pending.items():
        base_text, base_hyp, base_occ = hyp.text, hyp, occ
        if i in repaired:
            cand = repaired[i]
            o3 = ctx.check(i, cand.text)
            o3s = _staged(o3, "prefix", occ)
            if _all_ok(o3):
                out[i] = _done(cand.text, o3s, "prefix")
                continue
            if _n_ok(o3) > _n_ok(occ):
                base_text, base_hyp, base_occ = cand.text, cand, o3s
        text = post_edit(ctx.sources[i], base_text, base_hyp, base_occ, ctx.glossary, ctx.tgt_lang)
        o4 = ctx.check(i, text)
        out[i] = _done(text, _staged(o4, "postedit", base_occ), "postedit")
    return out


# Attention helpers -------------------------------------------------------------------------


def _piece_chars(pieces: tuple[str, ...]) -> list[int]:
    """For each non-space character of the detokenised pieces, the piece it came from."""
    owner: list[int] = []
    for k, p in enumerate(pieces):
        for c in p.replace("\u2581", ""):
            if not c.isspace():
                owner.append(k)
    return owner


def _nonspace_index(text: str) -> list[int]:
    """Positions in ``text`` of its non-space characters, in order."""
    return [k for k, c in enumerate(text) if not c.isspace()]


def _char_to_piece(text: str, pieces: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """(piece for each char position of text or -1, char position for each piece or -1)."""
    owner = _piece_chars(pieces)
    pos = _nonspace_index(text)
    char_piece = [-1] * len(text)
    piece_char = [-1] * len(pieces)
    if not owner or not pos:
        return char_piece, piece_char
    for j, p in enumerate(pos):
        # Equal lengths: 1:1; otherwise (normalisation changed lengths) proportional.
        k = j if len(owner) == len(pos) else min(len(owner) - 1, j * len(owner) // len(pos))
        char_piece[p] = owner[k]
        if piece_char[owner[k]] < 0:
            piece_char[owner[k]] = p
    return char_piece, piece_char


def predicted_position(
    source: str, src_span: tuple[int, int], hyp: Hypothesis
) -> tuple[int, float] | None:
    """(char offset in ``hyp.text``, attention mass) where the source span is translated.

    The target token whose attention row puts the most weight on the span's source pieces
    is the peak; None when the hypothesis carries no attention.
    """
    if not hyp.attention or not hyp.source_tokens or not hyp.tokens:
        return None
    char_piece, _ = _char_to_piece(source, hyp.source_tokens)
    cols = {char_piece[c] for c in range(*src_span) if 0 <= c < len(char_piece)} - {-1}
    if not cols:
        return None
    best_t, best_w = -1, -1.0
    for t, row in enumerate(hyp.attention[: len(hyp.tokens)]):
        w = sum(row[c] for c in cols if c < len(row))
        if w > best_w:
            best_t, best_w = t, w
    _, piece_char = _char_to_piece(hyp.text, hyp.tokens)
    t = best_t
    while t >= 0 and piece_char[t] < 0:
        t -= 1
    return (piece_char[t] if t >= 0 else 0), best_w


def _proportional_position(source: str, src_span: tuple[int, int], text: str) -> int:
    """Without attention: the target word at the same relative position as the term."""
    words = list(_WORD.finditer(text))
    if not words or not source:
        return 0
    rel = src_span[0] / max(1, len(source))
    return words[min(len(words) - 1, int(rel * len(words)))].start()


def _word_at(text: str, pos: int) -> re.Match[str] | None:
    for m in _WORD.finditer(text):
        if m.start() <= pos < m.end() or m.start() >= pos:
            return m
    return None


def _repair_prefix(source: str, hyp: Hypothesis, occ: list[Occurrence]) -> str | None:
    """The forced target prefix for the first missing term, or None (nothing to do)."""
    best: tuple[int, str] | None = None
    for o in occ:
        if o.hit.status != "missing" or not o.hit.expected:
            continue
        pred = predicted_position(source, o.hit.src_span, hyp)
        pos = pred[0] if pred else _proportional_position(source, o.hit.src_span, hyp.text)
        w = _word_at(hyp.text, pos)
        start = w.start() if w else len(hyp.text)
        if best is None or start < best[0]:
            best = (start, o.hit.expected[0])
    if best is None:
        return None
    start, canonical = best
    head = hyp.text[:start].rstrip()
    return f"{head} {canonical}" if head else canonical


def post_edit(
    source: str,
    text: str,
    hyp: Hypothesis | None,
    occ: list[Occurrence],
    glossary: Glossary,
    lang: str,
) -> str:
    """Step 4: rewrite variants in place; replace or insert missing terms."""
    morph = get_morph(lang)
    edits: list[tuple[int, int, str]] = []
    taken = [o.hit.tgt_span for o in occ if o.hit.tgt_span is not None]
    for o in occ:
        if o.hit.status == "variant" and o.found is not None:
            edits.append((o.found.start, o.found.end, o.found.replacement))
    for o in occ:
        if o.hit.status != "missing" or not o.hit.expected:
            continue
        canonical = o.hit.expected[0]
        opts = glossary.opts(o.hit.term_id)
        pred = predicted_position(source, o.hit.src_span, hyp) if hyp is not None else None
        pos = pred[0] if pred else _proportional_position(source, o.hit.src_span, text)
        w = _word_at(text, pos)
        if w is None:
            edits.append((len(text), len(text), (" " if text else "") + canonical))
            continue
        overlaps = any(not (w.end() <= s or w.start() >= e) for s, e in taken) or any(
            not (w.end() <= s or w.start() >= e) for s, e, _ in edits
        )
        if pred is not None and pred[1] >= ALIGN_CONFIDENCE and not overlaps:
            edits.append((w.start(), w.end(), morph.render_like(canonical, w.group(), opts)))
            taken.append((w.start(), w.end()))
        else:
            edits.append((w.start(), w.start(), canonical + " "))
    return apply_edits(text, _non_overlapping(edits))


def _non_overlapping(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for e in edits:
        if all(e[1] <= k[0] or e[0] >= k[1] or (e[0] == e[1] == k[0]) for k in kept):
            kept.append(e)
    return kept


def enforcement_report(segments: list[EnforcedSegment]) -> dict:
    """Counts per stage and the glossary totals (JSON-ready) for NAME.report.json."""
    from mtalign.glossary.report import summary

    stages: dict[str, int] = {}
    for s in segments:
        stages[s.stage] = stages.get(s.stage, 0) + 1
    occ = [o for s in segments for o in s.occurrences]
    hits_by_stage: dict[str, int] = {}
    for o in occ:
        key = o.hit.stage or "unsatisfied"
        hits_by_stage[key] = hits_by_stage.get(key, 0) + 1
    return {"segments_by_stage": stages, "hits_by_stage": hits_by_stage, **summary(occ)}
