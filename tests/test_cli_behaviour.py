"""What the commands print, log and refuse (issue #10: output, logging, evaluate, align,
models), beyond parsing (tests/test_cli_surface.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtalign.cli import main

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "data" / "eval"
REF = str(EVAL / "idlib.tr.txt")
SHORT = str(ROOT / "tests" / "data" / "texts" / "en_short.txt")


def _mtalign(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mtalign", *args],
        capture_output=True, text=True, input=stdin, cwd=ROOT, timeout=300,
        env={**os.environ, **env},
    )  # fmt: skip


@pytest.fixture(scope="module")
def short_hyp(tmp_path_factory) -> str:
    """The Turkish reference without three of its lines."""
    lines = Path(REF).read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("hyp") / "missing.tr.txt"
    path.write_text("\n".join(x for i, x in enumerate(lines) if i not in (4, 5, 11)) + "\n")
    return str(path)


# --- evaluate -------------------------------------------------------------------------


def test_evaluate_reads_stdin_and_ends_with_signatures():
    p = _mtalign(
        "evaluate", "--hyp", "-", "--ref", REF, "--lang", "tr", stdin=Path(REF).read_text()
    )
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[2].startswith("stdin ")
    assert [x.split("|")[0] for x in lines[-3:]] == ["BLEU", "chrF2", "TER"]
    assert all("|nrefs:1|" in x and "|version:" in x for x in lines[-3:])


@pytest.mark.parametrize("args", [["--format", "json"], ["--report", "-"]])
def test_evaluate_json_to_stdout(args, capsys):
    assert (
        main(["evaluate", "--hyp", REF, "--ref", REF, "--lang", "tr", "--n-bootstrap", "0", *args])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    bleu = data["evaluations"][0]["systems"][0]["scores"]["bleu"]
    assert bleu["score"] == 100.0 and bleu["signature"].startswith("nrefs:1|")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "html"], "--format html: an HTML page needs a place to go"),
        (["--format", "json,md"], "--format: stdout takes one format"),
        (["--format", "pdf"], "unknown report format 'pdf'"),
    ],
)
def test_evaluate_format_mistakes_fail_before_scoring(args, message, capsys):
    assert main(["evaluate", "--hyp", REF, "--ref", REF, "--lang", "tr", *args]) == 2
    cap = capsys.readouterr()
    assert message in cap.err and cap.out == ""


def test_evaluate_report_folder_and_table(tmp_path, capsys):
    argv = ["evaluate", "--hyp", REF, "--ref", REF, "--lang", "tr", "--n-bootstrap", "0"]
    assert main([*argv, "--report", str(tmp_path / "r"), "--format", "md"]) == 0
    assert [p.name for p in (tmp_path / "r").iterdir()] == ["report.md"]
    assert "BLEU|nrefs:1" in capsys.readouterr().out


def test_evaluate_line_counts_differ_unless_realign(short_hyp, capsys):
    argv = ["evaluate", "--hyp", short_hyp, "--ref", REF, "--lang", "tr", "--n-bootstrap", "0"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "has 25 lines" in err and "has 28" in err and "--realign" in err
    assert main([*argv, "--realign"]) == 0
    assert "missing.tr" in capsys.readouterr().out


def test_evaluate_checks_the_reference_language(capsys):
    ru = str(EVAL / "idlib.ru.txt")
    assert main(["evaluate", "--hyp", REF, "--ref", ru, "--lang", "tr"]) == 2
    err = capsys.readouterr().err
    assert "reference" in err and "looks like 'ru'" in err and "--lang" in err


# --- align ----------------------------------------------------------------------------


def test_align_presegmented_checks_languages_and_names_the_flag(capsys):
    en, ru = str(EVAL / "idlib.en.txt"), str(EVAL / "idlib.ru.txt")
    argv = ["align", en, ru, "--src-lang", "en", "--tgt-lang", "tr", "--presegmented"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "looks like 'ru'" in err and "fix --tgt-lang" in err and "--src " not in err
    assert main(["align", ru, en, "--langs", "en,ru", "--presegmented"]) == 2
    assert "fix --langs" in capsys.readouterr().err


def test_align_tmx_leaves_out_one_language_units(short_hyp, tmp_path, capsys):
    en = str(EVAL / "idlib.en.txt")
    base = ["align", en, short_hyp, "--src-lang", "en", "--tgt-lang", "tr", "--presegmented"]
    base += ["--method", "length", "--format", "tmx", "--out"]
    assert main([*base, str(tmp_path / "a.tmx")]) == 0
    assert "left out 3 one-language units" in capsys.readouterr().err
    assert main([*base, str(tmp_path / "b.tmx"), "--keep-unaligned"]) == 0
    assert "left out" not in capsys.readouterr().err
    from mtalign.io.tmx import read_tmx

    assert len(read_tmx(tmp_path / "a.tmx")[1]) == 25
    assert len(read_tmx(tmp_path / "b.tmx")[1]) == 28


# --- models ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pair, listed", [("xx-tr", "from xx or into tr: en-tr"), ("en-qq", "en-ar, en-de")]
)
def test_models_pull_of_an_implausible_pair(pair, listed, capsys):
    assert main(["models", "pull", pair]) == 2
    err = capsys.readouterr().err
    assert "not in the model registry" in err and "not a language code" in err and listed in err


# --- output and logging ---------------------------------------------------------------


def test_quiet_verbose_and_no_third_party_output(tmp_path, tiny_en_tr):
    base = ["translate", SHORT, "--to", "tr", "--src", "en", "--model", f"tr={tiny_en_tr}"]
    base += ["--beam", "1", "--no-cache"]
    env = {"MTALIGN_HOME": str(tmp_path / "home")}
    loud = _mtalign("-v", *base, "--out", str(tmp_path / "v"), "--engine", "transformers", **env)
    assert loud.returncode == 0, loud.stderr
    for decision in (
        "model local:",
        "from the translation memory",
        "batches of at most",
        "loading",
    ):
        assert decision in loud.stderr, decision
    assert "segments translated in" in loud.stderr
    # transformers' "Loading weights" bar and warnings do not leak (stderr is no terminal)
    assert "Loading weights" not in loud.stderr and "it/s" not in loud.stderr
    assert "Warning" not in loud.stderr


def test_quiet_prints_nothing_but_the_outputs(tmp_path, tiny_en_tr, monkeypatch, capsys):
    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    base = ["translate", SHORT, "--to", "tr", "--src", "en", "--model", f"tr={tiny_en_tr}"]
    assert main(["-q", *base, "--beam", "1", "--out", str(tmp_path / "q")]) == 0
    cap = capsys.readouterr()
    assert cap.out == "" and cap.err == ""
    assert (tmp_path / "q" / "en_short.tr.txt").exists()
    assert main([*base, "--beam", "1", "--out", str(tmp_path / "p")]) == 0  # from the cache
    cap = capsys.readouterr()
    assert "en_short: en->tr 7 segments (7 cached" in cap.out and "wrote" in cap.err
