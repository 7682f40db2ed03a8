"""Translation as a similarity source (the bleualign idea).

The caller supplies ``translate(list[str]) -> list[str]`` (the pipeline wires an engine;
this package never imports one). Source sentences are translated once; the translation
and the target are compared by a character n-gram score. For the dynamic program's many
candidate beads the score is computed as the cosine of hashed, sqrt-weighted char n-gram
count vectors (a dense cousin of chrF that batches as matrix products); joined beads
sum their members' counts.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import numpy as np

from mtalign.errors import ModelError

Translate = Callable[[list[str]], list[str]]


class CharNgramEmbedder:
    """Hashed char n-gram (orders ``lo..hi``) count vectors, sqrt-weighted, L2-normalised."""

    name = "char-ngram"

    def __init__(self, dim: int = 2048, orders: tuple[int, int] = (2, 5)) -> None:
        self.dim = dim
        self.orders = orders

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        lo, hi = self.orders
        for row, text in enumerate(texts):
            s = " " + " ".join(text.lower().split()) + " "
            idx = [
                zlib.crc32(s[k : k + n].encode("utf-8")) % self.dim
                for n in range(lo, hi + 1)
                for k in range(len(s) - n + 1)
            ]
            if idx:
                np.add.at(out[row], idx, 1.0)
        np.sqrt(out, out=out)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def translate_all(translate: Translate, texts: Sequence[str]) -> list[str]:
    """Call the caller's translator once and check that it kept the count."""
    if not texts:
        return []
    out = translate(list(texts))
    if len(out) != len(texts):
        raise ModelError(
            f"translate() returned {len(out)} strings for {len(texts)} sentences; "
            "it must return one translation per input"
        )
    return [str(t) for t in out]


def chrf(hyp: str, ref: str, order: int = 6, beta: float = 2.0) -> float:
    """Sentence chrF (character n-grams 1..order, no word n-grams), in 0..1."""
    h = "".join(hyp.split())
    r = "".join(ref.split())
    precs, recs = [], []
    for n in range(1, order + 1):
        hc = _counts(h, n)
        rc = _counts(r, n)
        if not hc or not rc:
            continue
        match = sum(min(c, rc.get(g, 0)) for g, c in hc.items())
        precs.append(match / sum(hc.values()))
        recs.append(match / sum(rc.values()))
    if not precs:
        return 0.0
    p, r_ = sum(precs) / len(precs), sum(recs) / len(recs)
    if p + r_ == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * p * r_ / (b2 * p + r_)


def _counts(s: str, n: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for k in range(len(s) - n + 1):
        g = s[k : k + n]
        out[g] = out.get(g, 0) + 1
    return out
