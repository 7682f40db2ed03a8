"""Logging for one run of the command line (configured by :func:`mtalign.cli.output.configure`).

Library modules log through ``logging.getLogger(__name__)`` and never configure anything;
this is the only place a handler is installed.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

from mtalign.cli.safe import printable

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


class _Handler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (tests swap it)."""

    def __init__(self) -> None:
        super().__init__()
        self.start = time.monotonic()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass

    def format(self, record: logging.LogRecord) -> str:
        msg = printable(record.getMessage())
        if record.levelno >= logging.WARNING:
            return f"mtalign: {record.levelname.lower()}: {msg}"
        return f"mtalign: [{time.monotonic() - self.start:7.2f}s] {msg}"


def setup(
    quiet: bool = False, verbose: int = 0, log_level: str | None = None
) -> tuple[int, Callable[[], None]]:
    """Install the handler; mtalign's loggers at the asked level, others at warnings.

    Returns the level of mtalign's loggers and a function that puts everything back as
    it was (for callers of :func:`mtalign.cli.main` inside a process, such as tests).
    """
    restore = _saved()
    if log_level:
        level = LEVELS[log_level]
    elif quiet:
        level = logging.ERROR
    else:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    root = logging.getLogger()
    for h in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(h)
    root.addHandler(_Handler())
    root.setLevel(logging.ERROR if level >= logging.ERROR else logging.WARNING)
    logging.getLogger("mtalign").setLevel(level)
    # Third-party warnings (FutureWarning and the like) are for developers: shown with -v.
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.WARNING if level <= logging.INFO else 100)
    return level, restore


def _saved() -> Callable[[], None]:
    """A function restoring the logging state this module changes."""
    root, ours, warn = (logging.getLogger(n) for n in ("", "mtalign", "py.warnings"))
    levels = [(lg, lg.level) for lg in (root, ours, warn)]
    was_capturing = getattr(logging, "_warnings_showwarning", None) is not None

    def restore() -> None:
        for h in [h for h in root.handlers if isinstance(h, _Handler)]:
            root.removeHandler(h)
        for lg, lvl in levels:
            lg.setLevel(lvl)
        if not was_capturing:
            logging.captureWarnings(False)

    return restore
