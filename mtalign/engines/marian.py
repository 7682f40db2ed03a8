"""What both Marian engines share: identity, tokenisation, batch checks.

Kept apart from ``base.py`` (the protocol) because it reads the checkpoint's tokenizer
files; it imports no heavy library.
"""

from __future__ import annotations

from mtalign.engines.base import DecodeOptions, PrefixTooLong
from mtalign.errors import ModelError
from mtalign.models import MarianCodec, ResolvedModel


class MarianEngine:
    """Base of the CTranslate2 and transformers engines (one Marian checkpoint each)."""

    name = "marian"

    def __init__(self, model: ResolvedModel, device: str, compute_type: str) -> None:
        self.model_id = model.model_id
        self.model_revision: str | None = model.revision
        self.device = device
        self.compute_type = compute_type
        self.target_token = model.target_token
        self.max_positions = model.max_positions
        self.codec = MarianCodec(model.path)

    def _loaded(self) -> object:
        """The engine's model handle, ``None`` once closed."""
        raise NotImplementedError

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Source tokens per text, including the language token and ``</s>``."""
        return [len(self.codec.encode_source(t, self.target_token)) for t in texts]

    def _encode_batch(
        self,
        texts: list[str],
        options: DecodeOptions,
        target_prefix: list[str | None] | None,
    ) -> tuple[list[list[str]], int]:
        """Checks and source encoding of one batch: (source pieces, output limit)."""
        from mtalign.engines import output_limit

        if self._loaded() is None:
            raise ModelError(f"translator for {self.model_id} was closed; load it again")
        if target_prefix is not None and len(target_prefix) != len(texts):
            raise ValueError(
                f"target_prefix has {len(target_prefix)} entries for {len(texts)} texts"
            )
        if target_prefix is not None:
            cap = self.max_positions - 2  # the start token and </s> take two positions
            lengths = [len(self.codec.encode_target(p)) if p else 0 for p in target_prefix]
            too_long = [i for i, n in enumerate(lengths) if n + 1 > cap]
            if too_long:
                raise PrefixTooLong(too_long, self.max_positions)
        sources = [self.codec.encode_source(t, self.target_token) for t in texts]
        limit = max(output_limit(options, len(s), self.max_positions) for s in sources)
        return sources, limit
