"""Offline stand-ins for OPUS-MT checkpoints, for tests and benchmarks.

:func:`build_marian` writes a directory laid out like a real OPUS-MT model on the
Hugging Face hub (``source.spm``, ``target.spm``, ``vocab.json``, ``tokenizer_config.json``,
``special_tokens_map.json``, ``config.json``, ``generation_config.json``,
``model.safetensors``), so the real loading, conversion and tokenisation code runs on it.
The SentencePiece models are trained in memory on news text shipped in
``mtalign/data/testing/``; the weights are random (seeded). The model talks gibberish: use it
to check structure, counts, order, determinism and engine agreement, never quality.

Command line: ``python -m mtalign.testing build DIR --src en --tgt tr --preset opus-mt``.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from mtalign.errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["PRESETS", "Preset", "build_marian", "build_vocab", "corpus_lines", "marian_config"]


@dataclass(frozen=True)
class Preset:
    """Size of a generated Marian model.

    ``spm_vocab`` is what each SentencePiece model is asked for (a soft limit: the shipped
    corpus cannot support more pieces than it has); ``vocab_size`` pads the shared
    ``vocab.json`` (and so the embedding and output matrices) up to a fixed size, like the
    58,101-entry vocabularies of real OPUS-MT models; ``None`` means no padding.
    ``init_std`` is the weight init scale; ``eos_bias`` is added to the ``</s>`` logit.
    """

    layers: int
    d_model: int
    heads: int
    ffn: int
    spm_vocab: int
    vocab_size: int | None
    init_std: float
    eos_bias: float


PRESETS: dict[str, Preset] = {
    # Milliseconds per sentence. The large init scale spreads the logits of the random model
    # so that greedy decoding has no near-ties, and CTranslate2 and transformers (float32)
    # pick the same token at every step.
    "tiny": Preset(
        layers=2,
        d_model=64,
        heads=4,
        ffn=128,
        spm_vocab=400,
        vocab_size=None,
        init_std=0.5,
        eos_bias=-1e4,
    ),
    # Same shapes as Helsinki-NLP/opus-mt-en-de: ~74M parameters.
    "opus-mt": Preset(
        layers=6,
        d_model=512,
        heads=8,
        ffn=2048,
        spm_vocab=8000,
        vocab_size=58101,
        init_std=0.02,
        eos_bias=-1e4,
    ),
}


def corpus_lines(lang: str) -> list[str]:
    """Sentences shipped for ``lang`` (all shipped languages together when there are none)."""
    root = resources.files("mtalign") / "data" / "testing"
    own = root / f"{lang}.txt"
    files = (
        [own]
        if own.is_file()
        else sorted((f for f in root.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)
    )
    lines: list[str] = []
    for file in files:
        lines.extend(x.strip() for x in file.read_text(encoding="utf-8").splitlines() if x.strip())
    return lines


def _train_spm(lines: Sequence[str], vocab_size: int, extra_lines: Sequence[str] = ()) -> bytes:
    """Train a unigram SentencePiece model in memory; deterministic for the same input."""
    import sentencepiece as spm

    out = io.BytesIO()

    def sentences() -> Iterator[str]:
        yield from lines
        yield from extra_lines

    spm.SentencePieceTrainer.train(
        sentence_iterator=sentences(),
        model_writer=out,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a small corpus supports fewer pieces than asked for
        character_coverage=1.0,
        bos_id=-1,
        eos_id=1,
        unk_id=0,
        pad_id=-1,
        num_threads=1,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return out.getvalue()


def _spm_pieces(model: bytes) -> list[str]:
    import sentencepiece as spm

    proc = spm.SentencePieceProcessor(model_proto=model)
    return [
        proc.id_to_piece(i)
        for i in range(proc.get_piece_size())
        if not (proc.is_control(i) or proc.is_unknown(i) or proc.is_unused(i))
    ]


def _filler_pieces(count: int, taken: set[str], letters: str) -> list[str]:
    """``count`` new word-like pieces (``▁`` + letters) that no real piece uses."""
    out: list[str] = []
    base = len(letters)
    n = 0
    while len(out) < count:
        digits, k = [], n + base * base  # at least three letters
        while k:
            k, r = divmod(k, base)
            digits.append(letters[r])
        piece = "\u2581" + "".join(reversed(digits))
        n += 1
        if piece not in taken:
            taken.add(piece)
            out.append(piece)
    return out


def _default_lang_tokens(src: str, tgt: str) -> list[str]:
    from mtalign.models import load_registry

    token = load_registry().get(src, tgt).target_token
    return [token] if token else []


def build_vocab(
    src_lang: str, tgt_lang: str, preset: str = "tiny", lang_tokens: Sequence[str] = ()
) -> tuple[bytes, bytes, list[str]]:
    """(source.spm bytes, target.spm bytes, vocab.json pieces in id order) for a preset.

    One vocabulary for both sides, as OPUS-MT has: ``</s>`` and ``<unk>`` first, language
    tokens, source pieces, new target pieces, filler pieces up to the preset's size, and
    ``<pad>`` last.
    """
    conf = PRESETS[preset]
    src_lines, tgt_lines = corpus_lines(src_lang), corpus_lines(tgt_lang)
    src_spm = _train_spm(src_lines, conf.spm_vocab)
    tgt_spm = src_spm if tgt_lines == src_lines else _train_spm(tgt_lines, conf.spm_vocab)
    pieces = ["</s>", "<unk>", *lang_tokens]
    seen = set(pieces)
    for piece in _spm_pieces(src_spm) + _spm_pieces(tgt_spm):
        if piece not in seen:
            seen.add(piece)
            pieces.append(piece)
    if conf.vocab_size is not None and len(pieces) + 1 < conf.vocab_size:
        # The shipped corpus supports a few thousand pieces, not 58k: pad with word-like
        # pieces so embedding and output sizes (and so speed and memory) match real models.
        letters = "".join(sorted({c for line in tgt_lines for c in line if c.isalpha()}))[:40]
        pieces += _filler_pieces(conf.vocab_size - 1 - len(pieces), seen, letters or "abc")
    pieces.append("<pad>")
    return src_spm, tgt_spm, pieces


def marian_config(preset: str, vocab_size: int) -> Any:
    """The ``MarianConfig`` of a preset (OPUS-MT's settings: swish, sinusoidal, tied)."""
    from transformers import MarianConfig

    conf = PRESETS[preset]
    pad = vocab_size - 1
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
        activation_function="swish",
        max_position_embeddings=512,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        static_position_embeddings=True,
        init_std=conf.init_std,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        architectures=["MarianMTModel"],
    )


