"""``mtalign batch``."""

from __future__ import annotations

from typing import Any

from mtalign.cli import output
from mtalign.cli._args import as_bool, as_str
from mtalign.errors import InputError


def batch_command(
    config: Any,
    resume: Any = False,
    runner: Any = None,
    workers: Any = None,
    ray_address: Any = None,
    overwrite: Any = False,
) -> None:
    """Run a batch job config: translate every document into every target language.

    Writes NAME.LANG.EXT, NAME.aligned.jsonl and NAME.report.json per document, plus
    summary.json / summary.md, into the job's output_dir; --resume finishes an interrupted
    job; --runner local|ray; --workers N; --ray-address ADDRESS (an existing cluster).
    Exit code 1 when any document failed (the summary lists why).
    """
    from mtalign.batch import JobFailures, run_job
    from mtalign.settings import check_value
    from mtalign.settings.job import JobTable

    path = as_str(config, "config")
    if not path:
        raise InputError("give a job config, e.g. mtalign batch configs/jobs/example.toml")
    summary = run_job(
        path,
        resume=as_bool(resume, "resume"),
        runner=None if runner is None else check_value(JobTable, "runner", as_str(runner), False),
        workers=None if workers is None else check_value(JobTable, "workers", workers, False),
        ray_address=as_str(ray_address, "ray-address"),
        progress=output.progress(),
        overwrite=True if as_bool(overwrite, "overwrite") else None,
    )
    run = summary.to_dict()["run"]
    rate = f", {run['documents_per_second']} documents/s" if run["documents_per_second"] else ""
    output.line(
        f"{summary.name}: {summary.documents} documents, {summary.documents_done} done, "
        f"{summary.documents_failed} with failures, {summary.documents_pending} pending; "
        f"this run translated {run['documents_processed']} in {run['seconds']:.1f} s{rate}"
    )
    if summary.glossary and summary.glossary.get("all"):
        g = summary.glossary["all"]
        acc, cons = g.get("term_accuracy"), g.get("consistency")
        output.line(
            "glossary: term accuracy "
            + ("n/a" if acc is None else f"{acc:.3f}")
            + ", consistency "
            + ("n/a" if cons is None else f"{cons:.3f}")
        )
    output.note(f"summary: {summary.output_dir}/summary.md")
    if not summary.ok:
        first = summary.failures[0] if summary.failures else None
        detail = f"; first: {first['id']}: {first['reason']}" if first else ""
        raise JobFailures(
            f"{summary.documents_failed} of {summary.documents} documents failed "
            f"({summary.tasks['failed']} document x language tasks){detail}; "
            f"see {summary.output_dir}/summary.md, fix them and rerun with --resume"
        )
