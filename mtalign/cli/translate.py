"""``mtalign translate``."""

from __future__ import annotations

from typing import Any

from mtalign.cli import output
from mtalign.cli._args import as_bool, as_files, as_list, as_mapping, as_paths, as_str
from mtalign.pipeline import TranslateSettings, set_threads, translate_files
from mtalign.pipeline.pivot import PIVOT_FLAG
from mtalign.settings import build


def translate_command(
    inputs: Any,
    to: Any = None,
    src: Any = None,
    out: Any = "out",
    engine: Any = None,
    model: Any = None,
    beam: Any = None,
    device: Any = None,
    compute_type: Any = None,
    batch_tokens: Any = None,
    unit: Any = None,
    no_cache: Any = False,
    glossary: Any = None,
    glossary_mode: Any = None,
    no_gate: Any = False,
    force: Any = False,
    input_format: Any = None,
    progress: Any = None,
    threads: Any = None,
    consistency: Any = False,
    pivot: Any = None,
) -> None:
    """Translate files into each --to language and write outputs, aligned JSONL and a report.

    Values not given (None) take their declared defaults (:class:`TranslateSettings`);
    types and bounds are checked by the same declarations.
    """
    paths = as_paths(inputs, "input")
    gloss = tuple(as_files(glossary, "glossary"))
    given = {
        "targets": tuple(as_list(to, "to")),
        "src": src,
        "engine": engine,
        "models": as_mapping(model, "model"),
        "beam": beam,
        "device": device,
        "compute_type": compute_type,
        "batch_tokens": batch_tokens,
        "unit": unit,
        "cache": not as_bool(no_cache, "no-cache"),
        "glossary": gloss,
        "glossary_mode": glossary_mode or ("check" if gloss else "off"),
        "quality_gate": not as_bool(no_gate, "no-gate"),
        "force": as_bool(force, "force"),
        "input_format": input_format,
        "progress": output.progress() if progress is None else as_bool(progress, "progress"),
        "threads": threads,
        "consistency": as_bool(consistency, "consistency"),
        "pivot": as_str(pivot, "pivot"),
    }
    values = {k: v for k, v in given.items() if v is not None}
    if output.LOUDNESS.quiet:
        values["progress"] = False
    settings = build(TranslateSettings, values, strict=False)
    out_dir = as_str(out, "out") or "out"
    set_threads(settings)
    results = translate_files(paths, settings, out_dir)
    if out_dir == "-":
        return
    for res in results:
        for tgt, stats in res.stats.items():
            kinds = [f.kind for o in res.outcomes[tgt] for f in o.flags]
            # Pivoted sentences are all flagged: say so once, count the other flags.
            via = f" through {settings.pivot}" if PIVOT_FLAG in kinds else ""
            flags = sum(k != PIVOT_FLAG for k in kinds)
            line = (
                f"{res.doc.id}: {res.doc.lang}->{tgt}{via} {stats.segments} segments "
                f"({stats.cached} cached, {stats.passthrough} passed through, "
                f"{stats.retried} retried, {flags} flags) in {stats.seconds:.1f}s"
            )
            gl = res.glossary.get(tgt)
            if gl and gl.get("term_accuracy") is not None:
                line += f"; term accuracy {gl['term_accuracy']:.3f}"
                score = (gl.get("consistency") or {}).get("score")
                if score is not None:
                    line += f", consistency {score:.3f}"
            output.summary(line)
        output.note(f"{res.doc.id}: wrote {', '.join(res.files.values())}")
