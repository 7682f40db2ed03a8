"""Finding a job's documents, naming their outputs safely, and loading them.

Scanning is cheap (paths, JSONL lines, content digests) and happens on the driver; loading
(decode, language check, segmentation) happens where the document is translated. A bad
document never stops the scan: it carries its reason and is recorded as failed.
"""

from __future__ import annotations

import glob
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mtalign.batch.config import JobConfig
from mtalign.document import document_text, segment_document
from mtalign.errors import InputError
from mtalign.files import glob_files, kind_of, read_regular
from mtalign.hashing import bytes_digest, text_digest
from mtalign.io import (
    decode,
    detect_format,
    parse_document,
    read_bytes,
    read_document,
    strip_extension,
)
from mtalign.io.jsonvalue import load_json_line
from mtalign.langid import LangGuess, check_language, detect, normalize_lang
from mtalign.safetext import escape_surrogates, printable, surrogate_problem
from mtalign.types import Document

#: Longest output base name in UTF-8 bytes; suffixes (.aligned.jsonl, temp names) fit in 255.
MAX_NAME_BYTES = 96
_UNSAFE = re.compile(r'[/\\:*?"<>|\s]+')
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)


@dataclass(frozen=True)
class InputItem:
    """One document of the job as found by the scan (not yet read or checked)."""

    id: str
    source: str
    path: str
    line: int | None = None
    fmt: str = "txt"
    digest: str = ""
    text: str | None = None
    error: str | None = None
    #: The id was made up (``stem:line``) for a line whose own id could not be read.
    made_up: bool = False


def short_hash(text: str, n: int = 8) -> str:
    return text_digest(text, n)


def safe_name(doc_id: str) -> str:
    """A file-name stem for ``doc_id`` that cannot leave the output folder.

    Separators, control characters, whitespace and Windows-forbidden characters become
    ``_``; leading/trailing dots go (no ``..``, no hidden or temp-looking files); reserved
    device names get a ``_`` prefix; long ids are cut. Whenever the id had to change, a
    short hash of the original id is appended, so two different ids never share a name.
    """
    text = unicodedata.normalize("NFC", doc_id)
    text = "".join("_" if unicodedata.category(c).startswith("C") else c for c in text)
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"_+", "_", text).strip("._ -")
    if not text:
        text = "doc"
    if text.split(".")[0].lower() in _RESERVED:
        text = "_" + text
    cut = text.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip("._ -")
    if cut != doc_id:
        cut = f"{cut or 'doc'}-{short_hash(doc_id)}"
    return cut


def _glob_base(pattern: str) -> str:
    """The folder part of a glob before its first wildcard."""
    parts = Path(pattern).parts
    keep = []
    for part in parts:
        if glob.has_magic(part):
            break
        keep.append(part)
    base = os.path.join(*keep) if keep else "."
    return base if glob.has_magic(pattern) else os.path.dirname(base) or "."


