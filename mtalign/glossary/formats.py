"""Glossary readers: native TOML, TSV/CSV (header ``en,tr,ru,ar`` or two columns), TBX.

Every reader returns a validated :class:`~mtalign.glossary.model.Glossary`; a malformed
file raises ``ConfigError`` with ``path:line`` and the fix.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from mtalign.errors import ConfigError, InputError
from mtalign.files import read_regular
from mtalign.glossary.model import ENTITY_TYPES, Glossary, TermOptions, make_glossary
from mtalign.io.safexml import parse_xml
from mtalign.safetext import printable
from mtalign.types import Term

_LANG_RE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_TERM_KEYS = {
    "id",
    "source",
    "type",
    "target",
    "forms",
    "keep",
    "case_sensitive",
    "tr_attached",
    "ar_article",
    "note",
}
_HEADER_KEYS = {"name", "source_lang", "description", "version"}
_EXTRA_COLUMNS = {"id", "type", "keep", "case_sensitive", "note"}
#: What one term is called in each format (for the "no terms" message).
_TERM_WORD = {"toml": "[[term]]", "tbx": "termEntry", "tsv": "row", "csv": "row", "txt": "row"}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s.strip())


def slug(text: str) -> str:
    """A term id from a source form: lower case, ASCII letters/digits joined by '-'."""
    base = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", base).strip("-") or "term"


def load_glossary(
    path: str | Path,
    fmt: str | None = None,
    src_lang: str = "en",
    tgt_lang: str | None = None,
) -> Glossary:
    """Read a glossary file; ``fmt`` is toml, tsv, csv or tbx (default: from the suffix).

    ``tgt_lang`` is needed only for a two-column TSV/CSV without a header line.
    """
    p = Path(path)
    kind = (fmt or p.suffix.lstrip(".")).lower()
    if kind == "xml":
        kind = "tbx"
    if kind not in ("toml", "tsv", "csv", "tbx", "txt"):
        raise ConfigError(
            f"{p}: unknown glossary format {kind!r}; use .toml, .tsv, .csv or .tbx "
            "(or pass the format explicitly)"
        )
    try:
        data = read_regular(p)
    except InputError as exc:
        raise InputError(f"glossary {exc}") from None
    if kind == "toml":
        g = parse_toml(_decode(data, p), str(p))
    elif kind == "tbx":
        g = parse_tbx(data, str(p), src_lang=src_lang)
    else:
        delim = "," if kind == "csv" else "\t"
        g = parse_table(
            _decode(data, p), str(p), delimiter=delim, src_lang=src_lang, tgt_lang=tgt_lang
        )
    if not len(g):
        # A glossary that checks or enforces nothing is a mistake (a wrong file, an
        # export that lost its rows), never a silent no-op.
        raise ConfigError(
            f"{p}: the glossary has no terms (no {_TERM_WORD.get(kind, 'entry')} with a "
            f"source form in {src_lang!r}); add terms or give the right file"
        )
    return g


def load_glossaries(paths: list[str], **kw: Any) -> Glossary:
    """Several glossary files merged in order (conflicts raise ``ConfigError``)."""
    if not paths:
        raise InputError("no glossary file given; pass --glossary FILE")
    g = load_glossary(paths[0], **kw)
    for p in paths[1:]:
        g = g.merge(load_glossary(p, **kw))
    return g


def _decode(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8") from None
    return text


# TOML ------------------------------------------------------------------------------------


def _term_lines(text: str) -> list[int]:
    """Line numbers (1-based) of each ``[[term]]`` header, in order."""
    return [
        i + 1
        for i, line in enumerate(text.splitlines())
        if re.match(r"^\s*\[\[\s*term\s*\]\]", line)
    ]


def _key_line(text: str, start: int, key: str) -> int:
    """The first line at or after ``start`` that assigns ``key`` (or ``start``)."""
    lines = text.splitlines()
    for i in range(start - 1, len(lines)):
        if i > start - 1 and re.match(r"^\s*\[\[", lines[i]):
            break
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[i]) or re.match(
            rf"^\s*\[\s*term\.{re.escape(key)}\s*\]", lines[i]
        ):
            return i + 1
    return start


def parse_toml(text: str, path: str = "<glossary>") -> Glossary:
    """Parse the native TOML glossary format (see ``configs/glossaries/idlib.toml``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = m.group(1) if m else "?"
        raise ConfigError(f"{path}:{line}: invalid TOML: {exc}; fix the syntax there") from None
    unknown = set(data) - {"glossary", "term"}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            f"{path}:{_key_line(text, 1, key)}: unknown top-level key {key!r}; "
            "expected [glossary] and [[term]] tables"
        )
    header = data.get("glossary", {})
    if not isinstance(header, dict):
        raise ConfigError(f"{path}: 'glossary' must be a table: [glossary]")
    bad = set(header) - _HEADER_KEYS
    if bad:
        key = sorted(bad)[0]
        raise ConfigError(
            f"{path}:{_key_line(text, 1, key)}: unknown key {key!r} in [glossary]; "
            f"allowed: {', '.join(sorted(_HEADER_KEYS))}"
        )
    src_lang = str(header.get("source_lang", "en"))
    entries = data.get("term", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'term' must be an array of tables: write [[term]]")
    lines = _term_lines(text)
    terms: list[Term] = []
    options: dict[str, TermOptions] = {}
    for i, entry in enumerate(entries):
        line = lines[i] if i < len(lines) else 0
        term, opts = _term_from_dict(entry, path, line, text)
        terms.append(term)
        options[term.id] = opts
    return make_glossary(
        terms,
        options,
        name=str(header.get("name", Path(path).stem)),
        source_lang=src_lang,
        path=path,
    )


def _term_from_dict(
    entry: Mapping[str, Any], path: str, line: int, text: str
) -> tuple[Term, TermOptions]:
    where = f"{path}:{line}"
    unknown = set(entry) - _TERM_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            f"{path}:{_key_line(text, line, key)}: unknown key {key!r} in [[term]]; "
            f"allowed: {', '.join(sorted(_TERM_KEYS))}"
        )
    source = entry.get("source")
    if isinstance(source, str):
        source = [source]
    if not source or not all(isinstance(s, str) and s.strip() for s in source):
        raise ConfigError(
            f"{path}:{_key_line(text, line, 'source')}: term needs "
            'source = ["form", "alias", ...] (non-empty strings)'
        )
    source_forms = tuple(dict.fromkeys(_nfc(s) for s in source))
    term_id = str(entry.get("id") or slug(source_forms[0]))
    etype = entry.get("type")
    if etype is not None and etype not in ENTITY_TYPES:
        raise ConfigError(
            f"{path}:{_key_line(text, line, 'type')}: type {etype!r} is not one of "
            f"{', '.join(ENTITY_TYPES)}"
        )
    targets = entry.get("target", {})
    if not isinstance(targets, dict):
        raise ConfigError(
            f"{path}:{_key_line(text, line, 'target')}: target must be a table "
            'like target = { tr = "...", ru = "..." }'
        )
    clean_targets: dict[str, str] = {}
    for lang, form in targets.items():
        if not _LANG_RE.match(lang):
            raise ConfigError(
                f"{path}:{_key_line(text, line, 'target')}: {lang!r} is not a language code "
                "(expected e.g. tr, ru, ar)"
            )
        if not isinstance(form, str) or not form.strip():
            raise ConfigError(
                f"{path}:{_key_line(text, line, 'target')}: target.{lang} must be a non-empty "
                "string (the canonical form); put more spellings under forms"
            )
        clean_targets[lang] = _nfc(form)
    forms = entry.get("forms", {})
    if not isinstance(forms, dict):
        raise ConfigError(
            f"{path}:{_key_line(text, line, 'forms')}: forms must be a table like "
            'forms = { ar = ["..."] }'
        )
    extra: dict[str, tuple[str, ...]] = {}
    for lang, vals in forms.items():
        if isinstance(vals, str):
            vals = [vals]
        if not isinstance(vals, list) or not all(isinstance(v, str) and v.strip() for v in vals):
            raise ConfigError(
                f"{path}:{_key_line(text, line, 'forms')}: forms.{lang} must be a list of "
                "non-empty strings"
            )
        extra[lang] = tuple(_nfc(v) for v in vals)
        if lang not in clean_targets:
            raise ConfigError(
                f"{path}:{_key_line(text, line, 'forms')}: forms.{lang} given but no "
                f"target.{lang}; add the canonical form to target"
            )
    flags = {}
    for key in ("keep", "case_sensitive", "tr_attached", "ar_article"):
        if key in entry and not isinstance(entry[key], bool):
            raise ConfigError(
                f"{path}:{_key_line(text, line, key)}: {key} must be true or false, "
                f"got {entry[key]!r}"
            )
        flags[key] = entry.get(key)
    keep = bool(flags["keep"])
    term = Term(
        id=term_id,
        source=source_forms,
        targets=clean_targets,
        extra_forms=extra,
        type=etype,
        keep=keep,
        case_sensitive=True if flags["case_sensitive"] is None else flags["case_sensitive"],
    )
    opts = TermOptions(
        tr_attached=bool(flags["tr_attached"]),
        ar_article=bool(flags["ar_article"]),
        note=str(entry.get("note", "")),
        origin=where,
    )
    return term, opts


