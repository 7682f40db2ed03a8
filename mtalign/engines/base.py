"""The ``Translator`` protocol shared by every engine.

Engines work on lists of plain strings: N segments in, N results out, same order.
Heavy libraries (torch, transformers, ctranslate2) are imported only by the
implementation modules, never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from mtalign.errors import ModelError


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings every engine accepts.

    ``max_length`` is the cap on output tokens; ``None`` means "scale with the input"
    (``max_length_a * input_tokens + max_length_b``), never a fixed engine default.
    ``min_length`` is used by benchmarks to fix the output length.
    ``target_prefix`` forces the start of each output (one list of target-side
    strings per segment, or None); it is used by glossary prefix repair.
    """

    beam_size: int = 4
    num_hypotheses: int = 1
    max_length: int | None = None
    max_length_a: float = 2.0
    max_length_b: int = 16
    min_length: int = 0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    length_penalty: float = 1.0
    return_attention: bool = False
    return_scores: bool = True


@dataclass(frozen=True)
class Hypothesis:
    """One output of the model for one segment.

    ``tokens`` are target SentencePiece pieces (no special tokens); ``text`` is the
    detokenised string; ``attention`` (when asked for) is one row per target token,
    each a list of weights over the source tokens; ``source_tokens`` are the source
    pieces the attention columns refer to.
    """

    text: str
    tokens: tuple[str, ...]
    score: float | None = None
    attention: tuple[tuple[float, ...], ...] | None = None
    source_tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class TranslationResult:
    """The n-best list for one segment, best first (``hypotheses[0]``)."""

    hypotheses: tuple[Hypothesis, ...] = field(default_factory=tuple)

    @property
    def best(self) -> Hypothesis:
        return self.hypotheses[0]


@runtime_checkable
class Translator(Protocol):
    """What the pipeline needs from an engine.

    ``translate`` must return exactly ``len(texts)`` results in input order.
    ``target_prefix`` (when given) holds, per segment, a target-side *text* prefix
    the output must start with, or ``None`` for no constraint; an engine that cannot
    force prefixes raises ``NotImplementedError`` (glossary prefix repair is then skipped),
    one whose decoder cannot hold some prefixes raises :class:`PrefixTooLong` naming them;
    any other exception is a fault and propagates.
    """

    name: str
    model_id: str
    model_revision: str | None
    device: str
    compute_type: str

    def translate(
        self,
        texts: list[str],
        options: DecodeOptions,
        target_prefix: list[str | None] | None = None,
    ) -> list[TranslationResult]: ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Source-side token counts (used for batching and the length limit)."""
        ...

    def close(self) -> None:
        """Release the model (memory) when its language is done."""
        ...


class PrefixTooLong(ValueError):
    """Some target prefixes do not fit the model's decoder; ``indexes`` are their positions
    in the batch (the caller may drop them and translate the rest)."""

    def __init__(self, indexes: Sequence[int], limit: int) -> None:
        self.indexes = tuple(indexes)
        super().__init__(
            f"target prefix(es) {list(self.indexes)} are longer than the model's {limit} "
            "decoder positions"
        )


def check_count(translator: object, texts: int, results: Sequence[object]) -> None:
    """Raise ``ModelError`` unless an engine call gave one result per text (N in, N out)."""
    if len(results) != texts:
        name = getattr(translator, "name", type(translator).__name__)
        raise ModelError(
            f"engine {name} returned {len(results)} results for {texts} texts; "
            "a Translator must return exactly one result per text, in order"
        )
