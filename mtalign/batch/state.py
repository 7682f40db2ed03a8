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
import stat
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtalign.batch.inputs import InputItem, safe_name, short_hash
from mtalign.dbfile import OwnedDB, application_id
from mtalign.errors import ConfigError
from mtalign.io.atomic import remove_temp_files
from mtalign.io.naming import expected_files, output_ext
from mtalign.safetext import printable

log = logging.getLogger(__name__)

PENDING, DONE, FAILED = "pending", "done", "failed"
#: 2: the ``owned`` table (files the job may replace or remove).
SCHEMA_VERSION = "2"
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
CREATE TABLE IF NOT EXISTS owned (name TEXT PRIMARY KEY);
"""
#: What a stored output name can never hold (see ``safe_name``).
_NAME_UNSAFE = re.compile(r'[/\\:*?"<>|\s\x00-\x1f\x7f]|^\.\.?$')
#: Files of the job besides the documents' (written by every run).
SUMMARY_FILES = ("summary.json", "summary.md")
#: The SQLite application id of a job state file; the tables it holds.
APP_ID = application_id("mtJS")
TABLES = frozenset({"meta", "docs", "tasks", "owned"})


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


def _setup(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit that returned survives power loss, not only a killed process.
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(_SCHEMA)


def _valid_name(name: Any) -> bool:
    """Whether a stored output name can only name a file inside the output folder."""
    return (
        isinstance(name, str)
        and 0 < len(name.encode("utf-8", "surrogatepass")) <= 200
        and not name.startswith(".")
        and _NAME_UNSAFE.search(name) is None
    )


class JobState:
    """Open (or create) the state of the job whose outputs live in ``out_dir``.

    Every read and write goes through :class:`~mtalign.dbfile.OwnedDB`: a damaged state
    (found when opened, or by any later statement, or as a value that cannot be right)
    stops the job with a :class:`ConfigError` that says to move the file away.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.existed = self.path.exists()
        self.db = OwnedDB(
            self.path,
            _setup,
            "job state",
            error=self._error,
            timeout=60,
            check=True,
            app_id=APP_ID,
            tables=TABLES,
        )
        self.db.run(lambda db: None)  # open now: a damaged state stops the job before work

    def _error(self, detail: str, damaged: bool) -> ConfigError:
        if damaged:
            return ConfigError(
                f"{self.path}: the job state is unreadable ({detail}); move it away to start "
                "the job over (finished outputs will be redone)"
            )
        return ConfigError(
            f"{self.path}: the job state cannot be read or written ({detail}); check the "
            "disk (space, permissions) and rerun with --resume"
        )

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ meta

    def meta(self, key: str) -> str | None:
        rows = self.db.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def has_work(self) -> bool:
        """Whether a run finished anything here (documents registered but never done or
        failed, e.g. by a run refused at its output check, do not count)."""
        return bool(self.db.query("SELECT 1 FROM tasks WHERE status != 'pending' LIMIT 1"))

    def check_config(
        self, digest: str, fields: Mapping[str, Any], config_path: str, fresh: bool = False
    ) -> None:
        """Record the config digest, or stop when the job was started with other settings.

        ``fresh``: no work was recorded yet, so any earlier digest is simply replaced.
        """
        old = self.meta("config_digest")
        if old is None or (fresh and old != digest):
            values = {
                "config_digest": digest,
                "config": json.dumps(fields, sort_keys=True),
                "schema": SCHEMA_VERSION,
                "created": str(time.time()),
            }
            self.db.transaction(
                lambda db: db.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items())
                )
            )
            return
        if old == digest:
            return
        before = self._json(self.meta("config") or "{}", "the recorded config")
        changes = describe_changes(before, dict(fields)) or "glossary or model file contents"
        raise ConfigError(
            f"{config_path}: the settings changed since this job started in "
            f"{self.path.parent} ({changes}); finished outputs were made with the old "
            f"settings: choose a new output_dir, or delete {self.path.name} there to redo "
            "the whole job"
        )

    def _json(self, text: Any, what: str) -> Any:
        """A JSON value stored by this class; anything else means the file is damaged."""
        try:
            return json.loads(text)
        except (TypeError, ValueError):
            self.db.damaged(f"{what} is not JSON")
            raise  # not reached: the state's policy raises

    # ------------------------------------------------------------------ documents

    def register(self, items: Sequence[InputItem], langs: Sequence[str]) -> list[DocEntry]:
        """Give every document a stable output name and a task per language (one commit).

        Names are fixed on first sight and kept in the state, so a rerun writes to the
        same files even when other documents came or went. A document whose content
        changed since it was finished is set back to pending.
        """
        known = self.db.query("SELECT id, name, digest FROM docs")
        for doc_id, name, digest in known:
            if not isinstance(doc_id, str) or not _valid_name(name) or not isinstance(digest, str):
                self.db.damaged(f"document {doc_id!r} has the output name {name!r}")
        rows = {r[0]: (r[1], r[2]) for r in known}
        taken = {name.casefold() for name, _ in rows.values()}
        seq = self.db.query("SELECT COALESCE(MAX(seq), 0) FROM docs")[0][0]
        out: list[DocEntry] = []
        now = time.time()

        def write(db: sqlite3.Connection) -> None:
            nonlocal seq
            out.clear()
            for it in items:
                ext = output_ext(it.fmt)
                if it.id in rows:
                    name, digest = rows[it.id]
                    if digest != it.digest:
                        log.info("%s changed since it was translated; redoing it", it.source)
                        db.execute(
                            "UPDATE docs SET digest = ?, source = ?, ext = ? WHERE id = ?",
                            (it.digest, it.source, ext, it.id),
                        )
                        db.execute(
                            "UPDATE tasks SET status = 'pending', reason = NULL, metrics = NULL,"
                            " updated = ? WHERE doc_id = ?",
                            (now, it.id),
                        )
                else:
                    name = _free_name(it.id, taken)
                    seq += 1
                    db.execute(
                        "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                        (it.id, name, it.source, it.digest, ext, seq),
                    )
                db.executemany(
                    "INSERT OR IGNORE INTO tasks VALUES (?, ?, 'pending', NULL, NULL, ?)",
                    [(it.id, lang, now) for lang in langs],
                )
                out.append(DocEntry(it.id, name, it))

        self.db.transaction(write)
        return out

    def statuses(self) -> dict[str, dict[str, str]]:
        """doc id -> lang -> status."""
        out: dict[str, dict[str, str]] = {}
        for doc_id, lang, status in self.db.query("SELECT doc_id, lang, status FROM tasks"):
            if status not in (PENDING, DONE, FAILED):
                self.db.damaged(f"task {doc_id!r}/{lang!r} has the status {status!r}")
            out.setdefault(doc_id, {})[lang] = status
        return out

    # ------------------------------------------------------------------ files

    def owned(self) -> set[str]:
        """Names of the files in the output folder this job wrote or has claimed."""
        names = {r[0] for r in self.db.query("SELECT name FROM owned")}
        if self.meta("schema") == "1":
            names |= self._legacy_owned()
        return names

    def _legacy_owned(self) -> set[str]:
        """What a state from before the ``owned`` table proves: the files of done tasks
        (a task is marked done only after its files are in place) and the summaries."""
        names: set[str] = set(SUMMARY_FILES)
        rows = self.db.query(
            "SELECT d.name, d.ext, t.lang FROM tasks t JOIN docs d ON d.id = t.doc_id "
            "WHERE t.status = 'done'"
        )
        for name, ext, lang in rows:
            names.update(expected_files(name, ext, [lang]))
        return names

    def claim(
        self,
        names: Iterable[str],
        out_dir: str | os.PathLike[str],
        overwrite: bool = False,
        fix: str = "",
    ) -> set[str]:
        """Record ``names`` as this job's files, before any is written; returns all owned.

        A name already taken in ``out_dir`` by a file the job did not write is refused
        (the job would overwrite or remove it), unless ``overwrite``; a folder or device
        there is always refused. So a job only ever replaces or removes its own files.
        """
        out = Path(out_dir)
        owned = self.owned()
        wanted = list(dict.fromkeys(names))
        foreign, blocked = [], []
        for name in wanted:
            path = out / name
            if name in owned or not os.path.lexists(path):
                continue
            if path.is_dir() or (path.exists() and not path.is_file()):
                blocked.append(name)
            else:
                foreign.append(name)
        if blocked:
            raise ConfigError(
                f"{out}: {_listed(blocked)} {'is' if len(blocked) == 1 else 'are'} not a "
                "regular file where this job writes one; move it away or choose another "
                "output folder"
            )
        if foreign and not overwrite:
            raise ConfigError(
                f"{out}: holds {len(foreign)} file(s) this job did not write and would "
                f"overwrite or remove: {_listed(foreign)}; move them away, "
                + (fix or "choose another output folder")
            )
        new = [n for n in wanted if n not in owned]
        # A state from before the table: what it proved is recorded, then it is upgraded.
        legacy = self.meta("schema") == "1"
        rows = [(n,) for n in sorted(owned | set(new))] if legacy else [(n,) for n in new]

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR IGNORE INTO owned VALUES (?)", rows)
            if legacy:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

        if rows:
            self.db.transaction(write)
        return owned | set(new)

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

        def write(db: sqlite3.Connection) -> None:
            for lang, metrics in done.items():
                db.execute(
                    "UPDATE tasks SET status = 'done', reason = NULL, metrics = ?, updated = ? "
                    "WHERE doc_id = ? AND lang = ?",
                    (json.dumps(metrics, ensure_ascii=False), now, doc_id, lang),
                )
            for lang, reason in failed.items():
                db.execute(
                    "UPDATE tasks SET status = 'failed', reason = ?, metrics = NULL, updated = ? "
                    "WHERE doc_id = ? AND lang = ?",
                    (reason, now, doc_id, lang),
                )

        self.db.transaction(write)

    def rows(self, doc_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Every task of these documents, with name, source, status, reason and metrics."""
        wanted = set(doc_ids)
        out = []
        for doc_id, name, source, lang, status, reason, metrics in self.db.query(
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
                        "metrics": self._json(metrics, f"the metrics of {doc_id!r}")
                        if metrics
                        else None,
                    }
                )
        return out


def _free_name(doc_id: str, taken: set[str]) -> str:
    """``safe_name(doc_id)``, made unique among ``taken`` (case-blind), and taken."""
    name = safe_name(doc_id)
    n = 8
    while name.casefold() in taken:  # e.g. "A" and "a" on a case-blind disk
        name = f"{safe_name(doc_id)}-{short_hash(doc_id + '#', n)}"
        n += 2
    taken.add(name.casefold())
    return name


def _listed(names: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(printable(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def job_file_names(entries: Sequence[DocEntry], langs: Sequence[str]) -> list[str]:
    """Every file a translation job may write: each document's files and the summaries."""
    names = [n for e in entries for n in expected_files(e.name, e.item.fmt, langs)]
    return names + list(SUMMARY_FILES)


def clean_temp_files(out_dir: str | os.PathLike[str], names: Iterable[str]) -> int:
    """Remove temp files a killed atomic write of one of ``names`` left; returns how many.

    Only temp files of the job's own file names are recognised (``.NAME.XXXXXXXX.tmp``):
    other hidden files in the folder are never touched.
    """
    n = remove_temp_files(out_dir, names)
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
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"{self.path.parent}: the output folder cannot be made ({exc.strerror}); "
                "choose another output folder"
            ) from None
        # O_NOFOLLOW: a lock file that is a symlink is never followed (it could point at
        # any file the user can write); O_NONBLOCK: a FIFO there cannot hang the open.
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            what = "is a symlink" if os.path.islink(self.path) else "cannot be opened"
            raise ConfigError(
                f"{self.path}: the job's lock file {what} ({exc.strerror}); remove it "
                "(no run holds it) and run again"
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ConfigError(
                f"{self.path}: the job's lock file is not a regular file; remove it and run again"
            )
        self._fh = os.fdopen(fd, "r+")
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
