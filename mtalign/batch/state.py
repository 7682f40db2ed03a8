"""The job state: a SQLite file in the output folder, the only authority on what is done.

One row per document (its id, its output name, its content digest) and one per
document x target language (pending / done / failed, the reason, compact metrics).
A task is marked done only after the document's files are in place, in one transaction,
so a ``kill -9`` at any moment leaves either the old state or the new one.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtalign.batch.inputs import InputItem, safe_name, short_hash
from mtalign.errors import ConfigError
from mtalign.io.naming import expected_files, output_ext

log = logging.getLogger(__name__)

PENDING, DONE, FAILED = "pending", "done", "failed"
SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    source TEXT NOT NULL,
    digest TEXT NOT NULL,
    ext TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    doc_id TEXT NOT NULL REFERENCES docs(id),
    lang TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    reason TEXT,
    metrics TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (doc_id, lang)
);
"""
#: Temp files of ``atomic_write_bytes``: ``.NAME.XXXXXXXX.tmp``.
_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


@dataclass(frozen=True)
class DocEntry:
    """A registered document: the work unit of the runners."""

    id: str
    name: str
    item: InputItem


def describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """``key: old -> new`` for every setting that differs."""
    keys = sorted(set(old) | set(new))
    return "; ".join(
        f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)
    )


