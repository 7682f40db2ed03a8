"""Align many document pairs in one run: one model load, resumable, local or on Ray.

``mtalign align --pairs PAIRS.tsv --out DIR`` reads a list of pairs (``SRC<TAB>TGT``, then
optionally ``SRC_LANG<TAB>TGT_LANG<TAB>NAME``; ``#`` starts a comment; paths are relative
to the list's folder) and writes ``DIR/NAME.EXT`` per pair (plus ``NAME.report.json`` with
``--report``). The job state is the batch jobs' SQLite state (``DIR/.mtalign-align.sqlite``)
with the same rules: a pair is marked done only after its file is in place; a rerun needs
``--resume`` and skips finished pairs whose files exist; changed settings stop the rerun; a
pair whose input changed is redone; an output folder is locked while a run works in it.
Workers only compute; the driver writes every file and all state.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mtalign.batch.align_work import (
    AlignJobSettings,
    PairSpec,
    align_pair,
    make_embedder,
    output_names,
)
from mtalign.batch.inputs import InputItem
from mtalign.batch.state import DONE, JobLock, JobState, clean_temp_files
from mtalign.errors import InputError
from mtalign.files import read_regular
from mtalign.io.outputs import check_output_dir
from mtalign.progress import progress_bar

log = logging.getLogger(__name__)

STATE_FILE = ".mtalign-align.sqlite"
TASK = "align"


def read_pairs(
    path: str, src_lang: str | None = None, tgt_lang: str | None = None
) -> list[PairSpec]:
    """The pairs listed in a TSV file (languages default to ``src_lang`` / ``tgt_lang``)."""
    from mtalign.batch.inputs import safe_name
    from mtalign.io.lines import read_lines
    from mtalign.langid import normalize_lang

    base = Path(path).parent
    out: list[PairSpec] = []
    seen: set[str] = set()
    for k, line in enumerate(read_lines(path, "pairs", allow_empty=True), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.rstrip("\r\n").split("\t")]
        if len(cols) not in (2, 4, 5) or not all(cols):
            raise InputError(
                f"{path}:{k}: expected SRC<TAB>TGT[<TAB>SRC_LANG<TAB>TGT_LANG[<TAB>NAME]], "
                f"got {len(cols)} column(s): {line.strip()[:80]!r}"
            )
        sl, tl = (cols[2], cols[3]) if len(cols) >= 4 else (src_lang, tgt_lang)
        if not sl or not tl:
            raise InputError(
                f"{path}:{k}: no languages for this pair; add SRC_LANG and TGT_LANG columns "
                "or give --src-lang and --tgt-lang"
            )
        src, tgt = (str(p if Path(p).is_absolute() else base / p) for p in cols[:2])
        name = safe_name(cols[4] if len(cols) == 5 else Path(cols[0]).stem)
        if name.casefold() in seen:
            name = f"{name}-{len(out) + 1}"
        seen.add(name.casefold())
        out.append(PairSpec(name, src, tgt, normalize_lang(sl), normalize_lang(tl)))
    if not out:
        raise InputError(f"{path}: no pairs listed (one SRC<TAB>TGT per line)")
    return out


def _item(spec: PairSpec) -> InputItem:
    h = hashlib.sha256(f"{spec.src_lang}\t{spec.tgt_lang}\n".encode())
    for p in (spec.src, spec.tgt):
        try:
            h.update(read_regular(p))
        except InputError:  # missing, or a pipe that must not be waited on: fails when read
            h.update(f"missing {p}".encode())
    return InputItem(spec.name, f"{spec.src} | {spec.tgt}", spec.src, None, "txt", h.hexdigest())


def _todo(
    state: JobState,
    specs: Sequence[PairSpec],
    names: dict[str, str],
    out: Path,
    settings: AlignJobSettings,
) -> list[PairSpec]:
    statuses = state.statuses()
    present = set(os.listdir(out)) if out.is_dir() else set()
    todo = []
    for s in specs:
        done = statuses.get(s.name, {}).get(TASK) == DONE
        if done and all(f in present for f in output_names(names[s.name], settings)):
            continue
        todo.append(s)
    return todo


def run_align_job(
    specs: Sequence[PairSpec],
    out_dir: str,
    settings: AlignJobSettings,
    resume: bool = False,
    runner: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    progress: bool | None = None,
    manifest: str = "pairs",
) -> dict[str, Any]:
    """Align every pair not yet done into ``out_dir``; returns the run's summary."""
    from mtalign.batch.job import JobExists

    t0 = time.perf_counter()
    out = Path(out_dir)
    check_output_dir(out, "--out")  # before any file is read or model loaded
    with JobLock(out):
        state = JobState(out / STATE_FILE)
        try:
            resumed = state.has_work()
            if resumed and not resume:
                raise JobExists(
                    f"{out} already holds an alignment job (state in {STATE_FILE}); rerun "
                    "with --resume to finish it (finished pairs are kept), or use another --out"
                )
            state.check_config(settings.digest(), settings.fields(), manifest, fresh=not resumed)
            entries = state.register([_item(s) for s in specs], [TASK])
            names = {e.id: e.name for e in entries}
            files = [f for e in entries for f in output_names(e.name, settings)]
            owned = state.claim([*files, "summary.json"], out, fix="or use another --out")
            clean_temp_files(out, owned)
            todo = _todo(state, specs, names, out, settings)
            stats = {"load": 0.0, "embed": 0.0, "dp": 0.0, "read": 0.0, "done": 0, "failed": 0}

            def sink(spec: PairSpec, result: dict[str, Any] | None, error: str | None) -> None:
                _write_result(out, names[spec.name], spec, settings, state, result, error, stats)

            if todo:
                run = _run_ray if runner == "ray" else _run_local
                run(todo, settings, sink, stats, workers, ray_address, progress)
            return _summary(out, specs, todo, state, stats, resumed, time.perf_counter() - t0)
        finally:
            state.close()


