"""File-system facts every reader and writer shares: regular files only, name length limits.

* Reading: :func:`read_regular` opens a path without blocking (``O_NONBLOCK``) and reads it
  only when it is a regular file. A named pipe (FIFO) with no writer would block forever,
  a device (``/dev/zero``) never ends; both are refused with a message, unless the name
  itself says "a stream" (``-`` is handled by the callers; ``/dev/stdin``, ``/dev/fd/N``,
  ``/proc/self/fd/N`` as made by a shell's ``<(...)``).
* Names: a file name longer than the file system allows (``NAME_MAX``, 255 bytes on
  common Linux file systems) cannot be created; :func:`fit_name` shortens a name that
  mtalign makes itself (a hash of the cut tail keeps it unique), :func:`name_bytes` and
  :func:`name_max` let writers check names they cannot change before any work starts.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from pathlib import Path

from mtalign.errors import InputError

#: NAME_MAX where the file system does not say (POSIX minimum is 14; every common one: 255).
DEFAULT_NAME_MAX = 255
#: Names that ask for a stream (an already-open descriptor), read even though not regular.
_STREAM_NAMES = re.compile(r"^/dev/stdin$|^/dev/fd/\d+$|^/proc/self/fd/\d+$")


def name_bytes(name: str) -> int:
    """Length of a file name in bytes, as the file system stores it."""
    try:
        return len(os.fsencode(name))
    except UnicodeEncodeError:  # a lone surrogate that is not a file-system byte
        return len(name.encode("utf-8", "surrogatepass"))


def name_max(folder: str | os.PathLike[str]) -> int:
    """The longest file name (in bytes) the file system of ``folder`` takes.

    ``folder`` need not exist: its nearest existing ancestor is asked.
    """
    p = Path(folder)
    for cand in (p, *p.parents):
        try:
            if cand.is_dir():
                value = os.pathconf(cand, "PC_NAME_MAX")
                return value if value and value > 0 else DEFAULT_NAME_MAX
        except (OSError, ValueError):
            break
    return DEFAULT_NAME_MAX


def fit_name(name: str, limit: int, tag_len: int = 8) -> str:
    """``name`` if it fits in ``limit`` bytes, else its head cut to fit plus ``~HASH``.

    The hash is of the whole name, so two long names that share their head stay apart.
    """
    if name_bytes(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    tail = "~" + digest[:tag_len]
    room = max(0, limit - len(tail))
    head, used = [], 0
    for ch in name:  # whole characters only: never half of a UTF-8 sequence
        used += name_bytes(ch)
        if used > room:
            break
        head.append(ch)
    return "".join(head) + tail


def is_stream_name(name: str) -> bool:
    """Whether ``name`` names an open stream (``/dev/stdin``, ``/dev/fd/N``)."""
    return bool(_STREAM_NAMES.match(name))


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse(name: str, mode: int) -> InputError:
    what = kind_of(mode)
    if stat.S_ISDIR(mode):
        return InputError(f"{name}: is a directory, not a file; give a file inside it")
    return InputError(
        f"{name}: is {what}, not a regular file; mtalign reads only regular files by name "
        f"(a pipe or device could block or never end): save it to a file, or give - and "
        f"redirect it (- < {name})"
    )


def _open_error(name: str, exc: OSError) -> InputError:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return InputError(f"{name}: no such file; check the path")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError(f"{name}: permission denied; make the file readable")
    if exc.errno == errno.ELOOP:
        return InputError(f"{name}: too many levels of symbolic links; fix the link")
    return InputError(f"{name}: cannot be read ({exc.strerror}); check the file")


def read_regular(
    path: str | os.PathLike[str], max_bytes: int | None = None, name: str | None = None
) -> bytes:
    """The bytes of a regular file; anything else is an :class:`InputError` naming it.

    Opened with ``O_NONBLOCK`` so that a FIFO without a writer cannot hang the open; its
    type is checked on the open descriptor (no race with a swap of the path). Over
    ``max_bytes`` is refused from the size, before reading.
    """
    label = name if name is not None else str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    stream = is_stream_name(str(os.fspath(path)))
    try:
        fd = os.open(path, flags if not stream else os.O_RDONLY)
    except OSError as exc:
        try:  # a socket cannot be opened at all: say what it is
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            raise _refuse(label, mode) from None
        raise _open_error(label, exc) from None
    try:
        st = os.fstat(fd)
        if not stream and not stat.S_ISREG(st.st_mode):
            raise _refuse(label, st.st_mode)
        if max_bytes is not None and stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
            raise InputError(
                f"{label}: {st.st_size} bytes is over the {max_bytes}-byte input limit; "
                "split the file or raise the limit"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    except OSError as exc:
        raise _open_error(label, exc) from None
    finally:
        if fd >= 0:
            os.close(fd)
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(f"{label}: over the {max_bytes}-byte input limit; split the input")
    return data