def _file_items(cfg: JobConfig) -> tuple[list[InputItem], int]:
    """The documents the file globs find, and how many matches were left out because
    they lie inside the output folder."""
    out_dir = os.path.realpath(cfg.output_dir)
    paths: list[str] = []
    inside = 0
    for pattern in cfg.files:
        # Folders are skipped; a pipe, device or socket that matches is kept, to be
        # refused with its reason (reading it could block or never end).
        found = sorted(p for p in glob_files(pattern) if os.path.exists(p) and not os.path.isdir(p))
        mine = {p for p in found if os.path.realpath(p).startswith(out_dir + os.sep)}
        inside += len(mine)
        paths.extend(p for p in found if p not in mine)  # never our own outputs
    paths = list(dict.fromkeys(os.path.normpath(p) for p in paths))
    if not paths:
        return [], inside
    bases = [os.path.realpath(_glob_base(p)) for p in cfg.files]
    root = os.path.commonpath(bases) if bases else "."
    items = []
    fmt_opt = None if cfg.doc_format == "auto" else cfg.doc_format
    for p in paths:
        rel = os.path.relpath(os.path.realpath(p), root).replace(os.sep, "/")
        # A file-name byte that is not UTF-8 arrives as a lone surrogate: ids, sources and
        # messages carry a visible escape of it (``\\xe9``); only ``path`` keeps the bytes.
        doc_id = escape_surrogates(strip_extension(rel))
        src = escape_surrogates(p)
        try:
            fmt = detect_format(p, fmt_opt)
            mode = os.stat(p).st_mode
            if not stat.S_ISREG(mode):
                items.append(
                    InputItem(doc_id, src, p, fmt=fmt, digest="special", error=_special(src, mode))
                )
                continue
            size = os.path.getsize(p)
            if size > cfg.max_bytes:
                items.append(
                    InputItem(
                        doc_id,
                        src,
                        p,
                        fmt=fmt,
                        digest=f"size:{size}",
                        error=_too_big(src, size, cfg.max_bytes),
                    )
                )
                continue
            data = read_regular(p, name=src)
        except InputError as exc:
            items.append(InputItem(doc_id, src, p, error=str(exc)))
            continue
        except OSError as exc:
            items.append(InputItem(doc_id, src, p, error=f"{src}: cannot be read ({exc.strerror})"))
            continue
        items.append(InputItem(doc_id, src, p, fmt=fmt, digest=bytes_digest(data)))
    return items, inside


def _special(name: str, mode: int) -> str:
    return (
        f"{name}: is {kind_of(mode)}, not a regular file; a job reads only regular files "
        "(save it to a file)"
    )


def _too_big(name: str, size: int, limit: int) -> str:
    return (
        f"{name}: {size} bytes is over the job's limit of {limit} bytes; "
        "split the document or raise [inputs] max_bytes"
    )


def _jsonl_items(cfg: JobConfig, path: str) -> list[InputItem]:
    stem = escape_surrogates(Path(path).stem)
    data = read_bytes(path)
    items = []
    # CR-only and mixed line endings are line breaks too, counted as a text reader counts.
    for n, raw in enumerate(_LINE_BREAK.split(data), start=1):
        if not raw.strip():
            continue
        where = f"{escape_surrogates(path)}:{n}"
        digest = bytes_digest(raw)
        error = None
        try:
            line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            # Still parse it (lossily) to learn the record's id for the failure report.
            line = raw.decode("utf-8", "replace")
            error = (
                f"{where}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "convert the file with `iconv -f latin1 -t utf-8`"
            )
        try:
            rec = load_json_line(line, where)
            doc_id = _record_id(rec, where)
        except InputError as exc:
            items.append(
                InputItem(
                    f"{stem}:{n}", where, path, n, digest=digest, error=str(exc), made_up=True
                )
            )
            continue
        text = rec.get("text")
        if error is None and not isinstance(text, str):
            error = f'{where}: the record has no "text" string; add "text": "..."'
        if error is None and isinstance(text, str):
            error = surrogate_problem(text, where, 'the "text"')
        size = len(raw)
        if error is None and size > cfg.max_bytes:
            error = _too_big(where, size, cfg.max_bytes)
        items.append(
            InputItem(
                doc_id,
                where,
                path,
                n,
                fmt=cfg.record_format,
                digest=digest,
                text=text if error is None else None,
                error=error,
            )
        )
    return items


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def _record_id(rec: object, where: str) -> str:
    """A record's id as text: a string as written, an integer in its JSON form.

    Other JSON values (``null``, ``true``, a number with a fraction, arrays, objects) are
    refused: Python's ``str`` would make ``None``/``True`` of them, names no one wrote.
    """
    if not isinstance(rec, dict):
        raise InputError(f'{where}: expected a JSON object like {{"id": "a1", "text": "..."}}')
    if "id" not in rec:
        raise InputError(
            f'{where}: the record has no usable "id"; add "id": "unique-name" to the record'
        )
    value = rec["id"]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(
            f'{where}: "id" is {json.dumps(value)[:40]}, not a string or a whole number; '
            'write the id as a string ("id": "a1")'
        )
    if isinstance(value, str) and not value.strip():
        raise InputError(f'{where}: "id" is empty; give the record a name ("id": "a1")')
    # An id may hold anything JSON can: a lone surrogate becomes a visible escape, so
    # the id can be stored and shown; safe_name makes the file name from it.
    return escape_surrogates(str(value))