def _write_result(
    out: Path,
    name: str,
    spec: PairSpec,
    settings: AlignJobSettings,
    state: JobState,
    result: dict[str, Any] | None,
    error: str | None,
    stats: dict[str, Any],
) -> None:
    from mtalign.io.atomic import atomic_write_text

    if result is None:
        state.finish(spec.name, {}, {TASK: error or "failed"})
        stats["failed"] += 1
        return
    files = output_names(name, settings)
    atomic_write_text(out / files[0], result["text"])
    if settings.report:
        atomic_write_text(
            out / files[1], json.dumps(result["report"], ensure_ascii=False, indent=1)
        )
    m = result["metrics"]
    for k in ("embed", "dp", "read"):
        stats[k] += m[f"seconds_{k}"]
    state.finish(spec.name, {TASK: m}, {})
    stats["done"] += 1


def _progress(total: int, progress: bool | None) -> Any:
    return progress_bar(total, "align", "pair", progress)


def _run_local(
    todo: list[PairSpec], settings: AlignJobSettings, sink: Callable[..., None],
    stats: dict[str, Any], workers: int | None, ray_address: str | None,
    progress: bool | None,
) -> None:  # fmt: skip
    from mtalign.errors import MtalignError

    t = time.perf_counter()
    embedder = make_embedder(settings)
    if embedder is not None:
        embedder.embed(["."])  # load now, so load time is counted apart from embedding
    stats["load"] = round(time.perf_counter() - t, 3)
    with _progress(len(todo), progress) as bar:
        for spec in todo:
            try:
                sink(spec, align_pair(spec, settings, embedder), None)
            except MtalignError as exc:
                log.warning("%s: %s", spec.name, exc)
                sink(spec, None, str(exc))
            bar.update(1)


def _run_ray(
    todo: list[PairSpec], settings: AlignJobSettings, sink: Callable[..., None],
    stats: dict[str, Any], workers: int | None, ray_address: str | None,
    progress: bool | None,
) -> None:  # fmt: skip
    from mtalign.batch.align_ray import run_pairs_on_ray

    run_pairs_on_ray(todo, settings, sink, workers or (os.cpu_count() or 1), ray_address)


def _summary(
    out: Path,
    specs: Sequence[PairSpec],
    todo: Sequence[PairSpec],
    state: JobState,
    stats: dict[str, Any],
    resumed: bool,
    seconds: float,
) -> dict[str, Any]:
    from mtalign.io.atomic import atomic_write_text

    statuses = state.statuses()
    done = sum(1 for s in specs if statuses.get(s.name, {}).get(TASK) == DONE)
    summary = {
        "pairs": len(specs),
        "done": done,
        "failed": [s.name for s in specs if statuses.get(s.name, {}).get(TASK) == "failed"],
        "aligned_this_run": stats["done"],
        "skipped_finished": len(specs) - len(todo),
        "resumed": resumed,
        "seconds": round(seconds, 3),
        "seconds_load": round(stats["load"], 3),
        "seconds_read": round(stats["read"], 3),
        "seconds_embed": round(stats["embed"], 3),
        "seconds_dp": round(stats["dp"], 3),
        "pairs_per_second": round(stats["done"] / seconds, 3) if seconds > 0 else None,
    }
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=1) + "\n")
    return summary
