"""File-system facts every reader and writer shares: regular files only, name length limits.

* Reading: :func:`read_regular` opens a path without blocking (``O_NONBLOCK``) and reads it
  only when it is a regular file. A named pipe (FIFO) with no writer would block forever,
  a device (``/dev/zero``) never ends; both are refused with a message, unless the name
  itself says "a stream" (``-`` is handled by the callers; ``/dev/stdin``, ``/dev/fd/N``,
  ``/proc/self/fd/N`` as made by a shell's ``<(...)``).
* Pseudo files: ``/proc``, ``/sys`` and the other kernel file systems show "regular"
  files that are really live interfaces (``/proc/kmsg`` blocks on read forever, many
  never end); a regular file on such a file system is refused from its device number,
  before a byte is read (:func:`pseudo_fs`).
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
#: Kernel file systems whose "files" are interfaces, not documents.
PSEUDO_FS = frozenset(
    {
        "proc", "sysfs", "debugfs", "tracefs", "securityfs", "cgroup", "cgroup2", "configfs",
        "pstore", "bpf", "efivarfs", "fusectl", "binfmt_misc", "mqueue", "devpts", "autofs",
        "rpc_pipefs", "nsfs", "selinuxfs", "hugetlbfs",
    }
)  # fmt: skip
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


_PSEUDO_DEVS: dict[int, str] | None = None


def _pseudo_devs() -> dict[int, str]:
    """Device number -> file system type of the pseudo file systems mounted here."""
    global _PSEUDO_DEVS
    if _PSEUDO_DEVS is not None:
        return _PSEUDO_DEVS
    devs: dict[int, str] = {}
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                left, _, right = line.partition(" - ")
                fields, fstype = left.split(), (right.split() or [""])[0]
                if len(fields) > 2 and fstype in PSEUDO_FS:
                    major, _, minor = fields[2].partition(":")
                    devs[os.makedev(int(major), int(minor))] = fstype
    except (OSError, ValueError):
        pass
    for root, fstype in (("/proc", "proc"), ("/sys", "sysfs")):  # where mountinfo is absent
        try:
            devs.setdefault(os.stat(root).st_dev, fstype)
        except OSError:
            pass
    _PSEUDO_DEVS = devs
    return devs


def pseudo_fs(st: os.stat_result) -> str | None:
    """The kernel file system type (``proc``, ``sysfs``...) a file is on, or None."""
    return _pseudo_devs().get(st.st_dev)


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
        fstype = None if stream else pseudo_fs(st)
        if fstype is not None:
            raise InputError(
                f"{label}: is a live kernel interface on {fstype}, not a document (reading it "
                "could block or never end); copy what you need into a file and give that"
            )
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


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _walk_dirs(top: str) -> list[str]:
    """``top`` and every folder under it, each real folder once (by device and inode).

    Symlinks to folders are followed, as ``glob`` does, but a folder already seen (a
    link loop, or a second way to the same place) is not entered again. Hidden folders
    are skipped, as ``**`` does.
    """
    out: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder or ".")
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen or not stat.S_ISDIR(st.st_mode):
            continue
        seen.add(key)
        out.append(folder)
        try:
            with os.scandir(folder or ".") as it:
                names = sorted(e.name for e in it if not _hidden(e.name) and e.is_dir())
        except OSError:
            continue
        stack.extend(os.path.join(folder, n) for n in reversed(names))
    return out


def _match_part(folder: str, part: str) -> list[str]:
    import fnmatch

    try:
        names = os.listdir(folder or ".")
    except OSError:
        return []
    if not _hidden(part):
        names = [n for n in names if not _hidden(n)]
    return [os.path.join(folder, n) for n in sorted(fnmatch.filter(names, part))]


def glob_files(pattern: str) -> list[str]:
    """``glob.glob(pattern, recursive=True)`` that always ends, each path once.

    Python's ``**`` follows folder links without remembering where it has been: a link
    loop makes it find every file dozens of times, two loops make it run for ever. Here
    each real folder is walked once per ``**`` and the paths come out de-duplicated.
    Patterns without ``**`` go to :func:`glob.glob` unchanged.
    """
    import glob

    if "**" not in pattern:
        return glob.glob(pattern, recursive=True)
    anchor = os.sep if pattern.startswith(os.sep) else ""
    parts = [p for p in pattern.split(os.sep) if p]
    paths = [anchor]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt: list[str] = []
        for base in paths:
            if part == "**":
                found = _walk_dirs(base)
                if last:  # a trailing ** also matches the files in those folders
                    found = found + [f for d in found for f in _match_part(d, "*")]
                nxt.extend(found)
            elif glob.has_magic(part):
                nxt.extend(_match_part(base, part))
            else:
                cand = os.path.join(base, part)
                if os.path.lexists(cand):
                    nxt.append(cand)
        paths = list(dict.fromkeys(nxt))
    once: dict[str, str] = {}
    for p in paths:
        if p:
            once.setdefault(os.path.realpath(p), p)  # one file reached two ways: once
    return list(once.values())
