"""``models pull --to DIR`` writes a folder to carry offline; ``models use DIR`` (or
``MTALIGN_MODELS=DIR``) makes its models the defaults. The hub is a fake: checkpoints laid
out as the Hugging Face cache lays out downloads, with downloads off."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mtalign.cli import main
from mtalign.models import load_registry, resolve_model
from tests.test_docs import _fake_hub

TARGETS = ("tr", "ru", "ar")
COMMIT = "0123456789abcdef0123456789abcdef01234567"  # what _fake_hub writes


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marian_tiny: Callable[..., Path]) -> Path:
    from tests import test_docs

    monkeypatch.setattr(
        test_docs, "HUB_MODELS", {t: load_registry().get("en", t).model for t in TARGETS}
    )
    _fake_hub(tmp_path / "hub", {t: marian_tiny(t) for t in TARGETS})
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("MTALIGN_MODELS", raising=False)
    return tmp_path / "hub"


def _pull(dest: Path, *pairs: str) -> None:
    assert main(["models", "pull", "--to", str(dest), *pairs]) == 0


def test_pull_to_writes_folders_registry_and_lock(hub: Path, tmp_path: Path) -> None:
    dest = tmp_path / "carry"
    _pull(dest, "en-tr", "en-ru", "en-ar")
    lock = json.loads((dest / "models.lock.json").read_text(encoding="utf-8"))
    assert sorted(lock["models"]) == ["en-ar", "en-ru", "en-tr"]
    for pair, info in lock["models"].items():
        assert info["revision"] == COMMIT
        assert info["model"] == load_registry().get(*pair.split("-")).model
        assert {"config.json", "model.safetensors", "vocab.json"} <= set(info["files"])
        weights = dest / pair / "model.safetensors"
        assert info["files"]["model.safetensors"]["size"] == weights.stat().st_size
        assert not weights.is_symlink()  # real files: the folder can be carried
    reg = load_registry(dest / "models.toml")
    assert reg.get("en", "ar").model == str((dest / "en-ar").resolve())
    assert reg.get("en", "ar").target_token == load_registry().get("en", "ar").target_token


def test_use_makes_the_folder_the_default_without_the_hub(
    hub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    dest = tmp_path / "carry"
    _pull(dest, "en-tr", "en-ar")
    (hub.parent / "moved-hub").mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hub.parent / "moved-hub"))  # no cache
    with pytest.raises(Exception, match="not in the Hugging Face cache"):
        resolve_model(src="en", tgt="tr")
    assert main(["models", "use", str(dest)]) == 0
    config = tmp_path / "config" / "mtalign" / "config.toml"
    assert str(dest.resolve()) in config.read_text(encoding="utf-8")
    tr = resolve_model(src="en", tgt="tr")
    assert tr.path == (dest / "en-tr").resolve() and tr.origin == "local"
    ar = resolve_model(src="en", tgt="ar")
    assert ar.target_token == load_registry().get("en", "ar").target_token
    src = tmp_path / "a.txt"
    src.write_text("The minister spoke.\n", encoding="utf-8")
    rc = main(["translate", str(src), "--to", "tr,ar", "--src", "en", "--out", str(tmp_path / "o")])
    assert rc == 0 and (tmp_path / "o" / "a.ar.txt").is_file()


def test_models_env_may_name_the_folder(hub: Path, tmp_path: Path, monkeypatch) -> None:
    dest = tmp_path / "carry"
    _pull(dest, "en-ru")
    monkeypatch.setenv("MTALIGN_MODELS", str(dest))
    assert resolve_model(src="en", tgt="ru").path == (dest / "en-ru").resolve()


def test_use_refuses_a_folder_without_a_registry(hub: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["models", "use", str(tmp_path / "empty")]) == 2
    assert "no such model folder" in capsys.readouterr().err


def test_a_registry_entry_may_point_at_a_folder(tmp_path: Path, marian_tiny) -> None:
    reg = tmp_path / "reg" / "models.toml"
    reg.parent.mkdir()
    (tmp_path / "reg" / "mine").symlink_to(marian_tiny("tr"))
    reg.write_text('[pairs.en-tr]\nmodel = "./mine"\n', encoding="utf-8")
    model = resolve_model(src="en", tgt="tr", registry=load_registry(reg))
    assert model.path == (tmp_path / "reg" / "mine").resolve() or model.path.samefile(
        marian_tiny("tr")
    )
    reg.write_text('[pairs.en-tr]\nmodel = "./missing"\n', encoding="utf-8")
    with pytest.raises(Exception, match="no such folder"):
        resolve_model(src="en", tgt="tr", registry=load_registry(reg))
