"""Atomic file writes: a crash never leaves a half-written file behind.

A write goes to a temp file next to the target, ``.NAME.XXXXXXXX.tmp`` (``XXXXXXXX``:
eight random ``[a-z0-9_]``), then is renamed over it. When ``.NAME.`` would make the temp
name longer than the file system allows, ``NAME`` is shortened with a hash
(:func:`mtalign.files.fit_name`), so a temp name always fits. :func:`temp_files` finds
exactly the temp files of given output names (after a ``kill -9`` nothing else can remove
them), and nothing else: a user's own hidden files never match.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from mtalign.errors import OutputError
from mtalign.files import fit_name, kind_of, name_max

#: ``.`` + NAME + ``.`` ... ``XXXXXXXX.tmp``: the bytes a temp name adds to NAME.
TEMP_OVERHEAD = 1 + 1 + 8 + len(".tmp")
_RANDOM = re.compile(r"^[a-z0-9_]{8}\.tmp$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_prefix(name: str, limit: int) -> str:
    """``.NAME.`` for the temp files of output ``name`` (``NAME`` shortened to fit ``limit``)."""
    return "." + fit_name(name, limit - TEMP_OVERHEAD) + "."


def temp_files(folder: str | os.PathLike[str], names: Iterable[str]) -> list[Path]:
    """The temp files of atomic writes of ``names`` in ``folder`` (left by a killed run)."""
    base = Path(folder)
    try:
        entries = os.listdir(base)
    except OSError:  # missing, not a folder, unreadable: nothing of ours to find
        return []
    limit = name_max(base)
    prefixes = {temp_prefix(n, limit) for n in names}
    cut = len("XXXXXXXX.tmp")
    return sorted(
        base / e
        for e in entries
        if e.endswith(".tmp") and e[:-cut] in prefixes and _RANDOM.match(e[-cut:])
    )


def remove_temp_files(folder: str | os.PathLike[str], names: Iterable[str]) -> int:
    """Remove the temp files of ``names`` in ``folder``; returns how many went."""
    n = 0
    for path in temp_files(folder, names):
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
                n += 1
        except OSError:
            pass  # someone else removed it, or it cannot go: never fail a run for it
    return n


def _check_target(target: Path) -> None:
    """Refuse a target that a rename would wrongly replace (a folder, a device, a pipe)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{target}: cannot be written ({exc.strerror}); check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{target}: is a folder; give a file name for this output")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(
            f"{target}: is {kind_of(st.st_mode)}, not a regular file; give a file name "
            "(or - for stdout where the command offers it)"
        )


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same folder and a rename."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{target.parent}: cannot make the folder ({exc.strerror}); check the path"
        ) from None
    _check_target(target)
    prefix = temp_prefix(target.name, name_max(target.parent))
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600 files; outputs get the usual permissions instead.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException as exc:
        # Also on KeyboardInterrupt: the temp file must not linger next to real outputs.
        if tmp:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(
                f"{target}: cannot be written ({exc.strerror or exc}); check the folder "
                "(permissions, free space) and rerun"
            ) from None
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` (already with the wanted newlines) atomically.

    A lone surrogate (a file name that was not UTF-8, a ``"\\udcXX"`` JSON escape in an
    id) cannot be encoded; it is written as its ``\\udcXX`` escape, which is also what
    JSON means by it, instead of failing the whole file.
    """
    return atomic_write_bytes(path, text.encode(encoding, "backslashreplace"))
