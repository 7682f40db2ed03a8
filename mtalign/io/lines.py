"""Line-aligned files: one segment per line (hypotheses, references, sources, glossaries)."""

from __future__ import annotations

import os

from mtalign.errors import InputError
from mtalign.io.source import read_text


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` the way sacrebleu's command line sees them.

    Only ``\\n`` ends a line (``str.splitlines`` would also split on U+2028, U+0085 ...,
    which changes the line count); trailing whitespace is dropped like sacrebleu's
    ``rstrip``; one final newline does not start an extra empty line.
    """
    if text.endswith("\n"):
        text = text[:-1]
    return [line.rstrip() for line in text.split("\n")]


def read_lines(
    path: str | os.PathLike[str], role: str = "input", allow_empty: bool = False
) -> list[str]:
    """Read a UTF-8 (or UTF-16 with BOM) file or ``-`` as one NFC segment per line.

    An empty or whitespace-only file is an :class:`InputError` naming ``role`` and the
    path, unless ``allow_empty`` (then it gives ``[]``).
    """
    decoded = read_text(path)
    if not decoded.text.strip():
        if allow_empty:
            return []
        raise InputError(f"{role} {path}: the file is empty; give one segment per line")
    return split_lines(decoded.text)
