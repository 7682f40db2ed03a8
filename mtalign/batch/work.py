"""One document's work: load + translate (anywhere), then write + mark (on the driver only).

``load_entry`` and ``translate_chunk`` run in the local loop or inside a Ray worker;
``write_work`` runs on the driver, which alone writes files and job state.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtalign.batch.config import JobConfig
from mtalign.batch.inputs import load_item
from mtalign.batch.state import DocEntry
from mtalign.errors import MtalignError
from mtalign.io.naming import expected_files, report_name, translation_name
from mtalign.pipeline import DocResult, PairEngine, TranslationSession, translate_group
from mtalign.pipeline.outputs import write_run_files, write_translation

log = logging.getLogger(__name__)


@dataclass
class DocWork:
    """What translating one document produced (picklable: it travels back from workers)."""

    entry: DocEntry
    result: DocResult | None = None
    errors: dict[str, str] = field(default_factory=dict)
    engines: dict[str, PairEngine] = field(default_factory=dict)
    seconds: float = 0.0


def load_entry(entry: DocEntry, cfg: JobConfig, langs: Sequence[str]) -> DocWork:
    """Read and check the document; a bad one comes back with every language failed."""
    t0 = time.perf_counter()
    try:
        doc, guess = load_item(entry.item, entry.name, cfg)
    except MtalignError as exc:
        return DocWork(
            entry, None, {lang: str(exc) for lang in langs}, seconds=time.perf_counter() - t0
        )
    return DocWork(entry, DocResult(doc=doc, guess=guess), seconds=time.perf_counter() - t0)


def translate_into(work: DocWork, session: TranslationSession, tgt: str) -> None:
    """Translate a loaded document into one language; a failure is recorded, not raised."""
    res = work.result
    if res is None or tgt in work.errors:
        return
    t0 = time.perf_counter()
    src = res.doc.lang or "und"
    if src == tgt:
        work.errors[tgt] = (
            f"{work.entry.item.source}: the document is already in {tgt!r}; "
            "drop it from the inputs or fix [translate] src"
        )
        return
    try:
        translate_group(session, [res], tgt)
        pe = session.engines.get((src, tgt))
        if pe is not None:
            work.engines[tgt] = pe
    except MtalignError as exc:
        work.errors[tgt] = str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken document must not end a long job
        log.exception("translating %s into %s failed", work.entry.id, tgt)
        work.errors[tgt] = f"unexpected error: {type(exc).__name__}: {exc}"
    finally:
        work.seconds += time.perf_counter() - t0


def translate_chunk(works: Sequence[DocWork], session: TranslationSession, tgt: str) -> None:
    """Translate several loaded documents into ``tgt`` with shared model calls.

    Sentences of all documents go through the engine together (short documents batch
    well); if the shared call fails, each document is retried on its own so one broken
    document cannot fail the others.
    """
    ready = [
        w
        for w in works
        if w.result is not None and tgt not in w.errors and (w.result.doc.lang or "und") != tgt
    ]
    for w in works:
        if w not in ready:
            translate_into(w, session, tgt)  # records "already in tgt" and the like
    if not ready:
        return
    t0 = time.perf_counter()
    try:
        # Names keep one rendering per document: outputs never depend on the chunk.
        results = [w.result for w in ready if w.result is not None]
        translate_group(session, results, tgt, consistency_per_document=True)
    except Exception as exc:  # noqa: BLE001 - fall back to one document at a time
        log.warning("shared translation into %s failed (%s); retrying document by document",
                    tgt, exc)  # fmt: skip
        for w in ready:
            translate_into(w, session, tgt)
        return
    share = (time.perf_counter() - t0) / len(ready)
    for w in ready:
        w.seconds += share
        res = w.result
        pe = session.engines.get(((res.doc.lang if res else None) or "und", tgt))
        if pe is not None:
            w.engines[tgt] = pe


def glossary_numbers(report: Any) -> dict[str, Any] | None:
    """The counts and scores of a per-document glossary report, whatever its nesting."""
    if not isinstance(report, Mapping):
        return None
    totals = report.get("totals")
    tot: Mapping[str, Any] = totals if isinstance(totals, Mapping) else report
    out: dict[str, Any] = {}
    for key in ("occurrences", "ok", "variant", "missing", "no_target"):
        v = tot.get(key, tot.get(key.replace("_", "-")))
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = v
    acc = tot.get("term_accuracy", report.get("term_accuracy"))
    if isinstance(acc, (int, float)) and not isinstance(acc, bool):
        out["term_accuracy"] = acc
    cons = tot.get("consistency", report.get("consistency"))
    if isinstance(cons, Mapping):
        for key in ("entities", "consistent", "score"):
            v = cons.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out[f"consistency_{key}"] = v
    elif isinstance(cons, (int, float)) and not isinstance(cons, bool):
        out["consistency_score"] = cons
    return out


def lang_metrics(res: DocResult, tgt: str) -> dict[str, Any]:
    """What the job summary needs from one finished document x language."""
    stats = res.stats[tgt]
    outcomes = res.outcomes[tgt]
    flags = Counter(f.kind for o in outcomes for f in o.flags)
    m: dict[str, Any] = {
        "segments": stats.segments,
        "translated": stats.translated,
        "cached": stats.cached,
        "passthrough": stats.passthrough,
        "retried": stats.retried,
        "seconds": stats.seconds,
        "characters": sum(len(s.text) for s in res.doc.segments()),
        "flags": dict(sorted(flags.items())),
        "flagged_segments": sum(1 for o in outcomes if o.flags),
    }
    g = glossary_numbers(res.glossary.get(tgt))
    if g is not None:
        m["glossary"] = g
    return m


def _unlink(out: Path, name: str, owned: Container[str]) -> None:
    """Remove the job's own file ``name`` (a file it did not write is never touched)."""
    if name not in owned:
        log.warning("%s: not removed (this job did not write it)", out / name)
        return
    try:
        (out / name).unlink()
    except FileNotFoundError:
        pass


