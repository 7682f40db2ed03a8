"""The numpy conversion to CTranslate2 (no torch) against CTranslate2's own converter.

The reference is ``ctranslate2.converters.TransformersConverter`` (it loads the checkpoint
into transformers and needs torch, which the test environment has). Same bytes in
``model.bin``/``config.json``/vocabulary for every tiny preset and storage type, the same
tokens from both, and ``pytorch_model.bin`` read without torch gives the same model.
"""

from __future__ import annotations

import filecmp
import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mtalign.errors import ModelError
from mtalign.models.convert import _write_ct2
from mtalign.models.tensors import read_tensors
from mtalign.testing import build_marian
from mtalign.testing.presets import PRESETS

TINY_PRESETS = [name for name, p in PRESETS.items() if p.layers <= 2]
FILES = ("model.bin", "config.json", "shared_vocabulary.json", "source.spm", "target.spm")


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("numpy-convert")
    return {p: build_marian(root / p, "en", "tr", preset=p, seed=3) for p in TINY_PRESETS}


def _reference(model: Path, out: Path, quantization: str) -> Path:
    from ctranslate2.converters import TransformersConverter

    conv = TransformersConverter(str(model), copy_files=["source.spm", "target.spm"])
    conv.convert(str(out), quantization=quantization, force=True)
    return out


def _ours(model: Path, out: Path, quantization: str) -> Path:
    out.mkdir(parents=True)
    _write_ct2(model, out, quantization)
    return out


@pytest.mark.parametrize("quantization", ["float32", "int8", "float16", "int8_float32"])
@pytest.mark.parametrize("preset", TINY_PRESETS)
def test_same_files_as_ctranslate2s_converter(
    checkpoints: dict[str, Path], tmp_path: Path, preset: str, quantization: str
) -> None:
    ref = _reference(checkpoints[preset], tmp_path / "ref", quantization)
    ours = _ours(checkpoints[preset], tmp_path / "ours", quantization)
    for name in FILES:
        assert filecmp.cmp(ref / name, ours / name, shallow=False), name


@pytest.mark.parametrize("preset", TINY_PRESETS)
def test_same_tokens_as_ctranslate2s_converter(
    checkpoints: dict[str, Path], tmp_path: Path, preset: str
) -> None:
    import ctranslate2

    from mtalign.models import MarianCodec

    model = checkpoints[preset]
    codec = MarianCodec(model)
    sources = [codec.encode_source(t) for t in ("Hello there.", "The minister spoke.", "a")]
    outs = []
    for name, convert in (("ref", _reference), ("ours", _ours)):
        tr = ctranslate2.Translator(str(convert(model, tmp_path / name, "int8")), device="cpu")
        outs.append([r.hypotheses[0] for r in tr.translate_batch(sources, max_decoding_length=12)])
    assert outs[0] == outs[1]
    assert all(len(h) == 12 for h in outs[0])  # the tiny models run to the limit


def _save_bin(model: Path, out: Path, dtype: str | None = None) -> Path:
    """A copy of ``model`` with its weights as torch's zip-format pytorch_model.bin."""
    import torch
    from safetensors.torch import load_file

    shutil.copytree(model, out)
    state = load_file(str(out / "model.safetensors"))
    if dtype is not None:
        state = {k: v.to(getattr(torch, dtype)) for k, v in state.items()}
    (out / "model.safetensors").unlink()
    torch.save(state, out / "pytorch_model.bin")
    return out


@pytest.mark.parametrize("preset", TINY_PRESETS)
def test_pytorch_bin_without_torch_same_as_safetensors(
    checkpoints: dict[str, Path], tmp_path: Path, preset: str
) -> None:
    model = checkpoints[preset]
    binned = _save_bin(model, tmp_path / "bin")
    a = read_tensors(model / "model.safetensors")
    b = read_tensors(binned / "pytorch_model.bin")
    assert sorted(a) == sorted(b)
    for key in a:
        assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key]), key
    ours = _ours(binned, tmp_path / "ours", "int8")
    ref = _ours(model, tmp_path / "ref", "int8")
    assert filecmp.cmp(ref / "model.bin", ours / "model.bin", shallow=False)


def test_bfloat16_bin_is_widened_to_float32(checkpoints: dict[str, Path], tmp_path: Path) -> None:
    import torch

    binned = _save_bin(checkpoints["tiny"], tmp_path / "bf16", dtype="bfloat16")
    got = read_tensors(binned / "pytorch_model.bin")
    want = torch.load(binned / "pytorch_model.bin", weights_only=True)
    for key, value in want.items():
        assert got[key].dtype == np.float32
        assert np.array_equal(got[key], value.float().numpy()), key


def test_strided_tensor_is_read_in_logical_order(tmp_path: Path) -> None:
    import torch

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    state = {"t": base.t(), "slice": base[1:3, 2:5], "scalar": torch.tensor(7.0)}
    torch.save(state, tmp_path / "pytorch_model.bin")
    got = read_tensors(tmp_path / "pytorch_model.bin")
    for key, value in state.items():
        assert np.array_equal(got[key], value.numpy()), key


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return (os.system, ("echo pwned",))


def test_a_bin_with_other_globals_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pytorch_model.bin"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"x": _Evil()}))
    with pytest.raises(ModelError, match=r"refusing to load it"):
        read_tensors(path)


def test_a_zip_without_a_pickle_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "pytorch_model.bin"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/other.txt", "x")
    with pytest.raises(ModelError, match=r"no single data\.pkl"):
        read_tensors(path)


@pytest.mark.parametrize("preset", TINY_PRESETS)
def test_numpy_built_checkpoint_loads_like_a_torch_built_one(tmp_path: Path, preset: str) -> None:
    """The torch-free test-model builder writes what transformers and CTranslate2 both run,
    with the same keys, shapes and dtypes as the torch builder, and the engines agree."""
    from mtalign.engines import DecodeOptions, load_translator
    from mtalign.models import check_checkpoint, resolve_model

    by_numpy = build_marian(tmp_path / "np", "en", "tr", preset=preset, backend="numpy")
    by_torch = build_marian(tmp_path / "pt", "en", "tr", preset=preset, backend="torch")
    check_checkpoint(by_numpy)
    a, b = (
        read_tensors(by_numpy / "model.safetensors"),
        read_tensors(by_torch / "model.safetensors"),
    )
    assert {k: (v.shape, v.dtype) for k, v in a.items()} == {
        k: (v.shape, v.dtype) for k, v in b.items()
    }
    assert not np.array_equal(a["model.shared.weight"], b["model.shared.weight"])
    import json

    conf_np = json.loads((by_numpy / "config.json").read_text(encoding="utf-8"))
    conf_pt = json.loads((by_torch / "config.json").read_text(encoding="utf-8"))
    conf_pt.pop("transformers_version", None)
    assert {k: v for k, v in conf_pt.items() if v is not None and k != "is_decoder"} == {
        k: v for k, v in conf_np.items()
    }
    model = resolve_model(str(by_numpy), src="en", tgt="tr")
    greedy = DecodeOptions(beam_size=1, max_length=10)
    texts = ["Hello there.", "The minister spoke in Ankara today."]
    outs = [
        [r.best.tokens for r in load_translator(e, model, device="cpu", compute_type="float32")
         .translate(texts, greedy)]
        for e in ("ctranslate2", "transformers")
    ]  # fmt: skip
    assert outs[0] == outs[1]
    assert all(len(t) == 10 for t in outs[0])
