"""Random-weight Marian checkpoints laid out like the real OPUS-MT ones on the hub."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtalign.errors import InputError
from mtalign.testing.presets import FAMILIES, FULL_OF, ISO3_CODES, PRESETS, TINY_OF, Family
from mtalign.testing.vocab import build_vocab

logger = logging.getLogger(__name__)

_MODEL_PAIR = re.compile(r"opus-mt-(?:tc-big-)?([a-z_]+)-([a-z_]+)$")


def _registry_choice(src: str, tgt: str, family: str) -> Any:
    """The registry's choice for the pair in ``family`` (else its default), or None."""
    from mtalign.models import load_registry

    reg = load_registry()
    choices = reg.choices(src, tgt)
    same = [c for c in choices if c.family == family]
    chosen = same[0] if same else choices[0]
    return None if chosen.fallback else chosen


def default_lang_tokens(src: str, tgt: str, family: str = "opus-mt") -> list[str]:
    """The language labels the real model of the pair and family has in its vocabulary.

    From the registry (``labels``, else its ``target_token``): en-ar tc-big has seven
    Arabic labels, en-ru tc-big (``opus-mt-tc-big-en-zle``) five East Slavic ones, the base
    en-ru none.
    """
    entry = _registry_choice(src, tgt, family)
    if entry is None:
        return []
    if entry.labels:
        return [f">>{label}<<" for label in entry.labels]
    return [entry.target_token] if entry.target_token else []


def marian_config(preset: str, vocab_size: int, eos_id: int = 0) -> Any:
    """The ``MarianConfig`` of a preset, with its family's settings (tied, sinusoidal)."""
    from transformers import MarianConfig

    conf = PRESETS[preset]
    family = conf.layout
    pad = vocab_size - 1
    # Keys every real config carries that MarianConfig takes through **kwargs.
    extra: dict[str, Any] = {
        "normalize_embedding": False,
        "static_position_embeddings": True,
        "num_beams": 4,
        "max_length": 512,
        "bad_words_ids": [[pad]],
    }
    if family.name == "opus-mt":
        # Keys the older base configs carry (read from opus-mt-en-ar's config.json).
        extra |= {
            "add_bias_logits": False,
            "add_final_layer_norm": False,
            "normalize_before": False,
            "extra_pos_embeddings": vocab_size,
            "classif_dropout": 0.0,
            "id2label": {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"},
        }
    return MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=conf.d_model,
        encoder_layers=conf.layers,
        decoder_layers=conf.layers,
        encoder_attention_heads=conf.heads,
        decoder_attention_heads=conf.heads,
        encoder_ffn_dim=conf.ffn,
        decoder_ffn_dim=conf.ffn,
        activation_function=family.activation,
        max_position_embeddings=family.max_positions,
        pad_token_id=pad,
        eos_token_id=eos_id,
        bos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=eos_id,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        init_std=conf.init_std,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        architectures=["MarianMTModel"],
        **extra,
    )


def build_marian(
    path: str | Path,
    src_lang: str,
    tgt_lang: str,
    preset: str = "tiny",
    seed: int = 0,
    lang_tokens: Sequence[str] | None = None,
    vocab_size: int | None = None,
    backend: str = "auto",
) -> Path:
    """Write a random-weight Marian checkpoint for ``src_lang``->``tgt_lang`` into ``path``.

    ``preset`` (see :data:`~mtalign.testing.presets.PRESETS`): ``tiny`` (2+2 layers,
    d_model 64, the base layout: loads and translates in milliseconds), ``tiny-tc-big``
    (the same size in the tc-big layout), ``opus-mt`` (6+6 layers, d_model 512, 8 heads,
    FFN 2048, 58,101 vocabulary, ~74M parameters) or ``tc-big`` (6+6, 1024, 16 heads,
    FFN 4096, 57,060 vocabulary, ~235M parameters, fp16). ``lang_tokens`` are
    target-language tokens put into the vocabulary (``[">>ara<<"]``); by default, the
    labels of the registry's model of the pair in the preset's family. ``vocab_size``
    overrides the preset's vocabulary size (a tc-big shape with a small vocabulary). The
    same arguments give byte-identical SentencePiece models and identical weights.
    ``backend``: ``torch`` (transformers' ``MarianMTModel``), ``numpy``
    (:mod:`mtalign.testing.numpy_marian`, no torch needed; other random weights) or
    ``auto`` (torch when installed).
    """
    if backend not in ("auto", "torch", "numpy"):
        raise InputError(f"unknown backend {backend!r}; use auto, torch or numpy")
    if preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
    family = PRESETS[preset].layout
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot make the model folder there ({exc.strerror})") from exc
    tokens = (
        list(lang_tokens)
        if lang_tokens is not None
        else default_lang_tokens(src_lang, tgt_lang, family.name)
    )
    src_spm, tgt_spm, pieces = build_vocab(src_lang, tgt_lang, preset, tokens, vocab_size)
    vocab = {p: i for i, p in enumerate(pieces)}
    (out / "source.spm").write_bytes(src_spm)
    (out / "target.spm").write_bytes(tgt_spm)
    _write_json(out / "vocab.json", vocab)
    _tokenizer_files(out, family, src_lang, tgt_lang)
    _save_weights(out, preset, len(pieces), vocab["</s>"], seed, backend)
    logger.info("built %s Marian model %s-%s in %s", preset, src_lang, tgt_lang, out)
    return out


