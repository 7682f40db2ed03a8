"""Dataset jobs: JSONL / Parquet corpora in, sharded JSONL / Parquet datasets out.

``[output] format = "jsonl" | "parquet"`` turns a batch job into a dataset job. Its inputs
(``[inputs] jsonl`` / ``parquet``, globs of shards, JSONL optionally gzip or zstd) are cut
into **units** of ``shard_rows`` input rows; each unit becomes one shard of each output
dataset (``data/``, ``sentences/``, ``failures/``), written whole or not at all. The job
state records one row per unit, so it stays small at corpus scale, and a killed job loses at
most the units in flight. ``manifest.json`` lists every shard with its rows and digest.
"""

from __future__ import annotations

import glob
import json
import logging
import math
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mtalign.batch.config import JobConfig, JobExists
from mtalign.batch.dataset_io import count_rows, file_digest, input_kind, remove_unit_temps
from mtalign.batch.dataset_rows import UnitStats
from mtalign.batch.dataset_unit import DATA, FAILURES, SENTENCES, Unit, UnitResult
from mtalign.batch.inputs import safe_name
from mtalign.batch.state import SUMMARY_FILES, JobState
from mtalign.batch.summary import JobSummary, RunStats, aggregate_glossary, write_summary
from mtalign.errors import ConfigError, InputError
from mtalign.io import atomic_write_text

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_SUBDIRS = (DATA, SENTENCES, FAILURES)
_UNITS_SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    name TEXT PRIMARY KEY,
    input TEXT NOT NULL,
    start INTEGER NOT NULL,
    stop INTEGER NOT NULL,
    digest TEXT NOT NULL,
    files TEXT NOT NULL,
    stats TEXT NOT NULL,
    updated REAL NOT NULL
);
"""
#: Failures listed in the summary (all of them are in the failures dataset).
SUMMARY_FAILURES = 100


# --------------------------------------------------------------------------- planning


def expand_inputs(cfg: JobConfig) -> list[str]:
    """Every input file of the job, sorted, each once; a glob that matches nothing fails."""
    out_dir = os.path.realpath(cfg.output_dir)
    found: list[str] = []
    for pattern in (*cfg.jsonl, *cfg.parquet):
        paths = sorted(
            p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)
        ) if glob.has_magic(pattern) else [pattern]  # fmt: skip
        paths = [p for p in paths if not os.path.realpath(p).startswith(out_dir + os.sep)]
        if not paths:
            raise InputError(
                f"{cfg.path}: [inputs] {pattern!r} matched no files; fix the glob "
                "(relative paths start at the config's folder)"
            )
        for p in paths:
            if not os.path.isfile(p):
                raise InputError(f"{p}: no such file; fix [inputs] in {cfg.path}")
        found.extend(paths)
    return list(dict.fromkeys(os.path.normpath(p) for p in found))


def _stem(path: str, root: str) -> str:
    rel = os.path.relpath(os.path.realpath(path), root).replace(os.sep, "/")
    for ext in (".gz", ".zst", ".zstd", ".jsonl", ".json", ".ndjson", ".parquet"):
        if rel.endswith(ext):
            rel = rel[: -len(ext)]
    return safe_name(rel)


def plan_units(cfg: JobConfig, inputs: Sequence[str]) -> list[Unit]:
    """Cut every input into units of ``shard_rows`` rows, named ``STEM-NNNNN``."""
    if not inputs:
        return []
    root = os.path.commonpath([os.path.dirname(os.path.realpath(p)) for p in inputs])
    units: list[Unit] = []
    seen: set[str] = set()
    size = cfg.output.shard_rows
    for path in inputs:
        kind = input_kind(path)
        stem = _stem(path, root)
        while stem.casefold() in seen:
            stem += "_"
        seen.add(stem.casefold())
        digest = file_digest(path)
        rows = count_rows(path, kind)
        rel = os.path.relpath(path, cfg.base_dir)
        label = path if rel.startswith("..") else rel
        for k in range(math.ceil(rows / size)):
            start = k * size
            stop = min(rows, start + size)
            units.append(Unit(f"{stem}-{k:05d}", path, kind, start, stop, digest, label))
    return units


# --------------------------------------------------------------------------- state


class UnitTable:
    """The job state's ``units`` table: one row per finished unit, with its files."""

    def __init__(self, state: JobState) -> None:
        self.state = state
        state.db.run(lambda db: db.executescript(_UNITS_SCHEMA))

    def done(self) -> dict[str, dict[str, Any]]:
        rows = self.state.db.query(
            "SELECT name, input, start, stop, digest, files, stats FROM units"
        )
        out = {}
        for name, inp, start, stop, digest, files, stats in rows:
            out[name] = {
                "input": inp,
                "start": start,
                "stop": stop,
                "digest": digest,
                "files": self.state._json(files, f"the files of unit {name!r}"),
                "stats": self.state._json(stats, f"the counts of unit {name!r}"),
            }
        return out

    def finish(self, unit: Unit, res: UnitResult) -> None:
        files = {k: [asdict(p) for p in v] for k, v in res.files.items()}
        row = (
            unit.name, unit.input, unit.start, unit.stop, unit.digest,
            json.dumps(files), json.dumps(res.stats.to_json(), ensure_ascii=False), time.time(),
        )  # fmt: skip

        def write(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)

        self.state.db.transaction(write)

    def drop(self, names: Iterable[str]) -> None:
        rows = [(n,) for n in names]
        if rows:
            self.state.db.transaction(
                lambda db: db.executemany("DELETE FROM units WHERE name = ?", rows)
            )

    def has_work(self) -> bool:
        return bool(self.state.db.query("SELECT 1 FROM units LIMIT 1"))


