"""A Marian (OPUS-MT) checkpoint as a CTranslate2 ``TransformerSpec``, with numpy only.

CTranslate2's own converter loads the checkpoint into transformers' ``MarianMTModel`` (and so
needs torch) and then fills a ``TransformerSpec`` from its modules. The checkpoint's tensors
and ``config.json`` hold everything that spec needs, so this module fills it straight from
them: post-norm layers without a final layer norm, fused query/key/value projections,
sinusoidal positions, embeddings scaled by sqrt(d_model), the decoder started from a zero
embedding, and the ``<pad>`` row (transformers' decoder start) dropped from the vocabulary.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from mtalign.errors import ModelError
from mtalign.models.checkpoint import WEIGHT_FILES, read_json
from mtalign.models.tensors import read_tensors

#: transformers activation name -> CTranslate2 ``Activation`` member name.
_ACTIVATIONS = {
    "gelu": "GELU",
    "gelu_new": "GELUTanh",
    "gelu_fast": "GELUTanh",
    "gelu_pytorch_tanh": "GELUTanh",
    "relu": "RELU",
    "silu": "SWISH",
    "swish": "SWISH",
}


class _Weights:
    """The checkpoint's tensors, looked up by their names with or without ``model.``."""

    def __init__(self, tensors: dict[str, np.ndarray], source: Path) -> None:
        self.tensors, self.source = tensors, source

    def get(self, *names: str) -> np.ndarray:
        for name in names:
            for key in (name, f"model.{name}"):
                if key in self.tensors:
                    return self.tensors[key]
        raise ModelError(
            f"{self.source}: no tensor {names[0]!r}; the checkpoint is incomplete or not a "
            "MarianMT model"
        )

    def has(self, name: str) -> bool:
        return name in self.tensors or f"model.{name}" in self.tensors


def sinusoidal_positions(n_pos: int, dim: int) -> np.ndarray:
    """Marian's position table: sines in the first half of each row, cosines in the second."""
    j = np.arange(dim)
    angles = np.arange(n_pos)[:, None] / np.power(10000, 2 * (j // 2) / dim)[None, :]
    half = dim // 2 if dim % 2 == 0 else dim // 2 + 1
    out = np.empty((n_pos, dim), dtype=np.float32)
    out[:, :half] = np.sin(angles[:, 0::2])
    out[:, half:] = np.cos(angles[:, 1::2])
    return out


def _linear(spec: Any, w: _Weights, name: str) -> None:
    spec.weight = w.get(f"{name}.weight")
    if w.has(f"{name}.bias"):
        spec.bias = w.get(f"{name}.bias")


def _fuse(spec: Any, w: _Weights, names: list[str]) -> None:
    spec.weight = np.concatenate([w.get(f"{n}.weight") for n in names])
    spec.bias = np.concatenate([w.get(f"{n}.bias") for n in names])


def _norm(spec: Any, w: _Weights, name: str) -> None:
    spec.gamma = w.get(f"{name}.weight")
    spec.beta = w.get(f"{name}.bias")


def _attention(spec: Any, w: _Weights, name: str, self_attention: bool) -> None:
    qkv = [f"{name}.{p}_proj" for p in ("q", "k", "v")]
    if self_attention:
        _fuse(spec.linear[0], w, qkv)
    else:
        _fuse(spec.linear[0], w, qkv[:1])
        _fuse(spec.linear[1], w, qkv[1:])
    _linear(spec.linear[-1], w, f"{name}.out_proj")


def _stack(spec: Any, w: _Weights, side: str, embeddings: np.ndarray, positions: np.ndarray,
           scale: float) -> None:  # fmt: skip
    """Fill an encoder or decoder spec from the ``side`` (``encoder``/``decoder``) tensors."""
    spec.scale_embeddings = scale
    spec.position_encodings.encodings = positions
    emb = spec.embeddings[0] if isinstance(spec.embeddings, list) else spec.embeddings
    emb.weight = embeddings
    for i, layer in enumerate(spec.layer):
        prefix = f"{side}.layers.{i}"
        _attention(layer.self_attention, w, f"{prefix}.self_attn", self_attention=True)
        _norm(layer.self_attention.layer_norm, w, f"{prefix}.self_attn_layer_norm")
        if side == "decoder":
            _attention(layer.attention, w, f"{prefix}.encoder_attn", self_attention=False)
            _norm(layer.attention.layer_norm, w, f"{prefix}.encoder_attn_layer_norm")
        _linear(layer.ffn.linear_0, w, f"{prefix}.fc1")
        _linear(layer.ffn.linear_1, w, f"{prefix}.fc2")
        _norm(layer.ffn.layer_norm, w, f"{prefix}.final_layer_norm")


def _vocabulary(path: Path, vocab_size: int) -> list[str]:
    """vocab.json's tokens in id order, cut to ``vocab_size``, without a final ``<pad>``."""
    vocab = read_json(path / "vocab.json")
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda item: item[1])][:vocab_size]
    if tokens and tokens[-1] == "<pad>":
        tokens.pop()
    return tokens


