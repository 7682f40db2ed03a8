"""Aligned corpora as TSV (one bead per row) and JSONL (one bead per record).

TSV columns: ``source``, ``target``, ``bead`` (``2-1``), ``score``; the sentences of a
bead are joined with a space, tabs and newlines inside a sentence become spaces. An
n-way TSV has one text column per language, then ``score``.

JSONL records keep everything needed to rebuild the :class:`Alignment`: sentence ids,
sentence texts (a list per side), bead type, score, languages.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence

from mtalign.errors import InputError
from mtalign.io.atomic import atomic_write_text
from mtalign.io.source import STDIN, read_text
from mtalign.types import Alignment, Bead

_FLAT = re.compile(r"[\t\r\n\x0b\x0c\x85\u2028\u2029]+")


def _flat(text: str) -> str:
    return _FLAT.sub(" ", text).strip()


def _join(sentences: Sequence[str]) -> str:
    return " ".join(_flat(s) for s in sentences if s.strip())


def render_tsv(al: Alignment, header: bool = True) -> str:
    """One row per bead: source, target, bead type, score."""
    rows = ["source\ttarget\tbead\tscore"] if header else []
    for b in al.beads:
        src = _join([al.src[i] for i in b.src])
        tgt = _join([al.tgt[j] for j in b.tgt])
        rows.append(f"{src}\t{tgt}\t{b.kind}\t{b.score:.4f}")
    return "".join(r + "\n" for r in rows)


def parse_tsv(text: str, name: str = "<tsv>") -> list[dict[str, str]]:
    """Rows of an aligned TSV as dicts keyed by the header's column names."""
    lines = text.splitlines()
    if not lines:
        return []
    cols = lines[0].split("\t")
    out = []
    for k, line in enumerate(lines[1:], 2):
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != len(cols):
            raise InputError(
                f"{name}:{k}: expected {len(cols)} tab-separated columns, got {len(parts)}"
            )
        out.append(dict(zip(cols, parts, strict=True)))
    return out


def render_jsonl(al: Alignment) -> str:
    """One JSON object per bead."""
    out = []
    for k, b in enumerate(al.beads):
        rec = {
            "id": k,
            "src_lang": al.src_lang,
            "tgt_lang": al.tgt_lang,
            "src_ids": list(b.src),
            "tgt_ids": list(b.tgt),
            "src": [al.src[i] for i in b.src],
            "tgt": [al.tgt[j] for j in b.tgt],
            "bead": b.kind,
            "score": b.score,
        }
        out.append(json.dumps(rec, ensure_ascii=False) + "\n")
    return "".join(out)


def parse_jsonl(text: str, name: str = "<jsonl>") -> Alignment:
    """The Alignment written by :func:`render_jsonl` (sentences not in any bead are lost)."""
    src: dict[int, str] = {}
    tgt: dict[int, str] = {}
    beads = []
    langs = ("", "")
    for k, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            s_ids, t_ids = [int(i) for i in rec["src_ids"]], [int(i) for i in rec["tgt_ids"]]
            s_txt, t_txt = list(rec["src"]), list(rec["tgt"])
            score = float(rec.get("score", 0.0))
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise InputError(
                f"{name}:{k}: expected an alignment record with src_ids, tgt_ids, src, tgt "
                f"({type(exc).__name__}: {exc})"
            ) from None
        if len(s_ids) != len(s_txt) or len(t_ids) != len(t_txt):
            raise InputError(f"{name}:{k}: ids and texts differ in number")
        src.update(zip(s_ids, s_txt, strict=True))
        tgt.update(zip(t_ids, t_txt, strict=True))
        beads.append(Bead(tuple(s_ids), tuple(t_ids), score))
        langs = (rec.get("src_lang", langs[0]), rec.get("tgt_lang", langs[1]))
    return Alignment(
        src_lang=langs[0],
        tgt_lang=langs[1],
        src=tuple(src[i] for i in sorted(src)),
        tgt=tuple(tgt[j] for j in sorted(tgt)),
        beads=tuple(beads),
    )


def render_units_tsv(units: Sequence[Mapping[str, str]], langs: Sequence[str]) -> str:
    """N-way rows: one text column per language, then the unit's score (if any)."""
    rows = ["\t".join(langs) + "\tscore"]
    for u in units:
        score = u.get("score", "")
        rows.append("\t".join(_flat(u.get(lang, "")) for lang in langs) + f"\t{score}")
    return "".join(r + "\n" for r in rows)


def render_units_jsonl(units: Sequence[Mapping[str, object]]) -> str:
    """N-way records as JSON lines."""
    return "".join(json.dumps(dict(u), ensure_ascii=False) + "\n" for u in units)


def write_text_output(text: str, path: str | os.PathLike[str]) -> None:
    """Atomic write, or stdout for ``-``."""
    if str(path) == STDIN:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(path, text)


def read_alignment_jsonl(path: str | os.PathLike[str]) -> Alignment:
    """Read an alignment JSONL file (``-`` for stdin)."""
    return parse_jsonl(read_text(path).text, str(path))


#: Alignment file formats for one pair of languages, and their file extensions.
PAIR_FORMATS = {"tsv": "tsv", "jsonl": "jsonl", "tmx": "tmx", "vecalign": "al"}


def render_alignment(
    al: Alignment, fmt: str, keep_unaligned: bool = True, tags: Mapping[str, str] | None = None
) -> str:
    """One two-language alignment as text in ``fmt`` (tsv, jsonl, tmx or vecalign).

    ``keep_unaligned=False`` leaves 1-0 and 0-1 beads out of TMX (a one-language unit is
    rejected by many CAT tools); the other formats always keep them.
    """
    if fmt == "tsv":
        return render_tsv(al)
    if fmt == "jsonl":
        return render_jsonl(al)
    if fmt == "vecalign":
        from mtalign.io.vecalign import render_vecalign

        return render_vecalign(al.beads)
    if fmt == "tmx":
        from mtalign.io.tmx import alignment_units, bilingual_units, render_tmx

        units = alignment_units(al)
        kept = units if keep_unaligned else bilingual_units(units)
        return render_tmx(kept, srclang=al.src_lang, tags=tags)
    raise InputError(f"format: expected one of {', '.join(PAIR_FORMATS)}, got {fmt!r}")
