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

Only files mtalign made are ever written or moved aside. Each owner has its own SQLite
``application_id`` (set when the file is made); an existing file is used only when it
carries that id (or, made by an mtalign from before the id, holds only the owner's
tables). A symbolic link (also a dangling one, or one planted as ``-wal``/``-shm``/
``-journal``), a file that is not SQLite, or another program's database is refused: a
job state stops with a :class:`~mtalign.errors.ConfigError`, a cache is left alone with
one warning and the run goes on without it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from mtalign.errors import ConfigError, MtalignError
from mtalign.files import kind_of

log = logging.getLogger(__name__)

T = TypeVar("T")
Setup = Callable[[sqlite3.Connection], None]
ErrorFactory = Callable[[str, bool], MtalignError]

_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_DAMAGE_WORDS = ("malformed", "not a database", "could not decode to utf-8")
#: The first bytes of every SQLite 3 file; the application id is at offset 68.
SQLITE_MAGIC = b"SQLite format 3\x00"
#: Files SQLite opens beside the database (each could be a planted link).
SIDE_FILES = ("-wal", "-shm", "-journal")


def application_id(tag: str) -> int:
    """The SQLite ``application_id`` for a four-letter ``tag`` (``"mtTM"``)."""
    return int.from_bytes(tag.encode("ascii"), "big")


def header_id(path: str | os.PathLike[str]) -> int | None:
    """The application id in the header of the SQLite file ``path``; None when the file
    does not start like a SQLite file (or cannot be read)."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        head = os.read(fd, 100)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(head) < 72 or not head.startswith(SQLITE_MAGIC):
        return None
    return int.from_bytes(head[68:72], "big")


class _Refused(Exception):
    """A file at the path that mtalign must not touch (the message says which and why).

    ``content``: the reason is what the file holds (not SQLite, another program's), which
    an owner with an error policy reports as unreadable; else a link or special file.
    """

    def __init__(self, message: str, content: str = "") -> None:
        super().__init__(message)
        self.content = content


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
    in warnings ("translation cache"). ``app_id`` is the owner's SQLite application id
    (see :func:`application_id`) and ``tables`` the tables it makes: together they say
    whether an existing file is one mtalign made.
    Statements are serialised by a lock, so threads may share one object (the
    connection is made where first needed, used under the lock).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        setup: Setup,
        what: str,
        error: ErrorFactory | None = None,
        timeout: float = 30.0,
        check: bool = False,
        app_id: int = 0,
        tables: frozenset[str] = frozenset(),
    ) -> None:
        self.path = Path(path)
        self.app_id = app_id
        self.tables = tables
        self._legacy_ok = False
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
                except _Refused as exc:
                    self._refuse(str(exc), exc.content)
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
        if not self._ours():
            self._refuse(
                f"{self.path}: the {self.what} is damaged ({detail}) and no longer carries "
                "mtalign's mark, so it is left as it is; move it away (or choose another path)",
                detail,
            )
            return
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

    def _ours(self) -> bool:
        """Whether the file at the path is one mtalign made for this owner (by its header)."""
        found = header_id(self.path)
        return found is not None and (
            found == self.app_id or (found == 0 and (self._legacy_ok or not self.app_id))
        )

    def _check_path(self) -> bool:
        """Refuse links and files mtalign did not make; whether a non-empty file is there."""
        for suffix in ("", *SIDE_FILES):
            side = Path(f"{self.path}{suffix}")
            try:
                st = os.lstat(side)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(st.st_mode):
                raise _Refused(
                    f"{side}: is a symbolic link; mtalign never writes its {self.what} "
                    "through a link (it could point at any file): remove the link or choose "
                    "another path"
                )
            if suffix and not stat.S_ISREG(st.st_mode):
                raise _Refused(f"{side}: is {kind_of(st.st_mode)}; remove it")
            if not suffix and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
                raise _Refused(
                    f"{side}: is {kind_of(st.st_mode)}, not a {self.what} mtalign made; "
                    "choose another path"
                )
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return False
        if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
            return False
        found = header_id(self.path)
        if found is None:
            raise _Refused(
                f"{self.path}: is not a {self.what} mtalign made (not a SQLite file), so it "
                "is left as it is; choose another path (or move the file away)",
                "not a SQLite file mtalign made",
            )
        if found not in (0, self.app_id):
            raise _Refused(
                f"{self.path}: is another program's SQLite database (application id "
                f"{found:#x}), not a {self.what}; choose another path",
                f"another program's SQLite database, application id {found:#x}",
            )
        return True

    def _adopt(self, con: sqlite3.Connection) -> None:
        """Mark a new file as ours; accept an unmarked one only if it holds our tables alone."""
        if not self.app_id:
            return
        found = con.execute("PRAGMA application_id").fetchone()[0]
        if found == self.app_id:
            return
        if found != 0:
            raise _Refused(
                f"{self.path}: is another program's database; choose another path",
                f"another program's SQLite database, application id {found:#x}",
            )
        names = {
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not str(r[0]).startswith("sqlite_")
        }
        if names and not names <= self.tables:
            shown = ", ".join(sorted(names)[:3])
            raise _Refused(
                f"{self.path}: is a SQLite database mtalign did not make (it holds "
                f"{shown}), not a {self.what}; choose another path",
                f"a SQLite database mtalign did not make, holding {shown}",
            )
        self._legacy_ok = True
        con.execute(f"PRAGMA application_id = {self.app_id}")

    def _connection(self) -> sqlite3.Connection:
        if self._con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            existed = self._check_path()
            con = sqlite3.connect(
                self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
            try:
                self._adopt(con)  # before the owner's setup writes anything
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

    def _refuse(self, message: str, content: str = "") -> None:
        """A file that is not ours: the owner's error, or one warning and no cache."""
        self.close()
        if self._error is not None:
            if content:
                raise self._error(content, True) from None
            raise ConfigError(message) from None
        if not self.disabled:
            log.warning("%s; going on without the %s for this run", message, self.what)
        self.disabled = True

    def _aside_name(self) -> Path:
        base = f"{self.path.name}.corrupt-{int(time.time())}"
        aside, n = self.path.with_name(base), 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{base}-{n}")
        return aside
