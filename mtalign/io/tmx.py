"""TMX 1.4b: one ``<tu>`` per bead or n-way unit, one ``<tuv xml:lang>`` per language.

Writer output is valid XML: ``& < > "`` escaped, characters XML 1.0 forbids (most C0
controls, lone surrogates, U+FFFE/FFFF) removed. The reader parses with defusedxml:
entity declarations and external references are refused; the bare
``<!DOCTYPE tmx SYSTEM "tmx14.dtd">`` that TMX tools write is accepted (never fetched).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from mtalign.errors import InputError
from mtalign.io.safexml import parse_xml
from mtalign.io.source import read_text
from mtalign.types import Alignment
from mtalign.version import __version__

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class TmxUnit:
    """One translation unit: text per language (in order) and ``<prop>`` values."""

    tuvs: Mapping[str, str]
    props: Mapping[str, str] = field(default_factory=dict)


def clean_xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _INVALID_XML.sub("", text)


def _text(s: str) -> str:
    return escape(clean_xml_text(s))


def _attr(s: str) -> str:
    return quoteattr(clean_xml_text(s))


_TAG_RE = re.compile(r"^([a-zA-Z]{2,3})(?:-([a-zA-Z]{4}))?(?:-([a-zA-Z]{2}|\d{3}))?$")


def language_tag(value: str) -> str:
    """``value`` as a BCP 47 tag for ``xml:lang`` (``en-gb`` -> ``en-GB``, ``sr-latn-rs`` ->
    ``sr-Latn-RS``): language, optional script, optional region; anything else is refused."""
    match = _TAG_RE.match(value.strip().replace("_", "-"))
    if match is None:
        raise InputError(
            f"{value!r} is not a language tag for TMX; write a language with an optional "
            "script and region, e.g. en, en-GB, de-DE, sr-Latn-RS, es-419"
        )
    lang, script, region = match.groups()
    parts = [lang.lower(), script.title() if script else "", region.upper() if region else ""]
    return "-".join(p for p in parts if p)


def render_tmx(
    units: Sequence[TmxUnit],
    srclang: str,
    adminlang: str = "en",
    tags: Mapping[str, str] | None = None,
) -> str:
    """A complete TMX 1.4b document; ``tags`` maps a unit's language code to the tag written
    in ``xml:lang`` and ``srclang`` (``{"en": "en-GB"}``)."""
    tags = tags or {}
    srclang = tags.get(srclang, srclang)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<tmx version="1.4">\n',
        f'  <header creationtool="mtalign" creationtoolversion={_attr(__version__)} '
        f'datatype="plaintext" segtype="sentence" adminlang={_attr(adminlang)} '
        f'srclang={_attr(srclang)} o-tmf="mtalign"/>\n',
        "  <body>\n",
    ]
    for u in units:
        tuvs = [(lang, text) for lang, text in u.tuvs.items() if text.strip()]
        if not tuvs:
            continue
        out.append("    <tu>\n")
        for key, val in u.props.items():
            out.append(f"      <prop type={_attr(key)}>{_text(str(val))}</prop>\n")
        for lang, text in tuvs:
            tag = tags.get(lang, lang)
            out.append(f"      <tuv xml:lang={_attr(tag)}><seg>{_text(text)}</seg></tuv>\n")
        out.append("    </tu>\n")
    out.append("  </body>\n</tmx>\n")
    return "".join(out)


def bilingual_units(units: Sequence[TmxUnit]) -> list[TmxUnit]:
    """The units with text in at least two languages."""
    return [u for u in units if sum(1 for t in u.tuvs.values() if t.strip()) >= 2]


def alignment_units(al: Alignment) -> list[TmxUnit]:
    """One unit per bead with both languages (sentences joined with a space)."""
    units = []
    for b in al.beads:
        tuvs = {
            al.src_lang: " ".join(al.src[i].strip() for i in b.src),
            al.tgt_lang: " ".join(al.tgt[j].strip() for j in b.tgt),
        }
        units.append(TmxUnit(tuvs, {"x-bead": b.kind, "x-score": f"{b.score:.4f}"}))
    return units


def parse_tmx(text: str, name: str = "<tmx>") -> tuple[dict[str, str], list[TmxUnit]]:
    """The header attributes and the units of a TMX document."""
    root = parse_xml(text, name, InputError, bare_doctype=True)
    if root.tag != "tmx":
        raise InputError(f"{name}: expected a <tmx> root element, got <{root.tag}>")
    header = root.find("header")
    attrs = dict(header.attrib) if header is not None else {}
    units = []
    for tu in root.iter("tu"):
        tuvs: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""
            seg = tuv.find("seg")
            tuvs[lang] = "".join(seg.itertext()) if seg is not None else ""
        props = {p.get("type", ""): p.text or "" for p in tu.findall("prop")}
        units.append(TmxUnit(tuvs, props))
    return attrs, units


def read_tmx(path: str | os.PathLike[str]) -> tuple[dict[str, str], list[TmxUnit]]:
    """Read a TMX file (``-`` for stdin)."""
    return parse_tmx(read_text(path).text, str(path))