def _embeddings(w: _Weights, config: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(encoder embeddings, decoder embeddings, output projection) as transformers ties them."""
    shared = config.get("share_encoder_decoder_embeddings", True)
    names = ("shared.weight", "encoder.embed_tokens.weight", "decoder.embed_tokens.weight")
    enc = w.get(*names) if shared else w.get("encoder.embed_tokens.weight")
    dec = enc if shared else w.get("decoder.embed_tokens.weight")
    tied = config.get("tie_word_embeddings", True)
    out = dec if tied or not w.has("lm_head.weight") else w.get("lm_head.weight")
    return enc, dec, out


def marian_spec(path: Path) -> Any:
    """The ``ctranslate2.specs.TransformerSpec`` of the Marian checkpoint in ``path``.

    Unoptimised: call ``validate()``, ``optimize(quantization=...)`` and ``save(dir)`` on it.
    """
    from ctranslate2.specs import Activation, TransformerSpec

    config = read_json(path / "config.json")
    weights_file = next((path / n for n in WEIGHT_FILES if (path / n).is_file()), None)
    if weights_file is None:
        raise ModelError(f"{path}: no {' or '.join(WEIGHT_FILES)}; the checkpoint is incomplete")
    act = _ACTIVATIONS.get(str(config.get("activation_function", "swish")))
    if act is None:
        raise ModelError(
            f"{path / 'config.json'}: activation {config.get('activation_function')!r} is not "
            f"one CTranslate2 runs ({', '.join(sorted(_ACTIVATIONS))})"
        )
    w = _Weights(read_tensors(weights_file), weights_file)
    spec = TransformerSpec.from_config(
        (int(config["encoder_layers"]), int(config["decoder_layers"])),
        int(config["encoder_attention_heads"]),
        pre_norm=False,
        activation=getattr(Activation, act),
        layernorm_embedding=False,
    )
    enc, dec, out = _embeddings(w, config)
    d_model = int(config["d_model"])
    scale = math.sqrt(d_model) if config.get("scale_embedding", False) else 1.0
    positions = sinusoidal_positions(int(config["max_position_embeddings"]), d_model)
    _stack(spec.encoder, w, "encoder", enc, positions.astype(enc.dtype), scale)
    _stack(spec.decoder, w, "decoder", dec, positions.astype(dec.dtype), scale)
    spec.decoder.start_from_zero_embedding = True
    spec.decoder.projection.weight = out
    if w.has("final_logits_bias"):
        bias = w.get("final_logits_bias").reshape(-1)
        if np.any(bias != 0):
            spec.decoder.projection.bias = bias
    _drop_pad_row(spec)
    tokens = _vocabulary(path, int(config["vocab_size"]))
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)
    spec.config.eos_token = "</s>"
    spec.config.unk_token = "<unk>"
    # The decoder starts from a zero embedding, so the start token's own row is never read.
    spec.config.decoder_start_token = "</s>"
    return spec


def _drop_pad_row(spec: Any) -> None:
    """Remove the last (``<pad>``) row from every vocabulary-sized matrix, once each."""
    rows = spec.encoder.embeddings[0].weight.shape[0]
    for part in (spec.encoder.embeddings[0], spec.decoder.embeddings, spec.decoder.projection):
        if part.weight.shape[0] == rows:
            part.weight = part.weight[:-1]
        bias = getattr(part, "bias", None)
        if isinstance(bias, np.ndarray) and bias.shape[0] == rows:
            part.bias = bias[:-1]
