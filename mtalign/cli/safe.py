"""Text from users (file names, documents) made safe for a terminal."""

from __future__ import annotations

from mtalign import safetext


def printable(text: str) -> str:
    """``text`` with terminal control characters, lone surrogates and bidi controls escaped
    (``\\x1b``), tabs and newlines kept.

    File names and texts are user data: an escape sequence in one must not reach the
    terminal as is. Every error and log line the CLI prints goes through here; the escape
    rules are :func:`mtalign.safetext.printable`'s.
    """
    return "\n".join(
        "\t".join(safetext.printable(part) for part in line.split("\t"))
        for line in str(text).split("\n")
    )
