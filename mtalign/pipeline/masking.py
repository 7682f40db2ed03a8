"""Placeholders: protected spans (inline tags, code, URLs) kept away from the model.

Each protected span of a segment becomes a numbered marker ``[n]`` before the model sees
the text and is put back *by identity* (the number), not by order of appearance.

Why ``[n]``: OPUS-MT SentencePiece vocabularies (and the tiny test models, trained on
ASCII text) all hold ``[``, ``]`` and the digits, and Marian models copy such tokens
through; private-use code points or exotic brackets map to ``<unk>`` and vanish in
decoding. A literal ``[0]`` in the text cannot be mistaken for a marker: the numbers are
chosen among those that do not occur bracketed anywhere in the segment (``See note [0]``
gets markers from ``[1]`` on), and only those numbers are read back.

When the model drops, doubles or moves a marker, :func:`unmask` still returns every span
exactly once: a doubled marker keeps its first copy; a dropped one goes where the hint
(attention, see :func:`attention_hints`) or, without one, the same relative position
puts it; and paired spans (an opening and a closing tag) that come back crossed or
inside out are laid on the positions the model chose in their source order, so the
markup stays well nested. Every repair is reported in ``Restored.problems``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mtalign.engines.base import Hypothesis
from mtalign.types import ATOM, CLOSE, OPEN, pair_up

#: A marker as the model may write it back (it sometimes adds spaces inside).
MARKER = re.compile(r"\[\s*(\d{1,4})\s*\]")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Placeholder:
    """One protected span: its marker number, original text, kind and partner index."""

    number: int
    original: str
    kind: str = ATOM
    partner: int | None = None
    src_pos: int = 0

    @property
    def marker(self) -> str:
        return f"[{self.number}]"


@dataclass(frozen=True)
class Masked:
    """The text the model sees and the placeholders in it, in source order."""

    text: str
    holders: tuple[Placeholder, ...] = ()

    @property
    def kept(self) -> list[str]:
        """The protected spans' original texts, in source order."""
        return [h.original for h in self.holders]


@dataclass(frozen=True)
class Restored:
    """The output with every span put back, and what had to be repaired."""

    text: str
    problems: tuple[str, ...] = ()


def _free_numbers(text: str, count: int) -> list[int]:
    """``count`` marker numbers none of which occurs bracketed in ``text``."""
    taken = {int(m.group(1)) for m in MARKER.finditer(text)}
    out: list[int] = []
    n = 0
    while len(out) < count:
        if n not in taken:
            out.append(n)
        n += 1
    return out


def mask_protected(
    text: str, spans: Sequence[tuple[int, int]], kinds: Sequence[str] = ()
) -> Masked:
    """Replace protected spans with collision-free ``[n]`` markers the model copies.

    ``kinds`` (``atom``/``open``/``close`` per span, in span order) marks paired spans;
    empty means every span is an atom.
    """
    if not spans:
        return Masked(text)
    order = sorted(range(len(spans)), key=lambda k: spans[k])
    kind_of = [kinds[k] if k < len(kinds) else ATOM for k in order]
    partner = pair_up(kind_of)
    numbers = _free_numbers(text, len(order))
    out: list[str] = []
    holders: list[Placeholder] = []
    pos = 0
    length = 0
    for j, k in enumerate(order):
        a, b = spans[k]
        out.append(text[pos:a])
        length += a - pos
        kind = kind_of[j] if partner[j] is not None else ATOM
        holders.append(Placeholder(numbers[j], text[a:b], kind, partner[j], length))
        out.append(f"[{numbers[j]}]")
        length += len(out[-1])
        pos = b
    out.append(text[pos:])
    return Masked("".join(out), tuple(holders))


def _strip_markers(output: str, masked: Masked) -> tuple[str, dict[int, int], list[str]]:
    """The output without our markers, the kept position of each, and the problems."""
    index = {h.number: k for k, h in enumerate(masked.holders)}
    parts: list[str] = []
    found: dict[int, int] = {}
    problems: list[str] = []
    pos = length = 0
    for m in MARKER.finditer(output):
        k = index.get(int(m.group(1)))
        if k is None:
            continue  # a literal "[7]" of the text: not ours
        piece = output[pos : m.start()]
        if k in found:
            problems.append(f"doubled {masked.holders[k].marker}")
            if piece.endswith(" ") and output[m.end() : m.end() + 1] in (" ", ""):
                piece = piece[:-1]
        parts.append(piece)
        length += len(piece)
        found.setdefault(k, length)
        pos = m.end()
    parts.append(output[pos:])
    return "".join(parts), found, problems


