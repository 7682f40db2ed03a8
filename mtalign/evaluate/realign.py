"""Pairing a system's lines with the reference lines when their counts differ.

Hypothesis and reference are in the same language, so they are compared directly. A bead
(a group of hypothesis lines with a group of reference lines, joined as they will be
scored) costs the tokens of either side that the other side lacks: what a reader would
delete and insert to turn one into the other. A line left unpaired costs all its tokens.
A dynamic program over the beads 1-1, 1-0, 0-1, 1-2, 2-1, 1-3 and 3-1 finds the cheapest
grouping; among groupings of equal content cost the simplest wins (unpaired lines before
merged ones), so a hypothesis that dropped a line pairs every other line with its own
reference, and one that merged two lines is paired with both. Tokens are words and
punctuation marks (characters for scripts written without spaces), case-folded, and their
bigrams, so that order counts too.

The program runs in a band around a chain of confident anchors (lines sharing rare words
and most of their content), widened while the best path touches its edge: a few thousand
lines take seconds, and a block of lines dropped or added anywhere is still found. When
the line counts differ so much that this band would exceed ``MAX_CELLS`` (30,000 lines
against 3,000), the band follows the straight line between anchors instead, so the cells
grow with the lines, never with their product; beyond ``MAX_FIRST_CELLS`` even for that
band, realigning is refused with the fix.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from mtalign.errors import InputError
from mtalign.langs import without_spaces
from mtalign.types import Alignment, Bead

#: Bead shapes (hypothesis lines, reference lines), in order of preference on exact ties.
BEADS = ((1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (1, 3), (3, 1))
#: Costs are integers: a token is worth SCALE; the small penalties only break ties.
SCALE = 100
SKIP_PENALTY = 1
MERGE_PENALTY = 2  # per line beyond one on either side of a bead
#: Band half-width to start with; stretches between anchors up to OPEN lines are open
#: whole; widening stops at MAX_CELLS cells.
BAND = 8
OPEN = 64
MAX_CELLS = 2_000_000
#: The narrowest band of the largest inputs must fit in this many cells (about 1.5 GiB).
MAX_FIRST_CELLS = 6_000_000
#: Anchors: a line's rarest words find its candidates; a pair needs this Dice overlap.
RARE_WORDS = 3
ANCHOR_DICE = 0.5
METHOD = "mtalign.evaluate token overlap"

_TOKEN = re.compile(r"\w+|[^\w\s]")
_INF = float("inf")


def token_list(text: str, lang: str | None = None) -> list[str]:
    """Case-folded words and punctuation marks (characters for scripts without spaces)."""
    low = text.casefold()
    if without_spaces(lang):
        return [c for c in low if not c.isspace()]
    return _TOKEN.findall(low)


def bag(text: str, lang: str | None = None) -> frozenset[str]:
    """Tokens and token bigrams of ``text`` as a multiset: the k-th copy of ``t`` is
    ``t``+``\\x1f``+``k``, so a set intersection counts shared occurrences (fast, in C).
    """
    toks = token_list(text, lang)
    grams = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
    seen: dict[str, int] = {}
    out = []
    for g in grams:
        k = seen.get(g, 0) + 1
        seen[g] = k
        out.append(f"{g}\x1f{k}")
    return frozenset(out)


class _Side:
    """One side's lines: bags of single lines and of runs of up to three (made lazily)."""

    def __init__(self, lines: Sequence[str], lang: str | None) -> None:
        self.lines = lines
        self.lang = lang
        self.one = [bag(s, lang) for s in lines]
        self.size = [len(b) for b in self.one]
        self.words = [set(token_list(s, lang)) for s in lines]
        self._runs: dict[tuple[int, int], frozenset[str]] = {}

    def bag(self, start: int, count: int) -> frozenset[str]:
        if count == 1:
            return self.one[start]
        key = (start, count)
        if key not in self._runs:
            self._runs[key] = bag(" ".join(self.lines[start : start + count]), self.lang)
        return self._runs[key]