def _toml_str(value: str) -> str:
    """A TOML string literal, escaped by tomli_w (newlines, controls, quotes, backslashes)."""
    return tomli_w.dumps({"v": value}).removeprefix("v = ").removesuffix("\n")


def _toml_key(key: str) -> str:
    """A TOML key, bare when it can be, quoted by tomli_w when not."""
    return tomli_w.dumps({key: 0}).removesuffix(" = 0\n")


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _toml_inline(table: Mapping[str, str | Iterable[str]]) -> str:
    items = [
        f"{_toml_key(k)} = {_toml_str(v) if isinstance(v, str) else _toml_list(v)}"
        for k, v in table.items()
    ]
    return "{ " + ", ".join(items) + " }"


def dump_toml(
    glossary: Glossary,
    header: Mapping[str, str] | None = None,
    comments: Mapping[str, str] | None = None,
) -> str:
    """The glossary written in the native TOML format (round-trips through parse_toml).

    Every string and key goes through tomli_w; ``comments`` (per term id, several lines
    allowed) become ``#`` lines above the term, with control characters escaped.
    """
    out: list[str] = ["[glossary]"]
    hdr = {"name": glossary.name, "source_lang": glossary.source_lang, **(header or {})}
    out += [f"{_toml_key(k)} = {_toml_str(str(v))}" for k, v in hdr.items() if v]
    for t in glossary.terms:
        out.append("")
        if comments and t.id in comments:
            out += [f"# {printable(c)}".rstrip() for c in comments[t.id].split("\n")]
        out += ["[[term]]", f"id = {_toml_str(t.id)}", f"source = {_toml_list(t.source)}"]
        o = glossary.opts(t.id)
        flags = {
            "type": _toml_str(t.type) if t.type else None,
            "keep": "true" if t.keep else None,
            "case_sensitive": "false" if not t.case_sensitive else None,
            "tr_attached": "true" if o.tr_attached else None,
            "ar_article": "true" if o.ar_article else None,
            "note": _toml_str(o.note) if o.note else None,
            "target": _toml_inline(t.targets) if t.targets else None,
            "forms": _toml_inline(t.extra_forms) if t.extra_forms else None,
        }
        out += [f"{k} = {v}" for k, v in flags.items() if v is not None]
    return "\n".join(out) + "\n"


