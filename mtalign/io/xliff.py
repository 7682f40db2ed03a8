"""XLIFF 1.2 and 2.0: sources in, targets filled, inline codes kept, states and notes set.

The file is first checked with the project's safe parser (:mod:`mtalign.io.safexml`:
no DTD, no entities, no external references), then read with lxml, which keeps namespace
prefixes and everything the translation does not touch. Each translatable unit (1.2
``trans-unit``, 2.0 ``segment``) is one paragraph; its inline codes (1.2 ``<g>``,
``<x/>``, ``<bx/>``, ``<ex/>``, ``<ph>``, ``<bpt>``, ``<ept>``, ``<it>``, ``<mrk>``; 2.0
``<pc>``, ``<ph/>``, ``<sc/>``, ``<ec/>``, ``<mrk>``, ``<cp/>``) become placeholders (one
private-use character each in the segment text), paired for ``<g>``/``<pc>``/``<mrk>``.

Units marked ``translate="no"``, and units already translated (1.2: ``approved="yes"`` or
a target in state translated/final/signed-off/needs-review-*; 2.0: segment state
translated/reviewed/final, or a non-empty target) are left alone unless ``overwrite``.
The writer sets the target language, fills each target, and sets its state from the
quality gate: ``translated`` when no flag was raised, else needs-review (1.2
``needs-review-translation``; 2.0 ``initial``) with the flags in a ``<note>``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from mtalign.errors import InputError
from mtalign.io.safexml import parse_xml
from mtalign.types import ATOM, CLOSE, OPEN, Document, Paragraph, Segment

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
PAIRED = {"g", "pc", "mrk"}
CODES = {"x", "bx", "ex", "ph", "bpt", "ept", "it", "sc", "ec", "cp", "sub"} | PAIRED
DONE_12 = {"translated", "final", "signed-off", "needs-review-translation"}
DONE_20 = {"translated", "reviewed", "final"}
_PUA = 0xE000


def _etree() -> Any:
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml comes with the formats extra
        raise InputError(
            "XLIFF needs lxml; install it with `pip install mtalign[formats]`"
        ) from None
    return etree


def _load(data: bytes, name: str) -> Any:
    """The lxml tree of ``data``, after the safe parser has refused anything unsafe."""
    parse_xml(data, name, InputError)
    etree = _etree()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def _local(el: Any) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _version(root: Any, name: str) -> str:
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if _local(root) != "xliff" or ns not in (NS12, NS20):
        raise InputError(f"{name}: not an XLIFF 1.2 or 2.0 file (root {root.tag!r}); check it")
    return "1.2" if ns == NS12 else "2.0"


def _units(root: Any, version: str) -> Iterator[tuple[Any, Any]]:
    """(unit element, source element) for every unit, in document order."""
    if version == "1.2":
        for tu in root.iter(f"{{{NS12}}}trans-unit"):
            src = tu.find(f"{{{NS12}}}source")
            if src is not None:
                yield tu, src
    else:
        for seg in root.iter(f"{{{NS20}}}segment"):
            src = seg.find(f"{{{NS20}}}source")
            if src is not None:
                yield seg, src


def _is_done(unit: Any, version: str) -> bool:
    if version == "1.2":
        if unit.get("translate") == "no" or unit.get("approved") == "yes":
            return True
        tgt = unit.find(f"{{{NS12}}}target")
        return tgt is not None and (tgt.get("state") in DONE_12 or bool(_text_of(tgt).strip()))
    parent = unit.getparent()
    if parent is not None and parent.get("translate") == "no":
        return True
    if unit.get("state") in DONE_20:
        return True
    tgt = unit.find(f"{{{NS20}}}target")
    return tgt is not None and bool(_text_of(tgt).strip())


def _text_of(el: Any) -> str:
    return "".join(el.itertext())


def _flatten(src: Any, pua: Iterator[str]) -> tuple[str, list[tuple[int, int]], list[str], dict]:
    """Source content as text with one private-use char per inline code."""
    text = src.text or ""
    spans: list[tuple[int, int]] = []
    kinds: list[str] = []
    codes: dict[str, Any] = {}

    def walk(el: Any) -> None:
        nonlocal text
        name = _local(el)
        if name in PAIRED:
            o, c = next(pua), next(pua)
            codes[o] = ("open", el)
            codes[c] = ("close", el)
            spans.append((len(text), len(text) + 1))
            kinds.append(OPEN)
            text += o + (el.text or "")
            for child in el:
                walk(child)
            spans.append((len(text), len(text) + 1))
            kinds.append(CLOSE)
            text += c
        else:  # an atom: the element whole (its content is native code, not text)
            ch = next(pua)
            codes[ch] = ("atom", el)
            spans.append((len(text), len(text) + 1))
            kinds.append(ATOM)
            text += ch
        text += el.tail or ""

    for child in src:
        walk(child)
    return text, spans, kinds, codes


def _pua_chars(text: str) -> Iterator[str]:
    for cp in range(_PUA, 0xF900):
        if chr(cp) not in text:
            yield chr(cp)
    raise InputError("the XLIFF has more inline codes than placeholders; split the file")


def parse_xliff(
    data: bytes, doc_id: str, name: str = "<xliff>", overwrite: bool = False
) -> tuple[tuple[Paragraph, ...], dict[str, Any]]:
    """Paragraphs (one per unit to translate) and the document meta the writer needs."""
    root = _load(data, name)
    version = _version(root, name)
    pua = _pua_chars(data.decode("utf-8", "replace"))
    paras: list[Paragraph] = []
    for k, (unit, src) in enumerate(_units(root, version)):
        if not overwrite and _is_done(unit, version):
            continue
        text, spans, kinds, _ = _flatten(src, pua)
        core = text.strip()
        if not any(c.isalpha() for c in core if ord(c) < _PUA or ord(c) > 0xF8FF):
            continue
        shift = len(text) - len(text.lstrip())
        seg = Segment(
            id=f"{doc_id}:{len(paras)}:0",
            text=core,
            protected=tuple((a - shift, b - shift) for a, b in spans),
            kinds=tuple(kinds),
        )
        meta = {"unit": k, "unit_id": unit.get("id", ""), "lead": text[:shift]}
        paras.append(Paragraph(index=len(paras), kind="unit", segments=(seg,), meta=meta))
    if not paras:
        raise InputError(f"{name}: no XLIFF unit left to translate (all done or locked)")
    return tuple(paras), {"xliff_version": version, "overwrite": overwrite}


def _fill(target: Any, text: str, codes: Mapping[str, tuple[str, Any]]) -> None:
    """Rebuild ``target``'s content from translated text with placeholder characters."""
    target.text = ""
    stack = [target]
    last: Any = None  # the element whose tail takes the next text

    def put(s: str) -> None:
        if last is None:
            stack[-1].text = (stack[-1].text or "") + s
        else:
            last.tail = (last.tail or "") + s

    for ch in text:
        code = codes.get(ch)
        if code is None:
            put(ch)
            continue
        kind, el = code
        if kind == "open":
            new = copy.copy(el)
            new[:] = []
            new.text, new.tail = "", None
            stack[-1].append(new)
            stack.append(new)
            last = None
        elif kind == "close":
            last = stack.pop() if len(stack) > 1 else last
        else:
            new = copy.deepcopy(el)
            new.tail = None
            stack[-1].append(new)
            last = new


