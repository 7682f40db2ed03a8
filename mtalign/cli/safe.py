"""Text from users (file names, documents) made safe for a terminal."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with terminal control characters escaped (``\\x1b``), tabs and newlines kept.

    File names and texts are user data: an escape sequence in one must not reach the
    terminal as is. Every error and log line the CLI prints goes through here.
    """
    return "".join(
        ch if ch in "\t\n" or (ch >= " " and not 0x7F <= ord(ch) <= 0x9F) else f"\\x{ord(ch):02x}"
        for ch in text
    )
