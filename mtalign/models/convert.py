"""The CTranslate2 conversion cache: each checkpoint converted once, atomically, under a lock.

Conversions live in ``<cache root>/ct2`` (:func:`mtalign.paths.ct2_cache_dir`), keyed by model
id, revision and quantization.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from mtalign.errors import ConfigError, ModelError
from mtalign.models.checkpoint import load_problem, one_line
from mtalign.models.resolve import ResolvedModel
from mtalign.paths import cache_dir_error, ct2_cache_dir, make_cache_dir

logger = logging.getLogger(__name__)

CT2_MARKER = "mtalign-complete.json"
#: Temporary folders of a conversion (``tempfile.mkdtemp`` adds 8 characters): a finished
#: or failed conversion removes its own; a killed one leaves them for the next run.
_TEMP_RE = re.compile(r"^\.(?:tmp|old)-(?P<name>.+)-[a-z0-9_]{8}$")


def ct2_quantization(compute_type: str) -> str:
    """Storage quantization to convert with for a CTranslate2 ``compute_type``."""
    if compute_type.startswith("int8"):
        return "int8"
    if compute_type in {"float16", "bfloat16", "float32", "int16"}:
        return compute_type
    if compute_type in {"auto", "default"}:
        return "int8"
    raise ModelError(
        f"unknown CTranslate2 compute type {compute_type!r}; use int8, int8_float16, "
        "int8_float32, int16, float16, bfloat16 or float32"
    )


def ct2_cache_path(model: ResolvedModel, quantization: str) -> Path:
    """The cache directory for ``model`` converted with ``quantization`` (may not exist)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", model.model_id).strip("-") or "model"
    rev = re.sub(r"[^A-Za-z0-9]+", "", model.revision)[:20] or "norev"
    return ct2_cache_dir() / f"{slug}--{rev}--{quantization}"


def is_converted(path: Path) -> bool:
    """A finished, whole conversion: the marker is written last, so its presence means
    complete; the file sizes it records (mtalign >= 0.x) must still be those on disk, so a
    conversion truncated later (a full disk, a bad copy of the cache) is made again."""
    if not (path / CT2_MARKER).is_file() or not (path / "model.bin").is_file():
        return False
    try:
        marker = json.loads((path / CT2_MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    sizes = marker.get("sizes") if isinstance(marker, dict) else None
    if not isinstance(sizes, dict):
        return isinstance(marker, dict)  # written before sizes were recorded
    for name, size in sizes.items():
        file = path / str(name)
        if not file.is_file() or file.stat().st_size != size:
            logger.warning("%s is not the size its conversion wrote; converting again", file)
            return False
    return True


def _sizes(folder: Path) -> dict[str, int]:
    return {f.name: f.stat().st_size for f in sorted(folder.iterdir()) if f.is_file()}


def sweep_stale(cache: Path, holding: str | None = None) -> list[Path]:
    """Remove temporary folders of conversions that are no longer running; the removed.

    A temporary folder (``.tmp-NAME-xxxxxxxx``, ``.old-NAME-xxxxxxxx``) belongs to the
    conversion of NAME, which holds the lock ``.NAME.lock`` while it runs. If that lock
    can be taken at once, the conversion that made the folder was killed: the folder is
    stale. ``holding`` is a NAME whose lock the caller holds (its folders are stale too).
    Other files are never touched.
    """
    removed: list[Path] = []
    for entry in sorted(cache.iterdir()) if cache.is_dir() else []:
        match = _TEMP_RE.match(entry.name)
        if match is None or not entry.is_dir() or entry.is_symlink():
            continue
        name = match.group("name")
        if name == holding:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
            continue
        lock = FileLock(cache / f".{name}.lock", timeout=0)
        try:
            lock.acquire()
        except Timeout:
            continue  # that conversion is running
        try:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        finally:
            lock.release()
    for path in removed:
        logger.info("removed %s, left by an interrupted conversion", path)
    return removed


def quiet_transformers() -> None:
    """Keep transformers' progress bars and advice off the user's terminal.

    mtalign shows its own progress; "Loading weights" bars per model and the advice to
    install sacremoses (mtalign tokenises without Moses on purpose) are noise there.
    """

    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
    if "transformers" not in sys.modules:
        return  # never import transformers (hundreds of MB) just to quiet it
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the conversion lock ``path``; a link there, or a folder that takes no lock
    file (read-only, full), is one :class:`ConfigError`, never a traceback."""
    if path.is_symlink():
        raise ConfigError(
            f"{path}: the conversion lock is a symbolic link; mtalign never opens its files "
            "through a link (it could point at any file): remove it and run again"
        )
    lock = FileLock(path)
    try:
        lock.acquire()
    except OSError as exc:
        raise cache_dir_error(path.parent, exc) from None
    try:
        yield
    finally:
        lock.release()


def _write_ct2(source: Path, out: Path, quantization: str) -> None:
    """Convert the checkpoint in ``source`` into the (existing, empty) folder ``out``."""
    from mtalign.models.marian_spec import marian_spec

    spec = marian_spec(source)
    for name in ("source.spm", "target.spm"):
        if (source / name).is_file():
            spec.register_file(str(source / name))
    spec.validate()
    spec.optimize(quantization=quantization)
    spec.save(str(out))


def convert_to_ct2(model: ResolvedModel, quantization: str = "int8", force: bool = False) -> Path:
    """Convert ``model`` to CTranslate2 once; the cached directory.

    The conversion goes into a temporary directory next to its final place; the marker
    file is written last and the directory renamed into place, so an interrupted conversion
    never looks finished. A lock file serialises concurrent conversions of the same model;
    if another process still wins the rename, its result is used. Temporary directories
    left by killed conversions are removed first (:func:`sweep_stale`).
    """
    final = ct2_cache_path(model, quantization)
    if is_converted(final) and not force:
        return final
    make_cache_dir(final.parent)
    with _locked(final.parent / f".{final.name}.lock"):
        if is_converted(final) and not force:
            return final
        sweep_stale(final.parent, holding=final.name)
        try:
            import ctranslate2.specs  # noqa: F401 - fails early with the fix below
        except ImportError as exc:
            raise ModelError(
                "converting to CTranslate2 needs the ctranslate2 package; "
                "pip install ctranslate2, or use --engine transformers"
            ) from exc
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=final.parent))
        except OSError as exc:
            raise cache_dir_error(final.parent, exc) from None
        try:
            logger.info(
                "converting %s to CTranslate2 (%s) in %s", model.model_id, quantization, final
            )
            _write_ct2(model.path, tmp, quantization)
            marker = {
                "model_id": model.model_id,
                "revision": model.revision,
                "quantization": quantization,
                "source": str(model.path),
                "sizes": _sizes(tmp),
            }
            (tmp / CT2_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
            if final.exists():
                # A stale, unfinished or forced-over directory: move it aside, then drop it.
                stale = Path(tempfile.mkdtemp(prefix=f".old-{final.name}-", dir=final.parent))
                os.replace(final, stale / "x")
                shutil.rmtree(stale, ignore_errors=True)
            try:
                os.replace(tmp, final)
            except OSError:
                if not is_converted(final):
                    raise
                logger.info("another process finished converting %s first", model.model_id)
        except Exception as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, ModelError):
                raise
            problem = load_problem(exc)
            if problem == one_line(exc):
                problem = f"{type(exc).__name__}: {problem}; check the checkpoint or use --engine transformers"
            raise ModelError(
                f"CTranslate2 conversion of {model.model_id} ({model.path}) failed: {problem}"
            ) from exc
        shutil.rmtree(tmp, ignore_errors=True)
    return final
