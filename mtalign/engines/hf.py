"""transformers engine: ``MarianMTModel.generate`` under ``torch.inference_mode``.

Tokenisation is :class:`mtalign.models.MarianCodec` (the same pieces as ``MarianTokenizer``
without Moses punctuation normalisation, and the same as the CTranslate2 engine). Cross
attention is the last decoder layer's, averaged over heads, one row per generated token.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

import torch

from mtalign.engines.base import DecodeOptions, Hypothesis, TranslationResult
from mtalign.engines.marian import MarianEngine
from mtalign.errors import ModelError
from mtalign.models import ResolvedModel, load_problem

logger = logging.getLogger(__name__)

_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


class TransformersTranslator(MarianEngine):
    """A :class:`~mtalign.engines.base.Translator` running on transformers (PyTorch)."""

    name = "transformers"

    def __init__(
        self,
        model: ResolvedModel,
        device: str = "auto",
        compute_type: str | None = None,
        threads: int = 0,
    ) -> None:
        from transformers import MarianMTModel

        from mtalign.models import quiet_transformers

        quiet_transformers()  # now that transformers is imported: no "Loading weights" bar
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if compute_type is None:
            compute_type = "float16" if device == "cuda" else "float32"
        if compute_type not in _DTYPES:
            raise ModelError(
                f"the transformers engine supports compute types {', '.join(_DTYPES)}, "
                f"got {compute_type!r}; int8 needs --engine ctranslate2"
            )
        if threads and threads != torch.get_num_threads():
            # torch's pool is process-wide: the front end sets it (set_process_threads)
            logger.info(
                "torch runs %d threads (process-wide), not the %d asked for this engine",
                torch.get_num_threads(), threads,
            )  # fmt: skip
        super().__init__(model, device, compute_type)
        try:
            # Eager attention is chosen here, once: it is the implementation that returns
            # attention weights (SDPA kernels do not), and switching per call would change
            # the shared model under other threads.
            net: Any = MarianMTModel.from_pretrained(
                str(model.path),
                dtype=_DTYPES[compute_type],
                attn_implementation="eager",
                trust_remote_code=False,
            )
        except (OSError, ValueError, RuntimeError, pickle.UnpicklingError) as exc:
            raise ModelError(f"transformers cannot load {model.path}: {load_problem(exc)}") from exc
        self._model: Any = net.to(device).eval()
        self._all_ids = list(range(net.config.vocab_size))

    def _loaded(self) -> object:
        return self._model

    def _prefix_fn(self, prefixes: list[list[int]]) -> Any:
        all_ids = self._all_ids

        def allowed(batch_id: int, input_ids: torch.Tensor) -> list[int]:
            step = input_ids.shape[-1] - 1  # the decoder start token comes first
            prefix = prefixes[batch_id]
            return [prefix[step]] if step < len(prefix) else all_ids

        return allowed

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
        codec = self.codec
        width = max(len(s) for s in sources)
        ids = torch.full((len(sources), width), codec.pad_id, dtype=torch.long)
        mask = torch.zeros((len(sources), width), dtype=torch.long)
        for row, src in enumerate(sources):
            ids[row, : len(src)] = torch.tensor(codec.ids(src))
            mask[row, : len(src)] = 1

        kwargs: dict[str, Any] = {}
        if target_prefix is not None and any(target_prefix):
            prefixes = [codec.ids(codec.encode_target(p)) if p else [] for p in target_prefix]
            limit = max([limit] + [len(p) + 1 for p in prefixes])
            kwargs["prefix_allowed_tokens_fn"] = self._prefix_fn(prefixes)
        beam = max(options.beam_size, options.num_hypotheses)
        n = options.num_hypotheses
        with torch.inference_mode():
            out = self._model.generate(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                num_beams=beam,
                num_return_sequences=n,
                do_sample=False,
                # +1: generate counts </s>, our limit does not
                max_new_tokens=limit + 1,
                max_length=None,
                min_new_tokens=min(options.min_length, limit),
                length_penalty=options.length_penalty,
                repetition_penalty=options.repetition_penalty,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
                early_stopping=True,
                output_scores=options.return_scores,
                output_attentions=options.return_attention,
                return_dict_in_generate=True,
                **kwargs,
            )
        sequences = out.sequences.cpu()
        scores = self._scores(out, beam, options) if options.return_scores else None
        results: list[TranslationResult] = []
        for i, src in enumerate(sources):
            hyps = []
            for j in range(n):
                row = i * n + j
                gen = sequences[row, 1:].tolist()  # drop the decoder start token
                if codec.eos_id in gen:
                    gen = gen[: gen.index(codec.eos_id)]
                gen = [t for t in gen if t != codec.pad_id]
                tokens = codec.pieces(gen)
                attention = None
                if options.return_attention:
                    attention = self._attention(out, row, i, beam, len(tokens), len(src))
                hyps.append(
                    Hypothesis(
                        text=codec.decode(tokens),
                        tokens=tuple(tokens),
                        score=scores[row] if scores is not None else None,
                        attention=attention,
                        source_tokens=tuple(src),
                    )
                )
            results.append(TranslationResult(hypotheses=tuple(hyps)))
        return results

    def _scores(self, out: Any, beam: int, options: DecodeOptions) -> list[float]:
        if beam > 1:
            return [float(s) for s in out.sequences_scores.cpu()]
        # Greedy: mean log-probability per token, like the beam scores with length_penalty 1.
        steps = self._model.compute_transition_scores(
            out.sequences, out.scores, normalize_logits=True
        ).cpu()
        values = []
        for row in steps:
            finite = row[torch.isfinite(row)]
            length = max(1, finite.numel())
            values.append(float(finite.sum()) / length**options.length_penalty)
        return values

    @staticmethod
    def _attention(
        out: Any, row: int, batch_index: int, beam: int, n_tokens: int, n_source: int
    ) -> tuple[tuple[float, ...], ...]:
        """Last-layer cross attention, mean over heads, for output ``row``'s tokens."""
        beam_rows = None
        if beam > 1 and getattr(out, "beam_indices", None) is not None:
            beam_rows = out.beam_indices[row].tolist()
        matrix = []
        for step in range(n_tokens):
            source_row = beam_rows[step] if beam_rows is not None else batch_index
            layer = out.cross_attentions[step][-1]  # (batch*beams, heads, 1, src)
            weights = layer[source_row].float().mean(dim=0)[-1, :n_source]
            matrix.append(tuple(float(w) for w in weights.cpu()))
        return tuple(matrix)

    def close(self) -> None:
        """Free the model's memory; the object cannot translate afterwards."""
        self._model = None
        if self.device == "cuda":
            torch.cuda.empty_cache()
