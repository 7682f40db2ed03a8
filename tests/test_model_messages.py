"""What a missing model says: a folder that is not there, several pairs at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtalign.cli import main
from mtalign.errors import ModelError
from mtalign.models import resolve_model


@pytest.fixture
def empty_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("spec", "make_parent", "hub_part"),
    [
        ("my-models/en-tr", True, False),  # the parent folder is there: surely a path
        ("my-models/en-tr", False, True),  # could be an owner/name id: both are said
        ("./en-tr", False, False),
        ("a/b/c", False, False),
    ],
)
def test_missing_folder_says_no_such_folder(
    empty_hub: Path, spec: str, make_parent: bool, hub_part: bool
) -> None:
    if make_parent:
        (empty_hub / "my-models").mkdir()
    with pytest.raises(ModelError) as err:
        resolve_model(spec, src="en", tgt="tr")
    msg = str(err.value)
    assert msg.startswith("no such folder: ")
    assert ("Hugging Face cache" in msg) is hub_part
    assert "\n" not in msg


def test_several_missing_pairs_are_named_in_one_message(empty_hub: Path, capsys) -> None:
    src = empty_hub / "a.txt"
    src.write_text("Hello there.\n", encoding="utf-8")
    rc = main(["translate", str(src), "--to", "tr,ru,ar", "--src", "en", "--out", "o"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("mtalign: error") == 1
    assert "no usable model for 3 pairs (en-tr, en-ru, en-ar)" in err
    assert "mtalign models pull en-tr en-ru en-ar" in err
    assert not (empty_hub / "o").exists() or not any((empty_hub / "o").iterdir())


def test_progress_bar_says_converting_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marian_tiny, capsys
) -> None:
    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MTALIGN_TM", str(tmp_path / "tm.sqlite"))
    src = tmp_path / "a.txt"
    src.write_text("The minister spoke.\n\nTalks go on.\n", encoding="utf-8")
    args = ["translate", str(src), "--to", "tr", "--src", "en", "--progress",
            "--model", f"tr={marian_tiny('tr')}", "--engine", "ctranslate2"]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "o1")]) == 0
    first = capsys.readouterr().err
    assert "converting local:en-tr to CTranslate2 (int8, once)" in first
    assert main([*args, "--out", str(tmp_path / "o2"), "--no-cache"]) == 0
    second = capsys.readouterr().err
    assert "converting" not in second and "loading local:en-tr" in second
