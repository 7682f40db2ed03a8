"""The command line as a new user meets it, for every command (issue #10).

Table-driven: each (sub-)command gets a valid command line (``BASE``) that the tests spoil
in one way each (an unknown option, a missing value, a stray argument) or ask help for.
A spoiled command line must fail with exit 2 and one line naming the problem *before*
anything is read, loaded or written; help goes to stdout with exit 0 and shows every
option with its value form and default.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from mtalign.cli import main
from mtalign.cli.commands import all_paths, command
from mtalign.cli.help import describe

ROOT = Path(__file__).resolve().parents[1]
EN = "tests/data/glossary/sample.en.txt"
TR = "tests/data/glossary/sample.tr.txt"
GLOSSARY = "configs/glossaries/idlib.toml"

#: A valid command line per command; {out} is a folder that must never be created.
BASE: dict[tuple[str, ...], list[str]] = {
    ("translate",): [EN, "--to", "tr", "--model", "tr=models/en-tr", "--out", "{out}"],
    ("align",): [EN, TR, "--src-lang", "en", "--tgt-lang", "tr", "--out", "{out}/a.tsv"],
    ("evaluate",): ["--hyp", TR, "--ref", TR, "--lang", "tr", "--report", "{out}"],
    ("eval-suite",): ["configs/eval/idlib.toml", "--report", "{out}"],
    ("glossary", "check"): [EN, TR, "--glossary", GLOSSARY, "--tgt-lang", "tr", "--report", "{out}/r.json"],
    ("glossary", "fix"): [EN, TR, "--glossary", GLOSSARY, "--tgt-lang", "tr", "--out", "{out}/f.txt"],
    ("glossary", "show"): [GLOSSARY, "--langs", "tr"],
    ("glossary", "cldr"): ["--langs", "tr", "--out", "{out}/c.toml"],
    ("glossary", "mine"): [EN, TR, "--tgt-lang", "tr", "--out", "{out}/m.toml"],
    ("batch",): ["configs/jobs/example.toml", "--workers", "1"],
    ("models", "list"): [],
    ("models", "pull"): ["en-tr"],
    ("models", "use"): ["{out}"],
    ("models", "convert"): ["en-tr"],
    ("models", "check"): ["en-tr", "--model", "tr=models/en-tr", "--format", "json"],
    ("segment",): [EN, "--lang", "en"],
    ("detect",): [EN, "--per-paragraph"],
    ("serve",): ["--to", "tr", "--model", "tr=models/en-tr", "--port", "0"],
}  # fmt: skip
PATHS = all_paths()


def test_every_command_has_a_case():
    assert sorted(BASE) == sorted(PATHS)


@pytest.fixture()
def sandbox(tmp_path, monkeypatch):
    """Run in the repository, with a cache folder and an output folder that must stay absent."""
    monkeypatch.chdir(ROOT)
    home = tmp_path / "home"
    monkeypatch.setenv("MTALIGN_HOME", str(home))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    out = tmp_path / "out"
    yield out
    assert not out.exists(), "something was written"
    assert not home.exists(), "the mtalign cache was touched"
    assert not (tmp_path / "hf").exists(), "the HF cache was touched"


def _argv(path: tuple[str, ...], out: Path, *extra: str) -> list[str]:
    return [*path, *(a.replace("{out}", str(out)) for a in BASE[path]), *extra]


def _one_error_line(capsys) -> str:
    cap = capsys.readouterr()
    lines = [x for x in cap.err.splitlines() if x.strip()]
    assert len(lines) == 1, cap.err
    assert lines[0].startswith("mtalign: error: ") and "Traceback" not in cap.err
    assert cap.out == ""
    return lines[0]


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_unknown_option_fails_first_with_a_did_you_mean(path, sandbox, capsys):
    cmd = command(path)
    flag = cmd.options[0].flag if cmd.options else "--verbose"
    bad = flag + "x"
    assert main(_argv(path, sandbox, bad)) == 2
    line = _one_error_line(capsys)
    assert f"unknown option {bad} (did you mean {flag}?)" in line


@pytest.mark.parametrize(
    "path", [p for p in PATHS if any(o.kind != "flag" for o in command(p).options)], ids=" ".join
)
def test_missing_value(path, sandbox, capsys):
    opt = next(o for o in command(path).options if o.kind != "flag" and o.flag not in BASE[path])
    assert main(_argv(path, sandbox, opt.flag)) == 2
    assert f"{opt.flag}: missing value; expected {opt.metavar}" in _one_error_line(capsys)


@pytest.mark.parametrize(
    "path", [p for p in PATHS if not any(q.many for q in command(p).positionals)], ids=" ".join
)
def test_stray_argument(path, sandbox, capsys):
    assert main(_argv(path, sandbox, "stray.txt")) == 2
    assert "unexpected argument 'stray.txt'" in _one_error_line(capsys)


@pytest.mark.parametrize(
    "path",
    [p for p in PATHS if any(q.spec.required for q in command(p).positionals)],
    ids=" ".join,
)
def test_missing_argument(path, sandbox, capsys):
    assert main(list(path)) == 2
    assert "missing " + command(path).positionals[0].metavar in _one_error_line(capsys)


def test_align_without_paths_asks_for_them_or_a_pairs_list(sandbox, capsys):
    """align's paths are optional on the command line (--pairs takes none); the command asks."""
    assert main(["align", "--src-lang", "en", "--tgt-lang", "tr"]) == 2
    assert "expected SRC and at least one TGT file (or --pairs LIST)" in _one_error_line(capsys)


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
@pytest.mark.parametrize("how", ["-h", "--help", "at the end"])
def test_help(path, how, sandbox, capsys):
    argv = _argv(path, sandbox, "--help") if how == "at the end" else [*path, how]
    assert main(argv) == 0
    cap = capsys.readouterr()
    assert cap.err == ""
    page = cap.out
    cmd = command(path)
    assert page.startswith(f"usage: mtalign {cmd.name}")
    assert cmd.summary in page
    assert "INFO:" not in page and "Type:" not in page and "Optional[" not in page
    for pos in cmd.positionals:
        assert re.search(rf"^  {re.escape(pos.metavar)}\s+\S", page, re.M), pos.metavar
    for opt in cmd.options:
        row = f"{opt.flag} {opt.metavar}".rstrip()
        assert row in page, row
        assert describe(opt, cmd.overrides) in page
    for flag in ("-q, --quiet", "-v, --verbose", "--log-level", "-h, --help"):
        assert flag in page