def build_marian(
    path: str | Path,
    src_lang: str,
    tgt_lang: str,
    preset: str = "tiny",
    seed: int = 0,
    lang_tokens: Sequence[str] | None = None,
) -> Path:
    """Write a random-weight Marian checkpoint for ``src_lang``->``tgt_lang`` into ``path``.

    ``preset`` is ``"tiny"`` (2+2 layers, d_model 64: loads and translates in milliseconds)
    or ``"opus-mt"`` (6+6 layers, d_model 512, 8 heads, FFN 2048, 58,101 vocabulary, ~74M
    parameters, like the real models). ``lang_tokens`` are target-language tokens put into
    the vocabulary (``[">>ara<<"]``); by default, the registry's token for the pair. The
    same arguments give byte-identical SentencePiece models and identical weights.
    """
    if preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    tokens = (
        list(lang_tokens) if lang_tokens is not None else _default_lang_tokens(src_lang, tgt_lang)
    )

    src_spm, tgt_spm, pieces = build_vocab(src_lang, tgt_lang, preset, tokens)
    vocab = {p: i for i, p in enumerate(pieces)}

    (out / "source.spm").write_bytes(src_spm)
    (out / "target.spm").write_bytes(tgt_spm)
    _write_json(out / "vocab.json", vocab)
    _write_json(
        out / "tokenizer_config.json",
        {
            "source_lang": src_lang,
            "target_lang": tgt_lang,
            "model_max_length": 512,
            "separate_vocabs": False,
            "sp_model_kwargs": {},
            "tokenizer_class": "MarianTokenizer",
            "eos_token": "</s>",
            "unk_token": "<unk>",
            "pad_token": "<pad>",
        },
    )
    _write_json(
        out / "special_tokens_map.json",
        {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
    )
    _save_weights(out, preset, len(pieces), seed)
    logger.info("built %s Marian model %s-%s in %s", preset, src_lang, tgt_lang, out)
    return out


def _save_weights(out: Path, preset: str, vocab_size: int, seed: int) -> None:
    import torch
    from transformers import GenerationConfig, MarianMTModel

    conf = PRESETS[preset]
    pad = vocab_size - 1
    config = marian_config(preset, vocab_size)
    generation = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=512,
        num_beams=4,
        pad_token_id=pad,
        renormalize_logits=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():
        # A random model's </s> logit is as likely as any other, so it would often stop at
        # once or at random. Pushing it down makes every output run to the length limit,
        # which makes lengths predictable (max_length tests, fixed-length benchmarks).
        model.final_logits_bias[0, 0] = conf.eos_bias
        # <pad> starts the decoder from a zero embedding (CTranslate2 assumes this too).
        model.model.shared.weight[pad].zero_()
    model.generation_config = generation
    from mtalign.models import quiet_transformers

    quiet_transformers()
    model.save_pretrained(out)


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
