"""SQLite files mtalign owns (translation memory, job state), with damage handled in one place.

A damaged page is noticed only when a statement touches it, which can be long after the
file was opened and passed its open-time check. So every statement on such a file runs
through :class:`OwnedDB`, and whatever shows damage (``database disk image is malformed``,
``file is not a database``, stored text that is not UTF-8, a value its owner cannot use)
goes to the one policy the owner chose:

* a cache (no ``error``): the file is moved aside as ``NAME.corrupt-TIME`` with a warning,
  an empty one takes its place and the operation is retried there. Other failures (a
  read-only folder, a full disk, a lock held too long) give one warning and the cache is
  left alone for the rest of the run: a cache never stops the work.
* a record nothing else can rebuild (``error`` given): ``error(detail, damaged)`` is raised,
  an :class:`~mtalign.errors.MtalignError` that says what to do.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from mtalign.errors import MtalignError

log = logging.getLogger(__name__)

T = TypeVar("T")
Setup = Callable[[sqlite3.Connection], None]
ErrorFactory = Callable[[str, bool], MtalignError]

_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_DAMAGE_WORDS = ("malformed", "not a database", "could not decode to utf-8")


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the file's content is damaged (not locked, full or unwritable)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _DAMAGE_CODES:
        return True
    text = str(exc).lower()
    return any(w in text for w in _DAMAGE_WORDS)


class OwnedDB:
    """One SQLite file whose every statement goes through :meth:`run` (autocommit mode).

    ``setup`` runs on each new connection (pragmas, schema, a cheap probe); ``check``
    adds ``PRAGMA quick_check`` when an existing file is opened. ``what`` names the file
    in warnings ("translation cache"). Statements are serialised by a lock, so threads
    may share one object (the connection is made where first needed, used under the lock).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        setup: Setup,
        what: str,
        error: ErrorFactory | None = None,
        timeout: float = 30.0,
        check: bool = False,
    ) -> None:
        self.path = Path(path)
        self.what = what
        self._setup = setup
        self._error = error
        self._timeout = timeout
        self._check = check
        self._con: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self.disabled = False
        self.moved_aside: list[Path] = []

    # ------------------------------------------------------------------ running

    def run(self, op: Callable[[sqlite3.Connection], T], fallback: Any = None) -> T:
        """``op(connection)``, with damage and failures sent to the policy.

        ``op`` must fetch what it needs before returning (a cursor read later could hit
        a damaged page outside this guard). A cache returns ``fallback`` when it is off.
        """
        with self._lock:
            for attempt in (0, 1):
                if self.disabled:
                    return fallback
                try:
                    return op(self._connection())
                except sqlite3.Error as exc:
                    self._rollback()
                    if is_damage(exc) and attempt == 0:
                        self.damaged(str(exc))
                        continue
                    self._fail(exc)
                except OSError as exc:  # the folder cannot be made or read
                    self._fail(exc)
            return fallback

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of one statement (empty when a cache is off)."""
        return self.run(lambda con: con.execute(sql, params).fetchall(), fallback=[])

    def transaction(self, body: Callable[[sqlite3.Connection], T], fallback: Any = None) -> T:
        """``body(connection)`` inside ``BEGIN IMMEDIATE`` ... ``COMMIT`` (all or nothing)."""

        def op(con: sqlite3.Connection) -> T:
            con.execute("BEGIN IMMEDIATE")
            try:
                out = body(con)
            except BaseException:
                self._rollback()
                raise
            con.execute("COMMIT")
            return out

        return self.run(op, fallback)

    def damaged(self, detail: str) -> None:
        """Report damage (also what the owner found in a value); a cache is moved aside."""
        self.close()
        if self._error is not None:
            raise self._error(detail, True) from None
        aside = self._aside_name()
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-journal"):
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    os.replace(side, f"{aside}{suffix}")
            Path(f"{self.path}-shm").unlink(missing_ok=True)
        except FileNotFoundError:
            pass
        except OSError as exc:
            self._fail(exc)
            return
        self.moved_aside.append(aside)
        log.warning(
            "%s %s is damaged (%s); moved to %s and started afresh",
            self.what,
            self.path,
            detail,
            aside.name,
        )

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                try:
                    self._con.close()
                except sqlite3.Error:
                    pass  # closing a damaged file can fail; it is closed either way
                self._con = None

    # ------------------------------------------------------------------ internals

    def _connection(self) -> sqlite3.Connection:
        if self._con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            existed = self.path.exists() and self.path.stat().st_size > 0
            con = sqlite3.connect(
                self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
            try:
                self._setup(con)
                if self._check and existed:
                    rows = con.execute("PRAGMA quick_check").fetchall()
                    if rows != [("ok",)]:
                        raise sqlite3.DatabaseError(
                            "database disk image is malformed: "
                            + "; ".join(str(r[0]) for r in rows[:3])
                        )
            except BaseException:
                con.close()
                raise
            self._con = con
        return self._con

    def _rollback(self) -> None:
        con = self._con
        if con is not None and con.in_transaction:
            try:
                con.execute("ROLLBACK")
            except sqlite3.Error:
                self.close()  # nothing more to save; the next call opens afresh

    def _fail(self, exc: sqlite3.Error | OSError) -> None:
        if isinstance(exc, sqlite3.Error):
            detail = str(exc)
        else:
            detail = str(exc.strerror or exc)
        self.close()
        if self._error is not None:
            raise self._error(detail, isinstance(exc, sqlite3.Error) and is_damage(exc)) from None
        if not self.disabled:
            log.warning(
                "%s %s cannot be used (%s); going on without it for this run",
                self.what,
                self.path,
                detail,
            )
        self.disabled = True

    def _aside_name(self) -> Path:
        base = f"{self.path.name}.corrupt-{int(time.time())}"
        aside, n = self.path.with_name(base), 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{base}-{n}")
        return aside
