"""``mtalign segment`` and ``mtalign detect``."""

from __future__ import annotations

import json
import sys
from typing import Any

from mtalign.cli._args import as_bool, as_choice, as_paths, as_str
from mtalign.document import load_document
from mtalign.errors import InputError
from mtalign.io import read_document
from mtalign.langid import detect
from mtalign.safetext import json_safe, printable
from mtalign.types import without_placeholders


def segment_command(
    path: Any, lang: Any = "auto", format: Any = "txt", input_format: Any = None, force: Any = False
) -> None:
    """Print one segment per line: ``id<TAB>text`` (txt) or JSON records (jsonl)."""
    paths = as_paths([path], "path")
    out_fmt = as_choice(format, ("txt", "jsonl"), "format")
    doc, _ = load_document(
        paths[0],
        lang=as_str(lang, "lang"),
        fmt=as_str(input_format, "input-format"),
        force=as_bool(force, "force"),
        flag="--lang",
    )
    write = sys.stdout.write
    # Ids come from file names: always escaped. Text is escaped on a terminal only, where
    # a control character would be run instead of shown; a pipe gets it as it is.
    tty = sys.stdout.isatty()
    for seg in doc.segments():
        text = " ".join(without_placeholders(seg.text).split())
        if out_fmt == "jsonl":
            rec = {"id": seg.id, "lang": doc.lang, "text": text}
            write(json_safe(json.dumps(rec, ensure_ascii=False)) + "\n")
        else:
            write(f"{printable(seg.id)}\t{printable(text) if tty else text}\n")


def detect_command(paths: Any, per_paragraph: Any = False, format: Any = "txt") -> None:
    """Print ``path<TAB>lang<TAB>prob`` per document, or per paragraph with its id."""
    files = as_paths(paths, "path")
    if not files:
        raise InputError("detect: give at least one file (or - for stdin)")
    out_fmt = as_choice(format, ("txt", "jsonl"), "format")
    per_par = as_bool(per_paragraph, "per-paragraph")
    write = sys.stdout.write
    for f in files:
        doc = read_document(f)
        if per_par:
            items = [(f"{doc.id}:{p.index}", p.text) for p in doc.paragraphs if p.segments]
        else:
            items = [(f, "\n".join(p.text for p in doc.paragraphs if p.segments))]
        for key, text in items:
            g = detect(text)
            if out_fmt == "jsonl":
                write(json.dumps({"id": key, "lang": g.lang, "prob": g.prob}) + "\n")
            else:
                write(f"{printable(key)}\t{g.lang}\t{g.prob:.4f}\n")
