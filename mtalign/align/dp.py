"""The bead dynamic program: costs from pluggable features, a band, coarse-to-fine.

A DP row ``i`` is the boundary after ``i`` source sentences; a cell ``(i, j)`` holds the
cheapest way to align ``src[:i]`` with ``tgt[:j]``. A bead ``(a, b)`` enters ``(i, j)``
from ``(i - a, j - b)``. Only the cells of a band are stored: row ``i`` keeps columns
``lo[i]..hi[i]``. The band comes from a coarse alignment of block-averaged sentences
(vecalign's idea), recursively, so memory and time grow with ``n * band width``, not
``n * m``. If the best path touches the band's edge the band is widened and the DP rerun.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from mtalign.align.length import gc_cost
from mtalign.progress import progress_bar

log = logging.getLogger(__name__)

Type = tuple[int, int]
INF = math.inf
#: Rows of the band whose costs are computed together (one matrix product per bead type).
ROW_BLOCK = 128
#: Below this many cells the whole matrix is the band.
FULL_CELLS = 400_000
#: Coarse level: sentences per block.
COARSE_FACTOR = 8


#: The longest side of a bead that ``max_bead`` may ask for (the DP keeps ~4 types per size).
MAX_BEAD = 8


def bead_types(max_bead: int) -> list[Type]:
    """1-1 first (ties go to it), then 1-0, 0-1, then many-to-one and many-to-many beads.

    Every ``a-b`` with ``a + b <= max_bead + 1`` up to 5 sentences in all (bertalign's
    ``max_align`` set), and beyond that only beads with one or two sentences on the short
    side (1-6, 2-7, ...), so the number of types grows linearly with ``max_bead``.
    """
    types: list[Type] = [(1, 1), (1, 0), (0, 1)]
    for total in range(3, 2 * max_bead + 1):
        for a in range(1, total):
            b = total - a
            if max(a, b) > max_bead or (a, b) in types:
                continue
            if total <= min(max_bead + 1, 5) or (max_bead > 3 and min(a, b) <= 2):
                types.append((a, b))
    return types


def _joined(vecs: np.ndarray, r0: int, r1: int, a: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised sums of ``vecs[i-a:i]`` for ``i`` in ``r0..r1-1`` and a validity mask."""
    idx = np.arange(r0, r1)
    valid = (idx - a >= 0) & (idx <= len(vecs))
    lo = max(0, r0 - a)
    hi = min(len(vecs), r1 - 1)
    cs = np.zeros((max(hi - lo, 0) + 1, vecs.shape[1]), dtype=np.float32)
    if hi > lo:
        np.cumsum(vecs[lo:hi], axis=0, out=cs[1:])
    top = np.clip(idx - lo, 0, hi - lo)
    bot = np.clip(idx - a - lo, 0, hi - lo)
    s = cs[top] - cs[bot]
    norms = np.linalg.norm(s, axis=1, keepdims=True)
    return s / np.maximum(norms, 1e-12), valid


