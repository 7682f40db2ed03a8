"""The one place that knows the order of the stages.

::

    read + segment       inputs.load_inputs            (every input checked before any model)
    resolve models       session.resolve_pairs         (a missing model fails fast)
    translate            stage.SegmentTranslator       (memory, batches, engine, gate + retry)
      or through a pivot   pivot.PivotTranslator         (--pivot: two legs, each such segment flagged)
      or whole paragraphs  paragraphs.translate_paragraphs   (--unit paragraph)
      or with the glossary terms.translate_enforced     (n-best, prefix repair, post-edit)
    consistency          terms.make_consistent         (--consistency, no glossary)
    glossary report      terms.glossary_report         (every term occurrence)
    write                outputs.write_translation / write_run_files

Heavy objects (engines, glossaries, the translation memory) live in a
:class:`~mtalign.pipeline.session.TranslationSession`, made at the edge and passed in.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import msgspec

from mtalign.engines.base import Translator
from mtalign.errors import InputError
from mtalign.glossary.model import Glossary
from mtalign.io import STDIN, write_document
from mtalign.io.atomic import remove_temp_files
from mtalign.io.outputs import check_not_inputs, check_output_dir, check_output_names
from mtalign.langid import LangGuess, normalize_lang
from mtalign.pipeline.inputs import load_inputs
from mtalign.pipeline.masking import mask_protected, unmask
from mtalign.pipeline.outputs import (
    aligned_records,
    build_report,
    output_name,
    run_file_names,
    spaced,
    write_run_files,
    write_translation,
)
from mtalign.pipeline.paragraphs import translate_paragraphs
from mtalign.pipeline.pivot import PivotTranslator
from mtalign.pipeline.results import DocResult, LangStats, SegmentOutcome
from mtalign.pipeline.session import (
    PairEngine,
    TranslationSession,
    check_pairs,
    load_glossary,
    resolve_pairs,
    set_threads,
)
from mtalign.pipeline.settings import TranslateSettings, check_settings
from mtalign.pipeline.stage import SegmentTranslator
from mtalign.pipeline.terms import (
    glossary_report,
    make_consistent,
    post_edit_terms,
    translate_enforced,
)
from mtalign.progress import progress, progress_enabled
from mtalign.types import Document, Paragraph, Segment

log = logging.getLogger(__name__)

__all__ = [
    "DocResult",
    "LangStats",
    "PairEngine",
    "SegmentOutcome",
    "PivotTranslator",
    "SegmentTranslator",
    "TranslateSettings",
    "TranslationSession",
    "aligned_records",
    "build_report",
    "check_pairs",
    "check_settings",
    "load_inputs",
    "mask_protected",
    "output_name",
    "resolve_pairs",
    "set_threads",
    "translate_documents",
    "translate_files",
    "translate_group",
    "translate_texts",
    "unmask",
    "write_run_files",
]


def translate_files(
    inputs: Sequence[str], settings: TranslateSettings, out_dir: str | Path = "out"
) -> list[DocResult]:
    """``mtalign translate``: read, translate into every target, write all outputs.

    Before any model is read: the output folder must take files and every output name
    must fit the file system (:class:`~mtalign.errors.OutputError` says what to fix).
    Temp files a killed earlier run left for these outputs are removed; an interrupt
    (Ctrl-C) removes this run's own on the way out.
    """
    settings = check_settings(settings)
    to_stdout = str(out_dir) == STDIN
    if not to_stdout:
        check_output_dir(out_dir, "--out")
    docs = load_inputs(inputs, settings)
    if to_stdout:
        if len(docs) != 1 or len(settings.targets) != 1:
            raise InputError(
                "--out - writes to stdout and needs exactly one input and one --to language"
            )
        results = translate_documents(docs, settings, None)
        write_document(results[0].outputs[settings.targets[0]], STDIN)
        return results
    names = [n for d, _ in docs for n in run_file_names(d, settings.targets)]
    check_output_names(out_dir, names, "--out", fix=_RENAME)
    written = {os.path.join(out_dir, n): "--out" for n in dict.fromkeys(names)}
    if settings.cache and settings.cache_path:
        written[str(settings.cache_path)] = "cache_path"
    check_not_inputs(written, [*inputs, *settings.glossary])
    if remove_temp_files(out_dir, names):
        log.info("removed temp files an interrupted run left in %s", out_dir)
    glossary = load_glossary(settings)  # a bad or empty glossary stops here, before models
    pairs = list(dict.fromkeys((d.lang or "und", t) for t in settings.targets for d, _ in docs))
    engines = resolve_pairs(pairs, settings)
    try:
        results = translate_documents(docs, settings, out_dir, engines=engines, glossary=glossary)
        for res in results:
            write_run_files(res, settings, out_dir, engines)
    except BaseException:
        remove_temp_files(out_dir, names)  # an interrupt between a temp file and its rename
        raise
    return results


_RENAME = (
    "rename the input (its outputs are NAME.LANG.EXT, NAME.aligned.jsonl and NAME.report.json)"
)


def translate_documents(
    docs: Sequence[tuple[Document, LangGuess]],
    settings: TranslateSettings,
    out_dir: str | Path | None = None,
    on_language_done: Callable[[DocResult, str], None] | None = None,
    engines: Mapping[tuple[str, str], PairEngine] | None = None,
    factory: Callable[[PairEngine], Translator] | None = None,
    glossary: Glossary | None = None,
) -> list[DocResult]:
    """Translate documents into every target language, one model at a time.

    Each model is loaded once, used for every document of its pair, then released
    before the next language starts (peak memory: one model). When ``out_dir`` is
    given, each ``NAME.LANG.EXT`` is written as soon as it is done, so an interrupt
    keeps finished languages.
    """
    settings = check_settings(settings)
    results = [DocResult(doc=d, guess=g) for d, g in docs]
    pairs = list(dict.fromkeys((r.doc.lang or "und", t) for t in settings.targets for r in results))
    with TranslationSession(
        settings, engines=engines, factory=factory, glossary=glossary
    ) as session:
        session.prepare(pairs)
        for tgt in settings.targets:
            try:
                translate_group(session, results, tgt)
                for res in results:
                    if out_dir is not None:
                        write_translation(res, tgt, out_dir)
                    if on_language_done is not None:
                        on_language_done(res, tgt)
            finally:
                session.release(tgt)
    return results


def translate_group(
    session: TranslationSession,
    results: Sequence[DocResult],
    tgt: str,
    consistency_per_document: bool = False,
) -> None:
    """Translate documents into ``tgt`` with shared model calls (fills each ``DocResult``).

    Sentences of all documents of one source language go through the engine together,
    so many short documents are batched as well as one long one. With
    ``consistency_per_document`` (batch jobs), ``--consistency`` picks each name's
    rendering within each document, so a document's output never depends on which
    documents shared its model calls (a resumed job gives the same bytes).
    """
    by_src: dict[str, list[DocResult]] = {}
    for res in results:
        by_src.setdefault(res.doc.lang or "und", []).append(res)
    for src, group in by_src.items():
        _translate_pair(session, session.stage(src, tgt), group, consistency_per_document)


def _translate_pair(
    session: TranslationSession,
    stage: SegmentTranslator | PivotTranslator,
    group: Sequence[DocResult],
    consistency_per_document: bool = False,
) -> None:
    """The stages for documents of one language pair, then their results per document."""
    settings, glossary = session.settings, session.glossary
    per_doc = [list(res.doc.segments()) for res in group]
    segs = [s for doc_segs in per_doc for s in doc_segs]
    src, tgt = stage.src_lang, stage.tgt_lang
    enforce = glossary is not None and settings.glossary_mode == "enforce"
    # Through a pivot the model that writes the target never saw the source, so its
    # n-best and attention cannot place source terms: the glossary post-edits instead.
    post_edit = settings.unit == "paragraph" or isinstance(stage, PivotTranslator)
    label = group[0].doc.id if len(group) == 1 else f"{len(group)} documents"
    stages: dict[int, str] = {}
    t0 = time.perf_counter()
    units = sum(1 for r in group for p in r.doc.paragraphs if p.segments)
    total = units if settings.unit == "paragraph" else len(segs)
    nested = getattr(session, "nested_progress", False)
    enabled = progress_enabled(settings.progress)
    with progress(total, f"{label} -> {tgt}", enabled, leave=not nested) as bar:
        if settings.unit == "paragraph":
            outcomes = [o for res in group for o in translate_paragraphs(res.doc, stage, bar)]
        elif enforce and glossary is not None and isinstance(stage, SegmentTranslator):
            fingerprint = session.glossary_fingerprint
            outcomes, stages = translate_enforced(segs, stage, glossary, fingerprint, bar)
        else:
            outcomes = stage.translate_segments(
                [s.text for s in segs],
                [s.id for s in segs],
                [s.protected for s in segs],
                bar,
                kinds=[s.kinds for s in segs],
            )
    if enforce and glossary is not None and post_edit:
        outcomes = post_edit_terms(glossary, segs, outcomes, src, tgt)
    glossaries: list[Any] = [glossary] * len(group)
    if glossary is None and settings.consistency:
        glossaries, outcomes = _consistent(per_doc, outcomes, src, tgt, consistency_per_document)
    seconds = time.perf_counter() - t0
    log.info("%s -> %s: %d segments translated in %.2fs", label, tgt, len(segs), seconds)
    _per_document(session, group, per_doc, outcomes, stages, glossaries, stage, seconds)


def _consistent(
    per_doc: list[list[Segment]],
    outcomes: list[SegmentOutcome],
    src: str,
    tgt: str,
    per_document: bool,
) -> tuple[list[Any], list[SegmentOutcome]]:
    """``--consistency``: one mined glossary over the group, or one per document."""
    if not per_document:
        segs = [s for doc_segs in per_doc for s in doc_segs]
        mined, outcomes = make_consistent(segs, outcomes, src, tgt)
        return [mined] * len(per_doc), outcomes
    glossaries: list[Any] = []
    fixed: list[SegmentOutcome] = []
    start = 0
    for doc_segs in per_doc:
        end = start + len(doc_segs)
        mined, doc_out = make_consistent(doc_segs, outcomes[start:end], src, tgt)
        glossaries.append(mined)
        fixed.extend(doc_out)
        start = end
    return glossaries, fixed


def _per_document(
    session: TranslationSession,
    group: Sequence[DocResult],
    per_doc: list[list[Segment]],
    outcomes: list[SegmentOutcome],
    stages: dict[int, str],
    glossaries: list[Any],
    stage: SegmentTranslator | PivotTranslator,
    seconds: float,
) -> None:
    """Share a group's outcomes out to its documents: stats, glossary report, output."""
    src, tgt, settings = stage.src_lang, stage.tgt_lang, session.settings
    total = max(1, sum(len(d) for d in per_doc))
    start = 0
    for res, doc_segs, glossary in zip(group, per_doc, glossaries, strict=True):
        end = start + len(doc_segs)
        doc_out = outcomes[start:end]
        doc_stages = {k - start: v for k, v in stages.items() if start <= k < end}
        start = end
        stats = LangStats(
            segments=len(doc_segs),
            passthrough=sum(o.passthrough for o in doc_out),
            split=sum(o.pieces > 1 for o in doc_out),
            retried=sum(o.retried for o in doc_out),
            cached=sum(o.cached for o in doc_out),
            # Time of a shared batch is shared out by segment count.
            seconds=round(seconds * len(doc_segs) / total, 3),
        )
        stats.translated = stats.segments - stats.passthrough
        report: dict[str, Any] = {}
        if glossary is not None:
            report = glossary_report(glossary, doc_segs, doc_out, src, tgt, doc_stages)
            report["mode"] = settings.glossary_mode if settings.glossary else "consistency"
            res.glossary[tgt] = report
        res.stats[tgt] = stats
        res.outcomes[tgt] = doc_out
        texts = {s.id: o.text for s, o in zip(doc_segs, doc_out, strict=True)}
        out_doc = spaced(res.doc.with_texts(texts, lang=tgt), tgt)
        flags = _review_notes(doc_segs, doc_out, report)
        res.outputs[tgt] = replace(out_doc, meta={**out_doc.meta, "flags": flags})


