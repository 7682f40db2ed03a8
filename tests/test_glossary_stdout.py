"""``glossary fix --out -`` and ``glossary mine --out -`` write to stdout, reports to stderr."""

from __future__ import annotations

import tomllib
from pathlib import Path

from mtalign.cli import main
from tests.test_glossary_cli import HYP, IDLIB, SRC


def call(*args: str) -> None:
    """Through the real command line (which hands Fire ``--out='-'``)."""
    assert main(["glossary", *args]) == 0


def _files(tmp_path: Path, src: list[str], hyp: list[str]) -> tuple[Path, Path]:
    s, h = tmp_path / "src.txt", tmp_path / "hyp.txt"
    s.write_text("\n".join(src) + "\n", encoding="utf-8")
    h.write_text("\n".join(hyp) + "\n", encoding="utf-8")
    return s, h


def test_fix_out_dash_writes_the_text_to_stdout(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s, h = _files(tmp_path, SRC, HYP)
    call("fix", str(s), str(h), "--glossary", IDLIB, "--tgt-lang", "tr", "--out", "-")
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines == ["Erdoğan'ın Putin ile Moskova'da görüşmesi.", *HYP[1:]]
    assert "before:" in captured.err and "after:" in captured.err
    assert not (tmp_path / "-").exists()


def test_mine_out_dash_writes_toml_to_stdout(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s, t = _files(
        tmp_path,
        ["Erdogan met Putin.", "Putin called Erdogan.", "The Kremlin said Putin left."],
        ["Erdoğan Putin ile görüştü.", "Putin Erdoğan'ı aradı.", "Kremlin, Putin'in ayrıldı."],
    )
    call("mine", str(s), str(t), "--tgt-lang", "tr", "--out", "-")
    captured = capsys.readouterr()
    data = tomllib.loads(captured.out)  # stdout is exactly the TOML draft
    assert data
    assert "draft terms to stdout" in captured.err
    assert not (tmp_path / "-").exists()
