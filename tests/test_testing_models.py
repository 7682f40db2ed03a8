"""The offline OPUS-MT stand-ins built by mtalign.testing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mtalign.errors import InputError
from mtalign.models import MarianCodec
from mtalign.testing import PRESETS, build_marian, build_vocab, corpus_lines, marian_config

FILES = [
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "config.json",
    "generation_config.json",
    "model.safetensors",
]
TEXTS = [
    "The central bank kept its main interest rate at 4.5 percent.",
    "Police arrested two men in İstanbul on Friday.",
    "Ünlü şarkıcı «Москва» 2024",
    "",
]


@pytest.mark.parametrize("fixture", ["tiny_en_tr", "tiny_en_ru", "tiny_en_ar"])
def test_layout_like_opus_mt(request, fixture):
    path = request.getfixturevalue(fixture)
    assert sorted(p.name for p in path.iterdir()) == sorted(FILES)
    config = json.loads((path / "config.json").read_text())
    assert config["model_type"] == "marian"
    assert config["activation_function"] == "swish"
    assert config["share_encoder_decoder_embeddings"] and config["tie_word_embeddings"]
    assert config["static_position_embeddings"]
    vocab = json.loads((path / "vocab.json").read_text())
    assert vocab["</s>"] == 0 == config["eos_token_id"]
    assert vocab["<unk>"] == 1
    assert vocab["<pad>"] == len(vocab) - 1 == config["pad_token_id"]
    assert config["decoder_start_token_id"] == config["pad_token_id"]
    assert config["vocab_size"] == len(vocab)
    generation = json.loads((path / "generation_config.json").read_text())
    assert generation["bad_words_ids"] == [[len(vocab) - 1]]
    tok = json.loads((path / "tokenizer_config.json").read_text())
    assert (tok["source_lang"], tok["target_lang"]) == ("en", fixture[-2:])


@pytest.mark.parametrize(("fixture", "token"), [("tiny_en_ar", ">>ara<<"), ("tiny_en_tr", None)])
def test_language_tokens_in_vocab(request, fixture, token):
    vocab = json.loads((request.getfixturevalue(fixture) / "vocab.json").read_text())
    lang = [t for t in vocab if t.startswith(">>")]
    assert lang == ([token] if token else [])


@pytest.mark.parametrize("fixture", ["tiny_en_tr", "tiny_en_ar"])
def test_marian_tokenizer_and_codec_agree(request, fixture):
    from transformers import MarianTokenizer

    path = request.getfixturevalue(fixture)
    with pytest.warns(UserWarning, match="sacremoses"):
        tok = MarianTokenizer.from_pretrained(path)
    codec = MarianCodec(path)
    token = ">>ara<<" if fixture.endswith("ar") else None
    for text in TEXTS:
        prefixed = f"{token} {text}" if token else text
        assert tok(prefixed)["input_ids"] == codec.ids(codec.encode_source(text, token))


def test_loads_with_transformers(tiny_en_tr):
    from transformers import MarianMTModel

    model = MarianMTModel.from_pretrained(tiny_en_tr)
    assert model.config.d_model == PRESETS["tiny"].d_model
    assert model.lm_head.weight.data_ptr() == model.model.shared.weight.data_ptr()
    assert model.final_logits_bias[0, 0] == PRESETS["tiny"].eos_bias
    assert float(model.model.shared.weight[model.config.pad_token_id].detach().abs().sum()) == 0.0


def test_converts_with_ctranslate2(tiny_ct2):
    path = tiny_ct2("tr")
    assert (path / "model.bin").is_file()
    assert (path / "source.spm").is_file()


def test_deterministic_build(tmp_path, tiny_en_ru):
    again = build_marian(tmp_path / "again", "en", "ru", seed=0)
    for name in FILES:
        assert (again / name).read_bytes() == (tiny_en_ru / name).read_bytes(), name


def test_seed_changes_weights_only(tmp_path, tiny_en_ru):
    other = build_marian(tmp_path / "seed1", "en", "ru", seed=1)
    assert (other / "vocab.json").read_bytes() == (tiny_en_ru / "vocab.json").read_bytes()
    assert (other / "model.safetensors").read_bytes() != (
        tiny_en_ru / "model.safetensors"
    ).read_bytes()


def test_opus_mt_preset_shapes():
    import torch
    from transformers import MarianMTModel

    src_spm, tgt_spm, pieces = build_vocab("en", "tr", "opus-mt")
    assert len(pieces) == 58101
    assert len(set(pieces)) == len(pieces)
    assert pieces[:2] == ["</s>", "<unk>"] and pieces[-1] == "<pad>"
    with torch.device("meta"):
        model = MarianMTModel(marian_config("opus-mt", len(pieces)))
    params = sum(p.numel() for p in model.parameters())
    assert 73_000_000 < params < 75_000_000
    assert (model.config.encoder_layers, model.config.decoder_layers) == (6, 6)
    assert (model.config.d_model, model.config.encoder_attention_heads) == (512, 8)
    assert model.config.encoder_ffn_dim == 2048


def test_shipped_corpus():
    assert len(corpus_lines("en")) >= 64
    for lang in ("tr", "ru", "ar"):
        assert len(corpus_lines(lang)) >= 30
    # Languages without their own text fall back on all shipped text.
    assert len(corpus_lines("de")) > len(corpus_lines("en"))


def test_unknown_preset(tmp_path):
    with pytest.raises(InputError, match="preset"):
        build_marian(tmp_path, "en", "tr", preset="huge")


def test_command_line(tmp_path):
    out = tmp_path / "m"
    done = subprocess.run(
        [sys.executable, "-m", "mtalign.testing", "build", str(out), "--src", "en", "--tgt", "ar"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert ">>ara<<" in json.loads((out / "vocab.json").read_text())
