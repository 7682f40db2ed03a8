"""JSONL: one ``{"id": ..., "text": ...}`` record per line; other fields are kept.

Only the ``"text"`` field is brought to NFC and translated; ids and other fields are
kept as written, and an unchanged record is written back byte for byte.
"""

from __future__ import annotations

import json
import re
import unicodedata

from mtalign.errors import InputError
from mtalign.io.jsonvalue import load_json_line
from mtalign.safetext import json_safe, surrogate_problem
from mtalign.types import Document, Paragraph, Segment

_EDGE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def parse_jsonl(text: str, doc_id: str, name: str = "<input>") -> tuple[Paragraph, ...]:
    """Parse records; a record's text becomes one paragraph (kind ``record``)."""
    text = text.removesuffix("\n")
    if not text:
        return ()
    paras: list[Paragraph] = []
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            paras.append(Paragraph(index=i, kind="blank", raw=line))
            continue
        rec = load_json_line(line, f"{name}:{i + 1}")
        if not isinstance(rec, dict):
            raise InputError(f"{name}:{i + 1}: expected a JSON object, got {type(rec).__name__}")
        if "text" not in rec:
            raise InputError(f'{name}:{i + 1}: the record has no "text" field; add one')
        if not isinstance(rec["text"], str):
            raise InputError(f'{name}:{i + 1}: "text" must be a string')
        problem = surrogate_problem(rec["text"], f"{name}:{i + 1}", 'the "text"')
        if problem:
            raise InputError(problem)
        body_text = unicodedata.normalize("NFC", rec["text"])
        meta = {"record": rec, "line": line, "text": body_text}
        if not body_text.strip():
            paras.append(Paragraph(index=i, kind="record", prefix=body_text, meta=meta))
            continue
        lead, body, trail = _EDGE.match(body_text).groups()  # type: ignore[union-attr]
        seg = Segment(id=f"{doc_id}:{i}:0", text=body)
        paras.append(
            Paragraph(index=i, kind="record", segments=(seg,), prefix=lead, suffix=trail, meta=meta)
        )
    return tuple(paras)


def dump_record(rec: object) -> str:
    """One JSON line that any UTF-8 writer and terminal can take (see ``json_safe``)."""
    return json_safe(json.dumps(rec, ensure_ascii=False))


def render_jsonl(doc: Document) -> str:
    """Records back; an unchanged record is written byte for byte as it was read."""
    out = []
    for p in doc.paragraphs:
        if p.kind != "record":
            out.append(p.raw or "")
            continue
        rec = dict(p.meta["record"])
        text = p.render()
        if text == p.meta.get("text", rec["text"]):
            out.append(p.meta["line"])
            continue
        rec["text"] = text
        if doc.lang:
            rec["lang"] = doc.lang
        out.append(dump_record(rec))
    return "\n".join(out)
