"""Glossary readers: native TOML, TSV/CSV (header ``en,tr,ru,ar`` or two columns), TBX.

Every reader returns a validated :class:`~mtalign.glossary.model.Glossary`; a malformed
file raises ``ConfigError`` with ``path:line`` and the fix.
"""

from __future__ import annotations

import csv
import io
import os
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
from mtalign.settings import SettingError, build, did_you_mean, specs
from mtalign.settings.glossary import GlossaryHeader, TermEntry
from mtalign.settings.toml import TOO_DEEP as TOML_TOO_DEEP
from mtalign.settings.toml import toml_value
from mtalign.types import Term

_LANG_RE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
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
    path: str | os.PathLike[str],
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
    """Parse the native TOML glossary format (see ``configs/glossaries/idlib.toml``).

    Keys and value types are checked against :mod:`mtalign.settings.glossary`; every
    error names ``path:line``.
    """
    try:
        data = toml_value(tomllib.loads(text), path)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = m.group(1) if m else "?"
        raise ConfigError(f"{path}:{line}: invalid TOML: {exc}; fix the syntax there") from None
    except RecursionError:
        raise ConfigError(f"{path}: {TOML_TOO_DEEP}") from None
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
    head = _checked(GlossaryHeader, header, "[glossary]", path, text, 1)
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
        name=head.name or Path(path).stem,
        source_lang=head.source_lang,
        path=path,
    )


def _checked(cls: type, table: Any, where: str, path: str, text: str, line: int) -> Any:
    """``table`` as a ``cls`` instance; unknown keys and bad values name ``path:line``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}:{line}: {where} must be a table")
    allowed = specs(cls)
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"{path}:{_key_line(text, line, key)}: unknown key {key!r} in {where}"
                f"{did_you_mean(str(key), allowed)}; allowed: {', '.join(sorted(allowed))}"
            )
    try:
        return build(cls, table)
    except SettingError as exc:
        at = _key_line(text, line, exc.key)
        raise ConfigError(f"{path}:{at}: {where} {exc.render()}") from None


def _term_from_dict(
    entry: Mapping[str, Any], path: str, line: int, text: str
) -> tuple[Term, TermOptions]:
    if isinstance(entry, dict) and entry.get("source") in ([], "", None):
        raise ConfigError(
            f"{path}:{_key_line(text, line, 'source')}: term needs "
            'source = ["form", "alias", ...] (non-empty strings)'
        )
    e: TermEntry = _checked(TermEntry, entry, "[[term]]", path, text, line)
    source = [e.source] if isinstance(e.source, str) else list(e.source)
    if not all(s.strip() for s in source):
        raise ConfigError(
            f"{path}:{_key_line(text, line, 'source')}: term needs "
            'source = ["form", "alias", ...] (non-empty strings)'
        )
    source_forms = tuple(dict.fromkeys(_nfc(s) for s in source))
    targets, extra = _renderings(e, path, _key_line(text, line, "target"), text, line)
    term = Term(
        id=e.id or slug(source_forms[0]),
        source=source_forms,
        targets=targets,
        extra_forms=extra,
        type=e.type,
        keep=e.keep,
        case_sensitive=e.case_sensitive,
    )
    opts = TermOptions(
        tr_attached=e.tr_attached, ar_article=e.ar_article, note=e.note, origin=f"{path}:{line}"
    )
    return term, opts


def _renderings(
    e: TermEntry, path: str, target_line: int, text: str, line: int
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The canonical target form and the extra accepted forms, per language."""
    targets: dict[str, str] = {}
    for lang, form in e.target.items():
        if not _LANG_RE.match(lang):
            raise ConfigError(
                f"{path}:{target_line}: {lang!r} is not a language code (expected e.g. tr, ru, ar)"
            )
        if not form.strip():
            raise ConfigError(
                f"{path}:{target_line}: target.{lang} must be a non-empty string (the "
                "canonical form); put more spellings under forms"
            )
        targets[lang] = _nfc(form)
    extra: dict[str, tuple[str, ...]] = {}
    forms_line = _key_line(text, line, "forms")
    for lang, given in e.forms.items():
        vals = [given] if isinstance(given, str) else list(given)
        if not all(v.strip() for v in vals):
            raise ConfigError(
                f"{path}:{forms_line}: forms.{lang} must be a list of non-empty strings"
            )
        if lang not in targets:
            raise ConfigError(
                f"{path}:{forms_line}: forms.{lang} given but no target.{lang}; add the "
                "canonical form to target"
            )
        extra[lang] = tuple(_nfc(v) for v in vals)
    return targets, extra


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
    # newline=None: CR-only, CRLF and LF line endings (mixed or not) all end a line.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        for row in reader:
            line = reader.line_num
            if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            rows.append((line, row))
    except csv.Error as exc:
        raise ConfigError(
            f"{path}:{reader.line_num}: cannot read this row ({exc}); close the quotes or "
            "remove the stray character"
        ) from None
    if not rows:
        return make_glossary([], name=Path(path).stem, source_lang=src_lang, path=path)
    columns, source_col, body = _table_layout(rows, path, delimiter, src_lang, tgt_lang)
    terms: list[Term] = []
    options: dict[str, TermOptions] = {}
    ids: set[str] = set()
    for line, row in body:
        term = _table_term(row, line, columns, source_col, path, ids)
        ids.add(term.id)
        terms.append(term)
        cells = dict(zip(columns, (c.strip() for c in row), strict=False))
        options[term.id] = TermOptions(origin=f"{path}:{line}", note=cells.get("note", ""))
    return make_glossary(terms, options, name=Path(path).stem, source_lang=source_col, path=path)


