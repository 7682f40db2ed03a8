"""The one place that knows the order of the stages.

read -> segment -> (glossary match) -> translate -> (glossary enforce) -> quality gate
-> write. Heavy objects (translators, glossaries, the translation memory) are made here,
at the edge, and passed into the stages.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from mtalign import __version__
from mtalign.batching import plan_batches, split_long
from mtalign.config import ENGINES, GLOSSARY_MODES, UNITS
from mtalign.document import load_document
from mtalign.engines.base import DecodeOptions, Translator
from mtalign.errors import InputError, LanguageError, ModelError
from mtalign.io import STDIN, atomic_write_text, write_document
from mtalign.langid import LangGuess, normalize_lang
from mtalign.quality import check_segment, has_content, retry_flags
from mtalign.tm import NullMemory, TranslationMemory, settings_digest
from mtalign.types import Document, QualityFlag

log = logging.getLogger(__name__)

#: Targets written without spaces between sentences.
_NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my"})


@dataclass(frozen=True)
class TranslateSettings:
    """Everything that shapes a translation run (CLI flags and job configs map onto this)."""

    targets: tuple[str, ...]
    src: str = "auto"
    engine: str = "auto"
    models: Mapping[str, str] = field(default_factory=dict)
    beam: int = 4
    device: str = "auto"
    compute_type: str | None = None
    batch_tokens: int = 4096
    unit: str = "sentence"
    cache: bool = True
    cache_path: str | None = None
    glossary: str | None = None
    glossary_mode: str = "off"
    quality_gate: bool = True
    retry: bool = True
    force: bool = False
    input_format: str | None = None
    progress: bool | None = None
    min_length: int = 0
    max_length: int | None = None
    threads: int = 0
    consistency: bool = False

    def decode_options(self) -> DecodeOptions:
        # Scores are not used downstream (n-best lists come best first); asking
        # transformers for them keeps every step's full-vocabulary logits in memory.
        return DecodeOptions(
            beam_size=self.beam,
            max_length=self.max_length,
            min_length=self.min_length,
            return_scores=False,
        )

    def safer_options(self) -> DecodeOptions:
        """The retry settings: wider beam, repetition penalty, no repeated trigrams."""
        return replace(
            self.decode_options(),
            beam_size=max(self.beam + 2, 6),
            repetition_penalty=1.3,
            no_repeat_ngram_size=3,
        )


@dataclass
class LangStats:
    """Counters of one target language for one document."""

    segments: int = 0
    translated: int = 0
    cached: int = 0
    passthrough: int = 0
    split: int = 0
    retried: int = 0
    seconds: float = 0.0


@dataclass
class SegmentOutcome:
    """The final translation of one segment and what happened on the way."""

    text: str
    flags: list[QualityFlag] = field(default_factory=list)
    cached: bool = False
    passthrough: bool = False
    retried: bool = False
    pieces: int = 1


def _progress_enabled(setting: bool | None) -> bool:
    return sys.stderr.isatty() if setting is None else setting


@contextmanager
def _progress(total: int, desc: str, enabled: bool) -> Iterator[Any]:
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        desc=desc,
        unit="seg",
        disable=not enabled or total == 0,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        yield bar
    finally:
        bar.close()


# --------------------------------------------------------------------------- masking


def mask_protected(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, list[str]]:
    """Replace protected spans (inline code, URLs) with ``[n]`` markers the model copies."""
    if not spans:
        return text, []
    out, kept, pos = [], [], 0
    for k, (a, b) in enumerate(sorted(spans)):
        out.append(text[pos:a])
        out.append(f"[{k}]")
        kept.append(text[a:b])
        pos = b
    out.append(text[pos:])
    return "".join(out), kept


def unmask(text: str, kept: Sequence[str]) -> str:
    """Put protected spans back; any marker the model lost is appended, never dropped."""
    for k, span in enumerate(kept):
        marker = f"[{k}]"
        if marker in text:
            text = text.replace(marker, span, 1)
        else:
            text = f"{text} {span}".strip()
    return text


# --------------------------------------------------------------------------- stage


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
        self.last_from_memory: set[str] = set()

    @property
    def translator(self) -> Translator:
        if self._translator is None:
            self._translator = self._factory()
        return self._translator

    @property
    def loaded(self) -> bool:
        return self._translator is not None

    def close(self) -> None:
        if self._translator is not None:
            self._translator.close()
            self._translator = None

    def _gate(self, source: str, output: str) -> list[tuple[str, str]]:
        if not self.settings.quality_gate:
            return []
        return check_segment(source, output, self.src_lang, self.tgt_lang)

    def _retryable(self, source: str, output: str) -> set[str]:
        """Flags worth a retry (cheap checks only; the full gate runs once at the end)."""
        if not self.settings.quality_gate:
            return set()
        return {k for k, _ in retry_flags(source, output, self.src_lang, self.tgt_lang)}

    def _run_model(self, texts: list[str], options: DecodeOptions) -> list[str]:
        """Best outputs of one engine call (the caller keeps it within the token budget)."""
        if not texts:
            return []
        results = self.translator.translate(texts, options)
        self.model_calls += 1
        if len(results) != len(texts):
            raise ModelError(f"engine returned {len(results)} results for {len(texts)} segments")
        return [res.best.text if res.hypotheses else "" for res in results]

    def translate_pieces(
        self, pieces: list[str], bar: Any = None
    ) -> tuple[dict[str, str], set[str]]:
        """Outputs for unique pieces (from the memory or the model) and which were retried."""
        found = self.memory.get_many(self.digest, pieces)
        self.last_from_memory = set(found)
        todo = [p for p in dict.fromkeys(pieces) if p not in found]
        if bar is not None:
            bar.update(len(pieces) - len(todo))
        retried: set[str] = set()
        if not todo:
            return found, retried
        tr = self.translator
        lengths = tr.count_tokens(todo)
        for batch in plan_batches(lengths, self.settings.batch_tokens):
            part = [todo[i] for i in batch]
            result = dict(
                zip(part, self._run_model(part, self.settings.decode_options()), strict=True)
            )
            if self.settings.retry:
                redo = [p for p in part if self._retryable(p, result[p])]
                if redo:
                    again = self._run_model(redo, self.settings.safer_options())
                    for p, o in zip(redo, again, strict=True):
                        before = self._retryable(p, result[p])
                        after = self._retryable(p, o)
                        if len(after) < len(before) or (not after and o.strip()):
                            result[p] = o
                        retried.add(p)
            # Committed per batch: an interrupt keeps everything finished so far.
            self.memory.put_many(self.digest, result.items())
            found.update(result)
            if bar is not None:
                bar.update(len(part))
        return found, retried

    def translate_segments(
        self,
        texts: Sequence[str],
        ids: Sequence[str] | None = None,
        protected: Sequence[Sequence[tuple[int, int]]] | None = None,
        bar: Any = None,
    ) -> list[SegmentOutcome]:
        """N segments in, N outcomes out, in order; nothing dropped or truncated."""
        ids = list(ids) if ids is not None else [str(i) for i in range(len(texts))]
        prepared: list[tuple[str, list[str]] | None] = []
        plans: list[list[str]] = []
        for k, text in enumerate(texts):
            spans = protected[k] if protected else ()
            masked, kept = mask_protected(text, spans)
            norm = " ".join(masked.split())
            if not has_content(norm):  # also true of a segment that is only inline code
                prepared.append(None)
                plans.append([])
                continue
            prepared.append((norm, kept))
            plans.append(self._pieces(norm))
        unique = list(dict.fromkeys(p for plan in plans for p in plan))
        outputs, retried = self.translate_pieces(unique, bar)
        joiner = "" if self.tgt_lang in _NO_SPACE_LANGS else " "
        result: list[SegmentOutcome] = []
        for k, text in enumerate(texts):
            prep = prepared[k]
            if prep is None:
                result.append(SegmentOutcome(text=text, passthrough=True))
                continue
            norm, kept = prep
            plan = plans[k]
            out = joiner.join(outputs[p] for p in plan).strip()
            out = unmask(out, kept)
            flags = [
                QualityFlag(
                    ids[k], self.tgt_lang, kind, detail, retried=any(p in retried for p in plan)
                )
                for kind, detail in self._gate(unmask(norm, kept), out)
            ]
            result.append(
                SegmentOutcome(
                    text=out,
                    flags=flags,
                    retried=any(p in retried for p in plan),
                    pieces=len(plan),
                    cached=all(p in self.last_from_memory for p in plan),
                )
            )
        return result

    def _pieces(self, text: str) -> list[str]:
        """The text, or its pieces when it is over the model's input limit."""
        # Cheap bound first: a SentencePiece token covers at least one character.
        if len(text) <= self.max_input_tokens - 8:
            return [text]
        return split_long(text, self.translator.count_tokens, self.max_input_tokens)