# TSV / CSV -------------------------------------------------------------------------------


def _split_cell(cell: str) -> list[str]:
    return [_nfc(x) for x in cell.split("|") if x.strip()]


def parse_table(
    text: str,
    path: str = "<glossary>",
    delimiter: str = "\t",
    src_lang: str = "en",
    tgt_lang: str | None = None,
) -> Glossary:
    """TSV/CSV: a header of language codes (``en,tr,ru,ar``, optional ``id,type,keep``
    columns) or, without a header, DeepL-style ``source<sep>target`` rows (needs
    ``tgt_lang``). Cells may hold several forms separated by ``|``; the first is canonical.
    Lines starting with ``#`` are comments.
    """
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for row in reader:
        line = reader.line_num
        if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        rows.append((line, row))
    if not rows:
        return make_glossary([], name=Path(path).stem, source_lang=src_lang, path=path)
    first = [c.strip() for c in rows[0][1]]
    is_header = all(_LANG_RE.match(c) or c in _EXTRA_COLUMNS for c in first) and any(
        _LANG_RE.match(c) and c not in _EXTRA_COLUMNS for c in first
    )
    if is_header:
        columns = first
        langs = [c for c in columns if c not in _EXTRA_COLUMNS]
        source_col = src_lang if src_lang in langs else langs[0]
        body = rows[1:]
    else:
        if len(first) != 2:
            raise ConfigError(
                f"{path}:{rows[0][0]}: no header line and {len(first)} columns; add a header "
                "such as 'en,tr,ru,ar' or use two columns (source, target)"
            )
        if not tgt_lang:
            raise ConfigError(
                f"{path}:{rows[0][0]}: two-column glossary without a header; pass the target "
                f"language (--tgt-lang) or add a header line like '{src_lang}{delimiter}tr'"
            )
        columns = [src_lang, tgt_lang]
        source_col = src_lang
        body = rows
    terms: list[Term] = []
    options: dict[str, TermOptions] = {}
    ids: set[str] = set()
    for line, row in body:
        if len(row) > len(columns):
            raise ConfigError(
                f"{path}:{line}: {len(row)} columns but the header has {len(columns)}; "
                "quote cells that contain the separator"
            )
        cells = dict(zip(columns, (c.strip() for c in row), strict=False))
        source = _split_cell(cells.get(source_col, ""))
        if not source:
            raise ConfigError(
                f"{path}:{line}: empty source cell ({source_col}); fill it or delete the row"
            )
        targets: dict[str, str] = {}
        extra: dict[str, tuple[str, ...]] = {}
        for lang in columns:
            if lang == source_col or lang in _EXTRA_COLUMNS:
                continue
            forms = _split_cell(cells.get(lang, ""))
            if forms:
                targets[lang] = forms[0]
                if len(forms) > 1:
                    extra[lang] = tuple(forms[1:])
        etype = cells.get("type") or None
        if etype is not None and etype not in ENTITY_TYPES:
            raise ConfigError(
                f"{path}:{line}: type {etype!r} is not one of {', '.join(ENTITY_TYPES)}"
            )
        term_id = cells.get("id") or slug(source[0])
        base, n = term_id, 2
        while term_id in ids:
            term_id, n = f"{base}-{n}", n + 1
        ids.add(term_id)
        keep = cells.get("keep", "").lower() in ("1", "true", "yes")
        terms.append(
            Term(
                id=term_id,
                source=tuple(source),
                targets=targets,
                extra_forms=extra,
                type=etype,
                keep=keep,
                case_sensitive=cells.get("case_sensitive", "true").lower()
                not in ("0", "false", "no"),
            )
        )
        options[term_id] = TermOptions(origin=f"{path}:{line}", note=cells.get("note", ""))
    return make_glossary(terms, options, name=Path(path).stem, source_lang=source_col, path=path)