def test_help_shows_value_forms_and_defaults(capsys):
    assert main(["translate", "--help"]) == 0
    page = capsys.readouterr().out
    assert re.search(r"--beam N\s+beam size of the search \(1 to 32\) \[default: 4\]", page)
    assert "--glossary-mode {off,check,enforce}" in page
    assert "--model LANG=MODEL" in page and "(repeatable)" in page
    assert "--to LANG[,LANG...]" in page and "(required)" in page
    assert "--progress, --no-progress" in page and "--no-cache" in page


def test_group_help_lists_sub_commands(capsys):
    for group, subs in (
        ("glossary", "check fix show cldr mine"),
        ("models", "list pull use convert check"),
    ):
        assert main([group, "-h"]) == 0
        page = capsys.readouterr().out
        assert page.startswith(f"usage: mtalign {group} SUB-COMMAND")
        assert [ln.split()[0] for ln in page.splitlines() if ln.startswith("  ")] == subs.split()


def test_top_help_lists_commands_in_readme_order(capsys):
    assert main(["--help"]) == 0
    page = capsys.readouterr().out
    listed = re.findall(r"^  ([a-z-]+) {2,}", page.split("commands:")[1].split("\n\n")[0], re.M)
    assert listed == [
        "translate", "align", "evaluate", "eval-suite", "glossary", "batch", "models",
        "segment", "detect", "serve",
    ]  # fmt: skip
    assert main([]) == 0 and capsys.readouterr().out == page


def test_evaluate_h_is_help_not_hyp(capsys):
    assert main(["evaluate", "-h"]) == 0
    assert capsys.readouterr().out.startswith("usage: mtalign evaluate --hyp FILE [FILE...]")


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_parameter_is_declared_once_and_defaults_agree(path):
    """Help, value form, bounds and default come from one declaration per option."""
    cmd = command(path)
    for item in [*cmd.positionals, *cmd.options]:
        assert item.spec.help, f"{cmd.name}: {item.dest} has no declaration"
    from mtalign.cli.commands import _target

    params = inspect.signature(_target(cmd.path)).parameters
    for opt in cmd.options:
        default = params[opt.dest].default
        declared = opt.spec.default
        if opt.kind == "flag" or default is None or cmd.overrides:
            continue
        if isinstance(declared, tuple):
            declared = ",".join(declared)
        assert str(default) == str(declared), f"{cmd.name} {opt.flag}: {default!r} != {declared!r}"


def test_one_spelling_for_negatives(capsys):
    pages = []
    for path in PATHS:
        main([*path, "--help"])
        pages.append(capsys.readouterr().out)
    text = "\n".join(pages)
    assert not re.search(r"--no(?!-)[a-z]", text)  # no Fire-style --noprogress
    assert "--no-progress" in text and "--no-cache" in text and "--no-gate" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["translate", EN, "--to", "tr", "ru", "--out", "{out}"], "--to takes a comma-separated list: --to tr,ru"),
        (["translate", EN, "--noprogress", "--to", "tr"], "did you mean --no-progress?"),
        (["translate", EN, "--to", "tr", "--force=yes"], "--force takes no value"),
        (["translate", EN, "--to", "tr", "--beam", "4", "--beam", "5"], "--beam is given twice"),
        (["translate", EN, "--to", "tr", "--beam", "64"], "--beam: must be at most 32"),
        (["translate", EN, "--to", "tr", "--engine", "marian"], "--engine: expected one of auto, ctranslate2, transformers"),
        (["translate", EN, "--to", "tr", "--out"], "--out: missing value; expected DIR|-"),
        (["translate", EN, "--to", "tr", "--model", "tr"], "expected LANG=MODEL"),
        (["align", EN, TR, "--langs", "en", "tr"], "--langs takes a comma-separated list: --langs en,tr"),
        (["evaluate", "--hyp", TR, "--ref", TR], "--lang LANG is required"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["transalte", EN], "did you mean translate?"),
        (["glossary", "chek"], "did you mean check?"),
        (["--log-level", "loud", "segment", EN], "--log-level: expected one of debug, info, warning, error"),
    ],
)  # fmt: skip
def test_command_line_mistakes(argv, message, sandbox, capsys):
    assert main([a.replace("{out}", str(sandbox)) for a in argv]) == 2
    assert message in _one_error_line(capsys)


def test_terminal_control_characters_are_escaped_in_errors(tmp_path, capsys):
    bad = tmp_path / "a\x1b[31mred.txt"
    assert main(["segment", str(bad), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31mred.txt" in err


def test_global_options_before_or_after_the_command(capsys):
    assert main(["-q", "segment", EN, "--lang", "en"]) == 0
    first = capsys.readouterr()
    assert main(["segment", EN, "--lang", "en", "--quiet"]) == 0
    assert capsys.readouterr().out == first.out != ""
