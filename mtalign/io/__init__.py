"""Readers and writers: paired ``read_*`` / ``render_*`` per format, ``-`` for stdio.

Readers return a :class:`~mtalign.types.Document` whose translatable paragraphs hold
one segment each (the paragraph's prose); sentence splitting is a later stage.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mtalign.errors import InputError
from mtalign.io.atomic import atomic_write_bytes, atomic_write_text
from mtalign.io.html import parse_html, render_html
from mtalign.io.jsonl import parse_jsonl, render_jsonl
from mtalign.io.markdown import parse_markdown, render_markdown
from mtalign.io.source import STDIN, DecodedText, decode, encode, read_bytes, read_text
from mtalign.io.txt import parse_txt, render_txt
from mtalign.types import Document

__all__ = [
    "FORMATS",
    "STDIN",
    "DecodedText",
    "atomic_write_bytes",
    "atomic_write_text",
    "decode",
    "encode",
    "detect_format",
    "parse_document",
    "read_bytes",
    "read_document",
    "read_text",
    "render_document",
    "strip_extension",
    "write_document",
]

FORMATS = ("txt", "md", "jsonl", "html", "xliff", "docx")
_EXT = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xlf": "xliff",
    ".xliff": "xliff",
    ".docx": "docx",
}


def detect_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The format named by ``fmt`` or guessed from the file extension (txt by default)."""
    if fmt:
        fmt = fmt.lower().lstrip(".")
        fmt = {"markdown": "md", "text": "txt", "ndjson": "jsonl"}.get(fmt, fmt)
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    if str(path) == STDIN:
        return "txt"
    return _EXT.get(Path(path).suffix.lower(), "txt")


def sniff_format(text: str, fmt: str, name: str) -> None:
    """Refuse a file whose content is plainly another format than its extension says."""
    head = text.lstrip("\ufeff \t\r\n")[:15].lower()
    if fmt != "html" and head.startswith(("<!doctype html", "<html")):
        raise InputError(
            f"{name}: the file is an HTML page but its extension says {fmt}; rename it to "
            ".html or pass --input-format html"
        )
    if head.startswith(("<?xml", "<xliff")) and "<xliff" in text[:4096]:
        raise InputError(
            f"{name}: the file is XLIFF but its extension says {fmt}; rename it to .xlf or "
            "pass --input-format xliff"
        )


def strip_extension(name: str) -> str:
    """``name`` without a known document extension (``world/idlib.txt`` -> ``world/idlib``)."""
    low = name.lower()
    for ext in _EXT:
        if low.endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)]
    return name


def document_id(path: str | os.PathLike[str]) -> str:
    """A document id from a path: the file name without its extension."""
    if str(path) == STDIN:
        return "stdin"
    name = Path(path).name
    stripped = strip_extension(name)
    return stripped if stripped != name else (Path(path).stem or name)


def parse_document(
    decoded: DecodedText, fmt: str, doc_id: str, source: str = "", lang: str | None = None
) -> Document:
    """Build a Document from decoded text in the given format.

    The text may come un-normalised (``decode(..., nfc=False)``): each parser brings to
    NFC only what may be translated (lines of prose, a record's ``"text"``), so code
    blocks, ids and other JSONL fields stay as they were written.
    """
    text = decoded.text
    if fmt == "txt":
        paras = parse_txt(text, doc_id)
    elif fmt == "md":
        paras = parse_markdown(text, doc_id)
    elif fmt == "jsonl":
        paras = parse_jsonl(text, doc_id, source or doc_id)
    elif fmt == "html":
        paras = parse_html(text, doc_id, source or doc_id)
    else:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    meta = {
        "encoding": decoded.encoding,
        "bom": decoded.bom,
        "newline": decoded.newline,
        "final_newline": decoded.final_newline,
        "newlines": decoded.newlines,
    }
    return Document(id=doc_id, paragraphs=paras, lang=lang, format=fmt, source=source, meta=meta)