class JobState:
    """Open (or create) the state of the job whose outputs live in ``out_dir``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.existed = self.path.exists()
        try:
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit that returned survives power loss, not only a killed process.
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"{self.path}: the job state is unreadable ({exc}); move it away to start the "
                "job over (finished outputs will be redone)"
            ) from None

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ meta

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def has_work(self) -> bool:
        return self.db.execute("SELECT 1 FROM tasks LIMIT 1").fetchone() is not None

    def check_config(
        self, digest: str, fields: Mapping[str, Any], config_path: str, fresh: bool = False
    ) -> None:
        """Record the config digest, or stop when the job was started with other settings.

        ``fresh``: no work was recorded yet, so any earlier digest is simply replaced.
        """
        old = self.meta("config_digest")
        if old is None or (fresh and old != digest):
            with self._tx():
                self._set_meta("config_digest", digest)
                self._set_meta("config", json.dumps(fields, sort_keys=True))
                self._set_meta("schema", SCHEMA_VERSION)
                self._set_meta("created", str(time.time()))
            return
        if old == digest:
            return
        before = json.loads(self.meta("config") or "{}")
        changes = describe_changes(before, dict(fields)) or "glossary or model file contents"
        raise ConfigError(
            f"{config_path}: the settings changed since this job started in "
            f"{self.path.parent} ({changes}); finished outputs were made with the old "
            f"settings: choose a new output_dir, or delete {self.path.name} there to redo "
            "the whole job"
        )

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _tx(self) -> Any:
        return _Transaction(self.db)

    # ------------------------------------------------------------------ documents

    def register(self, items: Sequence[InputItem], langs: Sequence[str]) -> list[DocEntry]:
        """Give every document a stable output name and a task per language (one commit).

        Names are fixed on first sight and kept in the state, so a rerun writes to the
        same files even when other documents came or went. A document whose content
        changed since it was finished is set back to pending.
        """
        rows = {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT id, name, digest FROM docs")}
        taken = {name.casefold() for name, _ in rows.values()}
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM docs").fetchone()[0]
        out: list[DocEntry] = []
        now = time.time()
        with self._tx():
            for it in items:
                ext = output_ext(it.fmt)
                if it.id in rows:
                    name, digest = rows[it.id]
                    if digest != it.digest:
                        log.info("%s changed since it was translated; redoing it", it.source)
                        self.db.execute(
                            "UPDATE docs SET digest = ?, source = ?, ext = ? WHERE id = ?",
                            (it.digest, it.source, ext, it.id),
                        )
                        self.db.execute(
                            "UPDATE tasks SET status = 'pending', reason = NULL, metrics = NULL,"
                            " updated = ? WHERE doc_id = ?",
                            (now, it.id),
                        )
                else:
                    name = safe_name(it.id)
                    n = 8
                    while name.casefold() in taken:  # e.g. "A" and "a" on a case-blind disk
                        name = f"{safe_name(it.id)}-{short_hash(it.id + '#', n)}"
                        n += 2
                    taken.add(name.casefold())
                    seq += 1
                    self.db.execute(
                        "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                        (it.id, name, it.source, it.digest, ext, seq),
                    )
                self.db.executemany(
                    "INSERT OR IGNORE INTO tasks VALUES (?, ?, 'pending', NULL, NULL, ?)",
                    [(it.id, lang, now) for lang in langs],
                )
                out.append(DocEntry(it.id, name, it))
        return out

    def statuses(self) -> dict[str, dict[str, str]]:
        """doc id -> lang -> status."""
        out: dict[str, dict[str, str]] = {}
        for doc_id, lang, status in self.db.execute("SELECT doc_id, lang, status FROM tasks"):
            out.setdefault(doc_id, {})[lang] = status
        return out

    def todo(
        self, entries: Sequence[DocEntry], langs: Sequence[str], out_dir: str | os.PathLike[str]
    ) -> list[DocEntry]:
        """Documents with any task not done, or done but with a file missing (to redo)."""
        statuses = self.statuses()
        try:
            present = set(os.listdir(out_dir))
        except FileNotFoundError:
            present = set()
        todo = []
        for e in entries:
            st = statuses.get(e.id, {})
            done = [lang for lang in langs if st.get(lang) == DONE]
            if len(done) == len(langs):
                files = expected_files(e.name, e.item.fmt, done)
                if all(f in present for f in files):
                    continue
                log.warning("%s is marked done but its files are missing; redoing it", e.id)
            todo.append(e)
        return todo

    def finish(
        self,
        doc_id: str,
        done: Mapping[str, Mapping[str, Any]],
        failed: Mapping[str, str],
    ) -> None:
        """Mark a document's languages done (with metrics) or failed (with reason) at once."""
        now = time.time()
        with self._tx():
            for lang, metrics in done.items():
                self.db.execute(
                    "UPDATE tasks SET status = 'done', reason = NULL, metrics = ?, updated = ? "
                    "WHERE doc_id = ? AND lang = ?",
                    (json.dumps(metrics, ensure_ascii=False), now, doc_id, lang),
                )
            for lang, reason in failed.items():
                self.db.execute(
                    "UPDATE tasks SET status = 'failed', reason = ?, metrics = NULL, updated = ? "
                    "WHERE doc_id = ? AND lang = ?",
                    (reason, now, doc_id, lang),
                )

    def rows(self, doc_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Every task of these documents, with name, source, status, reason and metrics."""
        wanted = set(doc_ids)
        out = []
        for doc_id, name, source, lang, status, reason, metrics in self.db.execute(
            "SELECT d.id, d.name, d.source, t.lang, t.status, t.reason, t.metrics "
            "FROM tasks t JOIN docs d ON d.id = t.doc_id ORDER BY d.seq, t.lang"
        ):
            if doc_id in wanted:
                out.append(
                    {
                        "id": doc_id,
                        "name": name,
                        "source": source,
                        "lang": lang,
                        "status": status,
                        "reason": reason,
                        "metrics": json.loads(metrics) if metrics else None,
                    }
                )
        return out


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def clean_temp_files(out_dir: str | os.PathLike[str]) -> int:
    """Remove temp files a killed atomic write left behind; returns how many."""
    n = 0
    try:
        names = os.listdir(out_dir)
    except FileNotFoundError:
        return 0
    for name in names:
        if _TEMP.match(name):
            try:
                os.unlink(os.path.join(out_dir, name))
                n += 1
            except FileNotFoundError:
                pass
    if n:
        log.info("removed %d temp file(s) left by an interrupted run", n)
    return n


class JobLock:
    """An exclusive lock on the output folder: two runs of one job never interleave.

    ``flock`` is released by the kernel when the process dies, even by ``kill -9``.
    """

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.path = Path(out_dir) / ".mtalign-job.lock"
        self._fh: Any = None

    def __enter__(self) -> JobLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held for the whole run
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; one run at a time is on the user
            return self
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.close()
            raise ConfigError(
                f"{self.path.parent}: another run of this job is still working there; "
                "wait for it to finish (or stop it) and run again"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()
