"""Text that is safe to show: in a one-line message, on a terminal, in Markdown.

Inputs can hold anything JSON or a file system can carry: terminal control characters
(``ESC [2J``), lone surrogates (a ``"\\ud800"`` JSON escape, or a file-name byte that is
not UTF-8, which Python keeps as ``\\udcXX``), bidi overrides. Shown raw they would run
terminal commands, break a table or fail to encode. These helpers write them as visible
escapes instead; everything else (any script, emoji, RLM/LRM marks) is kept as it is.
"""

from __future__ import annotations

import logging
import re

#: C0/C1 controls, DEL, lone surrogates, line/paragraph separators, bidi embeddings,
#: overrides and isolates: what a message or a terminal must never get raw.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Characters with a meaning in inline Markdown (or GitHub tables); backslash-escaped.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        # A file-name byte that was not UTF-8 (surrogateescape): show the byte.
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` with control characters, lone surrogates and bidi controls as escapes."""
    return _UNSAFE.sub(_escape, str(text))


def lone_surrogate(text: str) -> int:
    """Index of the first lone surrogate in ``text`` (a valid pair is one character), or -1."""
    m = _SURROGATE.search(text)
    return m.start() if m else -1


def escape_surrogates(text: str) -> str:
    """``text`` with every lone surrogate written as a visible escape (encodable as UTF-8)."""
    return _SURROGATE.sub(_escape, text)


def json_safe(json_text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters above
    written as ``\\uXXXX`` escapes: same value when parsed, encodable, inert on a terminal.
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def surrogate_problem(text: str, where: str, what: str = "the text") -> str | None:
    """The input-error message for ``text`` holding a lone surrogate, or None."""
    pos = lone_surrogate(text)
    if pos < 0:
        return None
    return (
        f"{where}: {what} holds a lone surrogate ({printable(text[pos])} at character {pos}), "
        "which no UTF-8 text can carry; JSON \\ud800-\\udfff escapes must come in "
        "high-low pairs: fix the record"
    )


def md_text(text: object) -> str:
    """One line of user data safe inside Markdown (table cells, headings, list items)."""
    flat = " ".join(str(text).split())
    return printable(_MD_SPECIAL.sub(r"\\\1", flat))


def md_code(text: object) -> str:
    """User data as a Markdown code span: backticks fenced around, controls escaped."""
    flat = printable(" ".join(str(text).split()))
    runs = [len(r) for r in re.findall(r"`+", flat)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


class SafeLogFilter(logging.Filter):
    """A handler filter that renders every record with :func:`printable` (one line, no ESC).

    Install it on the handlers of the command line: file names and texts in warnings
    come from user data.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        msg = printable(record.getMessage())
        record.msg, record.args = msg, None
        return True


def nesting_depth(value: object, limit: int) -> int:
    """How deep lists, tuples and dicts nest in ``value``, counted without recursion.

    Counting stops past ``limit`` (the result is then ``limit + 1``): parsed JSON or TOML
    that nests deeper is refused before anything recursive (a dump, a schema) walks it.
    """
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, (dict, list, tuple)):
            continue
        deepest = max(deepest, level)
        if level > limit:
            return level
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, level + 1) for c in children if isinstance(c, (dict, list, tuple)))
    return deepest
