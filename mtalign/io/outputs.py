"""Where a command will write, checked before any work starts.

Every command that writes files calls one of these first (before it reads a model or
translates a sentence), so a wrong ``--out`` costs a one-line message with the fix, not
a traceback after the work is done:

* :func:`check_output_dir`: a folder that exists and takes new files, or can be made;
* :func:`check_output_file`: a file name (not a folder, device or pipe) in such a folder;
* :func:`check_output_names`: the file names a run will make fit the file system;
* :func:`check_not_inputs`: no output is one of the command's inputs (compared by
  device and inode, so another spelling, a hard link or a symlink is caught too).

Nothing is created: a check that passes leaves no trace (a probe file is made and removed
only in a folder that already exists). Probes a killed run left there
(``.mtalign-probe.XXXXXXXX.tmp`` older than :data:`STALE_PROBE_SECONDS`, nothing else)
are removed by the next check of that folder.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from mtalign.errors import OutputError
from mtalign.files import kind_of, name_bytes, name_max
from mtalign.io.source import STDIN

#: A probe lives for microseconds; one this old was left by a killed run.
STALE_PROBE_SECONDS = 600
_PROBE_NAME = re.compile(r"^\.mtalign-probe\.[a-z0-9_]{8}\.tmp$")


def clean_stale_probes(folder: str | os.PathLike[str], now: float | None = None) -> int:
    """Remove probe files a killed run left in ``folder``: only regular files with the
    probe's exact name pattern, older than :data:`STALE_PROBE_SECONDS`. How many went."""
    limit = (time.time() if now is None else now) - STALE_PROBE_SECONDS
    n = 0
    try:
        names = [e for e in os.listdir(folder) if _PROBE_NAME.match(e)]
    except OSError:
        return 0
    for name in names:
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < limit:
                os.unlink(path)
                n += 1
        except OSError:
            pass  # gone already, or not ours to remove: never fail a check for it
    return n


def _probe(folder: Path, label: str) -> None:
    """Check that ``folder`` takes new files by making one: the one sure test."""
    clean_stale_probes(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".mtalign-probe.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(
            f"{label}cannot write into {folder} ({exc.strerror}); make it writable or "
            "choose another folder"
        ) from None
    os.close(fd)
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return None  # cannot exist; the name check says why
        raise OutputError(f"{path}: cannot be checked ({exc.strerror}); check the path") from None


def _what(mode: int) -> str:
    return "a file" if stat.S_ISREG(mode) else kind_of(mode)


def _check_dir(folder: Path, label: str, fix: str) -> Path:
    st = _stat(folder)
    if st is not None:
        if not stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{label}{folder} is {_what(st.st_mode)}, not a folder; {fix}")
        _probe(folder, label)
        return folder
    for parent in folder.parents:
        pst = _stat(parent)
        if pst is None:
            continue
        if not stat.S_ISDIR(pst.st_mode):
            raise OutputError(
                f"{label}cannot make the folder {folder}: {parent} is {_what(pst.st_mode)}; {fix}"
            )
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OutputError(
                f"{label}cannot make the folder {folder} in {parent} (permission denied); "
                "make it writable or choose another folder"
            )
        break
    return folder


def check_output_dir(path: str | os.PathLike[str], what: str = "--out") -> Path:
    """``path`` as a folder outputs can go into: it is one and takes files, or can be made.

    Raises :class:`~mtalign.errors.OutputError` (exit 2) naming ``what`` (the option or
    config key that gave the path) and the fix.
    """
    label = f"{what}: " if what else ""
    return _check_dir(Path(path), label, "give a folder for the outputs (a missing one is made)")


def check_output_file(path: str | os.PathLike[str], what: str = "--out") -> Path | None:
    """``path`` as a file an output can be written to (``-``, stdout, is always fine).

    Refuses a folder, a device or pipe, a name too long for the file system, and a folder
    that cannot take it. Returns the path (None for ``-``).
    """
    if str(path) == STDIN:
        return None
    target = Path(path)
    label = f"{what} {path}: " if what else f"{path}: "
    check_output_names(target.parent, [target.name], what, check_existing=False)
    st = _stat(target)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(
            f"{label}is a folder; give a file name for this output (e.g. {target / 'out.txt'})"
        )
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputError(
            f"{label}is {kind_of(st.st_mode)}, not a regular file; give a file name "
            "(or - for stdout where the command offers it)"
        )
    _check_dir(target.parent, label, "give a file path inside a folder")
    return target


def check_output_names(
    folder: str | os.PathLike[str],
    names: Iterable[str],
    what: str = "--out",
    fix: str = "",
    check_existing: bool = True,
) -> None:
    """Every name fits the file system of ``folder``, and none is taken by a folder or a
    device. (Temp names need no check: they shorten themselves.) ``fix`` replaces the
    advice of the too-long message (e.g. "rename the input")."""
    base = Path(folder)
    limit = name_max(base)
    for name in names:
        size = name_bytes(name)
        if size > limit:
            shown = name if len(name) <= 60 else name[:40] + "..." + name[-12:]
            raise OutputError(
                f"{what + ': ' if what else ''}the output name {shown!r} is {size} bytes, over "
                f"the file system's limit of {limit}; " + (fix or "choose a shorter name")
            )
        st = _stat(base / name) if check_existing else None
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise OutputError(
                f"{base / name}: is {_what(st.st_mode)} where an output file must go; "
                "move it away or choose another output folder"
            )


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def check_not_inputs(
    outputs: Mapping[str, str],
    inputs: Iterable[str | os.PathLike[str] | None],
) -> None:
    """Refuse an output that is one of the inputs, or two outputs that are one file.

    ``outputs`` maps each output path to the option that gave it (``"--out"``). Existing
    files are compared by device and inode (another spelling, ``..``, a hard link or a
    symlink to an input is the same file); outputs still to be made, by absolute path.
    ``-`` (stdout/stdin) and None inputs are skipped. Runs before any work, so nothing is lost.
    """
    seen_in: dict[tuple[int, int], str] = {}
    for item in inputs:
        if item is None or str(item) == STDIN:
            continue
        ident = _identity(item)
        if ident is not None:
            seen_in.setdefault(ident, str(item))
    seen_out: dict[object, tuple[str, str]] = {}
    for path, what in outputs.items():
        if str(path) == STDIN:
            continue
        ident = _identity(path)
        if ident is not None and ident in seen_in:
            raise OutputError(
                f"{what} {path}: is the input {seen_in[ident]}; writing it would destroy the "
                "input: choose another output file"
            )
        key: object = ident if ident is not None else os.path.abspath(path)
        if key in seen_out:
            other, other_what = seen_out[key]
            raise OutputError(
                f"{what} {path}: is the same file as {other_what} {other}; give each output "
                "its own file"
            )
        seen_out[key] = (str(path), what)
