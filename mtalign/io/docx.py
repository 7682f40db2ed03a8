"""DOCX: paragraphs of the body, tables, headers, footers, footnotes and endnotes.

The package is opened with python-docx (``formats`` extra), which keeps every part it does
not understand (styles, numbering, media, comments ...) as it came. Paragraphs are read at
the XML level (``w:p``) of the document, header, footer, footnote and endnote parts, in
that order, so tables, text boxes and notes are all reached.

Inside a paragraph the run carrying most of the text gives the base formatting; a run
formatted otherwise (bold, italic, a colour) becomes a pair of placeholders around its
text, a hyperlink another pair, and anything that is not plain text (a field, a drawing, a
footnote reference, a bookmark) an atom kept whole. The writer rebuilds the paragraph's
runs from the translated text: base formatting for bare text, each pair's formatting for
its part, atoms copied back.

Before anything is read the archive is checked: not a zip, over 512 MiB unpacked, or a
member that expands more than 200 times (a zip bomb) is one clear line.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from mtalign.errors import InputError
from mtalign.types import ATOM, CLOSE, OPEN, Paragraph, Segment

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_UNPACKED = 512 * 1024 * 1024
MAX_RATIO = 200
_PARTS = ("/word/document.xml", "/word/header", "/word/footer", "/word/footnotes.xml",
          "/word/endnotes.xml")  # fmt: skip
_PUA = 0xE000


def _q(name: str) -> str:
    return f"{{{W}}}{name}"


def check_archive(data: bytes, name: str) -> None:
    """Refuse what is not a zip, and zip bombs, before any part is parsed."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(f"{name}: not a DOCX file (not a zip archive); save it as .docx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        total = 0
        for info in z.infolist():
            total += info.file_size
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                raise InputError(
                    f"{name}: member {info.filename} expands {ratio:.0f} times (a zip bomb?); "
                    "refused"
                )
        if total > MAX_UNPACKED:
            raise InputError(f"{name}: unpacks to {total} bytes, over {MAX_UNPACKED}; refused")
        if "word/document.xml" not in z.namelist():
            raise InputError(f"{name}: a zip without word/document.xml is not a DOCX file")


def _open(data: bytes, name: str) -> Any:
    check_archive(data, name)
    try:
        import docx
    except ImportError:  # pragma: no cover - python-docx comes with the formats extra
        raise InputError("DOCX needs python-docx: `pip install mtalign[formats]`") from None
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise InputError(f"{name}: damaged DOCX ({type(exc).__name__}: {exc})") from None


def _parts(document: Any) -> list[tuple[Any, Any]]:
    """(part, root element) of every part with translatable paragraphs, in reading order."""
    from lxml import etree

    found = []
    for part in document.part.package.iter_parts():
        pn = str(part.partname)
        rank = next((k for k, p in enumerate(_PARTS) if pn.startswith(p)), None)
        if rank is None:
            continue
        element = getattr(part, "element", None)
        if element is None:
            element = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False))
        found.append((rank, pn, part, element))
    found.sort(key=lambda t: (t[0], t[1]))
    return [(part, el) for _, _, part, el in found]


def _run_text(r: Any) -> str | None:
    """A run's text, or None when it holds more than text (a field, a drawing ...)."""
    out = []
    for child in r:
        tag = child.tag
        if tag == _q("rPr"):
            continue
        if tag == _q("t"):
            out.append(child.text or "")
        elif tag == _q("tab"):
            out.append("\t")
        elif tag in (_q("br"), _q("cr")) and child.get(_q("type")) in (None, "textWrapping"):
            out.append("\n")
        else:
            return None
    return "".join(out)


def _rpr_key(r: Any) -> bytes:
    from lxml import etree

    rpr = r.find(_q("rPr"))
    return b"" if rpr is None else etree.tostring(rpr)


def _items(p: Any) -> list[tuple[str, Any, str]]:
    """A paragraph's content as (kind, element, text): text runs, links, atoms."""
    out: list[tuple[str, Any, str]] = []
    for child in p:
        if child.tag == _q("pPr"):
            continue
        if child.tag == _q("r") and (text := _run_text(child)) is not None:
            out.append(("run", child, text))
        elif child.tag == _q("hyperlink"):
            out.append(("open-link", child, ""))
            out.extend(_items(child))
            out.append(("close-link", child, ""))
        else:
            out.append(("atom", child, ""))
    return out


def _base(items: list[tuple[str, Any, str]]) -> bytes:
    """The formatting of the most text: bare text in the segment."""
    weight: dict[bytes, int] = {}
    for kind, el, text in items:
        if kind == "run":
            key = _rpr_key(el)
            weight[key] = weight.get(key, 0) + len(text)
    return max(weight, key=lambda k: weight[k]) if weight else b""


