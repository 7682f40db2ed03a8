"""Damaged checkpoints: every file corrupted many ways gives one line naming the file.

The user's path is the real one: ``mtalign translate --model tr=DIR`` through
:func:`mtalign.cli.main`; the error must be one ``mtalign: error:`` line on stderr that
names the damaged file, exit code 2, no traceback.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from mtalign.errors import ModelError
from mtalign.models import DamagedFile, resolve_model

JSON_FILES = ("config.json", "vocab.json", "tokenizer_config.json", "generation_config.json")
FILES = (*JSON_FILES, "source.spm", "target.spm", "model.safetensors")


def _random(n: int, seed: int) -> bytes:
    return bytes(random.Random(seed).randrange(256) for _ in range(n))


def _corruptions(name: str, original: bytes) -> dict[str, bytes]:
    """Ways a file gets damaged: random bytes, empty, cut short, wrong encoding, wrong
    content of the right syntax."""
    out = {
        "random-1": _random(1, 1),
        "random-64": _random(64, 2),
        "random-4k": _random(4096, 3),
        "empty": b"",
        "half": original[: len(original) // 2],
        "tail-cut": original[:-7],
        "latin1-prefix": b"\xff\xfe\x00" + original,
        "zeros": bytes(len(original)),
    }
    if name.endswith(".json"):
        out |= {"array": b"[1, 2]", "string": b'"x"', "null": b"null", "deep": b"[" * 100_000}
    if name in ("config.json", "vocab.json"):
        out["empty-object"] = b"{}"
    if name == "vocab.json":
        vocab = json.loads(original)
        out["id-text"] = json.dumps({**vocab, "</s>": "zero"}).encode()
        out["id-too-big"] = json.dumps({**vocab, "\u2581x": 10**6}).encode()
        out["no-unk"] = json.dumps({k: v for k, v in vocab.items() if k != "<unk>"}).encode()
    if name == "config.json":
        config = json.loads(original)
        out["vocab-size-text"] = json.dumps({**config, "vocab_size": "big"}).encode()
    if name.endswith(".spm"):
        out["a-json-file"] = b'{"</s>": 0}'
    if name == "model.safetensors":
        out["header-only"] = original[:64]
        out["padded"] = original + b"\0" * 16
    return out


def _cases() -> list[tuple[str, str, str]]:
    from mtalign.testing import build_marian  # noqa: F401 - fails early if unavailable

    cases = []
    for family in ("tiny", "tiny-tc-big"):
        for name in (*FILES, *(("special_tokens_map.json",) if family == "tiny-tc-big" else ())):
            kinds = _corruptions(name, b'{"a": 1}' if name.endswith(".json") else b"x" * 64)
            cases += [(family, name, kind) for kind in kinds]
    return cases


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    from mtalign.testing import build_marian

    root = tmp_path_factory.mktemp("orig")
    return {p: build_marian(root / p, "en", "tr", preset=p) for p in ("tiny", "tiny-tc-big")}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("src") / "news.txt"
    path.write_text("The central bank kept its main rate at 4.5 percent.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("preset", "name", "kind"), _cases())
def test_damaged_file_is_named_in_one_line(tmp_path, originals, preset, name, kind):
    """Every file, every corruption: resolving the model (which every command does before
    any engine loads) raises a one-line ModelError that starts with the file's path."""
    broken = Path(shutil.copytree(originals[preset], tmp_path / "m"))
    target = broken / name
    target.write_bytes(_corruptions(name, target.read_bytes())[kind])
    with pytest.raises(ModelError) as info:
        resolve_model(broken, src="en", tgt="tr")
    message = str(info.value)
    assert "\n" not in message and str(target) in message, message


@pytest.mark.parametrize(
    ("preset", "name", "kind"),
    [("tiny", n, "random-64") for n in FILES]
    + [("tiny-tc-big", "special_tokens_map.json", "half")],
)
def test_command_line_prints_one_line(tmp_path, capsys, originals, source, preset, name, kind):
    """What the user sees: one ``mtalign: error:`` line naming the file, exit 2, no traceback."""
    from mtalign.cli import main

    broken = Path(shutil.copytree(originals[preset], tmp_path / "m"))
    target = broken / name
    target.write_bytes(_corruptions(name, target.read_bytes())[kind])
    code = main(["translate", str(source), "--to", "tr", "--src", "en", "--model",
                 f"tr={broken}", "--out", str(tmp_path / "out"), "--no-cache"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mtalign: error: "), err
    assert str(target) in lines[0], lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("engine", ["ctranslate2", "transformers"])
def test_library_raises_damaged_file_before_any_engine(tmp_path, originals, engine):
    broken = Path(shutil.copytree(originals["tiny-tc-big"], tmp_path / "m"))
    (broken / "source.spm").write_bytes(_random(300, 9))
    with pytest.raises(DamagedFile) as info:
        resolve_model(broken, src="en", tgt="tr")
    assert info.value.file == broken / "source.spm"
    assert "\n" not in str(info.value)


def test_damaged_copy_in_the_hf_cache(tmp_path, monkeypatch, originals):
    """A damaged cached file is not mistaken for a missing model: the fix is to delete the
    cached copy, since pulling again would keep the damaged blob."""
    from huggingface_hub import constants

    cache = tmp_path / "hf"
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / "models--Helsinki-NLP--opus-mt-tc-big-en-tr"
    snap = Path(shutil.copytree(originals["tiny-tc-big"], repo / "snapshots" / commit))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    (snap / "vocab.json").write_bytes(b"\x00\x01garbage")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    with pytest.raises(DamagedFile, match="not valid JSON") as info:
        resolve_model("en-tr")
    message = str(info.value)
    assert message.startswith(str(snap / "vocab.json"))
    assert f"delete {repo} and run `mtalign models pull en-tr` again" in message


def test_missing_file_is_not_called_damaged(tmp_path, originals):
    broken = Path(shutil.copytree(originals["tiny"], tmp_path / "m"))
    (broken / "target.spm").unlink()
    with pytest.raises(ModelError, match="missing target.spm") as info:
        resolve_model(broken, src="en", tgt="tr")
    assert not isinstance(info.value, DamagedFile)