def build_like(
    path: str | Path, spec: str, size: str = "tiny", seed: int = 0, vocab_size: int | None = None
) -> Path:
    """A random checkpoint shaped like the registry's model for ``spec`` (``en-ar``,
    ``en-ar:small``): its family's layout and language labels, at ``size`` ``tiny`` or
    ``full``."""
    from mtalign.models import load_registry, parse_choice

    src, tgt, choice = parse_choice(spec)
    entry = load_registry().get(src, tgt, choice)
    family = entry.family or "opus-mt"
    if size not in ("tiny", "full"):
        raise InputError(f"unknown size {size!r}; use tiny or full")
    preset = (TINY_OF if size == "tiny" else FULL_OF)[family]
    tokens = [f">>{x}<<" for x in entry.labels] or (
        [entry.target_token] if entry.target_token else []
    )
    return build_marian(path, src, tgt, preset, seed, tokens, vocab_size)


def _declared_pair(src: str, tgt: str, family: Family) -> tuple[str, str]:
    """The languages tokenizer_config.json declares, as the real checkpoints write them."""
    entry = _registry_choice(src, tgt, family.name)
    match = _MODEL_PAIR.search(entry.model) if entry is not None else None
    s, t = match.groups() if match else (src, tgt)
    if family.iso3_codes:
        return ISO3_CODES.get(s, s), ISO3_CODES.get(t, t)
    return s, t


def _tokenizer_files(out: Path, family: Family, src: str, tgt: str) -> None:
    s, t = _declared_pair(src, tgt, family)
    if not family.full_tokenizer_config:
        # Base checkpoints: 42-44 bytes, three-letter codes, MarianTokenizer's defaults.
        _write_json(out / "tokenizer_config.json", {"target_lang": t, "source_lang": s})
        return
    _write_json(
        out / "tokenizer_config.json",
        {
            "source_lang": s,
            "target_lang": t,
            "unk_token": "<unk>",
            "eos_token": "</s>",
            "pad_token": "<pad>",
            "model_max_length": 512,
            "sp_model_kwargs": {},
            "separate_vocabs": False,
            "special_tokens_map_file": None,
            "name_or_path": f"marian-models/opusTCv20210807+bt_transformer-big/{s}-{t}",
            "tokenizer_class": "MarianTokenizer",
        },
    )
    _write_json(
        out / "special_tokens_map.json",
        {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
    )


def torch_available() -> bool:
    """Whether torch and transformers can build checkpoints here (else numpy does)."""
    import importlib.util

    try:
        return all(importlib.util.find_spec(p) is not None for p in ("torch", "transformers"))
    except (ImportError, ValueError):
        return False


def _save_weights(
    out: Path, preset: str, vocab_size: int, eos_id: int, seed: int, backend: str = "auto"
) -> None:
    if backend == "numpy" or (backend == "auto" and not torch_available()):
        from mtalign.testing.numpy_marian import save_numpy_checkpoint

        save_numpy_checkpoint(out, preset, vocab_size, eos_id, seed)
        return
    import torch
    from transformers import GenerationConfig, MarianMTModel

    conf = PRESETS[preset]
    family = conf.layout
    pad = vocab_size - 1
    config = marian_config(preset, vocab_size, eos_id)
    generation = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=eos_id,
        forced_eos_token_id=eos_id,
        max_length=512,
        num_beams=4,
        pad_token_id=pad,
        **({"renormalize_logits": True} if family.renormalize_logits else {}),
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():
        # A random model's </s> logit is as likely as any other, so it would often stop at
        # once or at random. Pushing it down makes every output run to the length limit,
        # which makes lengths predictable (max_length tests, fixed-length benchmarks).
        model.final_logits_bias[0, eos_id] = conf.eos_bias
        # <pad> starts the decoder from a zero embedding (CTranslate2 assumes this too).
        model.model.shared.weight[pad].zero_()
    model.generation_config = generation
    from mtalign.models import quiet_transformers

    quiet_transformers()
    if family.dtype == "float16":
        model = model.half()
    model.save_pretrained(out)
    if family.lm_head:
        _store_lm_head(out)


def _store_lm_head(out: Path) -> None:
    """Add ``lm_head.weight`` (equal to the shared embeddings) to the weights file, as the
    original tc-big uploads have it: loaders must not assume the key is absent."""
    from safetensors.torch import load_file, save_file

    file = out / "model.safetensors"
    tensors = load_file(file)
    shared = next(v for k, v in tensors.items() if k.endswith("shared.weight"))
    tensors["lm_head.weight"] = shared.clone()
    save_file(tensors, file, metadata={"format": "pt"})


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


__all__ = ["FAMILIES", "build_like", "build_marian", "default_lang_tokens", "marian_config"]