def read_document(
    path: str | os.PathLike[str],
    fmt: str | None = None,
    lang: str | None = None,
    doc_id: str | None = None,
    allow_empty: bool = False,
) -> Document:
    """Read a txt / Markdown / JSONL file (or ``-`` for stdin) into a Document.

    An empty or whitespace-only input is an :class:`InputError` unless ``allow_empty``.
    """
    named = fmt
    fmt = detect_format(path, fmt)
    name = str(path)
    if fmt == "xliff":
        return _read_xliff(path, doc_id or document_id(path), lang)
    if fmt == "docx":
        return _read_docx(path, doc_id or document_id(path), lang)
    data = read_bytes(path)
    if not named and data.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{name}: a zip archive (a DOCX?) but its extension says {fmt}; rename it to .docx "
            "or pass --input-format docx"
        )
    decoded = decode(data, name, nfc=False)
    if not named:
        sniff_format(decoded.text, fmt, name)
    if not allow_empty and not decoded.text.strip():
        raise InputError(f"{name}: the file is empty; give a file with text to process")
    doc = parse_document(decoded, fmt, doc_id or document_id(path), source=name, lang=lang)
    if not allow_empty and not any(True for _ in doc.segments()):
        raise InputError(f"{name}: no text to process (only markup, code or empty records)")
    return doc


def _read_xliff(path: str | os.PathLike[str], doc_id: str, lang: str | None) -> Document:
    """An XLIFF file (bytes: XML says its own encoding) as a Document of its open units."""
    from mtalign.io.xliff import parse_xliff

    data = read_bytes(path)
    paras, meta = parse_xliff(data, doc_id, str(path))
    meta = {**meta, "xliff_data": data, "encoding": "utf-8", "final_newline": False}
    return Document(
        id=doc_id, paragraphs=paras, lang=lang, format="xliff", source=str(path), meta=meta
    )


def _read_docx(path: str | os.PathLike[str], doc_id: str, lang: str | None) -> Document:
    """A DOCX file as a Document of its paragraphs with text."""
    from mtalign.io.docx import parse_docx

    data = read_bytes(path)
    paras = parse_docx(data, doc_id, str(path))
    meta = {"docx_data": data}
    return Document(
        id=doc_id, paragraphs=paras, lang=lang, format="docx", source=str(path), meta=meta
    )


def render_document(doc: Document) -> str:
    """The document as text in its own format, with its newline style and final newline."""
    if doc.format == "xliff":
        from mtalign.io.xliff import render_xliff

        return render_xliff(doc, doc.meta["xliff_data"])
    if doc.format == "docx":
        raise InputError("a DOCX is a binary file: write it with write_document to a path")
    if doc.format == "html":
        body = render_html(doc)
    elif doc.format == "md":
        body = render_markdown(doc)
    elif doc.format == "jsonl":
        body = render_jsonl(doc)
    else:
        body = render_txt(doc)
    if doc.meta.get("final_newline", True) and doc.paragraphs and doc.format != "html":
        body += "\n"
    return _restore_newlines(body, doc.meta.get("newline", "\n"), doc.meta.get("newlines", ()))


def _restore_newlines(body: str, newline: str, newlines: tuple[str, ...]) -> str:
    """``body`` with each line's own ending when the file mixed them and the line count
    is unchanged; otherwise with the file's most common ending."""
    if newlines and body.count("\n") == len(newlines):
        parts = body.split("\n")
        return "".join(p + e for p, e in zip(parts, newlines, strict=False)) + parts[-1]
    return body.replace("\n", newline) if newline != "\n" else body


def write_document(doc: Document, path: str | os.PathLike[str]) -> None:
    """Write ``doc`` atomically to ``path``, or stdout for ``-``.

    In the input's encoding and BOM: UTF-8, UTF-8 with BOM, or UTF-16 (same byte order)
    with BOM; newline style and final newline as the input had them.
    """
    if doc.format == "docx":
        from mtalign.io.docx import render_docx

        data = render_docx(doc, doc.meta["docx_data"])
    else:
        text = render_document(doc)
        data = encode(text, doc.meta.get("encoding") or "utf-8", bool(doc.meta.get("bom")))
    if str(path) == STDIN:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    atomic_write_bytes(path, data)
