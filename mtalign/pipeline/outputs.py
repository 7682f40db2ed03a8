"""The files of a run: translations, aligned JSONL and the JSON report, written atomically.

``mtalign translate`` and batch jobs both write through here.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from mtalign.io import atomic_write_text, write_document
from mtalign.io.naming import aligned_name, report_name, translation_name
from mtalign.langs import without_spaces
from mtalign.pipeline.pivot import PIVOT_FLAG
from mtalign.pipeline.results import DocResult
from mtalign.pipeline.session import PairEngine
from mtalign.pipeline.settings import TranslateSettings, decode_options, safer_options
from mtalign.settings import output_fields
from mtalign.types import Document, without_placeholders
from mtalign.version import __version__


def output_name(doc: Document, lang: str | None = None, kind: str | None = None) -> str:
    """``NAME.LANG.EXT``, ``NAME.aligned.jsonl`` or ``NAME.report.json``."""
    if kind == "aligned":
        return aligned_name(doc.id)
    if kind == "report":
        return report_name(doc.id)
    return translation_name(doc.id, str(lang), doc.format)


def run_file_names(doc: Document, targets: Sequence[str]) -> list[str]:
    """Every file name a run writes for ``doc``: its translations, aligned JSONL, report."""
    return [output_name(doc, t) for t in targets] + [
        output_name(doc, kind="aligned"),
        output_name(doc, kind="report"),
    ]


def spaced(doc: Document, lang: str) -> Document:
    """Drop inter-sentence spaces for scripts written without them (zh, ja, th...)."""
    if not without_spaces(lang):
        return doc
    paras = []
    for p in doc.paragraphs:
        segs = tuple(
            replace(s, ws_after="" if s.ws_after == " " else s.ws_after) for s in p.segments
        )
        paras.append(replace(p, segments=segs))
    return replace(doc, paragraphs=tuple(paras))


def aligned_records(res: DocResult, targets: Sequence[str]) -> list[dict[str, Any]]:
    """One record per source segment: id, source, each translation, its flags."""
    recs = []
    for k, seg in enumerate(res.doc.segments()):
        rec: dict[str, Any] = {
            "id": seg.id,
            "lang": res.doc.lang,
            "source": without_placeholders(seg.text),
            "translations": {},
            "flags": {},
        }
        for t in targets:
            if t not in res.outcomes:
                continue
            o = res.outcomes[t][k]
            rec["translations"][t] = without_placeholders(o.text)
            if o.flags:
                rec["flags"][t] = [
                    {"kind": f.kind, "detail": f.detail, "retried": f.retried} for f in o.flags
                ]
        recs.append(rec)
    return recs


def report_settings(settings: TranslateSettings) -> dict[str, Any]:
    """The settings section of a report: every setting declared to shape outputs, and the
    decoding options they gave the engine."""
    return {
        **output_fields(settings, ("segment", "document")),
        "decoding": asdict(decode_options(settings)),
        "retry_decoding": asdict(safer_options(settings)) if settings.retry else None,
    }


def _target_entry(res: DocResult, tgt: str, pe: PairEngine | None) -> dict[str, Any]:
    stats = res.stats[tgt]
    flags = Counter(f.kind for o in res.outcomes[tgt] for f in o.flags)
    entry: dict[str, Any] = {"stats": asdict(stats), "flags": dict(sorted(flags.items()))}
    if stats.seconds:
        entry["segments_per_second"] = round(stats.translated / stats.seconds, 2)
    if pe is not None:
        entry["model"] = _model_entry(pe)
        entry["engine"] = pe.engine
        if pe.legs is not None:
            # ``model`` is then the second leg's; both legs are here, in order.
            entry["pivot"] = {
                "via": pe.pivot,
                "legs": [{"pair": f"{leg.src}-{leg.tgt}", **_model_entry(leg)} for leg in pe.legs],
                "segments": sum(
                    any(f.kind == PIVOT_FLAG for f in o.flags) for o in res.outcomes[tgt]
                ),
            }
    if tgt in res.glossary:
        entry["glossary"] = res.glossary[tgt]
    return entry


def _model_entry(pe: PairEngine) -> dict[str, Any]:
    m = pe.model
    return {
        "id": m.model_id,
        "revision": m.revision,
        "origin": m.origin,
        "licence": m.licence,
        "target_token": m.target_token,
        "path": str(m.path),
    }


def build_report(
    res: DocResult,
    settings: TranslateSettings,
    engines: Mapping[tuple[str, str], PairEngine] | None = None,
) -> dict[str, Any]:
    """The machine-readable report of one document's run."""
    segs = list(res.doc.segments())
    report: dict[str, Any] = {
        "tool": "mtalign",
        "version": __version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "input": res.doc.source,
        "format": res.doc.format,
        "source_lang": res.doc.lang,
        "detected": {"lang": res.guess.lang, "prob": res.guess.prob},
        "counts": {
            "paragraphs": sum(1 for p in res.doc.paragraphs if p.segments),
            "segments": len(segs),
            "characters": sum(len(s.text) for s in segs),
        },
        "settings": report_settings(settings),
        "targets": {},
        "outputs": dict(res.files),
    }
    for tgt in res.stats:
        pe = engines.get((res.doc.lang or "und", tgt)) if engines else None
        report["targets"][tgt] = _target_entry(res, tgt, pe)
    return report


def write_translation(
    res: DocResult, tgt: str, out_dir: str | Path, relative: bool = False
) -> Path:
    """Write ``NAME.LANG.EXT`` atomically and record it in ``res.files``.

    ``relative`` records the bare file name (batch jobs: the folder can move and the
    reports stay right) instead of the path.
    """
    path = Path(out_dir) / output_name(res.doc, tgt)
    write_document(res.outputs[tgt], path)
    res.files[tgt] = path.name if relative else str(path)
    return path


def write_run_files(
    res: DocResult,
    settings: TranslateSettings,
    out_dir: str | Path,
    engines: Mapping[tuple[str, str], PairEngine] | None = None,
    extra: Mapping[str, Any] | None = None,
    relative: bool = False,
) -> dict[str, str]:
    """Write ``NAME.aligned.jsonl`` and ``NAME.report.json`` atomically.

    ``extra`` adds top-level sections to the report (a batch job's ``job``).
    """
    out = Path(out_dir)
    aligned = out / output_name(res.doc, kind="aligned")
    lines = [json.dumps(r, ensure_ascii=False) for r in aligned_records(res, settings.targets)]
    atomic_write_text(aligned, "\n".join(lines) + "\n")
    report_path = out / output_name(res.doc, kind="report")
    res.files["aligned"] = aligned.name if relative else str(aligned)
    res.files["report"] = report_path.name if relative else str(report_path)
    report = build_report(res, settings, engines)
    report.update(extra or {})
    atomic_write_text(report_path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return dict(res.files)
