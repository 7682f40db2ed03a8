"""Translation memory: a SQLite cache of finished segment translations.

Keyed by a digest of the model (id + revision), engine settings, decoding settings, target
language and the exact source segment, so a rerun or a repeated sentence costs nothing.
A damaged cache file is moved aside and rebuilt wherever the damage shows (when opened or
in the middle of a run), and a cache that cannot be used at all is skipped with a warning:
never a crash (see :mod:`mtalign.dbfile`). Each entry carries a checksum of its key and
values: an entry whose bytes changed on disk (a flipped bit SQLite cannot see) is a miss,
translated again, with a warning, never served.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtalign.dbfile import OwnedDB, application_id
from mtalign.hashing import json_digest, text_digest
from mtalign.paths import tm_path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tm (
    key TEXT PRIMARY KEY,
    output TEXT NOT NULL,
    created REAL NOT NULL,
    retried INTEGER,
    stage TEXT,
    sum TEXT
)
"""
#: 1: ``retried`` and ``stage`` columns (before, a row kept only its output text);
#: 2: ``sum``, a checksum of each entry.
SCHEMA_VERSION = 2
#: The SQLite application id of a translation memory file.
APP_ID = application_id("mtTM")
log = logging.getLogger(__name__)
#: Keys per ``SELECT ... IN (...)`` (SQLite's default limit on variables is 999 or more).
_CHUNK = 500


@dataclass(frozen=True)
class MemoryEntry:
    """A finished translation and what its run reports about it.

    ``retried``: the output came from the quality gate's safer second pass; ``stage``: the
    glossary enforcement stage that made it (``best``, ``nbest``, ``prefix``, ``postedit``).
    Kept with the output, so a run that reuses it reports what the run that made it did:
    a resumed job's outputs equal an unbroken run's, flags and all.
    """

    output: str
    retried: bool = False
    stage: str = ""


def settings_digest(settings: Mapping[str, Any]) -> str:
    """A stable digest of everything that changes a translation except the source text."""
    return json_digest(dict(settings), 32)


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a cache from an older mtalign to :data:`SCHEMA_VERSION` (in place, once).

    Old rows get ``retried`` (and ``sum``) NULL: unknown, so they count as misses and are
    made again (with their flags) the first time they are needed.
    """
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    cols = {row[1] for row in db.execute("PRAGMA table_info(tm)")}
    for col, kind in (("retried", "INTEGER"), ("stage", "TEXT"), ("sum", "TEXT")):
        if col not in cols:
            try:
                db.execute(f"ALTER TABLE tm ADD COLUMN {col} {kind}")
            except sqlite3.OperationalError as exc:  # another process did it first
                if "duplicate column" not in str(exc).lower():
                    raise
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _setup(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(_SCHEMA)
    _migrate(db)
    # A cheap probe: a file that is not a database, or a broken table root, fails here.
    db.execute("SELECT count(*) FROM tm").fetchone()


class TranslationMemory:
    """``lookup`` / ``store`` over a SQLite file; threads may share one (statements and
    the hit counters are under locks)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else tm_path()
        self._db = OwnedDB(
            self.path, _setup, "translation cache", app_id=APP_ID, tables=frozenset({"tm"})
        )
        self._count_lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _count(self, hits: int, misses: int) -> None:
        with self._count_lock:
            self.hits += hits
            self.misses += misses

    @staticmethod
    def key(digest: str, source: str) -> str:
        return text_digest(f"{digest}\x00{source}")

    @staticmethod
    def checksum(key: str, output: str, retried: int, stage: str) -> str:
        """The checksum stored with an entry (of everything the entry says)."""
        return text_digest(f"{key}\x00{output}\x00{retried}\x00{stage}", 16)

    def lookup(self, digest: str, sources: Iterable[str]) -> dict[str, MemoryEntry]:
        """Cached entries for those sources that have one (with what their run reported)."""
        sources = list(dict.fromkeys(sources))
        keys = {self.key(digest, s): s for s in sources}
        items = list(keys)

        def read(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
            rows: list[tuple[Any, ...]] = []
            for i in range(0, len(items), _CHUNK):
                chunk = items[i : i + _CHUNK]
                q = (
                    "SELECT key, output, retried, stage, sum FROM tm "
                    f"WHERE key IN ({','.join('?' * len(chunk))})"
                )
                rows += db.execute(q, chunk).fetchall()
            return rows

        rows = self._db.run(read, fallback=[]) if items else []
        found: dict[str, MemoryEntry] = {}
        bad = 0
        for k, out, retried, stage, summed in rows:
            if k not in keys or not isinstance(out, str) or retried not in (None, 0, 1):
                # Only a damaged page can return a row that was not asked for, or no text.
                self._db.damaged("a lookup returned a row that does not fit")
                found = {}
                break
            if retried is None or summed is None:
                continue  # from a cache of an older mtalign: flags unknown, make it again
            stage = stage if isinstance(stage, str) else ""
            if summed != self.checksum(k, out, retried, stage):
                bad += 1  # its bytes changed on disk: never served, made again
                continue
            found[keys[k]] = MemoryEntry(out, bool(retried), stage)
        if bad:
            log.warning(
                "translation cache %s: %d cached translation(s) failed their checksum "
                "(changed on disk); translating them again",
                self.path,
                bad,
            )
        self._count(len(found), len(sources) - len(found))
        return found

    def store(self, digest: str, entries: Iterable[tuple[str, MemoryEntry]]) -> None:
        """Store finished translations (committed at once: an interrupt keeps them)."""
        now = time.time()
        rows = []
        for s, e in entries:
            k = self.key(digest, s)
            summed = self.checksum(k, e.output, int(e.retried), e.stage)
            rows.append((k, e.output, now, int(e.retried), e.stage, summed))
        if not rows:
            return
        self._db.transaction(
            lambda db: db.executemany(
                "INSERT OR REPLACE INTO tm (key, output, created, retried, stage, sum) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        )

    def get_many(self, digest: str, sources: Iterable[str]) -> dict[str, str]:
        """Cached outputs (text only) for those sources that have one."""
        return {s: e.output for s, e in self.lookup(digest, sources).items()}

    def put_many(self, digest: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Store outputs that were neither retried nor made by a glossary stage."""
        self.store(digest, ((s, MemoryEntry(o)) for s, o in pairs))

    def close(self) -> None:
        self._db.close()


class NullMemory(TranslationMemory):
    """The ``--no-cache`` memory: remembers nothing, opens no file."""

    def __init__(self) -> None:  # no super().__init__: there is no database to open
        self.path = Path(os.devnull)
        self._count_lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def lookup(self, digest: str, sources: Iterable[str]) -> dict[str, MemoryEntry]:
        self._count(0, len(set(sources)))
        return {}

    def store(self, digest: str, entries: Iterable[tuple[str, MemoryEntry]]) -> None:
        return None

    def close(self) -> None:
        return None