# --------------------------------------------------------------------------- run


@dataclass
class DocResult:
    """One input document and its translations."""

    doc: Document
    guess: LangGuess
    outputs: dict[str, Document] = field(default_factory=dict)
    outcomes: dict[str, list[SegmentOutcome]] = field(default_factory=dict)
    stats: dict[str, LangStats] = field(default_factory=dict)
    glossary: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class PairEngine:
    """The model resolved for one language pair and how it is loaded."""

    src: str
    tgt: str
    model: Any  # mtalign.models.ResolvedModel
    engine: str


def check_settings(settings: TranslateSettings) -> TranslateSettings:
    """Validate and normalise settings; errors name the option and the fix."""
    if not settings.targets:
        raise InputError("no target language; pass --to, e.g. --to tr,ru,ar")
    targets = tuple(dict.fromkeys(normalize_lang(t) for t in settings.targets))
    src = settings.src if settings.src in (None, "auto") else normalize_lang(settings.src)
    if settings.engine not in ENGINES:
        raise InputError(f"--engine: expected one of {', '.join(ENGINES)}, got {settings.engine!r}")
    if settings.unit not in UNITS:
        raise InputError(f"--unit: expected one of {', '.join(UNITS)}, got {settings.unit!r}")
    if settings.glossary_mode not in GLOSSARY_MODES:
        raise InputError(
            f"--glossary-mode: expected one of {', '.join(GLOSSARY_MODES)}, "
            f"got {settings.glossary_mode!r}"
        )
    if settings.device not in ("auto", "cpu", "cuda"):
        raise InputError(f"--device: expected auto, cpu or cuda, got {settings.device!r}")
    if settings.beam < 1:
        raise InputError(f"--beam must be at least 1, got {settings.beam}")
    if settings.batch_tokens < 16:
        raise InputError(f"--batch-tokens must be at least 16, got {settings.batch_tokens}")
    models = {normalize_lang(k): v for k, v in settings.models.items()}
    unknown = sorted(set(models) - set(targets))
    if unknown:
        raise InputError(
            f"--model given for {', '.join(unknown)} which is not in --to {','.join(targets)}"
        )
    return replace(settings, targets=targets, src=src or "auto", models=models)


