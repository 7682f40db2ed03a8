"""``mtalign evaluate`` prints what ``sacrebleu REF -i HYP -m bleu chrf ter`` prints (issue 23).

Generated hypothesis files (lines of the Turkish test article with words dropped, swapped
or replaced, some lines emptied) are scored by our command line and by sacrebleu's own,
run as ``python -m sacrebleu`` in a subprocess, with matching options: the same metric
names, scores, confidence intervals and signatures, line for line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.cli import main

REF = Path(__file__).parent / "data" / "eval" / "idlib.tr.txt"
REF_LINES = REF.read_text(encoding="utf-8").splitlines()

#: (our options, sacrebleu's options for the same thing)
OPTIONS = [
    ([], []),
    (["--tokenize", "intl"], ["-tok", "intl"]),
    (["--metrics", "bleu,chrf++,ter"], ["--chrf-word-order", "2"]),
    (["--confidence", "--n-bootstrap", "40", "--seed", "7"], ["--confidence", "-cin", "40"]),
]
_CELL = re.compile(r"(-?\d+\.\d+)(?: ± (\d+\.\d+))?")


@st.composite
def hypotheses(draw) -> list[str]:
    """A degraded copy of the reference, line for line."""
    out = []
    for line in REF_LINES:
        words = line.split()
        op = draw(st.sampled_from(["keep", "drop", "swap", "empty", "replace"]))
        if op == "drop" and len(words) > 1:
            del words[draw(st.integers(0, len(words) - 1))]
        elif op == "swap" and len(words) > 1:
            i = draw(st.integers(0, len(words) - 2))
            words[i], words[i + 1] = words[i + 1], words[i]
        elif op == "empty":
            words = []
        elif op == "replace" and words:
            words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(["ve", "bir", "."]))
        out.append(" ".join(words))
    if not any(out):
        out[0] = REF_LINES[0]
    return out


def sacrebleu_json(hyp: Path, extra: list[str], seed: str) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "sacrebleu", str(REF), "-i", str(hyp), "-m", "bleu", "chrf",
         "ter", "-w", "2", "-f", "json", *extra],
        capture_output=True, text=True, check=True, env={**os.environ, "SACREBLEU_SEED": seed},
    )  # fmt: skip
    return json.loads(proc.stdout)


def ours(hyp: Path, extra: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["evaluate", "--hyp", str(hyp), "--ref", str(REF), "--lang", "tr", *extra]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(("mine", "theirs"), OPTIONS, ids=["bare", "intl", "chrf++", "ci"])
@settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(lines=hypotheses())
def test_same_numbers_and_signatures_as_sacrebleu(tmp_path, capsys, mine, theirs, lines):
    hyp = tmp_path / "sys.tr.txt"
    hyp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seed = "7" if "--seed" in mine else "12345"
    expected = sacrebleu_json(hyp, theirs, seed)
    out = ours(hyp, mine, capsys)
    # The table's header names the metrics as sacrebleu does; the last lines are NAME|signature.
    header = out[1].split()
    assert header[1:4] == [d["name"] for d in expected]
    assert out[-3:] == [f"{d['name']}|{d['signature']}" for d in expected]
    cells = _CELL.findall(out[2][len("sys.tr") :])[:3]
    for (value, half), d in zip(cells, expected, strict=True):
        assert float(value) == d["score"], d["name"]
        if "confidence_var" in d:
            assert float(half) == d["confidence_var"], d["name"]
        elif "--confidence" in mine:  # sacrebleu hides an interval whose mean is 0 (TER 0)
            assert float(half) == 0.0, d["name"]
        else:
            assert half == ""


def test_bare_signatures_carry_no_resampling_fields(tmp_path, capsys):
    hyp = tmp_path / "copy.tr.txt"
    hyp.write_text(REF.read_text(encoding="utf-8"), encoding="utf-8")
    out = ours(hyp, [], capsys)
    assert [x.split("|")[0] for x in out[-3:]] == ["BLEU", "chrF2", "TER"]
    assert all("bs:" not in x and "seed:" not in x for x in out[-3:])
    assert "nw:0" in out[-2]
