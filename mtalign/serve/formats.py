"""Document readers for the service: request text or an uploaded file -> Document, and back.

The reader is a pluggable call: :data:`READERS` maps a format name to a :class:`Reader`
(``read(data, doc_id) -> Document``, ``render(doc) -> bytes``). The text formats of
:mod:`mtalign.io` (txt, md, jsonl, and html once the formats work provides its reader)
are found there at call time, so a format that :mod:`mtalign.io` learns is served without
a change here; a binary format (docx) is added with :func:`register`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from mtalign.errors import InputError
from mtalign.types import Document

#: File extension -> format name, for /translate_file.
EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".jsonl": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".xlf": "xliff",
    ".xliff": "xliff",
}


@dataclass(frozen=True)
class Reader:
    """How one format is read from bytes and written back to bytes."""

    read: Callable[[bytes, str], Document]
    render: Callable[[Document], bytes]


#: Readers registered by name (binary formats); text formats come from mtalign.io.
READERS: dict[str, Reader] = {}


def register(fmt: str, reader: Reader) -> None:
    """Serve ``fmt`` with ``reader`` (e.g. a DOCX reader from the formats work)."""
    READERS[fmt] = reader


def _io_reader(fmt: str) -> Reader | None:
    from mtalign import io

    if fmt not in io.FORMATS:
        return None

    def read(data: bytes, doc_id: str) -> Document:
        return io.parse_document(io.decode(data, doc_id), fmt, doc_id, source=doc_id)

    def render(doc: Document) -> bytes:
        text = io.render_document(doc)
        return io.encode(text, doc.meta.get("encoding") or "utf-8", bool(doc.meta.get("bom")))

    return Reader(read, render)


def reader(fmt: str) -> Reader:
    """The reader of ``fmt``; an :class:`InputError` names the formats served."""
    found = READERS.get(fmt) or _io_reader(fmt)
    if found is None:
        if fmt == "html":
            raise InputError(
                "format html is not available in this install (mtalign reads HTML once its "
                "HTML reader is installed); send format=text"
            )
        raise InputError(f"format {fmt!r} is not supported; use one of {', '.join(served())}")
    return found


def served() -> tuple[str, ...]:
    """Every format this install can read."""
    from mtalign import io

    return tuple(dict.fromkeys((*io.FORMATS, *READERS)))


def format_of(filename: str) -> str:
    """The format of an uploaded file, from its extension (txt when unknown)."""
    ext = os.path.splitext(filename)[1].lower()
    return EXTENSIONS.get(ext, "txt")


def text_format(value: str) -> str:
    """LibreTranslate's ``format`` field (text, html) as a reader name."""
    value = (value or "text").strip().lower()
    return {"text": "txt", "plain": "txt", "markdown": "md"}.get(value, value)
