"""The command line: help, version, exit codes, argument normalisation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mtalign.cli import main
from mtalign.cli._args import as_bool, as_files, as_int, as_list, as_mapping, as_paths
from mtalign.cli.parse import parse
from mtalign.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "idlib.txt"


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mtalign", *args],
        capture_output=True, text=True, input=stdin, cwd=ROOT, timeout=120,
    )  # fmt: skip


def test_help_lists_every_command_without_importing_torch():
    code = (
        "import sys\n"
        "from mtalign.cli import main\n"
        "rc = main(['--help'])\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules]\n"
        "print('HEAVY', heavy, rc)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "HEAVY [] 0" in p.stdout
    for command in (
        "translate",
        "segment",
        "detect",
        "align",
        "evaluate",
        "eval-suite",
        "batch",
        "glossary",
        "models",
    ):
        assert f"\n  {command} " in p.stdout
    assert "eval_suite" not in p.stdout and not p.stderr


def test_import_mtalign_is_light():
    code = "import sys, mtalign, mtalign.pipeline; from mtalign import translate, detect, Glossary; from mtalign.api import align, evaluate, segment; print(sorted(m for m in ('torch','transformers','ctranslate2') if m in sys.modules))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip() == "[]"


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("mtalign ")


def test_segment_prints_ids(capsys):
    assert main(["segment", str(SEED), "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("idlib:0:0\t")
    assert all(line.count("\t") == 1 for line in lines)
    assert len(lines) > 20


def test_segment_jsonl(capsys):
    assert main(["segment", str(SEED), "--lang", "en", "--format", "jsonl"]) == 0
    recs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert recs[1]["id"] == "idlib:1:0" and recs[1]["lang"] == "en"


def test_detect_per_paragraph(capsys, tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_text(
        "Turkey and Russia agreed on a ceasefire in northern Syria on Thursday.\n"
        "Türkiye ve Rusya Perşembe günü Suriye'nin kuzeyinde ateşkes konusunda anlaştı.\n"
        "OK\n",
        encoding="utf-8",
    )
    assert main(["detect", str(f), "--per-paragraph"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [r[1] for r in rows] == ["en", "tr", "und"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["segment", "missing.txt", "--lang", "en"], "no such file"),
        (["segment", "tests", "--lang", "en"], "is a directory"),
        (["segment", "seeds/idlib.txt", "--lang", "xx"], "unknown language code"),
        (["segment", "seeds/idlib.txt", "--lang", "tr"], "looks like 'en'"),
        (["segment", "seeds/idlib.txt", "--format", "xml"], "--format"),
        (["translate", "seeds/idlib.txt", "--to", "qq"], "unknown language code"),
        (["translate", "seeds/idlib.txt"], "--to LANG[,LANG...] is required"),
        (["translate", "seeds/idlib.txt", "--to", "tr", "--beam", "0"], "--beam"),
        (["translate", "seeds/idlib.txt", "--to", "tr", "--model", "tr"], "LANG=MODEL"),
        (["detect"], "missing FILE..."),
    ],
)
def test_user_errors_exit_2_with_one_line(args, message):
    p = _run(*args)
    assert p.returncode == 2, p.stderr
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("mtalign: error:")
    assert message in lines[0]
    assert "Traceback" not in p.stderr


def test_unknown_command_exits_2():
    p = _run("frobnicate")
    assert p.returncode == 2


def test_stdin_input():
    p = _run("segment", "-", "--lang", "en", stdin="First sentence here. Second one follows.\n")
    assert p.returncode == 0
    assert p.stdout.splitlines() == [
        "stdin:0:0\tFirst sentence here.",
        "stdin:0:1\tSecond one follows.",
    ]


@pytest.mark.parametrize(
    "argv, args, kwargs",
    [
        (["translate", "2024", "--to", "tr,ru"], ["2024"], {"to": ("tr", "ru")}),
        (["segment", "a.txt", "--lang=no"], ["a.txt"], {"lang": "no"}),
        (["segment", "1e3", "--lang", "None"], ["1e3"], {"lang": "None"}),
        (["translate", "a,b.txt", "--to", "tr", "--out", "x,y"], ["a,b.txt"], {"out": "x,y"}),
        (["translate", "-", "--to", "tr", "--beam=4"], ["-"], {"beam": 4}),
        (["translate", "--to", "tr", "--", "-odd.txt"], ["-odd.txt"], {}),
    ],
)
def test_values_stay_strings_until_declared_types_convert_them(argv, args, kwargs):
    inv = parse(argv)
    assert inv.args == args
    for key, value in kwargs.items():
        assert inv.kwargs[key] == value


def test_several_values_and_repeats():
    inv = parse(
        [
            "evaluate",
            "--hyp",
            "a.txt",
            "b, c.txt",
            "--ref",
            "r.txt",
            "--hyp",
            "d.txt",
            "--lang",
            "tr",
        ]
    )
    assert inv.kwargs["hyp"] == ("a.txt", "b, c.txt", "d.txt")
    inv = parse(["translate", "in.txt", "--to", "tr,ru", "--model", "tr=/m/a,b", "--model", "ru=B"])
    assert inv.kwargs["model"] == {"tr": "/m/a,b", "ru": "B"}
    assert inv.args == ["in.txt"]  # --model takes one value, the input is not swallowed


@pytest.mark.parametrize(
    "value, expected",
    [("tr,ru", ["tr", "ru"]), (("tr", "ru"), ["tr", "ru"]), ("tr", ["tr"]), (2024, ["2024"]),
     (None, []), ("tr, ru ,", ["tr", "ru"])],
)  # fmt: skip
def test_as_list(value, expected):
    assert as_list(value) == expected


def test_other_normalisers():
    assert as_int("4", "beam") == 4 and as_int(4, "beam") == 4
    assert as_bool("no") is False and as_bool(True) is True
    assert as_mapping(("tr=/m/a", "ru=/m/b"), "model") == {"tr": "/m/a", "ru": "/m/b"}
    assert as_mapping({"TR": "/m/a"}, "model") == {"tr": "/m/a"}
    assert as_files("a,b.txt") == ["a,b.txt"] and as_files(("a", "b")) == ["a", "b"]
    assert as_paths([2024, "a.txt"]) == ["2024", "a.txt"]
    for bad in (lambda: as_int("four", "beam"), lambda: as_bool("maybe"), lambda: as_int(True)):
        with pytest.raises(InputError):
            bad()