def _unclash_made_up(items: list[InputItem]) -> list[InputItem]:
    """Made-up ids of unreadable lines renamed where a real record has the same id."""
    real = {it.id for it in items if not it.made_up}
    taken = set(real)
    out = []
    for it in items:
        if it.made_up and it.id in real:
            k, new = 2, f"{it.id}~line"
            while new in taken:
                new, k = f"{it.id}~line{k}", k + 1
            it = InputItem(
                new, it.source, it.path, it.line, it.fmt, it.digest, error=it.error, made_up=True
            )
        taken.add(it.id)
        out.append(it)
    return out


def scan_inputs(cfg: JobConfig) -> list[InputItem]:
    """Every document of the job, in a stable order; duplicates of an id carry an error."""
    items, inside = _file_items(cfg)
    for path in cfg.jsonl:
        items.extend(_jsonl_items(cfg, path))
    if not items and inside:
        raise InputError(
            f"{cfg.path}: [job] output_dir {printable(cfg.output_dir)} holds the job's inputs "
            f"({inside} matched files lie inside it, and a job never reads its own output "
            'folder); give the outputs a folder of their own, e.g. output_dir = "out"'
        )
    if not items:
        raise InputError(
            f"{cfg.path}: [inputs] matched no documents ({', '.join(cfg.files + cfg.jsonl)}); "
            "fix the globs (relative paths start at the config's folder)"
        )
    items = _unclash_made_up(items)
    seen: dict[str, str] = {}
    out = []
    for it in items:
        if it.id in seen:
            # The duplicate is its own document in the state, under a derived key.
            key = f"{it.id}#{short_hash(it.source)}"
            out.append(
                InputItem(
                    key,
                    it.source,
                    it.path,
                    it.line,
                    it.fmt,
                    it.digest,
                    error=f"{it.source}: duplicate id {it.id!r} (first at "
                    f"{seen[it.id]}); give every document its own id",
                )
            )
            continue
        seen[it.id] = it.source
        out.append(it)
    return out


def _parse_item(item: InputItem, name: str, cfg: JobConfig) -> Document:
    """The item's document: text formats decoded here, XML and zip formats by their reader."""
    if item.text is None and item.fmt in ("xliff", "docx"):
        return read_document(item.path, fmt=item.fmt, doc_id=name)
    if item.text is None:
        decoded = decode(read_bytes(item.path, cfg.max_bytes), item.source, nfc=False)
    else:
        decoded = decode(item.text.encode("utf-8", "surrogatepass"), item.source, nfc=False)
    if not decoded.text.strip():
        raise InputError(f"{item.source}: empty document; give it some text or remove it")
    return parse_document(decoded, item.fmt, name, source=item.source)


def load_item(item: InputItem, name: str, cfg: JobConfig) -> tuple[Document, LangGuess]:
    """Read, check and segment one document; a bad one raises an MtalignError with the reason.

    ``name`` (the sanitised output name) becomes the document id, so output file names and
    segment ids agree.
    """
    if item.error:
        raise InputError(item.error)
    doc = _parse_item(item, name, cfg)
    if not any(True for _ in doc.segments()):
        raise InputError(f"{item.source}: nothing to translate (only markup, code or blanks)")
    text = document_text(doc)
    src = cfg.settings.src
    if src in (None, "auto"):
        guess = detect(text)
        if guess.lang == "und":
            raise InputError(
                f"{item.source}: too little text to tell its language; set [translate] src"
            )
        code = guess.lang
    else:
        code = normalize_lang(src)
        guess = check_language(text, code, name=item.source, force=cfg.settings.force)
    return segment_document(doc.with_lang(code), code), guess
