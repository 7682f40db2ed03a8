"""The per-segment stage: memory, batching, the engine, the quality gate and its retry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mtalign.batching import plan_batches, split_long
from mtalign.engines.base import DecodeOptions, Translator, check_count
from mtalign.langs import without_spaces
from mtalign.pipeline.masking import MARKER, Masked, mask_protected, repair_dropped, unmask
from mtalign.pipeline.results import SegmentOutcome
from mtalign.pipeline.settings import TranslateSettings, decode_options, safer_options
from mtalign.quality import check_segment, has_content, retry_flags
from mtalign.tm import MemoryEntry, TranslationMemory, settings_digest
from mtalign.types import QualityFlag

log = logging.getLogger(__name__)

#: ``texts -> {text: entry}`` for one planned batch (the caller keeps it in budget).
BatchWork = Callable[[list[str]], dict[str, MemoryEntry]]


@dataclass(frozen=True)
class PieceOutputs:
    """What one :meth:`SegmentTranslator.translate_pieces` call gives: the output of each
    piece, and its provenance (retried now or by the run that stored it; from the memory)."""

    outputs: Mapping[str, str]
    retried: frozenset[str]
    from_memory: frozenset[str]


class SegmentTranslator:
    """Translates lists of segments for one language pair with batching, cache and gate.

    The engine is created lazily by ``factory``: a run whose segments are all cached
    never loads the model.
    """

    def __init__(
        self,
        factory: Callable[[], Translator],
        src_lang: str,
        tgt_lang: str,
        settings: TranslateSettings,
        memory: TranslationMemory,
        cache_key: Mapping[str, Any],
        max_input_tokens: int = 510,
    ) -> None:
        self._factory = factory
        self._translator: Translator | None = None
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.settings = settings
        self.memory = memory
        self.digest = settings_digest(dict(cache_key))
        self.max_input_tokens = max_input_tokens
        self.model_calls = 0

    @property
    def translator(self) -> Translator:
        """The engine, loaded on first use."""
        if self._translator is None:
            self._translator = self._factory()
        return self._translator

    @property
    def loaded(self) -> bool:
        """Whether the engine has been loaded."""
        return self._translator is not None

    def close(self) -> None:
        """Release the engine."""
        if self._translator is not None:
            self._translator.close()
            self._translator = None

    def gate(self, source: str, output: str) -> list[tuple[str, str]]:
        """The quality gate's ``(kind, detail)`` flags of one finished segment."""
        if not self.settings.quality_gate:
            return []
        return check_segment(source, output, self.src_lang, self.tgt_lang)

    def _retryable(self, source: str, output: str) -> set[str]:
        """Flags worth a retry (cheap checks only; the full gate runs once at the end)."""
        if not self.settings.quality_gate:
            return set()
        return {k for k, _ in retry_flags(source, output, self.src_lang, self.tgt_lang)}

    def call_engine(self, texts: list[str], options: DecodeOptions, **kwargs: Any) -> list[Any]:
        """One engine call, counted and checked: N results for N texts."""
        results = self.translator.translate(texts, options, **kwargs)
        self.model_calls += 1
        check_count(self.translator, len(texts), results)
        return results

    def _run_model(self, texts: list[str], options: DecodeOptions) -> list[str]:
        """Best outputs of one engine call; placeholder markers the model dropped are put
        back where its attention says (texts with markers are decoded with attention)."""
        if not texts:
            return []
        marked = [k for k, t in enumerate(texts) if MARKER.search(t)]
        out: list[str] = [""] * len(texts)
        plain = [k for k in range(len(texts)) if k not in set(marked)]
        for idx, opts in ((plain, options), (marked, replace(options, return_attention=True))):
            if not idx:
                continue
            results = self.call_engine([texts[k] for k in idx], opts)
            for k, res in zip(idx, results, strict=True):
                if res.hypotheses:
                    hyp = res.best
                    out[k] = repair_dropped(texts[k], hyp) if opts.return_attention else hyp.text
        return out

    def cached_batches(
        self, digest: str, texts: Sequence[str], work: BatchWork, bar: Any = None
    ) -> tuple[dict[str, MemoryEntry], set[str]]:
        """Entries of ``texts`` from the memory, the rest from ``work`` in planned batches.

        Each batch is committed to the memory as soon as it is done, so an interrupt keeps
        everything finished so far. Returns the entries and the texts computed now.
        """
        found = self.memory.lookup(digest, texts)
        todo = [t for t in dict.fromkeys(texts) if t not in found]
        pair = f"{self.src_lang}-{self.tgt_lang}"
        log.info("%s: %d of %d texts from the translation memory", pair, len(found), len(texts))
        if bar is not None:
            bar.update(len(texts) - len(todo))
        if not todo:
            return found, set()
        self._load_with_status(bar)
        lengths = self.translator.count_tokens(todo)
        batches = plan_batches(lengths, self.settings.batch_tokens)
        log.info(
            "%s: %d texts in %d batches of at most %d tokens",
            pair, len(todo), len(batches), self.settings.batch_tokens,
        )  # fmt: skip
        for batch in batches:
            part = [todo[i] for i in batch]
            result = work(part)
            self.memory.store(digest, result.items())
            found.update(result)
            if bar is not None:
                bar.update(len(part))
        return found, set(todo)

    def _load_with_status(self, bar: Any) -> None:
        """Load the engine, saying so on the bar (a first use converts the model, which
        takes a while and would otherwise look like a bar stuck at 0%)."""
        say = getattr(bar, "set_postfix_str", None)  # any bar-like object may be passed
        if self._translator is not None or say is None:
            return
        describe = getattr(self._factory, "describe", None)
        say(describe() if callable(describe) else "loading model", refresh=True)
        try:
            self.translator  # noqa: B018 - loads it
        finally:
            say("", refresh=True)

    def _decode_with_retry(self, part: list[str]) -> dict[str, MemoryEntry]:
        """First pass, then one safer pass for outputs with a cheap quality flag."""
        result = dict(zip(part, self._run_model(part, decode_options(self.settings)), strict=True))
        retried: set[str] = set()
        if self.settings.retry:
            redo = [p for p in part if self._retryable(p, result[p])]
            if redo:
                log.info(
                    "%s-%s: retrying %d of %d outputs with safer decoding",
                    self.src_lang, self.tgt_lang, len(redo), len(part),
                )  # fmt: skip
            again = self._run_model(redo, safer_options(self.settings)) if redo else []
            for p, o in zip(redo, again, strict=True):
                before = self._retryable(p, result[p])
                after = self._retryable(p, o)
                if len(after) < len(before) or (not after and o.strip()):
                    result[p] = o
                retried.add(p)
        return {p: MemoryEntry(result[p], retried=p in retried) for p in part}

    def translate_pieces(self, pieces: list[str], bar: Any = None) -> PieceOutputs:
        """Outputs for unique pieces (from the memory or the model), with their provenance."""
        found, fresh = self.cached_batches(self.digest, pieces, self._decode_with_retry, bar)
        return PieceOutputs(
            outputs={p: e.output for p, e in found.items()},
            retried=frozenset(p for p, e in found.items() if e.retried),
            from_memory=frozenset(set(pieces) - fresh),
        )

    def translate_segments(
        self,
        texts: Sequence[str],
        ids: Sequence[str] | None = None,
        protected: Sequence[Sequence[tuple[int, int]]] | None = None,
        bar: Any = None,
        kinds: Sequence[Sequence[str]] | None = None,
    ) -> list[SegmentOutcome]:
        """N segments in, N outcomes out, in order; nothing dropped or truncated.

        ``protected`` spans (with ``kinds``: atom/open/close each) go through the model
        as placeholders and come back exactly once each (see :mod:`.masking`).
        """
        ids = list(ids) if ids is not None else [str(i) for i in range(len(texts))]
        prepared: list[tuple[str, Masked] | None] = []
        plans: list[list[str]] = []
        for k, text in enumerate(texts):
            spans = protected[k] if protected else ()
            masked = mask_protected(text, spans, kinds[k] if kinds else ())
            norm = " ".join(masked.text.split())
            if not has_content(_without_markers(norm, masked)):  # only code or tags
                prepared.append(None)
                plans.append([])
                continue
            prepared.append((norm, masked))
            plans.append(self._pieces(norm))
        unique = list(dict.fromkeys(p for plan in plans for p in plan))
        if bar is not None and len(unique) != len(texts):
            # The bar counts what goes to the model: a long segment's pieces (a 2 MB line
            # shows its progress), a repeated or empty one not at all.
            bar.total += len(unique) - len(texts)
            bar.refresh()
        done = self.translate_pieces(unique, bar)
        return [
            self._outcome(texts[k], ids[k], prepared[k], plans[k], done) for k in range(len(texts))
        ]

    def _outcome(
        self,
        text: str,
        seg_id: str,
        prep: tuple[str, Masked] | None,
        plan: list[str],
        done: PieceOutputs,
    ) -> SegmentOutcome:
        """One segment's outcome from the outputs of its pieces."""
        if prep is None:
            return SegmentOutcome(text=text, passthrough=True)
        norm, masked = prep
        joiner = "" if without_spaces(self.tgt_lang) else " "
        restored = unmask(joiner.join(done.outputs[p] for p in plan).strip(), masked)
        out = restored.text
        was_retried = any(p in done.retried for p in plan)
        flags = [
            QualityFlag(seg_id, self.tgt_lang, kind, detail, retried=was_retried)
            for kind, detail in self.gate(unmask(norm, masked).text, out)
        ]
        if restored.problems:
            detail = "; ".join(restored.problems)
            flags.append(QualityFlag(seg_id, self.tgt_lang, "markup", detail, was_retried))
        return SegmentOutcome(
            text=out,
            flags=flags,
            retried=was_retried,
            pieces=len(plan),
            cached=all(p in done.from_memory for p in plan),
        )

    def _pieces(self, text: str) -> list[str]:
        """The text, or its pieces when it is over the model's input limit."""
        # Cheap bound first: a SentencePiece token covers at least one character.
        if len(text) <= self.max_input_tokens - 8:
            return [text]
        return split_long(text, self.translator.count_tokens, self.max_input_tokens)


def _without_markers(norm: str, masked: Masked) -> str:
    """The masked text with our markers removed (what the model has to translate)."""
    ours = {h.marker for h in masked.holders}
    return MARKER.sub(lambda m: "" if f"[{m.group(1)}]" in ours else m.group(0), norm)