def _sums(values: np.ndarray, r0: int, r1: int, a: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``values[i-a:i]`` for ``i`` in ``r0..r1-1`` and a validity mask."""
    cs = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    idx = np.arange(r0, r1)
    valid = (idx - a >= 0) & (idx <= len(values))
    top = np.clip(idx, 0, len(values))
    bot = np.clip(idx - a, 0, len(values))
    return cs[top] - cs[bot], valid


@dataclass
class VectorFeature:
    """Dissimilarity of joined sentence vectors (embeddings or char n-gram vectors).

    Cost of a bead: ``(a + b) / 2 * (1 - cos) / r`` where ``r`` is the mean cosine
    distance of each side to the other document's average vector, a cheap hubness
    correction (vecalign normalises by random sentences; the mean vector is the average
    over all of them). ``src_groups`` / ``tgt_groups`` optionally hold vectors of joined
    texts: ``groups[a][s]`` embeds sentences ``s .. s + a - 1`` as one text; a bead side
    of ``a`` sentences uses it when present, else the normalised sum of member vectors.
    """

    src: np.ndarray
    tgt: np.ndarray
    weight: float = 1.0
    name: str = "embedding"
    src_groups: dict[int, np.ndarray] = field(default_factory=dict)
    tgt_groups: dict[int, np.ndarray] = field(default_factory=dict)
    _mu_s: np.ndarray = field(init=False, repr=False)
    _mu_t: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._mu_s = self.src.mean(axis=0) if len(self.src) else np.zeros(self.src.shape[1])
        self._mu_t = self.tgt.mean(axis=0) if len(self.tgt) else np.zeros(self.tgt.shape[1])

    def _side(
        self, vecs: np.ndarray, groups: dict[int, np.ndarray], r0: int, r1: int, a: int
    ) -> tuple[np.ndarray, np.ndarray]:
        if a in groups and a > 1:
            return _grouped(groups[a], len(vecs), r0, r1, a)
        return _joined(vecs, r0, r1, a)

    def block(self, a: int, b: int, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        s, sv = self._side(self.src, self.src_groups, r0, r1, a)
        t, tv = self._side(self.tgt, self.tgt_groups, c0, c1, b)
        rs = np.maximum(1.0 - s @ self._mu_t, 0.05)
        rt = np.maximum(1.0 - t @ self._mu_s, 0.05)
        dist = 1.0 - s @ t.T
        cost = dist / (0.5 * (rs[:, None] + rt[None, :])) * (0.5 * (a + b) * self.weight)
        cost[~sv, :] = INF
        cost[:, ~tv] = INF
        return cost

    def _vec(
        self, vecs: np.ndarray, groups: dict[int, np.ndarray], ids: tuple[int, ...]
    ) -> np.ndarray:
        if len(ids) in groups and len(ids) > 1:
            return groups[len(ids)][ids[0]]
        return vecs[list(ids)].sum(axis=0)

    def similarity(self, src: tuple[int, ...], tgt: tuple[int, ...]) -> float:
        s = self._vec(self.src, self.src_groups, src)
        t = self._vec(self.tgt, self.tgt_groups, tgt)
        den = float(np.linalg.norm(s) * np.linalg.norm(t))
        return float(s @ t) / den if den > 0 else 0.0

    def downsample(self, k: int) -> VectorFeature:
        return VectorFeature(
            _pool_vecs(self.src, k), _pool_vecs(self.tgt, k), self.weight, self.name
        )


def _grouped(g: np.ndarray, n: int, r0: int, r1: int, a: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of joined-text vectors ``g`` for bead ends ``r0..r1-1`` and a validity mask."""
    idx = np.arange(r0, r1)
    valid = (idx - a >= 0) & (idx <= n)
    if not len(g):
        return np.zeros((len(idx), g.shape[1]), dtype=np.float32), valid
    return g[np.clip(idx - a, 0, len(g) - 1)], valid


def _pool_vecs(x: np.ndarray, k: int) -> np.ndarray:
    n = len(x)
    pad = (-n) % k
    if pad:
        x = np.concatenate([x, np.zeros((pad, x.shape[1]), dtype=x.dtype)])
    s = x.reshape(-1, k, x.shape[1]).sum(axis=1)
    return s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-12)


def _pool_lens(x: np.ndarray, k: int) -> np.ndarray:
    pad = (-len(x)) % k
    if pad:
        x = np.concatenate([x, np.zeros(pad, dtype=x.dtype)])
    return x.reshape(-1, k).sum(axis=1)


