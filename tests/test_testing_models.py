"""The offline OPUS-MT stand-ins built by mtalign.testing: each family's real layout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mtalign.errors import InputError
from mtalign.models import MarianCodec, resolve_model
from mtalign.testing import (
    PRESETS,
    build_like,
    build_marian,
    build_vocab,
    corpus_lines,
    marian_config,
)

BASE_FILES = [
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
    "config.json",
    "generation_config.json",
    "model.safetensors",
]
TC_BIG_FILES = [*BASE_FILES, "special_tokens_map.json"]
TEXTS = [
    "The central bank kept its main interest rate at 4.5 percent.",
    "Police arrested two men in İstanbul on Friday.",
    "Ünlü şarkıcı «Москва» 2024",
    "",
]
ISO3 = {"tr": "tur", "ru": "rus", "ar": "ara"}


@pytest.fixture(scope="module")
def tc_big(tmp_path_factory) -> dict[str, Path]:
    """Tiny checkpoints in the tc-big layout, like the registry's en-ar and en-ru."""
    root = tmp_path_factory.mktemp("tc-big")
    return {pair: build_like(root / pair, pair) for pair in ("en-ar", "en-ru")}


def _json(path: Path, name: str) -> dict:
    return json.loads((path / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- base layout


@pytest.mark.parametrize("fixture", ["tiny_en_tr", "tiny_en_ru", "tiny_en_ar"])
def test_layout_like_base_opus_mt(request, fixture):
    path = request.getfixturevalue(fixture)
    tgt = fixture[-2:]
    assert sorted(p.name for p in path.iterdir()) == sorted(BASE_FILES)
    config = _json(path, "config.json")
    assert config["model_type"] == "marian"
    assert config["activation_function"] == "swish"
    assert config["max_position_embeddings"] == 512
    assert config["share_encoder_decoder_embeddings"] and config["tie_word_embeddings"]
    assert config["static_position_embeddings"]
    assert config["add_final_layer_norm"] is False and config["extra_pos_embeddings"]
    vocab = _json(path, "vocab.json")
    assert vocab["</s>"] == 0 == config["eos_token_id"]
    assert vocab["<unk>"] == 1
    assert vocab["<pad>"] == len(vocab) - 1 == config["pad_token_id"]
    assert config["decoder_start_token_id"] == config["pad_token_id"]
    assert config["vocab_size"] == len(vocab)
    generation = _json(path, "generation_config.json")
    assert generation["bad_words_ids"] == [[len(vocab) - 1]]
    assert "renormalize_logits" not in generation
    # Base checkpoints: a 40-byte tokenizer_config with three-letter codes.
    assert _json(path, "tokenizer_config.json") == {"target_lang": ISO3[tgt], "source_lang": "eng"}


@pytest.mark.parametrize(
    ("fixture", "tokens"),
    [
        # The base en-ar model has ten Arabic labels; base en-tr and en-ru have none.
        ("tiny_en_ar", ["acm", "afb", "apc", "apc_Latn", "ara", "ara_Latn", "arq", "arq_Latn",
                        "ary", "arz"]),
        ("tiny_en_tr", []),
        ("tiny_en_ru", []),
    ],
)  # fmt: skip
def test_language_tokens_in_vocab(request, fixture, tokens):
    vocab = _json(request.getfixturevalue(fixture), "vocab.json")
    assert [t for t in vocab if t.startswith(">>")] == [f">>{t}<<" for t in tokens]


def test_base_checkpoint_resolves_to_iso1(tiny_en_ru, tiny_en_ar):
    """eng/rus in tokenizer_config.json become en/ru; the registry's token is used."""
    model = resolve_model(str(tiny_en_ru))
    assert (model.src, model.tgt, model.target_token) == ("en", "ru", None)
    assert resolve_model(str(tiny_en_ar), src="en", tgt="ar").target_token == ">>ara<<"


# --------------------------------------------------------------------------- tc-big layout


def test_layout_like_tc_big(tc_big):
    path = tc_big["en-ar"]
    assert sorted(p.name for p in path.iterdir()) == sorted(TC_BIG_FILES)
    config = _json(path, "config.json")
    assert config["activation_function"] == "relu"
    assert config["max_position_embeddings"] == 1024
    assert config["dtype"] == "float16"
    vocab = _json(path, "vocab.json")
    # </s> sits inside the vocabulary (43741 of 57060 in opus-mt-tc-big-en-tr), not at 0.
    eos = vocab["</s>"]
    assert (
        0 < eos < len(vocab) - 1 and eos == config["eos_token_id"] == config["forced_eos_token_id"]
    )
    assert 0 < vocab["<unk>"] < eos
    assert vocab["<pad>"] == len(vocab) - 1 == config["pad_token_id"]
    labels = [t for t in vocab if t.startswith(">>")]
    assert labels == [f">>{x}<<" for x in ("acm", "afb", "apc", "ara", "arq", "ary", "arz")]
    assert [vocab[t] for t in labels] == list(range(len(labels)))
    generation = _json(path, "generation_config.json")
    assert generation["renormalize_logits"] is True and generation["eos_token_id"] == eos
    tok = _json(path, "tokenizer_config.json")
    assert (tok["source_lang"], tok["target_lang"], tok["separate_vocabs"]) == ("en", "ar", False)
    assert tok["tokenizer_class"] == "MarianTokenizer" and "transformer-big" in tok["name_or_path"]
    assert _json(path, "special_tokens_map.json")["eos_token"] == "</s>"


def test_tc_big_stores_lm_head_like_the_original_uploads(tc_big):
    from safetensors import safe_open
    from transformers import MarianMTModel

    path = tc_big["en-ar"]
    with safe_open(path / "model.safetensors", "pt") as f:
        keys = set(f.keys())
        assert f.get_tensor("lm_head.weight").dtype.is_floating_point
    assert "lm_head.weight" in keys
    model = MarianMTModel.from_pretrained(path)
    assert bool((model.lm_head.weight == model.model.shared.weight).all())
    eos = model.config.eos_token_id
    assert float(model.final_logits_bias[0, eos]) == PRESETS["tiny-tc-big"].eos_bias


def test_multi_target_group_model(tc_big):
    """en-ru's default is the en->East Slavic model: five labels, target_lang zle."""
    path = tc_big["en-ru"]
    vocab = _json(path, "vocab.json")
    assert [t for t in vocab if t.startswith(">>")] == [
        ">>bel<<",
        ">>orv_Cyrl<<",
        ">>rue<<",
        ">>rus<<",
        ">>ukr<<",
    ]
    assert _json(path, "tokenizer_config.json")["target_lang"] == "zle"
    assert resolve_model(path, src="en", tgt="ru").target_token == ">>rus<<"
    assert resolve_model(path, src="en", tgt="uk").target_token == ">>ukr<<"
    with pytest.raises(Exception, match="multi-target"):
        resolve_model(path, src="en", tgt="be")  # no registry token: never guess a variety


@pytest.mark.parametrize("fixture", ["tiny_en_tr", "tiny_en_ar", "tc-big"])
def test_marian_tokenizer_and_codec_agree(request, tc_big, fixture):
    from transformers import MarianTokenizer

    path = tc_big["en-ar"] if fixture == "tc-big" else request.getfixturevalue(fixture)
    with pytest.warns(UserWarning, match="sacremoses"):
        tok = MarianTokenizer.from_pretrained(path)
    codec = MarianCodec(path)
    token = ">>ara<<" if fixture != "tiny_en_tr" else None
    for text in TEXTS:
        prefixed = f"{token} {text}" if token else text
        assert tok(prefixed)["input_ids"] == codec.ids(codec.encode_source(text, token))


@pytest.mark.parametrize("pair", ["en-ar", "en-ru"])
def test_tc_big_engines_agree(tc_big, pair):
    """CTranslate2 and transformers agree on the tc-big layout (fp16 weights, eos inside
    the vocabulary, a stored lm_head, relu): the same tokens, run to the length limit."""
    from mtalign.engines import DecodeOptions, load_translator

    model = resolve_model(tc_big[pair], src="en", tgt=pair[-2:])
    options = DecodeOptions(beam_size=2, max_length=12)
    outs = []
    for engine, compute in (("ctranslate2", "float32"), ("transformers", "float32")):
        tr = load_translator(engine, model, device="cpu", compute_type=compute, threads=1)
        outs.append([r.best.tokens for r in tr.translate(TEXTS[:3], options)])
        tr.close()
    assert outs[0] == outs[1]
    assert all(len(t) == 12 for t in outs[0])
    assert not any("</s>" in t or "<pad>" in t for seq in outs[0] for t in seq)


# --------------------------------------------------------------------------- both


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
    for name in BASE_FILES:
        assert (again / name).read_bytes() == (tiny_en_ru / name).read_bytes(), name


def test_seed_changes_weights_only(tmp_path, tiny_en_ru):
    other = build_marian(tmp_path / "seed1", "en", "ru", seed=1)
    assert (other / "vocab.json").read_bytes() == (tiny_en_ru / "vocab.json").read_bytes()
    assert (other / "model.safetensors").read_bytes() != (
        tiny_en_ru / "model.safetensors"
    ).read_bytes()


@pytest.mark.parametrize(
    ("preset", "vocab", "low", "high", "shape"),
    [
        # Helsinki-NLP/opus-mt-en-de: ~74M parameters.
        ("opus-mt", 58101, 73_000_000, 75_000_000, (512, 8, 6, 2048, "swish", 512)),
        # opus-mt-tc-big-en-tr: 234.8M by the config (x 2 bytes = its 470 MB fp16 file).
        ("tc-big", 57060, 234_000_000, 236_000_000, (1024, 16, 6, 4096, "relu", 1024)),
    ],
)
def test_real_sized_preset_shapes(preset, vocab, low, high, shape):
    import torch
    from transformers import MarianMTModel

    _, _, pieces = build_vocab("en", "tr", preset)
    assert len(pieces) == vocab == PRESETS[preset].vocab_size
    assert len(set(pieces)) == len(pieces)
    assert pieces[-1] == "<pad>"
    with torch.device("meta"):
        model = MarianMTModel(marian_config(preset, len(pieces), pieces.index("</s>")))
    # The sinusoidal position tables are fixed, not learnt (and not in the card's count).
    params = sum(p.numel() for n, p in model.named_parameters() if "embed_positions" not in n)
    assert low < params < high
    c = model.config
    assert (c.encoder_layers, c.decoder_layers) == (shape[2], shape[2])
    assert (c.d_model, c.encoder_attention_heads, c.encoder_ffn_dim) == shape[:2] + shape[3:4]
    assert (c.activation_function, c.max_position_embeddings) == shape[4:]


@pytest.mark.slow
def test_tc_big_shape_builds_converts_and_translates(tmp_path, monkeypatch):
    """The real tc-big shape (1024/16/6+6/4096), with an 8k vocabulary to keep it at
    ~185M parameters: built, converted to CTranslate2 int8, loaded, run."""
    from mtalign.engines import DecodeOptions, load_translator

    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    path = build_marian(tmp_path / "big", "en", "tr", "tc-big", vocab_size=8000)
    weights = (path / "model.safetensors").stat().st_size
    assert 360e6 < weights < 400e6  # fp16 with the stored lm_head, like the original uploads
    model = resolve_model(path, src="en", tgt="tr")
    assert model.max_positions == 1024
    tr = load_translator("ctranslate2", model, device="cpu", compute_type="int8", threads=2)
    out = tr.translate(TEXTS[:2], DecodeOptions(beam_size=2, max_length=8))
    assert [len(r.best.tokens) for r in out] == [8, 8]
    tr.close()


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
        [sys.executable, "-m", "mtalign.testing", "build", str(out), "--like", "en-ar:small"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert ">>ara_Latn<<" in _json(out, "vocab.json")
    assert _json(out, "tokenizer_config.json")["target_lang"] == "ara"
