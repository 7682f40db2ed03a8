"""Translation memory: a SQLite cache of finished segment translations.

Keyed by a digest of the model (id + revision), engine settings, decoding settings, target
language and the exact source segment, so a rerun or a repeated sentence costs nothing.
A corrupt cache file is moved aside and rebuilt, never a crash.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mtalign.hashing import json_digest, text_digest
from mtalign.paths import tm_path

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tm (
    key TEXT PRIMARY KEY,
    output TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def settings_digest(settings: Mapping[str, Any]) -> str:
    """A stable digest of everything that changes a translation except the source text."""
    return json_digest(dict(settings), 32)


class TranslationMemory:
    """``get_many`` / ``put_many`` over a SQLite file; thread-unsafe, one per run."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else tm_path()
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0

    def _open(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._connect()
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.warning(
                "translation cache %s is unreadable (%s); moved to %s and rebuilt",
                self.path,
                exc,
                aside.name,
            )
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            db = self._connect()
        self._db = db
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.execute("SELECT count(*) FROM tm LIMIT 1").fetchone()
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @staticmethod
    def key(digest: str, source: str) -> str:
        return text_digest(f"{digest}\x00{source}")

    def get_many(self, digest: str, sources: Iterable[str]) -> dict[str, str]:
        """Cached outputs for those sources that have one."""
        sources = list(dict.fromkeys(sources))
        keys = {self.key(digest, s): s for s in sources}
        db = self._open()
        found: dict[str, str] = {}
        items = list(keys)
        for i in range(0, len(items), 500):
            chunk = items[i : i + 500]
            q = f"SELECT key, output FROM tm WHERE key IN ({','.join('?' * len(chunk))})"
            for k, out in db.execute(q, chunk):
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
        db = self._open()
        db.executemany("INSERT OR REPLACE INTO tm (key, output, created) VALUES (?, ?, ?)", rows)
        db.commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class NullMemory(TranslationMemory):
    """The ``--no-cache`` memory: remembers nothing."""

    def __init__(self) -> None:
        super().__init__(path=os.devnull)

    def get_many(self, digest: str, sources: Iterable[str]) -> dict[str, str]:
        self.misses += len(set(sources))
        return {}

    def put_many(self, digest: str, pairs: Iterable[tuple[str, str]]) -> None:
        return None
