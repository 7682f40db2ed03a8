"""An on-disk embedding cache for the alignment benchmarks (never used by the library).

Embedding is the expensive part of an alignment run and does not change while the DP is
tuned, so the benchmarks keep every vector they computed in one ``.npz`` per encoder
under ``MTALIGN_BENCH_CACHE`` (default ``~/.cache/mtalign-bench``), keyed by the SHA-1 of
the text the encoder saw.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np


def cache_root() -> Path:
    """Folder of the benchmark embedding caches."""
    env = os.environ.get("MTALIGN_BENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "mtalign-bench"


class DiskCachedEmbedder:
    """Wraps an embedder; vectors of texts seen before come from disk. Call :meth:`save`."""

    def __init__(self, inner, name: str) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", name)
        self.path = cache_root() / f"{name}.npz"
        self._vecs: dict[str, np.ndarray] = {}
        self._dirty = False
        self._parts: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path) as z:
                self._vecs = dict(zip(z["keys"].tolist(), z["vecs"], strict=True))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        todo = list(
            dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._vecs)
        )
        if todo:
            vecs = np.asarray(self.inner.embed(todo), dtype=np.float32)
            for t, v in zip(todo, vecs, strict=True):
                self._vecs[self._key(t)] = v
            self._dirty = True
        if not keys:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self._vecs[k] for k in keys])

    def runs(self, texts, a: int):
        """The wrapped embedder's run vectors (``USEEmbedder.runs``); the per-sentence
        token sums they come from are kept in memory for the whole benchmark run."""
        model = getattr(self.inner, "_pooled_model", None)
        pooled = model() if callable(model) else None
        if not pooled:
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._parts]
        if missing:
            self._parts.update(zip(missing, pooled.parts(missing), strict=True))
        return pooled.runs(np.stack([self._parts[t] for t in texts]), a)

    def save(self) -> None:
        """Write the cache (atomically) if anything was added."""
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        keys = np.array(list(self._vecs), dtype="U40")
        np.savez(tmp, keys=keys, vecs=np.stack(list(self._vecs.values())))
        os.replace(tmp, self.path)
        self._dirty = False
