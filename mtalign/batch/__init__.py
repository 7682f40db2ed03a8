"""Batch jobs: many documents, several languages, resumable, locally or on Ray.

``mtalign batch configs/jobs/NAME.toml [--resume] [--runner local|ray] [--workers N]``
is :func:`run_job`; the config format is described in ``configs/jobs/example.toml``.
"""

from __future__ import annotations

from mtalign.batch.config import JobConfig, load_job_config
from mtalign.batch.inputs import safe_name
from mtalign.batch.job import JobExists, run_config, run_job
from mtalign.batch.summary import JobSummary
from mtalign.errors import MtalignError

__all__ = [
    "JobConfig",
    "JobExists",
    "JobFailures",
    "JobSummary",
    "load_job_config",
    "run_config",
    "run_job",
    "safe_name",
]


class JobFailures(MtalignError):
    """The job ran to the end but some documents failed (exit code 1)."""

    exit_code = 1