def _table_layout(
    rows: list[tuple[int, list[str]]],
    path: str,
    delimiter: str,
    src_lang: str,
    tgt_lang: str | None,
) -> tuple[list[str], str, list[tuple[int, list[str]]]]:
    """(columns, source column, body rows): from the header line, or two bare columns."""
    first = [c.strip() for c in rows[0][1]]
    is_header = all(_LANG_RE.match(c) or c in _EXTRA_COLUMNS for c in first) and any(
        _LANG_RE.match(c) and c not in _EXTRA_COLUMNS for c in first
    )
    if is_header:
        twice = sorted({c for c in first if first.count(c) > 1})
        if twice:
            raise ConfigError(
                f"{path}:{rows[0][0]}: column {twice[0]!r} appears twice in the header; "
                "give each language (and id/type/keep/note) one column"
            )
        langs = [c for c in first if c not in _EXTRA_COLUMNS]
        return first, (src_lang if src_lang in langs else langs[0]), rows[1:]
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
    return [src_lang, tgt_lang], src_lang, rows


def _table_term(
    row: list[str], line: int, columns: list[str], source_col: str, path: str, ids: set[str]
) -> Term:
    """One row of a TSV/CSV glossary as a term (ids made unique against ``ids``)."""
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
        raise ConfigError(f"{path}:{line}: type {etype!r} is not one of {', '.join(ENTITY_TYPES)}")
    term_id = cells.get("id") or slug(source[0])
    base, n = term_id, 2
    while term_id in ids:
        term_id, n = f"{base}-{n}", n + 1
    return Term(
        id=term_id,
        source=tuple(source),
        targets=targets,
        extra_forms=extra,
        type=etype,
        keep=_flag(cells, "keep", False, f"{path}:{line}"),
        case_sensitive=_flag(cells, "case_sensitive", True, f"{path}:{line}"),
    )


_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no")


def _flag(cells: Mapping[str, str], column: str, default: bool, where: str) -> bool:
    """A yes/no cell: empty is ``default``; anything but 1/0, true/false, yes/no is an error."""
    value = cells.get(column, "").strip().lower()
    if not value:
        return default
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ConfigError(
        f"{where}: {column} is {printable(cells[column])!r}; write true or false "
        "(or 1/0, yes/no), or leave the cell empty"
    )


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
