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

    ``count`` returns token counts for a list of strings (the engine's tokenizer).
    """
    if count([text])[0] <= limit:
        return [text]
    parts = [p for p in _CLAUSE.split(text) if p]
    if len(parts) == 1:
        parts = text.split()
        if len(parts) == 1:
            return _split_chars(text, count, limit)
    pieces: list[str] = []
    cur = ""
    for part in parts:
        cand = f"{cur} {part}" if cur else part
        if count([cand])[0] <= limit:
            cur = cand
            continue
        if cur:
            pieces.append(cur)
        if count([part])[0] <= limit:
            cur = part
        else:
            sub = split_long(part, count, limit)
            pieces.extend(sub[:-1])
            cur = sub[-1]
    if cur:
        pieces.append(cur)
    return pieces


def _split_chars(text: str, count: Callable[[list[str]], list[int]], limit: int) -> list[str]:
    """Last resort for a space-free run longer than the limit: cut by characters."""
    size = max(1, len(text) * limit // max(1, count([text])[0]) // 2)
    return [text[i : i + size] for i in range(0, len(text), size)]