def _engine_name(engine: str) -> str:
    if engine != "auto":
        return engine
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return "transformers"
    return "ctranslate2"


def check_pairs(pairs: Sequence[tuple[str, str]]) -> None:
    """Refuse a pair whose source and target are the same language."""
    for src, tgt in pairs:
        if src == tgt:
            raise LanguageError(
                f"source and target language are both {src!r}; drop {tgt} from --to or fix --src"
            )


def resolve_pairs(
    pairs: Sequence[tuple[str, str]], settings: TranslateSettings
) -> dict[tuple[str, str], PairEngine]:
    """Resolve every model before any work starts, so a missing one fails fast."""
    from mtalign.models import resolve_model

    check_pairs(pairs)
    out = {}
    for src, tgt in pairs:
        spec = settings.models.get(tgt)
        model = resolve_model(spec, src=src, tgt=tgt) if spec else resolve_model(src=src, tgt=tgt)
        out[(src, tgt)] = PairEngine(src, tgt, model, _engine_name(settings.engine))
    return out


def _load_factory(pe: PairEngine, settings: TranslateSettings) -> Callable[[], Translator]:
    def factory() -> Translator:
        from mtalign.engines import load_translator

        log.info("loading %s (%s) for %s-%s", pe.model.model_id, pe.engine, pe.src, pe.tgt)
        return load_translator(
            pe.engine,
            pe.model,
            device=settings.device,
            compute_type=settings.compute_type,
            threads=_threads(settings),
        )

    return factory


def _threads(settings: TranslateSettings) -> int:
    """CPU threads for the engine: the setting, else OMP_NUM_THREADS, else the cores this
    process may use.

    CTranslate2's own default (4 threads) oversubscribes small machines (see the batch
    benchmark in docs/benchmarks.md#batch-jobs).
    """
    if settings.threads > 0:
        return settings.threads
    import os

    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) > 0:
        return int(omp)  # the usual way to pin a worker's threads (Ray sets it per actor)

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _cache_key(pe: PairEngine, settings: TranslateSettings) -> dict[str, Any]:
    return {
        "model": pe.model.model_id,
        "revision": pe.model.revision,
        "engine": pe.engine,
        "compute_type": settings.compute_type,
        "device": settings.device,
        "decoding": asdict(settings.decode_options()),
        "retry": settings.retry,
        "gate": settings.quality_gate,
        "src": pe.src,
        "tgt": pe.tgt,
        "target_token": pe.model.target_token,
        "unit": settings.unit,
    }


