"""``mtalign glossary`` commands through Fire (the way the top-level CLI calls them)."""

from __future__ import annotations

import json
from pathlib import Path

import fire
import pytest

from mtalign.cli.glossary import Glossary, TermCheckFailed
from mtalign.errors import InputError
from mtalign.glossary.formats import load_glossary
from mtalign.glossary.mine import source_candidates

ROOT = Path(__file__).resolve().parents[1]
IDLIB = str(ROOT / "configs/glossaries/idlib.toml")

SRC = ["Erdogan met Putin in Moscow.", "The U.N. Security Council met.", "Nothing here."]
HYP = ["Erdoganın Putin ile Moskova'da görüşmesi.", "Güvenlik Konseyi toplandı.", "Hiçbir şey."]


def call(*args: str) -> None:
    fire.Fire(Glossary, command=list(args), name="glossary")


@pytest.fixture
def files(tmp_path):
    s, h = tmp_path / "src.txt", tmp_path / "hyp.txt"
    s.write_text("\n".join(SRC) + "\n", encoding="utf-8")
    h.write_text("\n".join(HYP) + "\n", encoding="utf-8")
    return s, h


def test_check_prints_table_and_writes_report(files, tmp_path, capsys):
    s, h = files
    rep = tmp_path / "r.json"
    call("check", str(s), str(h), "--glossary", IDLIB, "--tgt-lang", "tr", "--report", str(rep))
    out = capsys.readouterr().out
    assert "Erdoganın" in out and "variant" in out and "term accuracy 75.0%" in out
    data = json.loads(rep.read_text(encoding="utf-8"))
    assert data["totals"]["variant"] == 1 and data["totals"]["ok"] == 3
    assert data["occurrences"][0]["fix"] == "Erdoğan'ın"


def test_check_strict_fails(files):
    s, h = files
    with pytest.raises(TermCheckFailed) as err:
        call("check", str(s), str(h), "--glossary", IDLIB, "--tgt-lang", "tr", "--strict")
    assert err.value.exit_code == 1


def test_check_needs_aligned_files(files, tmp_path):
    s, _ = files
    short = tmp_path / "short.txt"
    short.write_text("tek satır\n", encoding="utf-8")
    with pytest.raises(InputError, match="line-aligned"):
        call("check", str(s), str(short), "--glossary", IDLIB, "--tgt-lang", "tr")


def test_fix_writes_output(files, tmp_path, capsys):
    s, h = files
    out = tmp_path / "fixed.txt"
    call("fix", str(s), str(h), "--glossary", IDLIB, "--tgt-lang", "tr", "--out", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Erdoğan'ın Putin ile Moskova'da görüşmesi."
    assert lines[1:] == HYP[1:]
    printed = capsys.readouterr().out
    assert "before:" in printed and "after:" in printed


def test_show_lists_forms(capsys):
    call("show", IDLIB, "--langs", "ru")
    out = capsys.readouterr().out
    assert "Белого дома" in out and "Эрдогану" in out


def test_cldr_builds_countries(tmp_path):
    out = tmp_path / "countries.toml"
    call("cldr", "--langs", "tr,ru,ar", "--out", str(out))
    g = load_glossary(out)
    assert len(g) == 249 and {t.type for t in g.terms} == {"LOC"}
    sy = next(t for t in g.terms if t.id == "cldr-sy")
    assert sy.targets == {"tr": "Suriye", "ru": "Сирия", "ar": "سوريا"}
    assert not any(t.id in ("cldr-eu", "cldr-un", "cldr-zz") for t in g.terms)


def test_mine_writes_reviewable_draft(tmp_path):
    s, t = tmp_path / "s.txt", tmp_path / "t.txt"
    s.write_text(
        "Erdogan met Putin.\nPutin called Erdogan.\nThe Kremlin said Putin left.\n"
        "The Kremlin spoke.\n",
        encoding="utf-8",
    )
    t.write_text(
        "Erdoğan Putin ile görüştü.\nPutin Erdoğan'ı aradı.\n"
        "Kremlin, Putin'in ayrıldığını söyledi.\nKremlin konuştu.\n",
        encoding="utf-8",
    )
    out = tmp_path / "draft.toml"
    call("mine", str(s), str(t), "--tgt-lang", "tr", "--out", str(out))
    g = load_glossary(out)
    got = {t.source[0]: t.targets["tr"] for t in g.terms}
    assert got["Putin"] == "Putin" and got["Erdogan"] == "Erdoğan" and got["Kremlin"] == "Kremlin"
    assert "# draft:" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("The U.N. says Mr. Erdogan met Bashar al-Assad.", ["U.N", "Erdogan", "Bashar al-Assad"]),
        ("It rained on Friday in Ankara.", ["Ankara"]),
        ("NATO ambassadors met.", ["NATO"]),
    ],
)
def test_source_candidates(text, want):
    assert source_candidates(text) == want