def _complete(out: Path, rec: dict[str, Any], unit: Unit) -> bool:
    """Whether a recorded unit matches the plan and all its files are in place."""
    if (rec["digest"], rec["start"], rec["stop"], rec["input"]) != (
        unit.digest, unit.start, unit.stop, unit.input,
    ):  # fmt: skip
        return False
    for parts in rec["files"].values():
        for p in parts:
            path = out / p["path"]
            if not path.is_file() or path.stat().st_size != p["bytes"]:
                log.warning("%s is missing or changed; redoing unit %s", path, unit.name)
                return False
    return True


def _remove_files(out: Path, rec: dict[str, Any], keep: set[str]) -> None:
    """Remove a unit's recorded parts that are not in ``keep`` (only the job's own files)."""
    for parts in rec.get("files", {}).values():
        for p in parts:
            if p["path"] not in keep:
                try:
                    (out / p["path"]).unlink()
                except FileNotFoundError:
                    pass


# --------------------------------------------------------------------------- running


def run_dataset(
    cfg: JobConfig,
    state: JobState,
    inputs: Sequence[str],
    resume: bool,
    progress: bool | None,
    session: Any,
    t_start: float,
) -> JobSummary:
    """Run (or resume) a dataset job; the caller holds the lock and opened the state."""
    out = Path(cfg.output_dir)
    table = UnitTable(state)
    resumed = table.has_work()
    state.check_config(cfg.digest(), cfg.digest_fields(), cfg.path, fresh=not resumed)
    if resumed and not resume:
        raise JobExists(
            f"{out} already holds dataset job {cfg.name!r} (state in {state.path.name}); "
            "rerun with --resume to finish it (finished shards are kept), or set another "
            "output_dir"
        )
    units = plan_units(cfg, inputs)
    if not units:
        raise InputError(f"{cfg.path}: the inputs hold no records; add some or fix [inputs]")
    _claim(state, out, units, cfg)
    done = table.done()
    planned = {u.name for u in units}
    stale = [n for n in done if n not in planned]
    for n in stale:
        _remove_files(out, done[n], set())
    table.drop(stale)
    todo = [u for u in units if not (u.name in done and _complete(out, done[u.name], u))]
    for u in todo:
        remove_unit_temps(out, _SUBDIRS, u.name)
    run = RunStats(
        runner=cfg.runner, workers=cfg.workers, resumed=resumed, documents_todo=_rows(todo)
    )
    run.setup_seconds = round(time.perf_counter() - t_start, 3)

    def sink(unit: Unit, res: UnitResult) -> None:
        old = done.get(unit.name)
        table.finish(unit, res)
        if old is not None:
            new = {p.path for parts in res.files.values() for p in parts}
            _remove_files(out, old, new)
        run.documents_processed += res.stats.records
        run.segments_processed += sum(s.get("segments", 0) for s in res.stats.langs.values())

    if todo:
        log.info("%s: %d of %d shards to translate", cfg.name, len(todo), len(units))
        _execute(cfg, todo, sink, progress, session)
    run.seconds = round(time.perf_counter() - t_start, 3)
    final = table.done()
    write_manifest(cfg, units, final)
    summary = dataset_summary(cfg, units, final, run)
    write_summary(summary, out)
    return summary


