"""Checkpoints and conversions that cannot work: one clear line each, never a traceback;
a damaged CTranslate2 conversion in the cache is made again instead of failing forever."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from mtalign.cli import main
from mtalign.engines import load_translator
from mtalign.errors import LanguageError, ModelError
from mtalign.models import (
    CT2_MARKER,
    check_checkpoint,
    convert_to_ct2,
    is_converted,
    load_problem,
    resolve_model,
)


def copy_model(src: Path, dst: Path, tag: str) -> Path:
    """A copy of a tiny checkpoint with its own revision (so its own CT2 conversion)."""
    shutil.copytree(src, dst)
    gen = dst / "generation_config.json"
    data = json.loads(gen.read_text(encoding="utf-8"))
    data["_test_tag"] = tag
    gen.write_text(json.dumps(data), encoding="utf-8")
    return dst


def edit_config(path: Path, **changes: object) -> None:
    cfg = path / "config.json"
    data = json.loads(cfg.read_text(encoding="utf-8"))
    data.update(changes)
    cfg.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("positions", [0, 4, 63, -1, True, "512", None, 1.5])
def test_too_few_positions_is_one_line_naming_the_file(tmp_path, tiny_en_tr, positions):
    model = copy_model(tiny_en_tr, tmp_path / "m", "positions")
    edit_config(model, max_position_embeddings=positions)
    with pytest.raises(ModelError) as info:
        check_checkpoint(model)
    message = str(info.value)
    assert "config.json: max_position_embeddings is" in message and "\n" not in message


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_translate_with_too_few_positions_exits_2_before_any_work(
    tmp_path, tiny_en_tr, capsys, engine
):
    model = copy_model(tiny_en_tr, tmp_path / "m", "positions-cli")
    edit_config(model, max_position_embeddings=8)
    src = tmp_path / "in.txt"
    src.write_text("Turkish soldiers were killed in an air strike near Idlib on Thursday.\n")
    argv = ["translate", str(src), "--to", "tr", "--src", "en", "--model", f"tr={model}"]
    assert main([*argv, "--engine", engine, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "max_position_embeddings is 8" in err and "Traceback" not in err


@pytest.fixture
def pickled_model(tmp_path, tiny_en_tr):
    """A checkpoint whose pytorch_model.bin holds an object torch will not load weights-only."""
    import torch
    from safetensors.torch import load_file

    model = copy_model(tiny_en_tr, tmp_path / "pickled", "pickled")
    weights = load_file(str(model / "model.safetensors"))
    weights["extra"] = argparse.Namespace(a=1)
    torch.save(weights, model / "pytorch_model.bin")
    (model / "model.safetensors").unlink()
    return model


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_weights_with_python_objects_are_one_clear_line(pickled_model, engine):
    model = resolve_model(pickled_model, src="en", tgt="tr")
    with pytest.raises(ModelError) as info:
        load_translator(engine, model, device="cpu", compute_type="float32", threads=1)
    message = str(info.value)
    assert "\n" not in message and "argparse.Namespace" in message
    # torch's weights-only loader (transformers) or mtalign's own torch-free reader
    # (CTranslate2 conversion) refuses it; either way the fix is safetensors.
    assert "weights_only" in message or "refusing to load it" in message
    assert "safetensors" in message
    assert "--engine transformers" not in message  # that engine would fail the same way


def test_weights_that_do_not_fit_the_config_are_one_clear_line(tmp_path, tiny_en_tr):
    model = copy_model(tiny_en_tr, tmp_path / "mismatch", "mismatch")
    cfg = json.loads((model / "config.json").read_text(encoding="utf-8"))
    edit_config(model, encoder_ffn_dim=cfg["encoder_ffn_dim"] * 2)
    resolved = resolve_model(model, src="en", tgt="tr")
    with pytest.raises(ModelError) as info:
        load_translator("transformers", resolved, device="cpu", compute_type="float32")
    message = str(info.value)
    assert "do not fit config.json" in message and "above report" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "error, expected",
    [
        (
            RuntimeError(
                "You set `ignore_mismatched_sizes` to `False`... look at the above report!"
            ),
            "do not fit config.json",
        ),  # fmt: skip
        (RuntimeError("Error(s) in loading state_dict:\n\tsize mismatch for x"), "do not fit"),
        (
            RuntimeError("Weights only load failed.\nUnsupported global: GLOBAL os.system was"),
            "(os.system)",
        ),  # fmt: skip
        (OSError("plain\nsecond line"), "plain"),
    ],
)
def test_load_problems_are_said_in_one_line(error, expected):
    said = load_problem(error)
    assert expected in said and "\n" not in said


@pytest.mark.parametrize("legacy_marker", [False, True])
def test_a_truncated_conversion_in_the_cache_is_made_again(tmp_path, tiny_en_tr, legacy_marker):
    model = resolve_model(
        copy_model(tiny_en_tr, tmp_path / "trunc", f"trunc-{legacy_marker}"), src="en", tgt="tr"
    )
    folder = convert_to_ct2(model, "float32")
    if legacy_marker:  # a conversion of an older mtalign: no sizes recorded
        marker = json.loads((folder / CT2_MARKER).read_text(encoding="utf-8"))
        marker.pop("sizes")
        (folder / CT2_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    weights = folder / "model.bin"
    size = weights.stat().st_size
    with weights.open("r+b") as fh:
        fh.truncate(size // 3)
    assert is_converted(folder) is legacy_marker  # sizes recorded: the damage is seen at once
    translator = load_translator("ctranslate2", model, device="cpu", compute_type="float32")
    try:
        assert weights.stat().st_size == size
        assert len(translator.translate(["Hello there."], _options())) == 1
    finally:
        translator.close()


def _options():
    from mtalign.engines.base import DecodeOptions

    return DecodeOptions(beam_size=1, max_length=4)


@pytest.mark.parametrize("pair", ["en-zz", "xx-tr", "en-qq:small"])
def test_models_check_of_an_unknown_pair_says_so(pair, capsys):
    assert main(["models", "check", pair]) == 2
    err = capsys.readouterr().err
    assert "unknown language pair" in err and "cache" not in err


def test_unknown_pair_is_a_language_error():
    from mtalign.pipeline.modelcheck import check_models

    with pytest.raises(LanguageError, match="en-zz: unknown language pair"):
        check_models(pairs=["en-zz"])