def _fallback_position(text: str, masked: Masked, h: Placeholder) -> int:
    """Without a hint: the word boundary at the span's relative position in the source."""
    rel = h.src_pos / max(1, len(masked.text))
    words = list(_WORD.finditer(text))
    if not words:
        return len(text)
    k = min(len(words), round(rel * len(words)))
    if h.kind == CLOSE:
        return words[k - 1].end() if k > 0 else 0
    return words[k].start() if k < len(words) else len(text)


def _snap(text: str, pos: int, kind: str) -> int:
    """A hinted position moved to the nearest word boundary that suits the span's kind."""
    pos = max(0, min(len(text), pos))
    if kind == CLOSE:
        while pos < len(text) and not text[pos].isspace():
            pos += 1
        return pos
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _well_nested(order: list[int], masked: Masked) -> bool:
    stack: list[int] = []
    for k in order:
        h = masked.holders[k]
        if h.kind == OPEN:
            stack.append(k)
        elif h.kind == CLOSE and (not stack or stack.pop() != h.partner):
            return False
    return not stack


def unmask(output: str, masked: Masked, hints: Mapping[int, int] | None = None) -> Restored:
    """Put every protected span back exactly once, by marker number.

    ``hints`` maps a placeholder's index to a character offset in ``output`` where it
    belongs (from attention); it is used for dropped markers only.
    """
    if not masked.holders:
        return Restored(output)
    text, found, problems = _strip_markers(output, masked)
    pos = dict(found)
    inserted: set[int] = set()
    for k, h in enumerate(masked.holders):
        if k in pos:
            continue
        problems.append(f"dropped {h.marker}")
        hint = (hints or {}).get(k)
        pos[k] = (
            _snap(text, hint, h.kind) if hint is not None else _fallback_position(text, masked, h)
        )
        inserted.add(k)
    order = sorted(pos, key=lambda k: (pos[k], k))
    if not _well_nested(order, masked):
        problems.append("reordered paired markup")
        slots = sorted(pos.values())
        pos = dict(enumerate(slots))
        order = list(range(len(masked.holders)))
    return Restored(_insert(text, masked, pos, order, inserted), tuple(problems))


def _insert(
    text: str, masked: Masked, pos: Mapping[int, int], order: list[int], inserted: set[int]
) -> str:
    """``text`` with each placeholder's original at its position (in ``order`` for ties)."""
    out: list[str] = []
    last = 0
    for k in order:
        p = pos[k]
        out.append(text[last:p])
        last = p
        h = masked.holders[k]
        piece = h.original
        if k in inserted and h.kind == ATOM:
            # A dropped atom (inline code, a URL) is a word of its own.
            before = "".join(out)
            if before and not before[-1].isspace():
                piece = " " + piece
            if p < len(text) and not text[p].isspace():
                piece += " "
        out.append(piece)
    out.append(text[last:])
    return "".join(out)


def _source_word_span(source: str, m: re.Match[str], side: str) -> tuple[int, int]:
    """The marker's span, or the word it is glued to on ``side`` (``before``/``after``)."""
    if side == "after":
        end = m.end()
        while end < len(source) and not source[end].isspace() and not MARKER.match(source, end):
            end += 1
        return m.end(), end
    start = m.start()
    while start > 0 and not source[start - 1].isspace() and source[start - 1] != "]":
        start -= 1
    return start, m.start()


def repair_dropped(source: str, hyp: Hypothesis) -> str:
    """``hyp.text`` with each marker of ``source`` it lost put back where attention says.

    A marker glued to the next source word (an opening tag) goes before the target word
    that word's pieces are aligned with; one glued to the previous word (a closing tag)
    after the target word aligned with that one; a free-standing marker before the word
    its own pieces are aligned with. Without attention the text is returned unchanged
    (:func:`unmask` then places the marker by its relative position).
    """
    from mtalign.glossary.enforce import predicted_position

    text = hyp.text
    have = {int(m.group(1)) for m in MARKER.finditer(text)}
    edits: list[tuple[int, str, bool]] = []
    for m in MARKER.finditer(source):
        if int(m.group(1)) in have:
            continue
        glued_next = m.end() < len(source) and not source[m.end()].isspace()
        glued_prev = m.start() > 0 and not source[m.start() - 1].isspace()
        side = "after" if glued_next else "before" if glued_prev else ""
        span = _source_word_span(source, m, side) if side else m.span()
        if span[0] == span[1]:
            span = m.span()
            side = ""
        pred = predicted_position(source, span, hyp)
        if pred is None:
            return text
        p = _snap(text, pred[0], CLOSE if side == "before" else OPEN)
        edits.append((p, m.group(0), not side))
    for p, marker, alone in sorted(edits, reverse=True):
        if alone:  # a word of its own: spaced, without doubling a space already there
            marker = ("" if p == 0 or text[p - 1].isspace() else " ") + marker
            marker += "" if p < len(text) and text[p].isspace() else " "
        text = text[:p] + marker + text[p:]
    return text.strip() if edits else text