# TBX -------------------------------------------------------------------------------------

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_tbx(data: bytes, path: str = "<glossary>", src_lang: str = "en") -> Glossary:
    """TBX (ISO 30042; TBX-Basic ``termEntry/langSet/tig/term`` or TBX v3
    ``conceptEntry/langSec/termSec/term``). DTDs, entity declarations and external
    references are refused by defusedxml, in any encoding and at any position.
    """
    root = parse_xml(data, path, ConfigError)
    terms: list[Term] = []
    options: dict[str, TermOptions] = {}
    ids: set[str] = set()
    n = 0
    for entry in root.iter():
        if _local(entry.tag) not in ("termEntry", "conceptEntry"):
            continue
        n += 1
        by_lang: dict[str, list[str]] = {}
        etype: str | None = None
        for el in entry.iter():
            name = _local(el.tag)
            if name in ("langSet", "langSec"):
                lang = (el.get(_XML_LANG) or el.get("lang") or "").lower().split("-")[0]
                if not lang:
                    raise ConfigError(f"{path}: entry {n}: <{name}> without xml:lang; add it")
                for t in el.iter():
                    if _local(t.tag) == "term" and t.text and t.text.strip():
                        by_lang.setdefault(lang, []).append(_nfc("".join(t.itertext())))
            elif name == "descrip" and el.get("type") in ("entityType", "type"):
                etype = (el.text or "").strip().upper() or None
        source = by_lang.pop(src_lang, [])
        entry_id = entry.get("id") or (slug(source[0]) if source else f"entry-{n}")
        if not source:
            raise ConfigError(
                f'{path}: entry {entry_id!r} has no <langSet xml:lang="{src_lang}"> term; '
                "add the source term or pass the right source language"
            )
        if etype is not None and etype not in ENTITY_TYPES:
            etype = None
        base, k = entry_id, 2
        while entry_id in ids:
            entry_id, k = f"{base}-{k}", k + 1
        ids.add(entry_id)
        targets = {lang: forms[0] for lang, forms in by_lang.items()}
        extra = {lang: tuple(forms[1:]) for lang, forms in by_lang.items() if len(forms) > 1}
        terms.append(
            Term(
                id=entry_id,
                source=tuple(dict.fromkeys(source)),
                targets=targets,
                extra_forms=extra,
                type=etype,
            )
        )
        options[entry_id] = TermOptions(origin=f"{path}: entry {entry_id}")
    return make_glossary(terms, options, name=Path(path).stem, source_lang=src_lang, path=path)
