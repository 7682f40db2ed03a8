"""Ctrl-C and SIGTERM end a command with one line that says how to finish the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_batch import job_toml, write_records

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("sig", "code", "said"),
    [(signal.SIGTERM, 143, "terminated (SIGTERM)"), (signal.SIGINT, 130, "interrupted")],
)
@pytest.mark.parametrize(
    ("resume", "how"),
    [(False, "rerun with --resume to finish"), (True, "rerun the same command to resume")],
)
def test_batch_stopped_says_how_to_resume(
    tmp_path: Path, marian_tiny, sig: signal.Signals, code: int, said: str, resume: bool, how: str
) -> None:
    write_records(tmp_path / "docs.jsonl", 200)
    cfg = job_toml(tmp_path, {"tr": marian_tiny("tr")}, jsonl=["docs.jsonl"])
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "mtalign", "batch", str(cfg), "--workers", "1"]
    proc = subprocess.Popen(
        cmd + (["--resume"] if resume else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "MTALIGN_HOME": str(tmp_path / "home")},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and any(n.endswith(".report.json") for n in os.listdir(out)):
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the job ended before it could be stopped"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err[-2000:]
    lines = [ln for ln in err.splitlines() if ln.startswith("mtalign: error")]
    assert len(lines) == 1 and said in lines[0] and how in lines[0], err[-2000:]
    assert "Traceback" not in err
