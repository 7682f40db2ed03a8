"""A job killed with SIGKILL at random moments and resumed ends exactly like an unbroken one.

The job runs in a subprocess on the tiny models; it is killed right after a random number
of documents have reports on disk, plus a random few milliseconds (so some kills land
inside a file write or a state commit). The resumed run must leave every document once
per language, nothing half-written, the same bytes as an uninterrupted run, and must not
redo documents that were finished.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtalign.batch import run_job
from mtalign.batch.state import JobState
from tests.test_batch import job_toml, read_outputs, write_records

N_DOCS = 30
SEEDS = (11, 22, 33)
_CHILD = (
    "import sys; from mtalign.batch import run_job; "
    "run_job(sys.argv[1], resume=True, progress=False)"
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, marian_tiny):
    """An uninterrupted run of the job, and a factory of identical fresh jobs."""
    models = {"tr": marian_tiny("tr"), "ru": marian_tiny("ru")}

    def make(root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        write_records(root / "docs.jsonl", N_DOCS)
        return job_toml(root, models, jsonl=["docs.jsonl"])

    cfg = make(tmp_path_factory.mktemp("reference"))
    summary = run_job(cfg)
    assert summary.ok and summary.documents == N_DOCS
    return make, read_outputs(cfg.parent / "out")


def _kill_after(cfg: Path, rng: random.Random) -> int:
    """Start the job, SIGKILL it after a random number of finished reports; returns it."""
    target = rng.randint(1, N_DOCS - 2)
    out = cfg.parent / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            done = (
                sum(1 for n in os.listdir(out) if n.endswith(".report.json")) if out.is_dir() else 0
            )
            if done >= target:
                time.sleep(rng.uniform(0, 0.03))
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return target


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_then_resume_gives_complete_unduplicated_outputs(tmp_path, reference, seed):
    make, expected = reference
    rng = random.Random(seed)
    cfg = make(tmp_path)
    target = _kill_after(cfg, rng)
    out = tmp_path / "out"

    state = JobState(out / ".mtalign-job.sqlite")
    try:
        done_before = state.db.query(
            "SELECT COUNT(DISTINCT doc_id) FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM tasks u "
            "WHERE u.doc_id = t.doc_id AND u.status != 'done')"
        )[0][0]
    finally:
        state.close()

    summary = run_job(cfg, resume=True)
    assert summary.ok, summary.failures
    assert summary.documents == N_DOCS
    # Finished work is not redone (a document whose files were all written but not yet
    # marked done when the kill came is the only one that may be repeated).
    assert summary.run.documents_processed == N_DOCS - done_before
    assert done_before >= target - 1
    got = read_outputs(out)
    assert sorted(got) == sorted(expected)  # each document once per language, no extras
    assert got == expected  # nothing half-written: same bytes as the unbroken run
    leftovers = [n for n in os.listdir(out) if n.endswith(".tmp")]
    assert not leftovers