def output_name(doc: Document, lang: str | None = None, kind: str | None = None) -> str:
    """``NAME.LANG.EXT``, ``NAME.aligned.jsonl`` or ``NAME.report.json``."""
    ext = {"txt": "txt", "md": "md", "jsonl": "jsonl"}[doc.format]
    if kind == "aligned":
        return f"{doc.id}.aligned.jsonl"
    if kind == "report":
        return f"{doc.id}.report.json"
    return f"{doc.id}.{lang}.{ext}"


def _spaced(doc: Document, lang: str) -> Document:
    """Drop inter-sentence spaces for scripts written without them (zh, ja, th...)."""
    if lang not in _NO_SPACE_LANGS:
        return doc
    paras = []
    for p in doc.paragraphs:
        segs = tuple(
            replace(s, ws_after="" if s.ws_after == " " else s.ws_after) for s in p.segments
        )
        paras.append(replace(p, segments=segs))
    return replace(doc, paragraphs=tuple(paras))


def load_inputs(
    inputs: Sequence[str], settings: TranslateSettings
) -> list[tuple[Document, LangGuess]]:
    """Read, check and segment every input before any model is loaded."""
    if not inputs:
        raise InputError("no input file; give one or more files (or - for stdin)")
    docs = []
    seen: dict[str, str] = {}
    for path in inputs:
        doc, guess = load_document(
            path, lang=settings.src, fmt=settings.input_format, force=settings.force
        )
        if doc.id in seen:
            raise InputError(
                f"{path} and {seen[doc.id]} would write the same output names ({doc.id}.*); "
                "rename one or translate them in separate runs"
            )
        seen[doc.id] = path
        docs.append((doc, guess))
    return docs


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
        glossary: Any = None,
    ) -> None:
        self.settings = check_settings(settings)
        self.engines: dict[tuple[str, str], PairEngine] = dict(engines or {})
        self._factory = factory
        self.memory = (
            memory
            if memory is not None
            else (
                TranslationMemory(self.settings.cache_path) if self.settings.cache else NullMemory()
            )
        )
        self.glossary = glossary if glossary is not None else _load_glossary(self.settings)
        self.glossary_fingerprint = _file_digest(self.settings.glossary)
        self._stages: dict[tuple[str, str], SegmentTranslator] = {}

    def prepare(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Check and resolve the models of these pairs now (fail fast, before any work)."""
        check_pairs(pairs)
        todo = [p for p in dict.fromkeys(pairs) if p not in self.engines]
        if todo:
            self.engines.update(resolve_pairs(todo, self.settings))

    def stage(self, src: str, tgt: str) -> SegmentTranslator:
        """The segment translator of a pair (its engine loads on first real use)."""
        key = (src, tgt)
        if key not in self._stages:
            self.prepare([key])
            pe = self.engines[key]
            factory = self._factory
            make = (lambda: factory(pe)) if factory else _load_factory(pe, self.settings)
            self._stages[key] = SegmentTranslator(
                make,
                src,
                tgt,
                self.settings,
                self.memory,
                _cache_key(pe, self.settings),
                max_input_tokens=max(16, pe.model.max_positions - 2),
            )
        return self._stages[key]

    def translate(self, res: DocResult, tgt: str) -> None:
        """Translate one document into ``tgt`` (fills ``res`` outputs, outcomes, stats)."""
        _translate_one(
            res,
            self.stage(res.doc.lang or "und", tgt),
            tgt,
            self.settings,
            self.glossary,
            self.glossary_fingerprint,
        )

    def translate_many(self, results: Sequence[DocResult], tgt: str) -> None:
        """Translate several documents into ``tgt`` with shared model calls.

        Sentences of all documents of one source language go through the engine together,
        so many short documents are batched as well as one long one.
        """
        by_src: dict[str, list[DocResult]] = {}
        for res in results:
            by_src.setdefault(res.doc.lang or "und", []).append(res)
        for src, group in by_src.items():
            _translate_group(
                group, self.stage(src, tgt), tgt, self.settings, self.glossary,
                self.glossary_fingerprint,
            )  # fmt: skip

    def release(self, tgt: str | None = None) -> None:
        """Close the engines of one target language (or all) to free their memory."""
        for key in [k for k in self._stages if tgt is None or k[1] == tgt]:
            self._stages.pop(key).close()

    def close(self) -> None:
        self.release()
        self.memory.close()

    def __enter__(self) -> TranslationSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def translate_documents(
    docs: Sequence[tuple[Document, LangGuess]],
    settings: TranslateSettings,
    out_dir: str | Path | None = None,
    on_language_done: Callable[[DocResult, str], None] | None = None,
    engines: Mapping[tuple[str, str], PairEngine] | None = None,
    factory: Callable[[PairEngine], Translator] | None = None,
) -> list[DocResult]:
    """Translate documents into every target language, one model at a time.

    Each model is loaded once, used for every document of its pair, then released
    before the next language starts (peak memory: one model). When ``out_dir`` is
    given, each ``NAME.LANG.EXT`` is written as soon as it is done, so an interrupt
    keeps finished languages.
    """
    settings = check_settings(settings)
    results = [DocResult(doc=d, guess=g) for d, g in docs]
    pairs = list(dict.fromkeys((r.doc.lang or "und", t) for t in settings.targets for r in results))
    with TranslationSession(settings, engines=engines, factory=factory) as session:
        session.prepare(pairs)
        for tgt in settings.targets:
            try:
                session.translate_many(results, tgt)
                for res in results:
                    if out_dir is not None:
                        path = Path(out_dir) / output_name(res.doc, tgt)
                        write_document(res.outputs[tgt], path)
                        res.files[tgt] = str(path)
                    if on_language_done is not None:
                        on_language_done(res, tgt)
            finally:
                session.release(tgt)
    return results


def _load_glossary(settings: TranslateSettings) -> Any:
    if not settings.glossary or settings.glossary_mode == "off":
        return None
    from mtalign.glossary import load_glossaries

    return load_glossaries(settings.glossary.split(","))


def _file_digest(paths: str | None) -> str:
    """Content hash of the glossary file(s): a changed glossary invalidates enforced outputs."""
    import hashlib

    if not paths:
        return ""
    h = hashlib.sha256()
    for p in paths.split(","):
        try:
            h.update(Path(p).read_bytes())
        except OSError:
            h.update(p.encode())
    return h.hexdigest()[:24]


def _translate_one(
    res: DocResult,
    stage: SegmentTranslator,
    tgt: str,
    settings: TranslateSettings,
    glossary: Any,
    fingerprint: str = "",
) -> None:
    _translate_group([res], stage, tgt, settings, glossary, fingerprint)


def _translate_group(
    group: Sequence[DocResult],
    stage: SegmentTranslator,
    tgt: str,
    settings: TranslateSettings,
    glossary: Any,
    fingerprint: str = "",
) -> None:
    """Translate the documents of one language pair together, then split per document."""
    per_doc = [list(res.doc.segments()) for res in group]
    segs = [s for doc_segs in per_doc for s in doc_segs]
    src = stage.src_lang
    t0 = time.perf_counter()
    enabled = _progress_enabled(settings.progress)
    stages: dict[int, str] = {}
    enforce = glossary is not None and settings.glossary_mode == "enforce"
    label = group[0].doc.id if len(group) == 1 else f"{len(group)} documents"
    with _progress(len(segs), f"{label} -> {tgt}", enabled) as bar:
        if settings.unit == "paragraph":
            outcomes = [o for res in group for o in _translate_paragraphs(res.doc, stage, bar)]
        elif enforce:
            outcomes, stages = _translate_enforced(segs, stage, glossary, fingerprint, bar)
        else:
            outcomes = stage.translate_segments(
                [s.text for s in segs], [s.id for s in segs], [s.protected for s in segs], bar
            )
    if enforce and settings.unit == "paragraph":
        outcomes = _post_edit_terms(glossary, segs, outcomes, src, tgt)
    if glossary is None and settings.consistency:
        glossary, outcomes = _make_consistent(segs, outcomes, src, tgt)
    seconds = time.perf_counter() - t0
    total = max(1, len(segs))
    start = 0
    for res, doc_segs in zip(group, per_doc, strict=True):
        end = start + len(doc_segs)
        doc_out = outcomes[start:end]
        doc_stages = {k - start: v for k, v in stages.items() if start <= k < end}
        start = end
        stats = LangStats(
            segments=len(doc_segs),
            passthrough=sum(o.passthrough for o in doc_out),
            split=sum(o.pieces > 1 for o in doc_out),
            retried=sum(o.retried for o in doc_out),
        )
        stats.translated = stats.segments - stats.passthrough
        stats.cached = sum(o.cached for o in doc_out)
        if glossary is not None:
            report = _glossary_check(glossary, doc_segs, doc_out, src, tgt, doc_stages)
            report["mode"] = settings.glossary_mode if settings.glossary else "consistency"
            res.glossary[tgt] = report
        # Time of a shared batch is shared out by segment count.
        stats.seconds = round(seconds * len(doc_segs) / total, 3)
        res.stats[tgt] = stats
        res.outcomes[tgt] = doc_out
        texts = {s.id: o.text for s, o in zip(doc_segs, doc_out, strict=True)}
        res.outputs[tgt] = _spaced(res.doc.with_texts(texts, lang=tgt), tgt)


def _make_consistent(
    segs: Sequence[Any], outcomes: list[SegmentOutcome], src: str, tgt: str
) -> tuple[Any, list[SegmentOutcome]]:
    """``--consistency`` without a glossary: each named entity found in the source keeps
    one rendering (its dominant one over the batch) everywhere, by post-editing."""
    from mtalign.glossary.mine import consistency_glossary

    sources = [" ".join(s.text.split()) for s in segs]
    mined = consistency_glossary(sources, [o.text for o in outcomes], src, tgt)
    if not len(mined):
        return None, outcomes
    return mined, _post_edit_terms(mined, segs, outcomes, src, tgt)


def _post_edit_terms(
    glossary: Any, segs: Sequence[Any], outcomes: list[SegmentOutcome], src: str, tgt: str
) -> list[SegmentOutcome]:
    """Post-edit only (no model): used where the model's n-best/attention are not at hand."""
    from mtalign.engines.base import Hypothesis, TranslationResult
    from mtalign.glossary.enforce import enforce_batch

    sources = [" ".join(s.text.split()) for s in segs]
    results = [TranslationResult((Hypothesis(text=o.text, tokens=()),)) for o in outcomes]
    fixed = enforce_batch(sources, results, None, DecodeOptions(), glossary, src, tgt)
    return [replace(o, text=f.text) for o, f in zip(outcomes, fixed, strict=True)]


def _translate_paragraphs(
    doc: Document, stage: SegmentTranslator, bar: Any
) -> list[SegmentOutcome]:
    """``--unit paragraph``: whole paragraphs for context, then back to source sentences."""
    from mtalign.align import split_translation
    from mtalign.segment import split_sentences

    paras = [p for p in doc.paragraphs if p.segments]
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    for p in paras:
        text, prot = "", []
        for s in p.segments:
            if text:
                text += " "
            prot.extend((a + len(text), b + len(text)) for a, b in s.protected)
            text += s.text
        texts.append(text)
        spans.append(prot)
    ids = [p.segments[0].id for p in paras]
    para_out = stage.translate_segments(texts, ids, spans, bar)
    outcomes: list[SegmentOutcome] = []
    for p, po in zip(paras, para_out, strict=True):
        src_sents = [s.text for s in p.segments]
        if len(src_sents) == 1 or po.passthrough:
            parts = [po.text] + [""] * (len(src_sents) - 1) if not po.passthrough else src_sents
        else:
            tgt_sents = split_sentences(po.text, stage.tgt_lang) or [po.text]
            parts = split_translation(src_sents, tgt_sents, stage.src_lang, stage.tgt_lang)
        for k, part in enumerate(parts):
            flags = [replace(f, segment_id=p.segments[k].id) for f in po.flags] if k == 0 else []
            outcomes.append(
                SegmentOutcome(
                    text=part, flags=flags, passthrough=po.passthrough, retried=po.retried
                )
            )
    return outcomes


def _glossary_check(
    glossary: Any,
    segs: Sequence[Any],
    outcomes: list[SegmentOutcome],
    src: str,
    tgt: str,
    stages: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """Every term occurrence of the document checked against the final translations."""
    from mtalign.engines.base import Hypothesis, TranslationResult
    from mtalign.glossary.enforce import enforce_batch, enforcement_report

    sources = [" ".join(s.text.split()) for s in segs]
    results = [TranslationResult((Hypothesis(text=o.text, tokens=()),)) for o in outcomes]
    checked = enforce_batch(
        sources, results, None, DecodeOptions(), glossary, src, tgt, mode="check"
    )
    if stages:
        checked = [
            replace(c, stage=stages[k]) if k in stages and c.stage != "none" else c
            for k, c in enumerate(checked)
        ]
    report = enforcement_report(checked)
    report["hits"] = [
        {
            "segment": segs[h.segment].id,
            "term": h.term_id,
            "source": h.source_form,
            "expected": list(h.expected),
            "found": h.found,
            "status": h.status,
            "stage": h.stage,
        }
        for c in checked
        for h in c.hits
    ]
    return report


def _translate_enforced(
    segs: Sequence[Any],
    stage: SegmentTranslator,
    glossary: Any,
    fingerprint: str,
    bar: Any,
) -> tuple[list[SegmentOutcome], dict[int, str]]:
    """Enforce mode: segments with terms are decoded with n-best and attention, then
    repaired (rerank -> prefix repair -> post-edit); the others go the normal way."""
    from mtalign.glossary.enforce import enforce_batch

    src, tgt, settings = stage.src_lang, stage.tgt_lang, stage.settings
    matcher = glossary.matcher(src)
    norm = [" ".join(s.text.split()) for s in segs]
    limit = stage.max_input_tokens - 8
    term_idx = [
        k
        for k, s in enumerate(segs)
        if not s.protected and len(norm[k]) <= limit and matcher.find(norm[k])
    ]
    term_set = set(term_idx)
    other_idx = [k for k in range(len(segs)) if k not in term_set]
    outcomes: list[SegmentOutcome | None] = [None] * len(segs)
    plain = stage.translate_segments(
        [segs[k].text for k in other_idx],
        [segs[k].id for k in other_idx],
        [segs[k].protected for k in other_idx],
        bar,
    )
    for k, o in zip(other_idx, plain, strict=True):
        outcomes[k] = o
    stages: dict[int, str] = {}
    digest = settings_digest({"base": stage.digest, "glossary": fingerprint, "mode": "enforce"})
    texts = [norm[k] for k in term_idx]
    found = stage.memory.get_many(digest, texts)
    todo = [t for t in dict.fromkeys(texts) if t not in found]
    if bar is not None:
        bar.update(len(texts) - len(todo))
    base = settings.decode_options()
    rich = replace(base, num_hypotheses=min(base.beam_size, 4), return_attention=True)
    done_stage: dict[str, str] = {}
    if todo:
        tr = stage.translator
        lengths = tr.count_tokens(todo)
        for batch in plan_batches(lengths, settings.batch_tokens):
            part = [todo[i] for i in batch]
            results = tr.translate(part, rich)
            stage.model_calls += 1
            enforced = enforce_batch(part, results, tr, rich, glossary, src, tgt, mode="enforce")
            stage.memory.put_many(
                digest, [(p, e.text) for p, e in zip(part, enforced, strict=True)]
            )
            for p, e in zip(part, enforced, strict=True):
                found[p] = e.text
                done_stage[p] = e.stage
            if bar is not None:
                bar.update(len(part))
    for k in term_idx:
        text = found[norm[k]]
        flags = [
            QualityFlag(segs[k].id, tgt, kind, detail)
            for kind, detail in stage._gate(norm[k], text)
        ]
        cached = norm[k] not in done_stage
        outcomes[k] = SegmentOutcome(text=text, flags=flags, cached=cached)
        stages[k] = "cached" if cached else done_stage[norm[k]]
    return [o for o in outcomes if o is not None], stages


# --------------------------------------------------------------------------- files


def aligned_records(res: DocResult, targets: Sequence[str]) -> list[dict[str, Any]]:
    """One record per source segment: id, source, each translation, its flags."""
    recs = []
    segs = list(res.doc.segments())
    for k, seg in enumerate(segs):
        rec: dict[str, Any] = {
            "id": seg.id,
            "lang": res.doc.lang,
            "source": seg.text,
            "translations": {},
            "flags": {},
        }
        for t in targets:
            if t not in res.outcomes:
                continue
            o = res.outcomes[t][k]
            rec["translations"][t] = o.text
            if o.flags:
                rec["flags"][t] = [
                    {"kind": f.kind, "detail": f.detail, "retried": f.retried} for f in o.flags
                ]
        recs.append(rec)
    return recs


def build_report(
    res: DocResult,
    settings: TranslateSettings,
    engines: Mapping[tuple[str, str], PairEngine] | None = None,
) -> dict[str, Any]:
    """The machine-readable report of one document's run."""
    segs = list(res.doc.segments())
    report: dict[str, Any] = {
        "tool": "mtalign",
        "version": __version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "input": res.doc.source,
        "format": res.doc.format,
        "source_lang": res.doc.lang,
        "detected": {"lang": res.guess.lang, "prob": res.guess.prob},
        "counts": {
            "paragraphs": sum(1 for p in res.doc.paragraphs if p.segments),
            "segments": len(segs),
            "characters": sum(len(s.text) for s in segs),
        },
        "settings": {
            "engine": settings.engine,
            "beam": settings.beam,
            "device": settings.device,
            "compute_type": settings.compute_type,
            "batch_tokens": settings.batch_tokens,
            "unit": settings.unit,
            "cache": settings.cache,
            "quality_gate": settings.quality_gate,
            "glossary": settings.glossary,
            "glossary_mode": settings.glossary_mode if settings.glossary else "off",
            "decoding": asdict(settings.decode_options()),
            "retry_decoding": asdict(settings.safer_options()) if settings.retry else None,
        },
        "targets": {},
        "outputs": dict(res.files),
    }
    for tgt, stats in res.stats.items():
        flags = Counter(f.kind for o in res.outcomes[tgt] for f in o.flags)
        entry: dict[str, Any] = {"stats": asdict(stats), "flags": dict(sorted(flags.items()))}
        if stats.seconds:
            entry["segments_per_second"] = round(stats.translated / stats.seconds, 2)
        pe = engines.get((res.doc.lang or "und", tgt)) if engines else None
        if pe is not None:
            m = pe.model
            entry["model"] = {
                "id": m.model_id,
                "revision": m.revision,
                "origin": m.origin,
                "licence": m.licence,
                "target_token": m.target_token,
                "path": str(m.path),
            }
            entry["engine"] = pe.engine
        if tgt in res.glossary:
            entry["glossary"] = res.glossary[tgt]
        report["targets"][tgt] = entry
    return report


def write_run_files(
    res: DocResult,
    settings: TranslateSettings,
    out_dir: str | Path,
    engines: Mapping[tuple[str, str], PairEngine] | None = None,
) -> dict[str, str]:
    """Write ``NAME.aligned.jsonl`` and ``NAME.report.json`` atomically."""
    out = Path(out_dir)
    aligned = out / output_name(res.doc, kind="aligned")
    lines = [json.dumps(r, ensure_ascii=False) for r in aligned_records(res, settings.targets)]
    atomic_write_text(aligned, "\n".join(lines) + "\n")
    res.files["aligned"] = str(aligned)
    report_path = out / output_name(res.doc, kind="report")
    res.files["report"] = str(report_path)
    report = build_report(res, settings, engines)
    atomic_write_text(report_path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return dict(res.files)


def translate_files(
    inputs: Sequence[str], settings: TranslateSettings, out_dir: str | Path = "out"
) -> list[DocResult]:
    """``mtalign translate``: read, translate into every target, write all outputs."""
    settings = check_settings(settings)
    docs = load_inputs(inputs, settings)
    if str(out_dir) == STDIN:
        if len(docs) != 1 or len(settings.targets) != 1:
            raise InputError(
                "--out - writes to stdout and needs exactly one input and one --to language"
            )
        results = translate_documents(docs, settings, None)
        write_document(results[0].outputs[settings.targets[0]], STDIN)
        return results
    pairs = list(dict.fromkeys((d.lang or "und", t) for t in settings.targets for d, _ in docs))
    engines = resolve_pairs(pairs, settings)
    results = translate_documents(docs, settings, out_dir, engines=engines)
    for res in results:
        write_run_files(res, settings, out_dir, engines)
    return results


def translate_texts(
    texts: Sequence[str],
    src_lang: str,
    tgt_lang: str,
    settings: TranslateSettings | None = None,
    factory: Callable[[PairEngine], Translator] | None = None,
) -> list[str]:
    """Translate plain segments (one segment each, no re-segmentation): N strings in, N out.

    Goes through the same stages as documents (memory, quality gate, glossary). Used by
    evaluation suites and translation-based alignment.
    """
    from mtalign.types import Paragraph, Segment

    src, tgt = normalize_lang(src_lang), normalize_lang(tgt_lang)
    base = settings or TranslateSettings(targets=(tgt,), src=src)
    settings = check_settings(replace(base, targets=(tgt,), src=src))
    paras = tuple(
        Paragraph(index=i, segments=(Segment(id=f"texts:{i}:0", text=t),))
        if t.strip()
        else Paragraph(index=i, kind="blank", raw=t)
        for i, t in enumerate(texts)
    )
    res = DocResult(doc=Document(id="texts", paragraphs=paras, lang=src), guess=LangGuess(src, 1.0))
    with TranslationSession(settings, factory=factory) as session:
        session.translate(res, tgt)
    outs = iter(o.text for o in res.outcomes[tgt])
    return [next(outs) if t.strip() else t for t in texts]
