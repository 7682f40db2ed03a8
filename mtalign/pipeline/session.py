"""Long-lived translation state: resolved models, loaded engines, memory and glossary."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mtalign.engines import engine_name
from mtalign.engines.base import Translator
from mtalign.errors import LanguageError, ModelError, MtalignError
from mtalign.glossary.model import Glossary
from mtalign.hashing import file_digest
from mtalign.pipeline.pivot import PivotTranslator
from mtalign.pipeline.settings import TranslateSettings, check_settings
from mtalign.pipeline.stage import SegmentTranslator
from mtalign.settings import output_fields
from mtalign.tm import NullMemory, TranslationMemory

log = logging.getLogger(__name__)


@dataclass
class PairEngine:
    """The model resolved for one language pair and how it is loaded."""

    src: str
    tgt: str
    model: Any  # mtalign.models.ResolvedModel
    engine: str
    #: Through a pivot language (``--pivot``): the two direct legs, source -> pivot and
    #: pivot -> target; ``model`` is then the second leg's (the one that writes ``tgt``).
    legs: tuple[PairEngine, PairEngine] | None = None

    @property
    def pivot(self) -> str | None:
        """The language this pair goes through, or None for a direct model."""
        return self.legs[0].tgt if self.legs else None


def check_pairs(pairs: Sequence[tuple[str, str]]) -> None:
    """Refuse a pair whose source and target are the same language."""
    for src, tgt in pairs:
        if src == tgt:
            raise LanguageError(
                f"source and target language are both {src!r}; drop {tgt} from the target "
                "languages or fix the source language"
            )


def resolve_pairs(
    pairs: Sequence[tuple[str, str]], settings: TranslateSettings
) -> dict[tuple[str, str], PairEngine]:
    """Resolve every model before any work starts, so a missing one fails fast.

    A pair without a usable direct model goes through ``settings.pivot`` when it is set
    and both legs resolve; otherwise its error says whether ``--pivot en`` would do.
    """
    check_pairs(pairs)
    out = {}
    missing: list[tuple[str, str, ModelError]] = []
    for src, tgt in pairs:
        try:
            out[(src, tgt)] = _resolve_pair(src, tgt, settings)
        except ModelError as exc:
            missing.append((src, tgt, exc))  # name every missing pair, not just the first
    if len(missing) == 1:
        raise missing[0][2]
    if missing:
        names = ", ".join(f"{s}-{t}" for s, t, _ in missing)
        details = "; ".join(f"{s}-{t}: {exc}" for s, t, exc in missing)
        raise ModelError(
            f"no usable model for {len(missing)} pairs ({names}); get them all at once with "
            f"`mtalign models pull {' '.join(f'{s}-{t}' for s, t, _ in missing)}` on a machine "
            f"that can reach the hub, or give --model LANG=DIR. Details: {details}"
        )
    return out


def _resolve_pair(src: str, tgt: str, settings: TranslateSettings) -> PairEngine:
    """The direct model of a pair, else (``settings.pivot``) the two legs through it."""
    try:
        return _direct(src, tgt, settings.models.get(tgt), settings)
    except ModelError as exc:
        pivot = settings.pivot
        if not pivot or pivot in (src, tgt):
            hint = pivot_hint(src, tgt)
            raise ModelError(f"{exc}; {hint}") if hint else exc from None
        try:
            first = _direct(src, pivot, None, settings)
            second = _direct(pivot, tgt, settings.models.get(tgt), settings)
        except ModelError as leg:
            raise ModelError(
                f"no direct model for {src}-{tgt} ({exc}), and no way through {pivot}: {leg}"
            ) from None
        log.info("%s-%s: no direct model (%s); translating through %s", src, tgt, exc, pivot)
    return PairEngine(src, tgt, second.model, second.engine, legs=(first, second))


def _direct(src: str, tgt: str, spec: str | None, settings: TranslateSettings) -> PairEngine:
    from mtalign.models import resolve_model

    model = resolve_model(spec, src=src, tgt=tgt) if spec else resolve_model(src=src, tgt=tgt)
    pe = PairEngine(src, tgt, model, engine_name(settings.engine))
    log.info(
        "%s-%s: model %s (revision %s, from %s: %s), engine %s",
        src, tgt, model.model_id, model.revision[:12], model.origin, model.path, pe.engine,
    )  # fmt: skip
    return pe


def pivot_hint(src: str, tgt: str) -> str:
    """``give --pivot en ...`` when the registry has both legs through English (else any
    language), or "" when no pivot would help."""
    from mtalign.models import load_registry

    try:
        reg = load_registry()
    except MtalignError:
        return ""
    via = sorted({m for s, m in reg.entries if s == src and (m, tgt) in reg.entries} - {src, tgt})
    if not via:
        return ""
    lang = "en" if "en" in via else via[0]
    return (
        f'or translate through {lang} with --pivot {lang} (pivot = "{lang}" in a job\'s '
        f"[translate]): the registry has {src}-{lang} and {lang}-{tgt}"
    )


def engine_threads(settings: TranslateSettings) -> int:
    """CPU threads for the engine: the setting, else OMP_NUM_THREADS, else the cores this
    process may use.

    CTranslate2's own default (4 threads) oversubscribes small machines (see the batch
    benchmark in docs/benchmarks.md#batch-jobs).
    """
    if settings.threads > 0:
        return settings.threads
    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) > 0:
        return int(omp)  # the usual way to pin a worker's threads (Ray sets it per actor)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def set_threads(settings: TranslateSettings) -> None:
    """Set the process-wide CPU threads of torch for ``settings`` (the transformers engine).

    Called once by each front end (command, API call, batch worker) before engines load,
    never by an engine object: torch has one thread pool per process.
    """
    from mtalign.engines import set_process_threads

    set_process_threads(settings.engine, engine_threads(settings))


def _load_factory(pe: PairEngine, settings: TranslateSettings) -> Callable[[], Translator]:
    def factory() -> Translator:
        from mtalign.engines import load_translator

        log.info("loading %s (%s) for %s-%s", pe.model.model_id, pe.engine, pe.src, pe.tgt)
        return load_translator(
            pe.engine,
            pe.model,
            device=settings.device,
            compute_type=settings.compute_type,
            threads=engine_threads(settings),
        )

    factory.describe = lambda: load_status(pe, settings)  # type: ignore[attr-defined]
    return factory


def load_status(pe: PairEngine, settings: TranslateSettings) -> str:
    """What loading ``pe``'s engine will do: "converting ..." on a model's first use."""
    if pe.engine == "ctranslate2":
        from mtalign.models import ct2_cache_path, ct2_quantization, is_converted

        quantization = ct2_quantization(settings.compute_type or "int8")
        if not is_converted(ct2_cache_path(pe.model, quantization)):
            return f"converting {pe.model.model_id} to CTranslate2 ({quantization}, once)"
    return f"loading {pe.model.model_id}"


def cache_key(pe: PairEngine, settings: TranslateSettings) -> dict[str, Any]:
    """What makes a cached translation of this pair reusable: the resolved model and
    engine, and every setting declared to shape a segment's translation."""
    return {
        "model": pe.model.model_id,
        "revision": pe.model.revision,
        "engine": pe.engine,
        "src": pe.src,
        "tgt": pe.tgt,
        "target_token": pe.model.target_token,
        "settings": output_fields(settings, ("segment",)),
    }


