"""Random Marian weights and configs written with numpy alone, for installs without torch.

:func:`mtalign.testing.build_marian` uses transformers' ``MarianMTModel`` when torch is
installed; without it (the base install) this module writes the same layout: the same
``config.json`` keys, ``generation_config.json``, and tensor names, shapes and dtypes in
``model.safetensors``, initialised as ``MarianMTModel`` initialises them (normal(0,
init_std) weights, zero biases, unit layer norms, a zero ``<pad>`` embedding row). The
weights differ from the torch-built ones for the same seed: they come from numpy's
generator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from mtalign.testing.presets import PRESETS


def config_dict(preset: str, vocab_size: int, eos_id: int) -> dict[str, Any]:
    """``config.json`` of a preset, with the keys transformers' MarianConfig writes."""
    conf = PRESETS[preset]
    family = conf.layout
    pad = vocab_size - 1
    config: dict[str, Any] = {
        "activation_dropout": 0.0, "activation_function": family.activation,
        "architectures": ["MarianMTModel"], "attention_dropout": 0.0, "bos_token_id": 0,
        "d_model": conf.d_model, "decoder_attention_heads": conf.heads,
        "decoder_ffn_dim": conf.ffn, "decoder_layerdrop": 0.0, "decoder_layers": conf.layers,
        "decoder_start_token_id": pad, "decoder_vocab_size": vocab_size, "dropout": 0.1,
        "dtype": family.dtype, "encoder_attention_heads": conf.heads,
        "encoder_ffn_dim": conf.ffn, "encoder_layerdrop": 0.0, "encoder_layers": conf.layers,
        "eos_token_id": eos_id, "forced_eos_token_id": eos_id, "init_std": conf.init_std,
        "is_encoder_decoder": True, "max_position_embeddings": family.max_positions,
        "model_type": "marian", "normalize_embedding": False, "pad_token_id": pad,
        "scale_embedding": True, "share_encoder_decoder_embeddings": True,
        "static_position_embeddings": True, "tie_word_embeddings": True, "use_cache": True,
        "vocab_size": vocab_size,
    }  # fmt: skip
    if family.name == "opus-mt":
        config |= {
            "add_bias_logits": False, "add_final_layer_norm": False,
            "normalize_before": False, "extra_pos_embeddings": vocab_size,
            "classif_dropout": 0.0, "id2label": {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"},
        }  # fmt: skip
    return dict(sorted(config.items()))


def generation_dict(preset: str, vocab_size: int, eos_id: int) -> dict[str, Any]:
    """``generation_config.json`` of a preset (beam 4, ``<pad>`` never generated)."""
    pad = vocab_size - 1
    out: dict[str, Any] = {
        "bad_words_ids": [[pad]], "bos_token_id": 0, "decoder_start_token_id": pad,
        "eos_token_id": eos_id, "forced_eos_token_id": eos_id, "max_length": 512,
        "num_beams": 4, "pad_token_id": pad,
    }  # fmt: skip
    if PRESETS[preset].layout.renormalize_logits:
        out["renormalize_logits"] = True
    return out


def random_state(preset: str, vocab_size: int, eos_id: int, seed: int) -> dict[str, np.ndarray]:
    """Every tensor of a random ``MarianMTModel`` state dict, by name, in float32."""
    conf = PRESETS[preset]
    rng = np.random.default_rng(seed)
    d, ffn = conf.d_model, conf.ffn
    state: dict[str, np.ndarray] = {}

    def linear(name: str, rows: int, cols: int) -> None:
        state[f"{name}.weight"] = rng.normal(0.0, conf.init_std, (rows, cols)).astype(np.float32)
        state[f"{name}.bias"] = np.zeros(rows, dtype=np.float32)

    def norm(name: str) -> None:
        state[f"{name}.weight"] = np.ones(d, dtype=np.float32)
        state[f"{name}.bias"] = np.zeros(d, dtype=np.float32)

    shared = rng.normal(0.0, conf.init_std, (vocab_size, d)).astype(np.float32)
    shared[vocab_size - 1] = 0.0  # <pad> starts the decoder from a zero embedding
    state["model.shared.weight"] = shared
    for side in ("encoder", "decoder"):
        for i in range(conf.layers):
            prefix = f"model.{side}.layers.{i}"
            attentions = ["self_attn"] + (["encoder_attn"] if side == "decoder" else [])
            for att in attentions:
                for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                    linear(f"{prefix}.{att}.{proj}", d, d)
                norm(f"{prefix}.{att}_layer_norm")
            linear(f"{prefix}.fc1", ffn, d)
            linear(f"{prefix}.fc2", d, ffn)
            norm(f"{prefix}.final_layer_norm")
    bias = np.zeros((1, vocab_size), dtype=np.float32)
    bias[0, eos_id] = conf.eos_bias  # every output runs to the length limit
    state["final_logits_bias"] = bias
    if conf.layout.lm_head:
        state["lm_head.weight"] = shared.copy()
    return state


def save_numpy_checkpoint(out: Path, preset: str, vocab_size: int, eos_id: int, seed: int) -> None:
    """Write ``config.json``, ``generation_config.json`` and ``model.safetensors`` to ``out``."""
    from safetensors.numpy import save_file

    dtype = np.float16 if PRESETS[preset].layout.dtype == "float16" else np.float32
    state = {k: v.astype(dtype) for k, v in random_state(preset, vocab_size, eos_id, seed).items()}
    for name, data in (
        ("config.json", config_dict(preset, vocab_size, eos_id)),
        ("generation_config.json", generation_dict(preset, vocab_size, eos_id)),
    ):
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        (out / name).write_text(text, encoding="utf-8")
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
