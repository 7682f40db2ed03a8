"""``mtalign translate``."""

from __future__ import annotations

import sys
from typing import Any

from mtalign.cli._args import as_bool, as_choice, as_int, as_list, as_mapping, as_paths, as_str
from mtalign.pipeline import TranslateSettings, translate_files
from mtalign.settings import ENGINES, GLOSSARY_MODES, UNITS


def translate_command(
    inputs: Any,
    to: Any = None,
    src: Any = "auto",
    out: Any = "out",
    engine: Any = "auto",
    model: Any = None,
    beam: Any = 4,
    device: Any = "auto",
    compute_type: Any = None,
    batch_tokens: Any = 4096,
    unit: Any = "sentence",
    no_cache: Any = False,
    glossary: Any = None,
    glossary_mode: Any = None,
    no_gate: Any = False,
    force: Any = False,
    input_format: Any = None,
    progress: Any = None,
    threads: Any = 0,
    consistency: Any = False,
) -> None:
    """Translate files into each --to language and write outputs, aligned JSONL and a report."""
    paths = as_paths(inputs, "input")
    gloss = tuple(as_list(glossary, "glossary"))
    mode = as_str(glossary_mode, "glossary-mode") or ("check" if gloss else "off")
    settings = TranslateSettings(
        targets=tuple(as_list(to, "to")),
        src=as_str(src, "src") or "auto",
        engine=as_choice(engine, ENGINES, "engine"),
        models=as_mapping(model, "model"),
        beam=as_int(beam, "beam", minimum=1),
        device=as_choice(device, ("auto", "cpu", "cuda"), "device"),
        compute_type=as_str(compute_type, "compute-type"),
        batch_tokens=as_int(batch_tokens, "batch-tokens", minimum=16),
        unit=as_choice(unit, UNITS, "unit"),
        cache=not as_bool(no_cache, "no-cache"),
        glossary=gloss,
        glossary_mode=as_choice(mode, GLOSSARY_MODES, "glossary-mode"),
        quality_gate=not as_bool(no_gate, "no-gate"),
        force=as_bool(force, "force"),
        input_format=as_str(input_format, "input-format"),
        progress=None if progress is None else as_bool(progress, "progress"),
        threads=as_int(threads, "threads", minimum=0),
        consistency=as_bool(consistency, "consistency"),
    )
    out_dir = as_str(out, "out") or "out"
    results = translate_files(paths, settings, out_dir)
    if out_dir == "-":
        return
    for res in results:
        for tgt, stats in res.stats.items():
            flags = sum(len(o.flags) for o in res.outcomes[tgt])
            line = (
                f"{res.doc.id}: {res.doc.lang}->{tgt} {stats.segments} segments "
                f"({stats.cached} cached, {stats.passthrough} passed through, "
                f"{stats.retried} retried, {flags} flags) in {stats.seconds:.1f}s"
            )
            gl = res.glossary.get(tgt)
            if gl and gl.get("term_accuracy") is not None:
                line += f"; term accuracy {gl['term_accuracy']:.3f}"
                score = (gl.get("consistency") or {}).get("score")
                if score is not None:
                    line += f", consistency {score:.3f}"
            print(line)
        print(f"{res.doc.id}: wrote {', '.join(res.files.values())}", file=sys.stderr)