def _review_notes(
    segs: Sequence[Segment], outcomes: Sequence[SegmentOutcome], report: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Per segment id, what a reviewer should look at: quality flags and glossary misses.

    Writers that carry review state (XLIFF) mark those segments and write these as notes.
    """
    notes: dict[str, list[str]] = {}
    for s, o in zip(segs, outcomes, strict=True):
        for f in o.flags:
            notes.setdefault(s.id, []).append(f"{f.kind}: {f.detail}" if f.detail else f.kind)
    for h in report.get("hits", ()):
        if h["status"] not in ("ok", "no-target"):
            want = " / ".join(h["expected"])
            notes.setdefault(h["segment"], []).append(
                f"glossary: {h['source']} -> {want} ({h['status']})"
            )
    return notes


def translate_texts(
    texts: Sequence[str],
    src_lang: str,
    tgt_lang: str,
    settings: TranslateSettings | None = None,
    factory: Callable[[PairEngine], Translator] | None = None,
) -> list[str]:
    """Translate plain segments (one segment each, no re-segmentation): N strings in, N out.

    Goes through the same stages as documents (memory, quality gate, glossary). Used by
    evaluation suites and translation-based alignment.
    """
    src, tgt = normalize_lang(src_lang), normalize_lang(tgt_lang)
    base = settings or TranslateSettings(targets=(tgt,), src=src)
    settings = check_settings(msgspec.structs.replace(base, targets=(tgt,), src=src))
    paras = tuple(
        Paragraph(index=i, segments=(Segment(id=f"texts:{i}:0", text=t),))
        if t.strip()
        else Paragraph(index=i, kind="blank", raw=t)
        for i, t in enumerate(texts)
    )
    res = DocResult(doc=Document(id="texts", paragraphs=paras, lang=src), guess=LangGuess(src, 1.0))
    with TranslationSession(settings, factory=factory) as session:
        translate_group(session, [res], tgt)
    outs = iter(o.text for o in res.outcomes[tgt])
    return [next(outs) if t.strip() else t for t in texts]
