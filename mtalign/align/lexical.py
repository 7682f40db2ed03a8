"""Surface evidence that survives translation: numbers, ?, !, quotes, names.

Each sentence becomes a bag of tokens (numbers with separators removed, question and
exclamation marks, quotation marks, ellipses, parentheses, capitalised Latin-script words
inside the sentence). Only tokens that occur on both sides of the document count; the
cost of a bead is the number of such tokens left unmatched between its two sides (an L1
distance of count vectors), so a path pays once for every token it cannot pair, and
pairing a sentence with the one that carries the same number or the same question mark is
cheaper. A skipped sentence pays for all of its shared tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Most distinct shared tokens kept (the rarest first: they are the most informative).
MAX_VOCAB = 192
#: Count levels computed as matrix products; above this the L1 is taken directly, in
#: row chunks of at most 4 M elements.
MAX_LEVELS = 16

_NUMBER = re.compile(r"\d+(?:[.,'\u00a0\u202f]\d+)*")
_PUNCT = {"?": "?", "¿": "?", "!": "!", "¡": "!", "…": "...", "(": "(", "[": "("}
_QUOTES = frozenset('"“”„«»‹›‚‘’')
_NAME = re.compile(r"(?<=[\s,;:(\"“„«])([A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{2,})")


def _fold(word: str) -> str:
    """Lower case without diacritics, first 5 letters (Paris / París / Parisien share it)."""
    base = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in base if not unicodedata.combining(c))[:5]


def surface_tokens(text: str, names: bool = True) -> Counter:
    """The bag of surface tokens of one (normalised) sentence."""
    bag: Counter = Counter()
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        bag["#" + digits.lstrip("0")[:12] or "#0"] += 1
    text = text.replace("...", "…")
    for ch in text:
        if ch in _PUNCT:
            bag[_PUNCT[ch]] += 1
        elif ch in _QUOTES:
            bag['"'] += 1
    if names:
        for m in _NAME.finditer(text):
            bag["@" + _fold(m.group(1))] += 1
    return bag


def shared_counts(
    src: Sequence[str], tgt: Sequence[str], names: bool = True
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Count matrices (sentences x shared tokens) for both sides and the token list."""
    bs = [surface_tokens(t, names) for t in src]
    bt = [surface_tokens(t, names) for t in tgt]
    df_s: Counter = Counter(k for b in bs for k in b)
    df_t: Counter = Counter(k for b in bt for k in b)
    shared = sorted(set(df_s) & set(df_t), key=lambda k: (df_s[k] + df_t[k], k))[:MAX_VOCAB]
    col = {k: c for c, k in enumerate(shared)}

    def matrix(bags: list[Counter]) -> np.ndarray:
        out = np.zeros((len(bags), len(shared)), dtype=np.float32)
        for r, b in enumerate(bags):
            for k, v in b.items():
                if k in col:
                    out[r, col[k]] = v
        return out

    return matrix(bs), matrix(bt), shared


def _cumsum(x: np.ndarray) -> np.ndarray:
    out = np.zeros((len(x) + 1, x.shape[1]), dtype=np.float32)
    np.cumsum(x, axis=0, out=out[1:])
    return out


@dataclass
class LexicalFeature:
    """Cost = weight x unmatched shared tokens between the two sides of a bead."""

    src: np.ndarray
    tgt: np.ndarray
    weight: float = 0.1
    name: str = "lexical"

    def __post_init__(self) -> None:
        self._cs = _cumsum(self.src)
        self._ct = _cumsum(self.tgt)

    def _window(self, cs: np.ndarray, r0: int, r1: int, a: int) -> tuple[np.ndarray, np.ndarray]:
        n = len(cs) - 1
        idx = np.arange(r0, r1)
        valid = (idx - a >= 0) & (idx <= n)
        top = np.clip(idx, 0, n)
        return cs[top] - cs[np.clip(idx - a, 0, n)], valid

    def block(self, a: int, b: int, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        s, sv = self._window(self._cs, r0, r1, a)
        t, tv = self._window(self._ct, c0, c1, b)
        cost = self.weight * _l1(s, t) if s.shape[1] else np.zeros((len(s), len(t)))
        cost[~sv, :] = np.inf
        cost[:, ~tv] = np.inf
        return cost

    def skip_costs(self) -> tuple[np.ndarray, np.ndarray]:
        """What skipping each source / target sentence costs (its shared tokens)."""
        return self.src.sum(axis=1) * self.weight, self.tgt.sum(axis=1) * self.weight

    def similarity(self, src: tuple[int, ...], tgt: tuple[int, ...]) -> float:
        return 0.0

    def downsample(self, k: int) -> LexicalFeature:
        return LexicalFeature(_pool(self.src, k), _pool(self.tgt, k), self.weight, self.name)


def _l1(s: np.ndarray, t: np.ndarray) -> np.ndarray:
    """L1 distances between the rows of two count matrices, as matrix products.

    For counts, ``|x - y| = x + y - 2 min(x, y)`` and ``min(x, y)`` is the number of levels
    ``l >= 1`` with ``x >= l`` and ``y >= l``; so the shared part is one product of 0/1
    matrices per level. Counts are small (a bead's tokens), so there are few levels, and no
    rows x columns x tokens array is built.
    """
    top = int(max(s.max(initial=0.0), t.max(initial=0.0)))
    if top > MAX_LEVELS:  # a token repeated many times (a line of "?"): plain differences
        step = max(1, (1 << 22) // max(1, len(t) * s.shape[1]))
        return np.concatenate(
            [
                np.abs(s[i : i + step, None, :] - t[None, :, :]).sum(axis=2, dtype=np.float64)
                for i in range(0, len(s), step)
            ]
        ).reshape(len(s), len(t))
    common = np.zeros((len(s), len(t)), dtype=np.float64)
    for level in range(1, top + 1):
        common += (s >= level).astype(np.float32) @ (t >= level).astype(np.float32).T
    out = s.sum(axis=1, dtype=np.float64)[:, None] + t.sum(axis=1, dtype=np.float64)[None, :]
    out -= 2.0 * common
    return out


def _pool(x: np.ndarray, k: int) -> np.ndarray:
    pad = (-len(x)) % k
    if pad:
        x = np.concatenate([x, np.zeros((pad, x.shape[1]), dtype=x.dtype)])
    # The row count is explicit: with no shared tokens there are no columns, and -1
    # cannot be inferred from an empty array.
    return x.reshape(len(x) // k, k, x.shape[1]).sum(axis=1)
