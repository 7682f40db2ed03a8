"""Translation memory: a SQLite cache of finished segment translations.

Keyed by a digest of the model (id + revision), engine settings, decoding settings, target
language and the exact source segment, so a rerun or a repeated sentence costs nothing.
A damaged cache file is moved aside and rebuilt wherever the damage shows (when opened or
in the middle of a run), and a cache that cannot be used at all is skipped with a warning:
never a crash (see :mod:`mtalign.dbfile`).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mtalign.dbfile import OwnedDB
from mtalign.hashing import json_digest, text_digest
from mtalign.paths import tm_path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tm (
    key TEXT PRIMARY KEY,
    output TEXT NOT NULL,
    created REAL NOT NULL
)
"""
#: Keys per ``SELECT ... IN (...)`` (SQLite's default limit on variables is 999 or more).
_CHUNK = 500


def settings_digest(settings: Mapping[str, Any]) -> str:
    """A stable digest of everything that changes a translation except the source text."""
    return json_digest(dict(settings), 32)


def _setup(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(_SCHEMA)
    # A cheap probe: a file that is not a database, or a broken table root, fails here.
    db.execute("SELECT count(*) FROM tm").fetchone()


class TranslationMemory:
    """``get_many`` / ``put_many`` over a SQLite file; thread-unsafe, one per run."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else tm_path()
        self._db = OwnedDB(self.path, _setup, "translation cache")
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(digest: str, source: str) -> str:
        return text_digest(f"{digest}\x00{source}")

    def get_many(self, digest: str, sources: Iterable[str]) -> dict[str, str]:
        """Cached outputs for those sources that have one."""
        sources = list(dict.fromkeys(sources))
        keys = {self.key(digest, s): s for s in sources}
        items = list(keys)

        def read(db: sqlite3.Connection) -> list[tuple[Any, Any]]:
            rows: list[tuple[Any, Any]] = []
            for i in range(0, len(items), _CHUNK):
                chunk = items[i : i + _CHUNK]
                q = f"SELECT key, output FROM tm WHERE key IN ({','.join('?' * len(chunk))})"
                rows += db.execute(q, chunk).fetchall()
            return rows

        rows = self._db.run(read, fallback=[]) if items else []
        found: dict[str, str] = {}
        for k, out in rows:
            if k not in keys or not isinstance(out, str):
                # Only a damaged page can return a row that was not asked for, or no text.
                self._db.damaged("a lookup returned a row that does not fit")
                found = {}
                break
            found[keys[k]] = out
        self.hits += len(found)
        self.misses += len(sources) - len(found)
        return found

    def put_many(self, digest: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Store finished translations (committed at once: an interrupt keeps them)."""
        now = time.time()
        rows = [(self.key(digest, s), o, now) for s, o in pairs]
        if not rows:
            return
        self._db.transaction(
            lambda db: db.executemany(
                "INSERT OR REPLACE INTO tm (key, output, created) VALUES (?, ?, ?)", rows
            )
        )

    def close(self) -> None:
        self._db.close()


class NullMemory(TranslationMemory):
    """The ``--no-cache`` memory: remembers nothing."""

    def __init__(self) -> None:
        super().__init__(path=os.devnull)

    def get_many(self, digest: str, sources: Iterable[str]) -> dict[str, str]:
        self.misses += len(set(sources))
        return {}

    def put_many(self, digest: str, pairs: Iterable[tuple[str, str]]) -> None:
        return None
