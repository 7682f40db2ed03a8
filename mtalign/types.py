"""Frozen values that flow between the stages of mtalign.

Every stage takes these and returns new ones; none is mutated in place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})

#: Kinds of protected spans: a unit of its own, or one half of paired markup.
ATOM, OPEN, CLOSE = "atom", "open", "close"


#: Readers of HTML, XLIFF and DOCX stand one private-use character in for each inline tag.
PLACEHOLDER_FIRST, PLACEHOLDER_LAST = 0xE000, 0xF8FF
_NO_PLACEHOLDERS = {c: None for c in range(PLACEHOLDER_FIRST, PLACEHOLDER_LAST + 1)}


def without_placeholders(text: str) -> str:
    """``text`` without inline-tag placeholder characters (what a reader sees)."""
    return text.translate(_NO_PLACEHOLDERS)


def pair_up(kinds: Sequence[str]) -> list[int | None]:
    """For each span the index of its partner (opening <-> closing), by nesting order.

    An opening span without its closing one (or the reverse) has no partner (an atom).
    """
    partner: list[int | None] = [None] * len(kinds)
    stack: list[int] = []
    for k, kind in enumerate(kinds):
        if kind == OPEN:
            stack.append(k)
        elif kind == CLOSE and stack:
            j = stack.pop()
            partner[j], partner[k] = k, j
    return partner


@dataclass(frozen=True)
class Segment:
    """One sentence (or other unit sent to translation) of a paragraph.

    ``id`` is stable: ``doc:para:sent``. ``ws_after`` is the whitespace that followed
    the segment inside its paragraph, kept so an untouched document round-trips.
    ``protected`` lists ``(start, end)`` character spans of ``text`` that must never
    be translated (inline code in Markdown, for example); ``kinds`` says, per protected
    span in order, whether it is an ``atom`` (code, a URL, an empty element), or the
    ``open`` / ``close`` half of paired markup (``**``, ``<b>``); empty means all atoms.
    """

    id: str
    text: str
    ws_after: str = ""
    protected: tuple[tuple[int, int], ...] = ()
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A block of a document.

    A translatable block is ``prefix + segments (each followed by its ws_after) + suffix``.
    A block that is never translated (blank line, code block, front matter ...) has no
    segments and keeps its exact text in ``raw``. ``kind`` names the block type
    (``text``, ``blank``, ``heading``, ``list``, ``quote``, ``code``, ``html``, ``table``,
    ``rule``, ``record``). ``meta`` carries format-specific fields (JSONL extra keys).
    """

    index: int
    kind: str = "text"
    segments: tuple[Segment, ...] = ()
    prefix: str = ""
    suffix: str = ""
    raw: str | None = None
    meta: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def text(self) -> str:
        """The block's text without its markup prefix/suffix."""
        if self.raw is not None:
            return self.raw
        return "".join(s.text + s.ws_after for s in self.segments).rstrip()

    def render(self) -> str:
        """The block exactly as it is written back.

        A block that spanned several lines (a wrapped Markdown paragraph) keeps the
        markup of each continuation line in ``meta["cont_prefixes"]``; it is put back
        after every newline that is still there.
        """
        if self.raw is not None:
            return self.raw
        body = "".join(s.text + s.ws_after for s in self.segments)
        conts = self.meta.get("cont_prefixes")
        if conts and "\n" in body:
            lines = body.split("\n")
            out = [lines[0]]
            for i, line in enumerate(lines[1:]):
                out.append(conts[min(i, len(conts) - 1)] + line)
            body = "\n".join(out)
        return self.prefix + body + self.suffix


@dataclass(frozen=True)
class Document:
    """An article: paragraphs of segments, NFC-normalised, with stable ids.

    ``format`` is the reader that produced it (``txt``, ``md``, ``jsonl``); ``meta``
    records what the writer needs to reproduce the input (newline, final newline, BOM).
    """

    id: str
    paragraphs: tuple[Paragraph, ...]
    lang: str | None = None
    format: str = "txt"
    source: str = ""
    meta: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def segments(self) -> Iterator[Segment]:
        """Every segment in reading order."""
        for p in self.paragraphs:
            yield from p.segments

    def segment_texts(self) -> list[str]:
        return [s.text for s in self.segments()]

    def with_lang(self, lang: str | None) -> Document:
        return replace(self, lang=lang)

    def with_texts(self, texts: Mapping[str, str], lang: str | None = None) -> Document:
        """A copy whose segments with ids in ``texts`` carry the new text.

        Protected spans of a replaced segment are dropped (the new text has its own).
        """
        paras = []
        for p in self.paragraphs:
            if not p.segments:
                paras.append(p)
                continue
            segs = tuple(
                replace(s, text=texts[s.id], protected=(), kinds=()) if s.id in texts else s
                for s in p.segments
            )
            paras.append(replace(p, segments=segs))
        return replace(self, paragraphs=tuple(paras), lang=lang if lang else self.lang)


@dataclass(frozen=True)
class Bead:
    """One alignment unit: source sentence indices and target sentence indices.

    ``src`` / ``tgt`` are tuples of consecutive indices (either may be empty for
    1-0 / 0-1 beads); ``score`` is the bead's cost or confidence, method-defined.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass(frozen=True)
class Alignment:
    """A sentence alignment between two sequences of sentences."""

    src_lang: str
    tgt_lang: str
    src: tuple[str, ...]
    tgt: tuple[str, ...]
    beads: tuple[Bead, ...]
    method: str = ""
    meta: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class Term:
    """A glossary entry: source forms and the canonical target form per language."""

    id: str
    source: tuple[str, ...]
    targets: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    extra_forms: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    type: str | None = None
    keep: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class TermHit:
    """One source occurrence of a term and how the target rendered it.

    ``status`` is ``ok`` (an accepted form found), ``variant`` (a wrong spelling or
    attachment of the term found), ``missing`` or ``no-target`` (the glossary has no
    form for this language).
    """

    segment: int
    term_id: str
    source_form: str
    src_span: tuple[int, int]
    expected: tuple[str, ...]
    found: str | None
    status: str
    tgt_span: tuple[int, int] | None = None
    stage: str | None = None


@dataclass(frozen=True)
class QualityFlag:
    """A problem the quality gate found in one translated segment."""

    segment_id: str
    lang: str
    kind: str
    detail: str = ""
    retried: bool = False


@dataclass(frozen=True)
class Score:
    """One metric value with the settings that reproduce it."""

    name: str
    value: float
    signature: str = ""
    ci: tuple[float, float] | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