def load_glossary(settings: TranslateSettings) -> Glossary | None:
    """The glossary of a run (None when there is none or the mode is off)."""
    if not settings.glossary or settings.glossary_mode == "off":
        return None
    from mtalign.glossary import load_glossaries

    return load_glossaries(list(settings.glossary))


def glossary_fingerprint(paths: Sequence[str]) -> str:
    """Content hash of the glossary file(s): a changed glossary invalidates enforced outputs."""
    if not paths:
        return ""
    return file_digest(paths, 24)


class TranslationSession:
    """Long-lived translation state: resolved models, loaded engines, memory, glossary.

    Engines are loaded lazily per language pair and kept until :meth:`release` or
    :meth:`close`, so a batch job translating many documents loads each model once.
    """

    def __init__(
        self,
        settings: TranslateSettings,
        engines: Mapping[tuple[str, str], PairEngine] | None = None,
        factory: Callable[[PairEngine], Translator] | None = None,
        memory: TranslationMemory | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self.settings = check_settings(settings)
        self.engines: dict[tuple[str, str], PairEngine] = dict(engines or {})
        self._factory = factory
        if memory is None:
            memory = TranslationMemory(self.settings.cache_path) if self.settings.cache else None
        self.memory = memory if memory is not None else NullMemory()
        self.glossary = glossary if glossary is not None else load_glossary(self.settings)
        self.glossary_fingerprint = glossary_fingerprint(self.settings.glossary)
        self._stages: dict[tuple[str, str], SegmentTranslator | PivotTranslator] = {}
        #: Sentence bars under another bar (a batch job's documents): shown while they
        #: run, cleared when done, so the job's bar stays the one line left.
        self.nested_progress = False

    def prepare(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Check and resolve the models of these pairs now (fail fast, before any work)."""
        check_pairs(pairs)
        todo = [p for p in dict.fromkeys(pairs) if p not in self.engines]
        if todo:
            self.engines.update(resolve_pairs(todo, self.settings))

    def stage(self, src: str, tgt: str) -> SegmentTranslator | PivotTranslator:
        """The segment translator of a pair (its engine loads on first real use); a
        pair through a pivot language gets a :class:`PivotTranslator` of its two legs."""
        key = (src, tgt)
        if key not in self._stages:
            self.prepare([key])
            pe = self.engines[key]
            if pe.legs is not None:
                self._stages[key] = PivotTranslator(*(self._leg(leg) for leg in pe.legs))
            else:
                self._stages[key] = self._leg(pe)
        return self._stages[key]

    def _leg(self, pe: PairEngine) -> SegmentTranslator:
        factory = self._factory
        make = (lambda: factory(pe)) if factory else _load_factory(pe, self.settings)
        return SegmentTranslator(
            make,
            pe.src,
            pe.tgt,
            self.settings,
            self.memory,
            cache_key(pe, self.settings),
            max_input_tokens=max(16, pe.model.max_positions - 2),
        )

    def release(self, tgt: str | None = None) -> None:
        """Close the engines of one target language (or all) to free their memory."""
        for key in [k for k in self._stages if tgt is None or k[1] == tgt]:
            self._stages.pop(key).close()

    def close(self) -> None:
        """Close every engine and the memory."""
        self.release()
        self.memory.close()

    def __enter__(self) -> TranslationSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