def _bead_cost(h: _Side, i: int, a: int, r: _Side, j: int, b: int) -> int:
    if a == 0:
        return r.size[j] * SCALE + SKIP_PENALTY
    if b == 0:
        return h.size[i] * SCALE + SKIP_PENALTY
    hb, rb = h.bag(i, a), r.bag(j, b)
    missing = len(hb) + len(rb) - 2 * len(hb & rb)
    return missing * SCALE + MERGE_PENALTY * (a + b - 2)


def _dice(x: frozenset[str], y: frozenset[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x or y else 1.0


def _anchors(h: _Side, r: _Side) -> list[tuple[int, int]]:
    """Confident 1-1 pairs, in order on both sides: they steer the band of the program.

    A hypothesis line's candidates are the reference lines holding its rarest words; the
    best one is a pair when their Dice overlap is at least ``ANCHOR_DICE``. The longest
    chain of pairs increasing on both sides is kept.
    """
    df = Counter(w for words in r.words for w in words)
    index: dict[str, list[int]] = {}
    for j, words in enumerate(r.words):
        for w in words:
            index.setdefault(w, []).append(j)
    pairs: list[tuple[int, int]] = []
    for i, words in enumerate(h.words):
        rare = sorted((df[w], w) for w in words if w in df)[:RARE_WORDS]
        cands = sorted({j for _, w in rare for j in index[w][:64]})
        if cands:
            score, neg_j = max((_dice(h.one[i], r.one[j]), -j) for j in cands)
            if score >= ANCHOR_DICE:
                pairs.append((i, -neg_j))
    tails: list[int] = []  # per chain length: the pair index of its smallest end
    ends: list[int] = []  # the reference line of those ends
    prev: list[int] = []
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(ends, j)
        prev.append(tails[pos - 1] if pos else -1)
        tails[pos : pos + 1] = [k]
        ends[pos : pos + 1] = [j]
    chain, k = [], tails[-1] if tails else -1
    while k >= 0:
        chain.append(pairs[k])
        k = prev[k]
    return chain[::-1]


def _ranges(anchors: list[tuple[int, int]], n: int, m: int, band: int) -> list[tuple[int, int]]:
    """Per row ``i`` of the program, the ``j`` range it may visit, around the anchors.

    Between two anchors up to ``OPEN`` lines apart every ``j`` is open (a block of
    dropped or added lines fits), plus ``band`` on each side; a longer stretch gets a band
    along its own diagonal.
    """
    points = [(0, 0), *anchors, (n, m)]
    lo, hi = [0] * (n + 1), [m] * (n + 1)
    for (ia, ja), (ib, jb) in zip(points, points[1:], strict=False):
        whole = ib - ia <= OPEN and jb - ja <= OPEN
        shift_lo, shift_hi = min(0, (jb - ja) - (ib - ia)), max(0, (jb - ja) - (ib - ia))
        for i in range(ia, ib + 1):
            if whole:
                a, b = ja - band, jb + band
            else:
                a = ja + (i - ia) + shift_lo - band
                b = ja + (i - ia) + shift_hi + band
            lo[i], hi[i] = max(0, a), min(m, b)
    return _monotone(lo, hi, n, m)


def _slope_ranges(
    anchors: list[tuple[int, int]], n: int, m: int, band: int
) -> list[tuple[int, int]]:
    """Like :func:`_ranges`, but every stretch gets ``band`` around the straight line
    between its anchors: cells grow with ``n + m``, however unequal the counts."""
    points = [(0, 0), *anchors, (n, m)]
    lo, hi = [0] * (n + 1), [m] * (n + 1)
    for (ia, ja), (ib, jb) in zip(points, points[1:], strict=False):
        di, dj = ib - ia, jb - ja
        for i in range(ia, ib + 1):
            if di == 0:
                a, b = ja, jb
            else:
                a = ja + dj * (i - ia) // di
                b = ja + -(-dj * (i + 1 - ia) // di)  # the next row's start, rounded up
            lo[i], hi[i] = max(0, a - band), min(m, min(b, jb) + band)
    return _monotone(lo, hi, n, m)


def _monotone(lo: list[int], hi: list[int], n: int, m: int) -> list[tuple[int, int]]:
    """Bounds that only move forward, so every cell keeps its predecessors."""
    for i in range(1, n + 1):
        lo[i] = max(lo[i], lo[i - 1])
    for i in range(n - 1, -1, -1):
        hi[i] = min(hi[i], hi[i + 1])
    lo[0], hi[n] = 0, m
    return [(a, max(a, b)) for a, b in zip(lo, hi, strict=True)]


def _cells(ranges: list[tuple[int, int]]) -> int:
    return sum(b - a + 1 for a, b in ranges)


def _solve(h: _Side, r: _Side, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The cheapest bead path through the allowed cells, as (a, b) shapes."""
    n = len(h.one)
    cost: list[dict[int, float]] = [{} for _ in range(n + 1)]
    back: list[dict[int, int]] = [{} for _ in range(n + 1)]
    cost[0][0] = 0
    for i in range(n + 1):
        lo, hi = ranges[i]
        for j in range(lo, hi + 1):
            if i == 0 and j == 0:
                continue
            best, pick = _INF, -1
            for k, (a, b) in enumerate(BEADS):
                pi, pj = i - a, j - b
                prev = cost[pi].get(pj, _INF) if pi >= 0 and pj >= 0 else _INF
                if prev == _INF:
                    continue
                c = prev + _bead_cost(h, pi, a, r, pj, b)
                if c < best:
                    best, pick = c, k
            cost[i][j] = best
            back[i][j] = pick
    path = []
    i, j = n, len(r.one)
    while i or j:
        a, b = BEADS[back[i][j]]
        path.append((a, b))
        i, j = i - a, j - b
    return path[::-1]


def _touches_edge(path: list[tuple[int, int]], ranges: list[tuple[int, int]], m: int) -> bool:
    i = j = 0
    for a, b in path:
        i, j = i + a, j + b
        lo, hi = ranges[i]
        if (j == lo and lo > 0) or (j == hi and hi < m):
            return True
    return False


def _check_size(n: int, m: int) -> None:
    """Refuse inputs whose narrowest band would not fit in ``MAX_FIRST_CELLS`` cells."""
    need = (n + 1) * (2 * BAND + 1) + m
    if need > MAX_FIRST_CELLS:
        raise InputError(
            f"realigning {n:,} hypothesis lines with {m:,} reference lines needs more than "
            f"{MAX_FIRST_CELLS:,} cells; split both files into documents (a few thousand "
            "lines each) and evaluate them separately, or give line-aligned files"
        )


def realign(
    hyps: Sequence[str],
    refs: Sequence[str],
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    **_: object,
) -> Alignment:
    """Beads pairing hypothesis lines (``src``) with reference lines (``tgt``).

    Same call shape as an :data:`mtalign.evaluate.alignment.Aligner`. Bead scores are the
    Dice overlap of the two sides' tokens (0 for unpaired lines).
    """
    lang = tgt_lang or src_lang
    n, m = len(hyps), len(refs)
    _check_size(n, m)
    h, r = _Side(hyps, lang), _Side(refs, lang)
    anchors = _anchors(h, r)
    band = BAND
    shape = _ranges
    if _cells(_ranges(anchors, n, m, band)) > MAX_CELLS:
        shape = _slope_ranges
    while True:
        ranges = shape(anchors, n, m, band)
        path = _solve(h, r, ranges)
        cells = _cells(ranges)
        if not _touches_edge(path, ranges, m) or band >= max(n, m) or 2 * cells > MAX_CELLS:
            break
        band *= 2
    beads = []
    i = j = 0
    for a, b in path:
        score = _dice(h.bag(i, a), r.bag(j, b)) if a and b else 0.0
        beads.append(Bead(tuple(range(i, i + a)), tuple(range(j, j + b)), round(score, 4)))
        i, j = i + a, j + b
    return Alignment(
        src_lang=src_lang or "",
        tgt_lang=tgt_lang or "",
        src=tuple(hyps),
        tgt=tuple(refs),
        beads=tuple(beads),
        method=METHOD,
        meta={"anchors": len(anchors), "band": band, "cells": cells},
    )
