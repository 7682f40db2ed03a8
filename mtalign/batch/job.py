"""Running a job: lock, check the state, scan, pick what is left, run, summarise."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from mtalign.batch.config import JobConfig, load_job_config
from mtalign.batch.inputs import scan_inputs
from mtalign.batch.state import JobLock, JobState, clean_temp_files, job_file_names
from mtalign.batch.summary import JobSummary, RunStats, build_summary, write_summary
from mtalign.batch.work import DocWork, write_work
from mtalign.errors import ConfigError
from mtalign.io.outputs import check_output_dir
from mtalign.pipeline.session import load_glossary
from mtalign.progress import progress_bar

log = logging.getLogger(__name__)


class JobExists(ConfigError):
    """The output folder already holds this job and --resume was not given."""


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
    load_glossary(cfg.settings)  # a bad or empty glossary fails the job, not every document
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
            items = scan_inputs(cfg)
            entries = state.register(items, targets)
            owned = state.claim(job_file_names(entries, targets), out, cfg.overwrite, _CLAIM_FIX)
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
    bar = progress_bar(len(todo), cfg.name, "doc", progress)

    def sink(work: DocWork) -> None:
        # Files first, then the state: "done" is never ahead of what is on disk.
        done, failed = write_work(work, cfg, targets, owned)
        state.finish(work.entry.id, done, failed)
        run.documents_processed += 1
        run.segments_processed += sum(m.get("segments", 0) for m in done.values())
        if failed:
            bar.set_postfix_str(f"failed: {work.entry.id}"[:60], refresh=False)
        bar.update(1)

    try:
        if cfg.runner == "ray":
            from mtalign.batch.ray_runner import run_ray

            run_ray(cfg, todo, sink)
        else:
            from mtalign.batch.local import run_local

            run_local(cfg, todo, sink, session=session)
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