def _rows(units: Sequence[Unit]) -> int:
    return sum(u.stop - u.start for u in units)


def _claim(state: JobState, out: Path, units: Sequence[Unit], cfg: JobConfig) -> None:
    """Refuse a folder holding files of the job's first part names it did not write."""
    names = [MANIFEST, *SUMMARY_FILES]
    fmt = cfg.output.format
    ext = "parquet" if fmt == "parquet" else None
    for u in units:
        for sub in _SUBDIRS:
            for e in [ext] if ext else ["jsonl", "jsonl.gz", "jsonl.zst"]:
                names.append(f"{sub}/{u.name}-000.{e}")
    state.claim(
        names,
        out,
        cfg.overwrite,
        "choose another output_dir, or set overwrite = true in [job] to let the job replace them",
    )


def _execute(
    cfg: JobConfig,
    todo: Sequence[Unit],
    sink: Callable[[Unit, UnitResult], None],
    progress: bool | None,
    session: Any,
) -> None:
    from mtalign.progress import progress_bar

    bar = progress_bar(_rows(todo), cfg.name, "rec", progress)  # the name is escaped there
    sentences = 0

    def tick(records: int, sents: int) -> None:
        nonlocal sentences
        sentences += sents
        bar.set_postfix_str(f"{sentences} sentences", refresh=False)
        bar.update(records)

    try:
        if cfg.runner == "ray":
            from mtalign.batch.dataset_ray import run_units_ray

            run_units_ray(cfg, todo, sink, tick)
        else:
            run_units_local(cfg, todo, sink, tick, session)
    finally:
        bar.close()


def run_units_local(
    cfg: JobConfig,
    todo: Sequence[Unit],
    sink: Callable[[Unit, UnitResult], None],
    tick: Callable[[int, int], None] | None = None,
    session: Any = None,
) -> None:
    """Process units one after the other in this process (models loaded once)."""
    from mtalign.batch.dataset_unit import process_unit
    from mtalign.pipeline import TranslationSession, set_threads

    own = session is None
    if session is None:
        set_threads(cfg.settings)
        session = TranslationSession(cfg.settings)
    try:
        src = cfg.settings.src
        if src not in (None, "auto"):
            session.prepare([(src, t) for t in cfg.settings.targets if t != src])
        for unit in todo:
            sink(unit, process_unit(unit, cfg, session, tick))
    finally:
        if own:
            session.close()


# --------------------------------------------------------------------------- results


