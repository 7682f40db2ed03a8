"""Bead texts from ``mtalign align`` output (TSV or JSONL), for tools that read an
alignment back (``glossary mine``)."""

from __future__ import annotations

import os

from mtalign.errors import InputError
from mtalign.io.beads import _join, parse_jsonl, parse_tsv
from mtalign.io.source import read_text

#: File extensions read as an alignment, and their format.
ALIGNED_EXTENSIONS = {".tsv": "tsv", ".jsonl": "jsonl"}


def read_aligned_beads(
    path: str | os.PathLike[str],
) -> tuple[list[str], list[str], tuple[str, str]]:
    """Source and target text of each bead, and the languages the file names ("" if none).

    The sentences of a bead are joined with a space, as the TSV writer joins them, so a
    TSV and a JSONL of one alignment give the same beads.
    """
    name = str(path)
    fmt = ALIGNED_EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if fmt is None:
        raise InputError(
            f"{name}: expected an alignment (.tsv or .jsonl from mtalign align), "
            "or give two line-aligned files: SRC TRANSLATION"
        )
    text = read_text(path).text
    if fmt == "jsonl":
        al = parse_jsonl(text, name)
        src = [_join([al.src[i] for i in b.src]) for b in al.beads]
        tgt = [_join([al.tgt[j] for j in b.tgt]) for b in al.beads]
        return src, tgt, (al.src_lang, al.tgt_lang)
    rows = parse_tsv(text, name)
    if rows and not {"source", "target"} <= rows[0].keys():
        raise InputError(
            f"{name}: expected the columns source and target (mtalign align --format tsv "
            "for one language pair)"
        )
    return [r["source"] for r in rows], [r["target"] for r in rows], ("", "")
