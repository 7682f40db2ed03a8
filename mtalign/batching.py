"""Batching by a token budget and splitting of over-long segments.

Engines see batches of similar length (little padding); the caller gets results back
in the original order. A segment longer than the model's input limit is cut at clause
boundaries, then at word boundaries, never truncated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

#: Clause boundaries tried first when a segment is too long: after ; : , and dashes.
_CLAUSE = re.compile(r"(?<=[;:,،؛])\s+|\s+(?=[—–-]\s)|(?<=[—–])\s+")


def plan_batches(lengths: Sequence[int], max_tokens: int, max_size: int = 64) -> list[list[int]]:
    """Indices grouped into batches, longest first, each within the token budget.

    The budget counts padded tokens (``len(batch) * longest``); a single segment over
    the budget still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    cur: list[int] = []
    longest = 0
    for i in order:
        n = max(1, lengths[i])
        new_longest = max(longest, n)
        if cur and (new_longest * (len(cur) + 1) > max_tokens or len(cur) >= max_size):
            batches.append(cur)
            cur, longest = [], 0
            new_longest = n
        cur.append(i)
        longest = new_longest
    if cur:
        batches.append(cur)
    return batches


def split_long(text: str, count: Callable[[list[str]], list[int]], limit: int) -> list[str]:
    """Pieces of ``text`` each within ``limit`` tokens; joined with spaces they give the text back.

    ``count`` returns token counts for a list of strings (the engine's tokenizer). Cut at
    clause boundaries first, then between words, then (a space-free run) by characters;
    each piece takes as many parts as fit.

    The cost is linear in the length of ``text``: every character goes through ``count``
    a bounded number of times (the whole text, once per level it is cut at, and one check
    of the finished pieces), never once per candidate piece. A 2 MB line without
    punctuation is cut in seconds (see docs/benchmarks.md#long-lines).
    """
    if count([text])[0] <= limit:
        return [text]
    overhead = max(0, count([""])[0])  # tokens every call adds (language token, ``</s>``)
    pieces = _split(text, count, limit, overhead, _CLAUSES)
    return _checked(pieces, count, limit, overhead)


_CLAUSES, _WORDS, _CHARS = 0, 1, 2


def _parts(text: str, level: int, count: Callable[[list[str]], list[int]], limit: int) -> list[str]:
    """``text`` cut at one level: clauses, words or (last) character runs."""
    if level == _CLAUSES:
        return [p for p in _CLAUSE.split(text) if p]
    if level == _WORDS:
        return text.split()
    return _split_chars(text, count, limit)


def _split(
    text: str, count: Callable[[list[str]], list[int]], limit: int, overhead: int, level: int
) -> list[str]:
    """Greedy packing of the parts of ``text`` at ``level`` by their summed token counts."""
    parts = _parts(text, level, count, limit)
    while len(parts) == 1 and level < _CHARS:
        level += 1
        parts = _parts(text, level, count, limit)
    if level == _CHARS:
        return parts  # cuts inside a word are never glued back with a space
    sizes = count(parts)  # one call over all parts: linear in the text
    pieces: list[str] = []
    cur: list[str] = []
    used = overhead
    for part, size in zip(parts, sizes, strict=True):
        n = max(1, size - overhead)
        if n + overhead > limit:
            if cur:
                pieces.append(" ".join(cur))
                cur, used = [], overhead
            pieces.extend(_split(part, count, limit, overhead, level + 1))
            continue
        if cur and used + n > limit:
            pieces.append(" ".join(cur))
            cur, used = [], overhead
        cur.append(part)
        used += n
    if cur:
        pieces.append(" ".join(cur))
    return pieces


def _checked(
    pieces: list[str], count: Callable[[list[str]], list[int]], limit: int, overhead: int
) -> list[str]:
    """The pieces, each over the limit (a tokenizer whose counts do not add up) halved."""
    sizes = count(pieces)
    if all(n <= limit for n in sizes):
        return pieces
    out: list[str] = []
    for piece, n in zip(pieces, sizes, strict=True):
        if n <= limit:
            out.append(piece)
            continue
        words = piece.split()
        if len(words) > 1:
            halves = [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])]
        elif len(piece) > 1:
            halves = [piece[: len(piece) // 2], piece[len(piece) // 2 :]]
        else:
            out.append(piece)  # one character over the limit: nothing smaller to give
            continue
        out.extend(_checked(halves, count, limit, overhead))
    return out


def _split_chars(text: str, count: Callable[[list[str]], list[int]], limit: int) -> list[str]:
    """Last resort for a space-free run longer than the limit: cut by characters."""
    size = max(1, len(text) * limit // max(1, count([text])[0]) // 2)
    return [text[i : i + size] for i in range(0, len(text), size)]
