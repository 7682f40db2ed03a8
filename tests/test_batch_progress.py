"""A batch job's progress shows sentences as they finish, not only whole chunks of documents."""

from __future__ import annotations

from pathlib import Path

from mtalign.batch import run_job
from tests.test_batch import job_toml, write_records


def test_progress_shows_sentences_of_the_chunk_and_documents(
    tmp_path: Path, marian_tiny, capsys
) -> None:
    write_records(tmp_path / "docs.jsonl", 12)
    cfg = job_toml(tmp_path, {"tr": marian_tiny("tr")}, jsonl=["docs.jsonl"])
    summary = run_job(cfg, progress=True)
    assert summary.ok and summary.documents == 12
    err = capsys.readouterr().err
    # the chunk's sentence bar, counted in segments as they are translated
    assert "12 documents -> tr" in err and "seg" in err
    assert "12/12" in err  # and the job's document bar


def test_no_progress_prints_no_bars(tmp_path: Path, marian_tiny, capsys) -> None:
    write_records(tmp_path / "docs.jsonl", 3)
    cfg = job_toml(tmp_path, {"tr": marian_tiny("tr")}, jsonl=["docs.jsonl"])
    assert run_job(cfg, progress=False).ok
    err = capsys.readouterr().err
    assert "-> tr" not in err and "seg/s" not in err
