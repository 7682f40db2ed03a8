"""Running a job: lock, check the state, scan, pick what is left, run, summarise."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from mtalign.batch.config import JobConfig, JobExists, load_job_config
from mtalign.batch.inputs import scan_inputs
from mtalign.batch.state import (
    SUMMARY_FILES,
    JobLock,
    JobState,
    clean_temp_files,
    job_file_names,
)
from mtalign.batch.summary import JobSummary, RunStats, build_summary, write_summary
from mtalign.batch.work import DocWork, write_work
from mtalign.io.outputs import check_not_inputs, check_output_dir
from mtalign.pipeline.session import load_glossary
from mtalign.progress import progress_bar, progress_enabled
from mtalign.safetext import printable

log = logging.getLogger(__name__)


_CLAIM_FIX = (
    "choose another output_dir, or set overwrite = true in [job] to let the job replace them"
)


def run_config(
    cfg: JobConfig,
    resume: bool = False,
    progress: bool | None = None,
    session: Any = None,
) -> JobSummary:
    """Run (or resume) the job described by ``cfg``; returns its summary.

    ``session`` (local runner only) lets tests inject a TranslationSession with fake engines.
    """
    t_start = time.perf_counter()
    out = Path(cfg.output_dir)
    targets = cfg.settings.targets
    # Where the job writes is checked before anything is read or made.
    check_output_dir(out, f"{cfg.path}: [job] output_dir")
    _check_not_inputs(cfg, out)
    load_glossary(cfg.settings)  # a bad or empty glossary fails the job, not every document
    # Inputs are found before the state is made: a job that finds none leaves nothing.
    if cfg.dataset:
        return _run_dataset(cfg, resume, progress, session, t_start)
    items = scan_inputs(cfg)
    with JobLock(out):
        state = JobState(cfg.state_path)
        try:
            resumed = state.has_work()
            if resumed:
                state.check_config(cfg.digest(), cfg.digest_fields(), cfg.path)
                if not resume:
                    raise JobExists(
                        f"{out} already holds job {cfg.name!r} (state in {state.path.name}); "
                        "rerun with --resume to finish it (finished documents are kept), "
                        "or set another output_dir"
                    )
            else:
                state.check_config(cfg.digest(), cfg.digest_fields(), cfg.path, fresh=True)
            entries = state.register(items, targets)
            names = job_file_names(entries, targets)
            # A JSONL input inside output_dir (a glob there skips our outputs, a named
            # file does not): with overwrite = true the job could write over it.
            check_not_inputs(
                {str(out / n): f"{cfg.path}: [job] output_dir" for n in names},
                sorted({it.path for it in items}),
            )
            owned = state.claim(names, out, cfg.overwrite, _CLAIM_FIX)
            removed = clean_temp_files(out, owned)
            todo = state.todo(entries, targets, out)
            run = RunStats(
                runner=cfg.runner,
                workers=cfg.workers,
                resumed=resumed,
                documents_todo=len(todo),
                temp_files_removed=removed,
            )
            run.setup_seconds = round(time.perf_counter() - t_start, 3)
            if todo:
                log.info("%s: %d of %d documents to translate", cfg.name, len(todo), len(entries))
                _execute(cfg, todo, state, run, progress, session, owned)
            run.seconds = round(time.perf_counter() - t_start, 3)
            summary = build_summary(
                cfg.name,
                cfg.path,
                str(out),
                targets,
                state.rows(e.id for e in entries),
                run,
            )
            write_summary(summary, out)
        finally:
            state.close()
    return summary


def _check_not_inputs(cfg: JobConfig, out: Path) -> None:
    """The job's own files (state, lock, summaries, cache) are none of its inputs."""
    what = f"{cfg.path}: [job] output_dir"
    written = {str(out / n): what for n in (cfg.state_path.name, *SUMMARY_FILES)}
    if cfg.settings.cache and cfg.settings.cache_path:
        written[str(cfg.settings.cache_path)] = f"{cfg.path}: [translate] cache_path"
    check_not_inputs(written, [cfg.path, *cfg.settings.glossary])


def _run_dataset(
    cfg: JobConfig, resume: bool, progress: bool | None, session: Any, t_start: float
) -> JobSummary:
    """A dataset job ([output] format = jsonl | parquet): its inputs are found before the
    state is made, as a files job's are."""
    from mtalign.batch.dataset import expand_inputs, run_dataset

    inputs = expand_inputs(cfg)
    with JobLock(Path(cfg.output_dir)):
        state = JobState(cfg.state_path)
        try:
            return run_dataset(cfg, state, inputs, resume, progress, session, t_start)
        finally:
            state.close()


def _execute(
    cfg: JobConfig,
    todo: list[Any],
    state: JobState,
    run: RunStats,
    progress: bool | None,
    session: Any,
    owned: set[str],
) -> None:
    targets = cfg.settings.targets
    enabled = progress_enabled(progress)
    bar = progress_bar(len(todo), cfg.name, "doc", enabled)  # the name is escaped there

    def sink(work: DocWork) -> None:
        # Files first, then the state: "done" is never ahead of what is on disk.
        done, failed = write_work(work, cfg, targets, owned)
        state.finish(work.entry.id, done, failed)
        run.documents_processed += 1
        run.segments_processed += sum(m.get("segments", 0) for m in done.values())
        if failed:
            bar.set_postfix_str(printable(f"failed: {work.entry.id}")[:60], refresh=False)
        bar.update(1)

    try:
        if cfg.runner == "ray":
            from mtalign.batch.ray_runner import run_ray

            run_ray(cfg, todo, sink)
        else:
            from mtalign.batch.local import run_local

            run_local(cfg, todo, sink, session=session, progress=enabled)
    finally:
        bar.close()


def run_job(
    config_path: str | os.PathLike[str],
    resume: bool = False,
    runner: str | None = None,
    workers: int | None = None,
    ray_address: str | None = None,
    progress: bool | None = None,
    overwrite: bool | None = None,
) -> JobSummary:
    """Run the batch job of a TOML config (``mtalign batch``); returns the summary.

    Failed documents do not raise: check ``summary.ok`` / ``summary.failures``.
    ``overwrite`` (default: ``[job] overwrite``) lets the job replace files in its output
    folder that it did not write.
    """
    cfg = load_job_config(config_path).with_overrides(
        runner=runner, workers=workers, ray_address=ray_address, overwrite=overwrite
    )
    return run_config(cfg, resume=resume, progress=progress)
