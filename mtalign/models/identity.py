"""The identity of a big local file (model weights): a hash of every byte, computed once.

A checkpoint's revision decides which conversion, translation memory entries and report
revision belong to it, so it must change when any byte of the weights changes (zeroing a
block in the middle included). Hashing hundreds of MB on every run would cost seconds, so
the full SHA-256 is kept in a small sidecar under the cache root
(``<cache root>/file-digests.json``) with the file's size, mtime and ctime (nanoseconds),
inode and device: while all of them are unchanged the stored hash is used; when any
changes, the whole file is hashed again. (``ctime`` cannot be set back by a user, so a
rewrite that restores the mtime is still seen.)

The sidecar is only a cache: a missing, unreadable, damaged or unwritable one costs a
rehash, never a failure, and its entries are checked before use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from mtalign.errors import MtalignError
from mtalign.files import read_regular
from mtalign.paths import mtalign_home

log = logging.getLogger(__name__)

SIDECAR = "file-digests.json"
#: Entries kept in the sidecar (the most recently used); each is ~200 bytes.
MAX_ENTRIES = 512
_CHUNK = 1 << 20
_FIELDS = ("size", "mtime_ns", "ctime_ns", "ino", "dev")


def sidecar_path() -> Path:
    """Where the digests are remembered."""
    return mtalign_home() / SIDECAR


def _facts(st: os.stat_result) -> dict[str, int]:
    return {
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "ino": st.st_ino,
        "dev": st.st_dev,
    }


def _load(path: Path) -> dict[str, Any]:
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return {}
        data = json.loads(read_regular(path, max_bytes=4 << 20))
    except (OSError, ValueError, MtalignError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(path: Path, table: dict[str, Any]) -> None:
    from mtalign.io.atomic import atomic_write_text

    items = list(table.items())[-MAX_ENTRIES:]
    try:
        atomic_write_text(path, json.dumps(dict(items), indent=0, sort_keys=False) + "\n")
    except (OSError, MtalignError) as exc:  # only a cache: the next run hashes again
        log.debug("cannot remember file digests in %s: %s", path, exc)


def hash_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of every byte of ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_digest(path: str | os.PathLike[str], remember: bool = True) -> str:
    """SHA-256 of the whole file, from the sidecar while the file's facts are unchanged."""
    file = Path(path)
    st = os.stat(file)
    facts = _facts(st)
    key = os.path.realpath(file)
    side = sidecar_path()
    table = _load(side) if remember else {}
    entry = table.get(key)
    if (
        isinstance(entry, dict)
        and all(entry.get(f) == facts[f] for f in _FIELDS)
        and isinstance(entry.get("sha256"), str)
        and len(entry["sha256"]) == 64
    ):
        return str(entry["sha256"])
    value = hash_file(file)
    if remember and _facts(os.stat(file)) == facts:  # not changed while it was read
        table.pop(key, None)
        table[key] = {**facts, "sha256": value}
        _save(side, table)
    return value
