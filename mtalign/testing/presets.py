"""The shapes and layouts of the generated checkpoints, mirroring the registry's families.

Two families of OPUS-MT checkpoints are on the hub, and they differ in more than size
(read from their ``config.json``, ``tokenizer_config.json`` and file listings; see
docs/models.md, "Shapes"):

=================  ==========================  ====================================
                   ``opus-mt`` (base)          ``tc-big`` (transformer-big)
=================  ==========================  ====================================
shape              d 512, 8 heads, 6+6, 2048   d 1024, 16 heads, 6+6, 4096
activation         swish                       relu
positions          512                         1024
``</s>``           id 0                        an id inside the vocabulary
language codes     ``eng``/``tur`` (ISO 639-3)  ``en``/``tr`` (or a group: ``zle``)
tokenizer files    minimal tokenizer_config    full tokenizer_config (separate_vocabs
                                               false) + special_tokens_map.json
weights            float32                     float16, with a stored ``lm_head.weight``
=================  ==========================  ====================================

A :class:`Preset` is a size (layers, width, vocabulary) in one :class:`Family` layout.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """The layout of a family of real OPUS-MT checkpoints."""

    name: str
    activation: str
    max_positions: int
    eos_first: bool  # </s> is id 0 (base) or sits inside the vocabulary (tc-big)
    iso3_codes: bool  # tokenizer_config languages as eng/tur (base) or en/tr (tc-big)
    full_tokenizer_config: bool  # tc-big: separate_vocabs, name_or_path, special tokens
    dtype: str  # torch dtype of the weights as uploaded
    lm_head: bool  # the original tc-big uploads store lm_head.weight beside the embeddings
    renormalize_logits: bool  # generation_config.json of the updated tc-big checkpoints


FAMILIES: dict[str, Family] = {
    "opus-mt": Family(
        name="opus-mt",
        activation="swish",
        max_positions=512,
        eos_first=True,
        iso3_codes=True,
        full_tokenizer_config=False,
        dtype="float32",
        lm_head=False,
        renormalize_logits=False,
    ),
    "tc-big": Family(
        name="tc-big",
        activation="relu",
        max_positions=1024,
        eos_first=False,
        iso3_codes=False,
        full_tokenizer_config=True,
        dtype="float16",
        lm_head=True,
        renormalize_logits=True,
    ),
}


@dataclass(frozen=True)
class Preset:
    """Size of a generated Marian model, in one family's layout.

    ``spm_vocab`` is what each SentencePiece model is asked for (a soft limit: the shipped
    corpus cannot support more pieces than it has); ``vocab_size`` pads the shared
    ``vocab.json`` (and so the embedding and output matrices) up to a fixed size, like the
    53k-63k entry vocabularies of real OPUS-MT models; ``None`` means no padding.
    ``init_std`` is the weight init scale; ``eos_bias`` is added to the ``</s>`` logit.
    """

    family: str
    layers: int
    d_model: int
    heads: int
    ffn: int
    spm_vocab: int
    vocab_size: int | None
    init_std: float
    eos_bias: float

    @property
    def layout(self) -> Family:
        return FAMILIES[self.family]


# The tiny presets answer in milliseconds. Their large init scale spreads the logits of the
# random model so that greedy decoding has no near-ties, and CTranslate2 and transformers
# (float32) pick the same token at every step.
_TINY = {"layers": 2, "d_model": 64, "heads": 4, "ffn": 128, "spm_vocab": 400}

PRESETS: dict[str, Preset] = {
    "tiny": Preset(family="opus-mt", **_TINY, vocab_size=None, init_std=0.5, eos_bias=-1e4),
    "tiny-tc-big": Preset(family="tc-big", **_TINY, vocab_size=None, init_std=0.5, eos_bias=-1e4),
    # Same shapes as Helsinki-NLP/opus-mt-en-de: ~74M parameters.
    "opus-mt": Preset(
        family="opus-mt",
        layers=6,
        d_model=512,
        heads=8,
        ffn=2048,
        spm_vocab=8000,
        vocab_size=58101,
        init_std=0.02,
        eos_bias=-1e4,
    ),
    # Same shapes as Helsinki-NLP/opus-mt-tc-big-en-tr: ~235M parameters (470 MB in fp16).
    "tc-big": Preset(
        family="tc-big",
        layers=6,
        d_model=1024,
        heads=16,
        ffn=4096,
        spm_vocab=8000,
        vocab_size=57060,
        init_std=0.02,
        eos_bias=-1e4,
    ),
}

#: The tiny preset of each family (what :func:`mtalign.testing.build_like` builds).
TINY_OF = {"opus-mt": "tiny", "tc-big": "tiny-tc-big"}
#: The real-size preset of each family.
FULL_OF = {"opus-mt": "opus-mt", "tc-big": "tc-big"}

#: ISO 639-3 codes base checkpoints write into tokenizer_config.json.
ISO3_CODES = {
    "en": "eng", "tr": "tur", "ru": "rus", "ar": "ara", "de": "deu", "fr": "fra", "es": "spa",
    "uk": "ukr", "zh": "zho",
}  # fmt: skip