def _earlier_good(
    out: Path, job: str, entry: DocEntry, fmt: str, failed: Mapping[str, str]
) -> set[str]:
    """Languages of ``failed`` whose outputs an earlier run of job ``job`` finished.

    The proof is the document's report as that run wrote it: this job and document, the
    language not among its failures, the translation file in place.
    """
    import json

    try:
        report = json.loads((out / report_name(entry.name)).read_bytes())
    except (OSError, ValueError):
        return set()
    meta = report.get("job") if isinstance(report, dict) else None
    if not isinstance(meta, dict) or meta.get("name") != job:
        return set()
    if meta.get("document_id") != entry.id:
        return set()
    failed_then = meta.get("failed")
    before: dict[str, Any] = failed_then if isinstance(failed_then, dict) else {}
    return {
        lang
        for lang in failed
        if lang not in before and (out / translation_name(entry.name, lang, fmt)).is_file()
    }


def write_work(
    work: DocWork, cfg: JobConfig, langs: Sequence[str], owned: Container[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Write the document's files atomically; returns (done metrics, failed reasons) per lang.

    Outputs of languages that failed now are removed, unless an earlier run of this job
    finished them (its report says so): those are kept until a new good version replaces
    them, so an input broken for a moment (an editor truncating it) never costs finished
    work; the summary lists the document as failed. Only files in ``owned`` (recorded in
    the job state as the job's own) are ever removed.
    """
    out = Path(cfg.output_dir)
    entry = work.entry
    failed = {lang: work.errors[lang] for lang in langs if lang in work.errors}
    res = work.result
    done_langs = [
        lang for lang in langs if lang not in failed and res is not None and lang in res.outputs
    ]
    for lang in langs:
        if lang not in failed and lang not in done_langs:
            failed[lang] = "not translated (internal error: no output came back)"
    fmt = entry.item.fmt
    kept = _earlier_good(out, cfg.name, entry, fmt, failed) if failed else set()
    if kept:
        log.warning(
            "%s failed (%s); kept its earlier outputs (%s) until it translates again",
            entry.id,
            next(iter(failed.values())),
            ", ".join(sorted(kept)),
        )
    for lang in failed:
        if lang not in kept:
            _unlink(out, translation_name(entry.name, lang, fmt), owned)
    if res is None or not done_langs:
        if not kept:
            for name in expected_files(entry.name, fmt, []):  # aligned + report
                _unlink(out, name, owned)
        return {}, failed
    out.mkdir(parents=True, exist_ok=True)
    for lang in done_langs:
        write_translation(res, lang, out, relative=True)
    engines = {(pe.src, pe.tgt): pe for pe in work.engines.values()}
    job = {
        "name": cfg.name,
        "document_id": entry.id,
        "source": entry.item.source,
        "failed": dict(failed),
    }
    write_run_files(res, cfg.settings, out, engines, extra={"job": job}, relative=True)
    return {lang: lang_metrics(res, lang) for lang in done_langs}, failed
