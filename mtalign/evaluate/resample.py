"""Per-segment sufficient statistics in compact arrays, and resampling over them in chunks.

sacrebleu keeps every reference's n-gram counters for the whole test set and resamples by
building a ``resamples x segments x statistics`` float32 array (7.45 GiB for 1,000
resamples of 200k segments). Here the statistics are extracted a chunk of segments at a
time into one ``segments x statistics`` array per metric (int32 for BLEU and chrF, float64
for TER), and a bootstrap resample is a count vector of how often each segment was drawn:
its statistics are ``counts @ stats``. Indices are drawn from the same generator, seed and
order as sacrebleu's (``default_rng(seed).choice(n, (samples, n))``, drawn a few rows at a
time, which numpy makes identical to one draw), so scores, confidence intervals and
p-values are sacrebleu's own: exactly, as long as a resample's summed statistics stay below
2**24 (sacrebleu sums them in float32; beyond that its sums round and ours do not).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

#: Segments whose statistics are extracted in one call: bounds the references' n-gram
#: cache (chrF++ keeps a counter per n-gram order and line, tens of KB a line).
CHUNK_LINES = 2_000
#: Drawn indices (resamples x segments) held at once: 4 M int64 = 32 MiB.
CHUNK_CELLS = 4_000_000
#: numpy's bounded bool draws come from 32-bit words: a chunk of AR trials must hold a
#: multiple of 32 draws to continue the stream exactly where one big draw would.
_BOOL_WORD = 32


def extract(metric: Any, hyps: Sequence[str], refs: Sequence[Sequence[str]] | None) -> np.ndarray:
    """Per-segment statistics of ``hyps`` as a ``(segments, k)`` array.

    sacrebleu metrics take ``refs`` (one list per reference set) a chunk at a time, so
    only a chunk's reference n-grams are ever held; a metric without references of its
    own (COMET, ``refs`` None) is asked for the whole list at once.
    """
    n = len(hyps)
    if refs is None or not _chunkable(metric):
        return _compact(metric._extract_corpus_statistics(list(hyps), None))
    parts: list[np.ndarray] = []
    num_refs: set[int] = set()
    for a in range(0, n, CHUNK_LINES):
        b = min(n, a + CHUNK_LINES)
        rows = metric._extract_corpus_statistics(list(hyps[a:b]), [list(r[a:b]) for r in refs])
        num_refs.add(metric.num_refs)
        parts.append(_compact(rows))
    metric.num_refs = num_refs.pop() if len(num_refs) == 1 else -1
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros((0, 0), np.int32)


def _chunkable(metric: Any) -> bool:
    from sacrebleu.metrics import BLEU, CHRF, TER

    return isinstance(metric, (BLEU, CHRF, TER))


def _compact(rows: list[list[Any]]) -> np.ndarray:
    """int32 when every statistic is a small whole number, float64 otherwise."""
    arr = np.asarray(rows)
    if arr.dtype.kind in "iub":
        if arr.size == 0 or (arr.min() >= np.iinfo(np.int32).min and arr.max() < 2**31):
            return arr.astype(np.int32)
        return arr.astype(np.int64)
    return arr.astype(np.float64)


def total(stats: np.ndarray) -> list[Any]:
    """Column sums as sacrebleu's ``sum_of_lists`` makes them: Python ints summed exactly,
    floats added one segment after another (``cumsum`` keeps that order)."""
    if stats.dtype.kind in "iu":
        return [int(x) for x in stats.sum(axis=0, dtype=np.int64)]
    return [float(x) for x in np.cumsum(stats, axis=0)[-1]]


def corpus_score(metric: Any, stats: np.ndarray) -> Any:
    """The corpus score from per-segment statistics, equal to ``metric.corpus_score``."""
    if _chunkable(metric):
        return metric._compute_score_from_stats(total(stats))
    return metric._aggregate_and_compute(stats)


def _index_rows(n: int) -> int:
    """Resamples drawn per chunk so that one chunk holds about CHUNK_CELLS indices."""
    return max(1, CHUNK_CELLS // max(1, n))


def bootstrap_counts(n: int, n_samples: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """How often each segment is drawn, per resample, a chunk of resamples at a time.

    The draws are sacrebleu's ``rng.choice(n, size=(n_samples, n), replace=True)``.
    """
    rows = _index_rows(n)
    for start in range(0, n_samples, rows):
        r = min(rows, n_samples - start)
        idx = rng.choice(n, size=(r, n), replace=True)
        counts = np.empty((r, n), dtype=np.float64)
        for i in range(r):
            counts[i] = np.bincount(idx[i], minlength=n)
        yield counts


def bootstrap_sums(
    stats: Sequence[np.ndarray], n_samples: int, seed: int | None, rng: Any = None
) -> list[np.ndarray]:
    """Per resample, the summed statistics of every array in ``stats`` (one index stream).

    Returns one ``(n_samples, k)`` float64 array per input; ``rng`` continues a generator
    (approximate randomisation draws its CI resamples after its trials).
    """
    n = len(stats[0])
    gen = rng if rng is not None else np.random.default_rng(seed)
    mats = [s.astype(np.float64) for s in stats]
    out = [np.empty((n_samples, m.shape[1]), dtype=np.float64) for m in mats]
    done = 0
    for counts in bootstrap_counts(n, n_samples, gen):
        r = len(counts)
        for o, m in zip(out, mats, strict=True):
            o[done : done + r] = counts @ m
        done += r
    return out


def bootstrap_scores(metric: Any, sums: np.ndarray) -> list[Any]:
    """sacrebleu Score objects of each resample (statistics in float32, as sacrebleu has them)."""
    return [metric._compute_score_from_stats(row) for row in sums.astype(np.float32)]


def ar_trials(
    base: Sequence[np.ndarray],
    system: Sequence[np.ndarray],
    n_trials: int,
    rng: np.random.Generator,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Approximate randomisation: per metric, the two shuffled systems' summed statistics.

    sacrebleu swaps each segment between baseline and system with a coin toss per trial
    (``rng.integers(2, size=(n_trials, n), dtype=bool)``); here the tosses are drawn in
    chunks of whole 32-bit words, so the stream (and what ``rng`` draws after) is the same.
    Shuffled A is ``sys_total + toss @ (base - sys)``; B is ``base_total - toss @ (base - sys)``.
    """
    n = len(base[0])
    diffs = [b.astype(np.float64) - s.astype(np.float64) for b, s in zip(base, system, strict=True)]
    tot_b = [b.astype(np.float64).sum(axis=0) for b in base]
    tot_s = [s.astype(np.float64).sum(axis=0) for s in system]
    out_a = [np.empty((n_trials, d.shape[1])) for d in diffs]
    out_b = [np.empty((n_trials, d.shape[1])) for d in diffs]
    rows = max(_BOOL_WORD, _index_rows(n) // _BOOL_WORD * _BOOL_WORD)
    for start in range(0, n_trials, rows):
        r = min(rows, n_trials - start)
        toss = rng.integers(2, size=(r, n), dtype=bool).astype(np.float64)
        for k, d in enumerate(diffs):
            moved = toss @ d
            out_a[k][start : start + r] = tot_s[k] + moved
            out_b[k][start : start + r] = tot_b[k] - moved
    res = []
    for a, b, s in zip(out_a, out_b, system, strict=True):
        if s.dtype.kind in "iu":  # sacrebleu's sums are int64 there: same values, same type
            a, b = np.rint(a).astype(np.int64), np.rint(b).astype(np.int64)
        res.append((a, b))
    return res
