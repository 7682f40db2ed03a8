"""Plain text: one paragraph per line, blank lines kept as they are."""

from __future__ import annotations

import re
import unicodedata

from mtalign.types import Document, Paragraph, Segment

_EDGE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def text_paragraph(index: int, doc_id: str, line: str, kind: str = "text") -> Paragraph:
    """A paragraph whose content is ``line`` (edge whitespace kept as prefix/suffix)."""
    if not line.strip():
        return Paragraph(index=index, kind="blank", raw=line)
    lead, body, trail = _EDGE.match(line).groups()  # type: ignore[union-attr]
    seg = Segment(id=f"{doc_id}:{index}:0", text=body)
    return Paragraph(index=index, kind=kind, segments=(seg,), prefix=lead, suffix=trail)


def parse_txt(text: str, doc_id: str) -> tuple[Paragraph, ...]:
    """Split text (``\\n`` newlines) into one paragraph per line, each brought to NFC."""
    text = text.removesuffix("\n")
    if not text:
        return ()
    text = unicodedata.normalize("NFC", text)
    return tuple(text_paragraph(i, doc_id, line) for i, line in enumerate(text.split("\n")))


def render_txt(doc: Document) -> str:
    """Lines back, joined by ``\\n`` (the caller applies newline style / final newline)."""
    return "\n".join(p.render().replace("\n", " ") for p in doc.paragraphs)
