"""CTranslate2 engine: int8 on CPU, int8_float16 on CUDA by default.

The Hugging Face checkpoint is converted once into mtalign's cache
(:func:`mtalign.models.convert_to_ct2`); tokenisation is :class:`mtalign.models.MarianCodec`,
the same as the transformers engine, so both engines see identical source pieces.
"""

from __future__ import annotations

import logging

import ctranslate2

from mtalign.engines.base import DecodeOptions, Hypothesis, TranslationResult
from mtalign.engines.marian import MarianEngine
from mtalign.errors import ModelError
from mtalign.models import ResolvedModel, convert_to_ct2, ct2_quantization, one_line

logger = logging.getLogger(__name__)


def _about_the_device(exc: BaseException) -> bool:
    """Whether a load failure is about the device or compute type, not the files."""
    text = str(exc).lower()
    return any(w in text for w in ("cuda", "compute type", "compute_type", "device", "gpu"))


class CTranslate2Translator(MarianEngine):
    """A :class:`~mtalign.engines.base.Translator` running on ``ctranslate2.Translator``."""

    name = "ctranslate2"

    def __init__(
        self,
        model: ResolvedModel,
        device: str = "auto",
        compute_type: str | None = None,
        threads: int = 0,
    ) -> None:
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        if compute_type is None:
            compute_type = "int8_float16" if device == "cuda" else "int8"
        super().__init__(model, device, compute_type)
        quantization = ct2_quantization(compute_type)
        self.model_path = convert_to_ct2(model, quantization)
        try:
            self._translator: ctranslate2.Translator | None = self._load(
                device, compute_type, threads
            )
        except (RuntimeError, ValueError) as exc:
            if _about_the_device(exc):
                raise self._load_error(exc, device, compute_type) from exc
            # The cached conversion itself may be damaged (a conversion of an older mtalign
            # that recorded no sizes, or bytes changed in place): make it again, once.
            logger.warning(
                "CTranslate2 cannot load %s (%s); converting again", self.model_path, one_line(exc)
            )
            self.model_path = convert_to_ct2(model, quantization, force=True)
            try:
                self._translator = self._load(device, compute_type, threads)
            except (RuntimeError, ValueError) as again:
                raise self._load_error(again, device, compute_type) from again

    def _load(self, device: str, compute_type: str, threads: int) -> ctranslate2.Translator:
        return ctranslate2.Translator(
            str(self.model_path), device=device, compute_type=compute_type, intra_threads=threads
        )

    def _load_error(self, exc: BaseException, device: str, compute_type: str) -> ModelError:
        """The load failure, with only the settings that differ from those in use."""
        tries = [f for f, now in (("--device cpu", device == "cpu"),
                                  ("--compute-type int8", compute_type == "int8")) if not now]  # fmt: skip
        fix = (
            f"try {' or '.join(tries)}"
            if tries
            else "the checkpoint may not be a MarianMT model this CTranslate2 can run; "
            "try --engine transformers"
        )
        return ModelError(
            f"CTranslate2 cannot load {self.model_path} on {device} with compute type "
            f"{compute_type}: {one_line(exc)}; {fix}"
        )

    def _loaded(self) -> object:
        return self._translator

    def translate(
        self,
        texts: list[str],
        options: DecodeOptions,
        target_prefix: list[str | None] | None = None,
    ) -> list[TranslationResult]:
        """Translate ``texts`` as one batch; N results in input order."""
        if not texts:
            return []
        sources, limit = self._encode_batch(texts, options, target_prefix)
        prefixes = None
        if target_prefix is not None and any(target_prefix):
            prefixes = [self.codec.encode_target(p) if p else [] for p in target_prefix]
            limit = max([limit] + [len(p) + 1 for p in prefixes])
        beam = max(options.beam_size, options.num_hypotheses)
        kwargs = {
            "beam_size": beam,
            "num_hypotheses": options.num_hypotheses,
            "length_penalty": options.length_penalty,
            "repetition_penalty": options.repetition_penalty,
            "no_repeat_ngram_size": options.no_repeat_ngram_size,
            "max_decoding_length": limit,
            "min_decoding_length": min(options.min_length, limit),
            "return_scores": options.return_scores,
            "return_attention": options.return_attention,
            "max_batch_size": 0,
        }
        if self._translator is None:
            raise ModelError(f"{self.model_path}: the engine was closed; load it again")
        results = self._translator.translate_batch(sources, target_prefix=prefixes, **kwargs)
        # CTranslate2 4.x returns a wrong first attention row for padded examples in beam
        # search. Decoding each source length apart avoids it but costs ~4x; the row is
        # only the first output token's, so it is replaced by its neighbour instead.
        patch_first_row = options.return_attention and beam > 1
        longest = max(len(s) for s in sources)
        out: list[TranslationResult] = []
        for src, res in zip(sources, results, strict=True):
            hyps = []
            for i, tokens in enumerate(res.hypotheses):
                tokens = [t for t in tokens if t != self.codec.eos]
                attention = None
                if options.return_attention:
                    rows = list(res.attention[i][: len(tokens)])
                    if patch_first_row and len(src) < longest and len(rows) > 1:
                        rows[0] = rows[1]
                    attention = tuple(tuple(float(w) for w in row[: len(src)]) for row in rows)
                hyps.append(
                    Hypothesis(
                        text=self.codec.decode(tokens),
                        tokens=tuple(tokens),
                        score=float(res.scores[i]) if options.return_scores else None,
                        attention=attention,
                        source_tokens=tuple(src),
                    )
                )
            out.append(TranslationResult(hypotheses=tuple(hyps)))
        return out

    def close(self) -> None:
        """Free the model's memory; the object cannot translate afterwards."""
        if self._translator is not None:
            self._translator.unload_model()
            self._translator = None
