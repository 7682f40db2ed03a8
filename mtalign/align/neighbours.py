"""Bead costs normalised by each side's nearest neighbours (the default scoring).

A raw cosine is not comparable across sentences: a short or generic sentence is close to
many sentences of the other side, a long specific one to few. Vecalign divides the
cosine distance of a candidate by the mean distance of each side to random sentences of
the other document; the margin criterion of Artetxe & Schwenk compares with the ``k``
*nearest* neighbours instead, which is what decides whether a sentence has a partner at
all. Here a bead's cost is

    (a + b) / 2 * (1 - cos(x, y)) / (1 - w * (knn(x) + knn(y)) / 2)

where ``knn(x)`` is the mean cosine of ``x`` to its ``k`` best candidates *of the same
shape* near the diagonal (a 2-sentence source run is compared with the ``b``-sentence
target runs, so joined texts are not favoured or penalised against single sentences),
and ``w`` is ``AlignParams.knn_weight``. A pair that is no better than the usual nearest
neighbours costs about 1, a clear translation much less, and a sentence without a
partner costs about 1 with everything, so one skip cost works for every document.

Each bead side of ``a`` sentences is one joined text when the caller embedded it
(vecalign's overlaps), else the normalised sum of its members' vectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mtalign.align.dp import INF, VectorFeature

#: Neighbours averaged per side.
KNN = 4
#: Sentences either side of the proportional position searched for neighbours.
KNN_WINDOW = 48


def group_vectors(vecs: np.ndarray, groups: dict[int, np.ndarray], a: int) -> np.ndarray:
    """Vectors of every run of ``a`` consecutive sentences (row ``s`` = ``s .. s + a - 1``)."""
    if a == 1:
        return vecs
    if a in groups:
        return groups[a]
    n = len(vecs)
    if n < a:
        return np.zeros((0, vecs.shape[1]), dtype=np.float32)
    cs = np.zeros((n + 1, vecs.shape[1]), dtype=np.float32)
    np.cumsum(vecs, axis=0, out=cs[1:])
    s = cs[a:] - cs[:-a]
    return s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-12)


def local_knn(
    rows: np.ndarray, other: np.ndarray, scale: float, k: int = KNN, window: int = KNN_WINDOW
) -> np.ndarray:
    """Mean cosine of each row to its ``k`` best rows of ``other`` near the diagonal.

    Row ``i`` is compared with ``other[c - window : c + window + 1]``, ``c = i * scale``,
    so the work grows with the document length, not with its square.
    """
    n, m = len(rows), len(other)
    out = np.zeros(n, dtype=np.float32)
    if n == 0 or m == 0:
        return out
    step = 64
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        c0 = max(0, min(int(r0 * scale) - window, m - 1))
        c1 = min(m, max(int((r1 - 1) * scale) + window + 1, c0 + 1))
        sim = rows[r0:r1] @ other[c0:c1].T
        centre = (np.arange(r0, r1) * scale).astype(np.int64)
        far = np.abs(np.arange(c0, c1)[None, :] - centre[:, None]) > window
        sim = np.where(far, -1.0, sim)  # outside the window: the lowest cosine
        kk = min(k, sim.shape[1])
        out[r0:r1] = np.partition(sim, sim.shape[1] - kk, axis=1)[:, -kk:].mean(axis=1)
    return out


@dataclass
class NeighbourFeature:
    """Cosine distance of a bead over its sides' nearest-neighbour distance (module doc)."""

    src: np.ndarray
    tgt: np.ndarray
    max_size: int
    weight: float = 1.0
    knn_weight: float = 1.0
    name: str = "embedding"
    src_groups: dict[int, np.ndarray] = field(default_factory=dict)
    tgt_groups: dict[int, np.ndarray] = field(default_factory=dict)
    _sv: dict[int, np.ndarray] = field(init=False, repr=False)
    _tv: dict[int, np.ndarray] = field(init=False, repr=False)
    _knn: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.set_groups(self.src_groups, self.tgt_groups)

    def set_groups(self, src_groups: dict, tgt_groups: dict) -> None:
        """Use these joined-text vectors (``groups[a][s]``: sentences ``s .. s + a - 1``)."""
        self.src_groups, self.tgt_groups = src_groups, tgt_groups
        self._sv = {a: group_vectors(self.src, src_groups, a) for a in range(1, self.max_size + 1)}
        self._tv = {a: group_vectors(self.tgt, tgt_groups, a) for a in range(1, self.max_size + 1)}
        self._knn = {}

    def neighbours(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """``knn`` of every ``a``-run among the ``b``-runs, and of every ``b``-run among
        the ``a``-runs."""
        if (a, b) not in self._knn:
            n, m = len(self.src), len(self.tgt)
            r = m / n if n else 1.0
            ks = local_knn(self._sv[a], self._tv[b], r)
            kt = local_knn(self._tv[b], self._sv[a], 1.0 / r if r else 1.0)
            self._knn[(a, b)] = (ks, kt)
        return self._knn[(a, b)]

    def _rows(
        self, vecs: np.ndarray, knn: np.ndarray, r0: int, r1: int, a: int, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        idx = np.arange(r0, r1)
        valid = (idx - a >= 0) & (idx <= n)
        if not len(vecs):
            return np.zeros((len(idx), self.src.shape[1]), np.float32), np.zeros(len(idx)), valid
        pos = np.clip(idx - a, 0, len(vecs) - 1)
        return vecs[pos], knn[pos], valid

    def block(self, a: int, b: int, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        ks_all, kt_all = self.neighbours(a, b)
        s, ks, sv = self._rows(self._sv[a], ks_all, r0, r1, a, len(self.src))
        t, kt, tv = self._rows(self._tv[b], kt_all, c0, c1, b, len(self.tgt))
        half = np.float32(0.5 * self.knn_weight)
        den = 1.0 - half * (ks[:, None] + kt[None, :])
        np.maximum(den, 0.05, out=den)
        cost = s @ t.T
        np.subtract(1.0, cost, out=cost)
        cost /= den
        cost *= np.float32(0.5 * (a + b) * self.weight)
        cost[~sv, :] = INF
        cost[:, ~tv] = INF
        return cost

    def _vec(
        self, vecs: dict[int, np.ndarray], base: np.ndarray, ids: tuple[int, ...]
    ) -> np.ndarray:
        if len(ids) in vecs and len(vecs[len(ids)]):
            return vecs[len(ids)][ids[0]]
        return base[list(ids)].sum(axis=0)

    def similarity(self, src: tuple[int, ...], tgt: tuple[int, ...]) -> float:
        s = self._vec(self._sv, self.src, src)
        t = self._vec(self._tv, self.tgt, tgt)
        den = float(np.linalg.norm(s) * np.linalg.norm(t))
        return float(s @ t) / den if den > 0 else 0.0

    def downsample(self, k: int) -> VectorFeature:
        # The coarse pass only sets the band; block-averaged raw cosines are enough there.
        return VectorFeature(self.src, self.tgt, self.weight, self.name).downsample(k)