def render_xliff(doc: Document, source_data: bytes) -> str:
    """The XLIFF with targets filled for every translated unit of ``doc``."""
    root = _load(source_data, doc.source or doc.id)
    version = doc.meta.get("xliff_version") or _version(root, doc.id)
    units = list(_units(root, version))
    flags: Mapping[str, Any] = doc.meta.get("flags") or {}
    pua = _pua_chars(source_data.decode("utf-8", "replace"))
    by_unit = {p.meta["unit"]: p for p in doc.paragraphs if p.kind == "unit"}
    for k, (unit, src) in enumerate(units):
        if not doc.meta.get("overwrite") and _is_done(unit, version):
            continue
        _, _, _, codes = _flatten(src, pua)
        p = by_unit.get(k)
        if p is None:
            continue
        body = p.meta.get("lead", "") + "".join(s.text + s.ws_after for s in p.segments)
        problems = sorted({str(f) for s in p.segments for f in flags.get(s.id, ())})
        _set_target(unit, src, body, codes, problems, version)
    if doc.lang:
        if version == "1.2":
            for f in root.iter(f"{{{NS12}}}file"):
                f.set("target-language", doc.lang)
        else:
            root.set("trgLang", doc.lang)
    etree = _etree()
    xml = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n"


def _set_target(
    unit: Any, src: Any, text: str, codes: Mapping, problems: list[str], version: str
) -> None:
    ns = NS12 if version == "1.2" else NS20
    etree = _etree()
    target = unit.find(f"{{{ns}}}target")
    if target is None:
        target = etree.Element(f"{{{ns}}}target")
        target.tail = src.tail
        src.addnext(target)
    _fill(target, text, codes)
    if version == "1.2":
        target.set("state", "needs-review-translation" if problems else "translated")
        if problems:
            note = etree.Element(f"{{{ns}}}note", attrib={"from": "mtalign"})
            note.text = "mtalign: " + "; ".join(problems)
            note.tail = target.tail
            target.addnext(note)
        return
    unit.set("state", "initial" if problems else "translated")
    if problems:
        owner = unit.getparent()
        notes = owner.find(f"{{{ns}}}notes")
        if notes is None:
            notes = etree.Element(f"{{{ns}}}notes")
            owner.insert(0, notes)
        note = etree.SubElement(notes, f"{{{ns}}}note", attrib={"category": "mtalign"})
        note.text = f"segment {unit.get('id') or ''}: " + "; ".join(problems)