def write_manifest(cfg: JobConfig, units: Sequence[Unit], done: dict[str, dict[str, Any]]) -> None:
    """``manifest.json``: every finished shard with its input rows, files, rows and digests.

    Holds nothing that changes between runs (no times), so a resumed job's manifest is the
    same as an uninterrupted run's.
    """
    shards = []
    totals: Counter[str] = Counter()
    for u in units:
        rec = done.get(u.name)
        if rec is None:
            continue
        files = rec["files"]
        for sub, parts in files.items():
            totals[sub] += sum(p["rows"] for p in parts)
        shards.append(
            {
                "unit": u.name,
                "input": u.where,
                "input_sha256": u.digest,
                "rows": [u.start, u.stop],
                **{sub: files.get(sub, []) for sub in _SUBDIRS if sub in files},
            }
        )
    manifest = {
        "name": cfg.name,
        "format": cfg.output.format,
        "targets": list(cfg.settings.targets),
        "settings_digest": cfg.digest(),
        "units": len(units),
        "units_done": len(shards),
        "rows": {sub: totals.get(sub, 0) for sub in _SUBDIRS},
        "shards": shards,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    atomic_write_text(Path(cfg.output_dir) / MANIFEST, text)


def dataset_summary(
    cfg: JobConfig, units: Sequence[Unit], done: dict[str, dict[str, Any]], run: RunStats
) -> JobSummary:
    """The job summary over every finished unit (records count as documents)."""
    targets = list(cfg.settings.targets)
    total = _rows(units)
    stats = [done[u.name]["stats"] for u in units if u.name in done]
    langs: dict[str, dict[str, Any]] = {}
    flags: dict[str, Counter[str]] = {}
    gloss: dict[str, list[dict[str, Any]]] = {}
    for st in stats:
        for t, s in st.get("langs", {}).items():
            agg = langs.setdefault(t, dict.fromkeys(
                ("done", "failed", "pending", "segments", "cached", "retried",
                 "flagged_segments"), 0))  # fmt: skip
            for k in ("done", "failed", "segments", "cached", "retried", "flagged_segments"):
                agg[k] += s.get(k, 0)
            flags.setdefault(t, Counter()).update(s.get("flags", {}))
            if s.get("glossary"):
                gloss.setdefault(t, []).append(s["glossary"])
    recorded = sum(st.get("records", 0) for st in stats)
    for t in targets:
        langs.setdefault(t, dict.fromkeys(
            ("done", "failed", "pending", "segments", "cached", "retried",
             "flagged_segments"), 0))["pending"] = total - recorded  # fmt: skip
    glossary = None
    if gloss:
        glossary = {t: aggregate_glossary(v) for t, v in gloss.items()}
        glossary["all"] = aggregate_glossary([g for v in gloss.values() for g in v])
    failures = [f for st in stats for f in st.get("failures", [])][:SUMMARY_FAILURES]
    return JobSummary(
        name=cfg.name,
        config=cfg.path,
        output_dir=cfg.output_dir,
        targets=targets,
        documents=total,
        documents_done=sum(st.get("done", 0) for st in stats),
        documents_failed=sum(st.get("failed", 0) for st in stats),
        documents_pending=total - recorded,
        tasks={
            "done": sum(v["done"] for v in langs.values()),
            "failed": sum(v["failed"] for v in langs.values()),
            "pending": sum(v["pending"] for v in langs.values()),
        },
        languages=langs,
        failures=failures,
        run=run,
        glossary=glossary,
        quality_flags={t: dict(sorted(c.items())) for t, c in flags.items() if c},
    )


def check_dataset_config(cfg: JobConfig) -> None:
    """Settings a dataset job cannot honour, refused before any work."""
    if cfg.output.format == "jsonl" and cfg.output.compression == "snappy":
        raise ConfigError(
            f"{cfg.path}: [output] compression 'snappy' is for Parquet; use gzip, zstd or none"
        )


__all__ = [
    "MANIFEST",
    "UnitStats",
    "check_dataset_config",
    "expand_inputs",
    "plan_units",
    "run_dataset",
    "run_units_local",
    "write_manifest",
]
