"""``mtalign align`` without --src-lang/--tgt-lang detects each file's language and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtalign.cli import main

EVAL = Path(__file__).resolve().parent / "data" / "eval"


@pytest.mark.parametrize(
    ("given", "src", "tgt"),
    [
        ([], "en", "tr"),
        (["--src-lang", "en"], "en", "ru"),
        (["--tgt-lang", "ar"], "en", "ar"),
    ],
)
def test_missing_languages_are_detected(
    tmp_path: Path, capsys, given: list[str], src: str, tgt: str
) -> None:
    out = tmp_path / "a.jsonl"
    files = [str(EVAL / f"idlib.{src}.txt"), str(EVAL / f"idlib.{tgt}.txt")]
    args = ["align", *files, *given, "--presegmented", "--method", "length", "--format", "jsonl"]
    assert main([*args, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    for flag, lang, path in (("--src-lang", src, files[0]), ("--tgt-lang", tgt, files[1])):
        said = f"{path}: detected {lang} ("
        assert (said in err) is (flag not in given), err
    head = out.read_text(encoding="utf-8").splitlines()[0]
    assert f'"{src}"' in head and f'"{tgt}"' in head


def test_too_little_text_asks_for_the_option(tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("42\n", encoding="utf-8")
    b.write_text("Merhaba dünya, bugün hava çok güzel ve herkes dışarıda.\n", encoding="utf-8")
    assert main(["align", str(a), str(b), "--out", str(tmp_path / "o.tsv")]) == 2
    err = capsys.readouterr().err
    assert "--src-lang" in err and "language" in err and err.count("mtalign: error") == 1