def flatten(p: Any) -> tuple[str, list[tuple[int, int]], list[str], dict[str, tuple]]:
    """Paragraph text with one private-use char per placeholder, and what each stands for."""
    items = _items(p)
    plain = "".join(t for _, _, t in items)
    free = (chr(c) for c in range(_PUA, 0xF900) if chr(c) not in plain)
    base = _base(items)
    text, spans, kinds = "", [], []
    codes: dict[str, tuple] = {}
    fmt: bytes | None = None  # formatting of the open pair, if any

    def mark(kind: str, code: tuple) -> None:
        nonlocal text
        ch = next(free)
        codes[ch] = code
        spans.append((len(text), len(text) + 1))
        kinds.append(kind)
        text += ch

    for kind, el, t in items:
        if kind == "run":
            key = _rpr_key(el)
            if key != fmt and fmt is not None:
                mark(CLOSE, ("close-fmt",))
                fmt = None
            if key != base and fmt is None and t:
                mark(OPEN, ("open-fmt", el.find(_q("rPr"))))
                fmt = key
            text += t
            continue
        if fmt is not None:
            mark(CLOSE, ("close-fmt",))
            fmt = None
        if kind == "open-link":
            mark(OPEN, ("open-link", el))
        elif kind == "close-link":
            mark(CLOSE, ("close-link",))
        else:
            mark(ATOM, ("atom", el))
    if fmt is not None:
        mark(CLOSE, ("close-fmt",))
    return text, spans, kinds, codes | {"": ("base", base)}


def _paragraphs(document: Any) -> Iterator[Any]:
    for _, root in _parts(document):
        yield from root.iter(_q("p"))


def parse_docx(data: bytes, doc_id: str, name: str) -> tuple[Paragraph, ...]:
    """One paragraph per ``w:p`` with text (others are left out and never touched)."""
    document = _open(data, name)
    paras: list[Paragraph] = []
    for k, p in enumerate(_paragraphs(document)):
        text, spans, kinds, _ = flatten(p)
        core = text.strip()
        if not any(c.isalpha() for c in core if not 0xE000 <= ord(c) <= 0xF8FF):
            continue
        shift = len(text) - len(text.lstrip())
        seg = Segment(
            id=f"{doc_id}:{len(paras)}:0",
            text=core,
            protected=tuple((a - shift, b - shift) for a, b in spans),
            kinds=tuple(kinds),
        )
        meta = {"p": k, "lead": text[:shift], "trail": text[len(text.rstrip()) :]}
        paras.append(Paragraph(index=len(paras), kind="docx", segments=(seg,), meta=meta))
    if not paras:
        raise InputError(f"{name}: the DOCX has no text to translate")
    return tuple(paras)


def _new_run(text: str, rpr: Any) -> Any:
    from lxml import etree

    r = etree.Element(_q("r"))
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    chunk = ""
    for ch in text + "\0":
        if ch in "\t\n\0":
            if chunk:
                t = etree.SubElement(r, _q("t"))
                t.text = chunk
                t.set(f"{{{XML_NS}}}space", "preserve")
                chunk = ""
            if ch == "\t":
                etree.SubElement(r, _q("tab"))
            elif ch == "\n":
                etree.SubElement(r, _q("br"))
        else:
            chunk += ch
    return r


def fill(p: Any, text: str, codes: dict[str, tuple]) -> None:
    """Rebuild ``p``'s content from translated text with its placeholder characters."""
    from lxml import etree

    base_key = codes[""][1]
    base = etree.fromstring(base_key) if base_key else None
    for child in list(p):
        if child.tag != _q("pPr"):
            p.remove(child)
    containers, formats = [p], [base]
    chunk = ""

    def flush() -> None:
        nonlocal chunk
        if chunk:
            containers[-1].append(_new_run(chunk, formats[-1]))
            chunk = ""

    for ch in text:
        code = codes.get(ch)
        if code is None:
            chunk += ch
            continue
        flush()
        if code[0] == "open-fmt":
            formats.append(code[1])
        elif code[0] == "close-fmt" and len(formats) > 1:
            formats.pop()
        elif code[0] == "open-link":
            link = copy.copy(code[1])
            link[:] = []
            containers[-1].append(link)
            containers.append(link)
        elif code[0] == "close-link" and len(containers) > 1:
            containers.pop()
        elif code[0] == "atom":
            containers[-1].append(copy.deepcopy(code[1]))
    flush()


def render_docx(doc: Any, data: bytes) -> bytes:
    """The DOCX with each translated paragraph rebuilt; every other part as it came."""
    from lxml import etree

    document = _open(data, doc.source or doc.id)
    by_p = {p.meta["p"]: p for p in doc.paragraphs if p.kind == "docx"}
    k = -1
    for part, root in _parts(document):
        for p in root.iter(_q("p")):
            k += 1
            para = by_p.get(k)
            if para is None:
                continue
            _, _, _, codes = flatten(p)
            body = "".join(s.text + s.ws_after for s in para.segments)
            fill(p, para.meta["lead"] + body.rstrip() + para.meta["trail"], codes)
        if getattr(part, "element", None) is None:
            part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
