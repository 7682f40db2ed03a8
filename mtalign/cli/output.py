"""What the command line writes besides results: errors, notes, logs, progress.

One place decides how loud a run is (``-q``, ``-v``, ``--log-level``): :func:`configure`
sets up logging for the run (never at import time), keeps third-party progress bars and
warnings off the terminal unless asked, and :func:`error` is the one function that prints
an error, so every error message goes through :func:`~mtalign.cli.safe.printable`. Every
other line a command prints goes through :func:`note`, :func:`summary`, :func:`line` or
:func:`block` here: user data never reaches the terminal raw.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from mtalign import safetext
from mtalign.cli.safe import printable


@dataclass
class Loudness:
    """How loud this run is; set by :func:`configure`."""

    quiet: bool = False
    level: int = 30  # logging.WARNING


LOUDNESS = Loudness()


def error(message: str) -> None:
    """Print ``mtalign: error: MESSAGE`` on stderr, the one way errors reach the user."""
    line = printable(str(message)).replace("\n", "\\n")  # one line, always
    print(f"mtalign: error: {line}", file=sys.stderr)


def one_line(message: object) -> str:
    """``message`` as one inert line: controls, newlines, bidi overrides as escapes.

    File names, ids, system names and glossary entries are user data; a newline in one
    must not forge another output line, an ESC must not reach the terminal.
    """
    return safetext.printable(message)


def note(message: str) -> None:
    """An informational line on stderr (what was written, where); silent with ``-q``."""
    if not LOUDNESS.quiet:
        print(one_line(message), file=sys.stderr)


def note_lines(text: str) -> None:
    """A block of informational lines on stderr (each escaped); silent with ``-q``."""
    if not LOUDNESS.quiet:
        print(printable(text), file=sys.stderr)


def summary(message: str) -> None:
    """A run's summary line on stdout; silent with ``-q``."""
    if not LOUDNESS.quiet:
        print(one_line(message))


def line(message: object) -> None:
    """One result line on stdout (also with ``-q``), escaped like :func:`one_line`."""
    print(one_line(message))


def block(text: str) -> None:
    """A block of result lines on stdout (a table), each line escaped; the fields in it
    must have been escaped where the lines were built (:func:`one_line`)."""
    print(printable(text))


def progress() -> bool | None:
    """The ``progress`` setting commands pass on: off with ``-q``, else on a terminal."""
    return False if LOUDNESS.quiet else None


def configure(
    quiet: bool = False, verbose: int = 0, log_level: str | None = None
) -> Callable[[], None]:
    """Logging and third-party output for one run of the command line.

    Returns a function that undoes it all (the CLI calls it when the command is done).
    """
    from mtalign.cli.logs import setup

    env = {k: os.environ.get(k) for k in ("HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY")}
    LOUDNESS.quiet = quiet and not log_level
    LOUDNESS.level, restore_logging = setup(quiet, verbose, log_level)
    # Progress bars of huggingface_hub / transformers: only on a terminal, never with -q.
    if LOUDNESS.quiet or not sys.stderr.isatty():
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

    def restore() -> None:
        restore_logging()
        LOUDNESS.quiet, LOUDNESS.level = False, 30
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    return restore
