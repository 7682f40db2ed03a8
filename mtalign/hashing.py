"""Short content hashes: the one place ids, cache keys and digests are made.

SHA-256 throughout, cut to the length each use needs; JSON values are hashed in a
canonical form (sorted keys) so equal settings always give equal digests.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from typing import Any

from mtalign.errors import InputError
from mtalign.files import read_regular


def text_digest(text: str, n: int = 64) -> str:
    """Hex digest of a string (lone surrogates allowed)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def bytes_digest(data: bytes, n: int = 64) -> str:
    """Hex digest of bytes."""
    return hashlib.sha256(data).hexdigest()[:n]


def json_digest(value: Any, n: int = 32) -> str:
    """Hex digest of a JSON-able value in canonical form (sorted keys; ``str`` for the rest)."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text_digest(blob, n)


def file_digest(paths: Iterable[str | os.PathLike[str]], n: int = 16) -> str:
    """Hex digest of the contents of files, in order; an unreadable file counts by its name."""
    h = hashlib.sha256()
    for p in paths:
        try:
            h.update(read_regular(p))
        except InputError:  # missing, unreadable, or a pipe that must not be waited on
            h.update(os.fspath(p).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:n]