@dataclass
class LengthFeature:
    """Gale-Church length cost of a bead (``-log`` of the normal tail probability)."""

    src: np.ndarray
    tgt: np.ndarray
    ratio: float
    variance: float
    weight: float = 1.0
    name: str = "length"

    def block(self, a: int, b: int, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        ls, sv = _sums(self.src, r0, r1, a)
        lt, tv = _sums(self.tgt, c0, c1, b)
        cost = gc_cost(ls[:, None], lt[None, :], self.ratio, self.variance) * self.weight
        cost[~sv, :] = INF
        cost[:, ~tv] = INF
        return cost

    def similarity(self, src: tuple[int, ...], tgt: tuple[int, ...]) -> float:
        ls = np.array([[self.src[list(src)].sum()]])
        lt = np.array([[self.tgt[list(tgt)].sum()]])
        return float(np.exp(-gc_cost(ls, lt, self.ratio, self.variance))[0, 0])

    def downsample(self, k: int) -> LengthFeature:
        return LengthFeature(
            _pool_lens(self.src, k), _pool_lens(self.tgt, k), self.ratio, self.variance,
            self.weight, self.name,
        )  # fmt: skip


@dataclass
class CostModel:
    """Bead costs = sum of weighted features + a penalty per bead type; skip costs per sentence."""

    n: int
    m: int
    features: list
    types: list[Type]
    penalties: dict[Type, float]
    skip_src: np.ndarray
    skip_tgt: np.ndarray

    def block(self, r0: int, r1: int, c0: int, c1: int) -> dict[Type, np.ndarray]:
        out: dict[Type, np.ndarray] = {}
        for a, b in self.types:
            if a == 0 or b == 0:
                continue
            total = np.full((r1 - r0, c1 - c0), self.penalties.get((a, b), 0.0))
            for f in self.features:
                total += f.block(a, b, r0, r1, c0, c1)
            out[(a, b)] = total
        return out

    def downsample(self, k: int) -> CostModel:
        return CostModel(
            n=-(-self.n // k),
            m=-(-self.m // k),
            features=[f.downsample(k) for f in self.features],
            types=self.types,
            penalties=self.penalties,
            skip_src=_pool_lens(self.skip_src, k) / k,
            skip_tgt=_pool_lens(self.skip_tgt, k) / k,
        )


@dataclass
class DPStats:
    """What the last run of :func:`solve` did (for logs and benchmarks)."""

    levels: int = 0
    cells: int = 0
    max_width: int = 0
    widenings: int = 0


def _prev(rows: list[np.ndarray], lo: np.ndarray, r: int, j0: int, j1: int) -> np.ndarray:
    """``D[r][j0..j1]`` with ``inf`` outside row ``r``'s band."""
    arr = rows[r]
    off = int(lo[r])
    s, e = j0 - off, j1 - off + 1
    if s >= 0 and e <= len(arr):
        return arr[s:e]
    out = np.full(j1 - j0 + 1, INF)
    a, b = max(s, 0), min(e, len(arr))
    if b > a:
        out[a - s : b - s] = arr[a:b]
    return out


def banded_dp(
    model: CostModel, lo: np.ndarray, hi: np.ndarray, progress: bool = False
) -> list[Type]:
    """Best path inside the band; returns the list of ``(src_count, tgt_count)`` beads.

    ``lo``/``hi`` (length ``n + 1``) are inclusive column bounds per row, non-decreasing,
    with ``lo[0] == 0`` and ``hi[n] == m``.
    """
    n, m = model.n, model.m
    types = model.types
    t01 = types.index((0, 1))
    skip_t = np.concatenate(([0.0], np.cumsum(model.skip_tgt, dtype=np.float64)))
    rows: list[np.ndarray] = []
    bps: list[np.ndarray] = []
    bar = None
    if progress and n > 2000:
        bar = progress_bar(n + 1, "align", "row")
    for r0 in range(0, n + 1, ROW_BLOCK):
        r1 = min(n + 1, r0 + ROW_BLOCK)
        c0 = max(0, int(lo[r0:r1].min()))
        c1 = int(hi[r0:r1].max()) + 1
        costs = model.block(r0, r1, c0, c1)
        for i in range(r0, r1):
            L, H = int(lo[i]), int(hi[i])
            best = np.full(H - L + 1, INF)
            bp = np.zeros(H - L + 1, dtype=np.int16)
            for t, (a, b) in enumerate(types):
                if a == 0 or i - a < 0:
                    continue
                prev = _prev(rows, lo, i - a, L - b, H - b)
                if b == 0:
                    cand = prev + model.skip_src[i - 1]
                else:
                    cand = prev + costs[(a, b)][i - r0, L - c0 : H - c0 + 1]
                better = cand < best
                best = np.where(better, cand, best)
                bp[better] = t
            if i == 0:
                best[0] = 0.0
            # 0-1 beads chain inside a row: D[j] = min(best[j], D[j-1] + skip[j-1]),
            # solved with a running minimum of best[j] - P[j], P the prefix skip costs.
            p = skip_t[L : H + 1]
            g = best - p
            run = np.minimum.accumulate(g)
            from01 = run < g
            row = np.where(from01, run + p, best)
            bp[from01] = t01
            rows.append(row)
            bps.append(bp)
        if bar is not None:
            bar.update(r1 - r0)
    if bar is not None:
        bar.close()
    path: list[Type] = []
    i, j = n, m
    if not math.isfinite(rows[n][m - int(lo[n])]):
        raise RuntimeError("no path inside the band")  # a bug: the band is always connected
    while i > 0 or j > 0:
        a, b = types[bps[i][j - int(lo[i])]]
        path.append((a, b))
        i, j = i - a, j - b
    path.reverse()
    return path


def _band_from_path(
    path: Sequence[Type], k: int, n: int, m: int, w: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fine-level band around a coarse path (each coarse cell is a ``k x k`` block)."""
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    ci = cj = 0
    for a, b in path:
        r0, r1 = ci * k, min((ci + a) * k, n)
        j0, j1 = cj * k, min((cj + b) * k, m)
        lo[r0 : r1 + 1] = np.minimum(lo[r0 : r1 + 1], j0)
        hi[r0 : r1 + 1] = np.maximum(hi[r0 : r1 + 1], j1)
        ci, cj = ci + a, cj + b
    return _widen(lo, hi, n, m, w)


def _widen(lo: np.ndarray, hi: np.ndarray, n: int, m: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    idx = np.arange(n + 1)
    # Widen along both axes: shifting rows by w moves the band diagonally, too.
    lo2 = lo.copy()
    hi2 = hi.copy()
    for s in (-w, w):
        src = np.clip(idx + s, 0, n)
        lo2 = np.minimum(lo2, lo[src])
        hi2 = np.maximum(hi2, hi[src])
    lo2 = np.clip(lo2 - w, 0, m)
    hi2 = np.clip(hi2 + w, 0, m)
    lo2 = np.minimum.accumulate(lo2[::-1])[::-1]
    hi2 = np.maximum.accumulate(hi2)
    lo2[0] = 0
    hi2[n] = m
    # Keep consecutive rows overlapping so every row can be entered.
    lo2[1:] = np.minimum(lo2[1:], hi2[:-1])
    return lo2, hi2


def _touches_edge(path: Sequence[Type], lo: np.ndarray, hi: np.ndarray, m: int) -> bool:
    i = j = 0
    for a, b in path:
        i, j = i + a, j + b
        if (j == lo[i] and lo[i] > 0) or (j == hi[i] and hi[i] < m):
            return True
    return False


def solve(
    model: CostModel,
    band: int = 16,
    stats: DPStats | None = None,
    progress: bool = False,
) -> list[Type]:
    """The lowest-cost bead sequence, coarse-to-fine when the full matrix is large."""
    stats = stats if stats is not None else DPStats()
    n, m = model.n, model.m
    if n == 0 or m == 0:
        return [(1, 0)] * n + [(0, 1)] * m
    stats.levels += 1
    if (n + 1) * (m + 1) <= FULL_CELLS:
        lo = np.zeros(n + 1, dtype=np.int64)
        hi = np.full(n + 1, m, dtype=np.int64)
        path = banded_dp(model, lo, hi, progress)
        stats.cells += (n + 1) * (m + 1)
        stats.max_width = max(stats.max_width, m + 1)
        return path
    k = COARSE_FACTOR
    coarse = solve(model.downsample(k), band, stats, progress)
    w = band + 2 * k
    while True:
        lo, hi = _band_from_path(coarse, k, n, m, w)
        path = banded_dp(model, lo, hi, progress)
        width = hi - lo + 1
        stats.cells += int(width.sum())
        stats.max_width = max(stats.max_width, int(width.max()))
        if not _touches_edge(path, lo, hi, m) or w >= 4 * (band + 2 * k):
            return path
        stats.widenings += 1
        log.debug("path touched the band edge; widening from %d", w)
        w *= 2
