"""Offline stand-ins for OPUS-MT checkpoints and COMET, for tests and benchmarks.

:func:`build_marian` writes a directory laid out like a real OPUS-MT model on the
Hugging Face hub (``source.spm``, ``target.spm``, ``vocab.json``, ``tokenizer_config.json``,
``config.json``, ``generation_config.json``, ``model.safetensors``; tc-big checkpoints also
``special_tokens_map.json``), so the real loading, conversion and tokenisation code runs on
it. Each preset mirrors one family of the registry (:mod:`mtalign.testing.presets`: base
``opus-mt`` or ``tc-big``, in their real shapes or tiny); :func:`build_like` builds the
family and language labels of a registry choice. The SentencePiece models are trained in
memory on news text shipped in ``mtalign/data/testing/``; the weights are random (seeded).
The model talks gibberish: use it to check structure, counts, order, determinism and
engine agreement, never quality.

:class:`~mtalign.testing.comet.StubScorer` stands in for a COMET checkpoint.

Command line: ``python -m mtalign.testing build DIR --src en --tgt tr --preset opus-mt``
or ``python -m mtalign.testing build DIR --like en-ar:small``.
"""

from __future__ import annotations

from mtalign.testing.marian import build_like, build_marian, default_lang_tokens, marian_config
from mtalign.testing.presets import FAMILIES, PRESETS, Family, Preset
from mtalign.testing.vocab import build_vocab, corpus_lines

__all__ = [
    "FAMILIES",
    "PRESETS",
    "Family",
    "Preset",
    "build_like",
    "build_marian",
    "build_vocab",
    "corpus_lines",
    "default_lang_tokens",
    "marian_config",
]
