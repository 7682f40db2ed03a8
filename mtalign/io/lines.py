"""Line-aligned files: one segment per line (hypotheses, references, sources, glossaries)."""

from __future__ import annotations

import os

from mtalign.errors import InputError
from mtalign.io.source import DecodedText, encode, read_text


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
    return read_lines_as_written(path, role, allow_empty)[0]


def read_lines_as_written(
    path: str | os.PathLike[str], role: str = "input", allow_empty: bool = False
) -> tuple[list[str], DecodedText]:
    """:func:`read_lines` and the file's form (encoding, BOM, line endings) for
    :func:`encode_lines`, so that a rewritten file keeps the form of its input."""
    decoded = read_text(path)
    if not decoded.text.strip():
        if allow_empty:
            return [], decoded
        raise InputError(f"{role} {path}: the file is empty; give one segment per line")
    return split_lines(decoded.text), decoded


def encode_lines(lines: list[str], form: DecodedText) -> bytes:
    """``lines`` as bytes in ``form``: its encoding and BOM, each line's own ending when
    the count is unchanged (else the most common one), a final newline if it had one."""
    n = len(lines)
    mixed = form.newlines and len(form.newlines) in (n, n - 1)
    endings = list(form.newlines) if mixed else [form.newline] * n
    endings += [form.newline] * (n - len(endings))
    if n and not form.final_newline:
        endings[-1] = ""
    text = "".join(line + end for line, end in zip(lines, endings, strict=True))
    return encode(text, form.encoding, form.bom)
