"""Running one model on one engine (and every engine) over the reference article."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from mtalign.engines.base import DecodeOptions, TranslationResult, Translator
from mtalign.langid import LangGuess
from mtalign.pipeline.modelcheck.data import ARTICLE, glossary_path, reference_texts
from mtalign.pipeline.modelcheck.judge import verdict
from mtalign.pipeline.modelcheck.memory import peak_rss_mb, reset_peak_rss
from mtalign.pipeline.modelcheck.results import EngineRun, PairCheck
from mtalign.pipeline.results import DocResult, SegmentOutcome
from mtalign.pipeline.session import PairEngine, TranslationSession, engine_threads
from mtalign.pipeline.settings import TranslateSettings, check_settings
from mtalign.types import Document, Paragraph, Segment

log = logging.getLogger(__name__)


class _Recorder:
    """A Translator that times its engine and keeps each segment's first-pass tokens.

    ``close`` is a no-op so the same loaded engine serves several pipeline runs; the check
    closes the engine itself.
    """

    def __init__(self, inner: Translator, run: EngineRun) -> None:
        self.inner, self.run = inner, run
        self.name, self.model_id = inner.name, inner.model_id
        self.model_revision, self.device = inner.model_revision, inner.device
        self.compute_type = inner.compute_type
        self.recording = True

    def translate(
        self,
        texts: list[str],
        options: DecodeOptions,
        target_prefix: list[str | None] | None = None,
    ) -> list[TranslationResult]:
        t0 = time.perf_counter()
        out = self.inner.translate(texts, options, target_prefix)
        if self.recording:
            self.run.decode_seconds += time.perf_counter() - t0
            self.run.out_tokens += sum(len(r.best.tokens) for r in out)
            first_pass = target_prefix is None and options.no_repeat_ngram_size == 0
            for text, res in zip(texts, out, strict=True):
                if first_pass and text not in self.run.tokens:
                    self.run.tokens[text] = res.best.tokens
                    self.run.first_texts[text] = res.best.text
        return out

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def close(self) -> None:
        pass


def _translate(
    texts: Sequence[str], pe: PairEngine, settings: TranslateSettings, translator: Translator
) -> list[SegmentOutcome]:
    """The pipeline on one segment per line (like ``translate_texts``), keeping outcomes."""
    from mtalign.pipeline import translate_group

    paras = tuple(
        Paragraph(index=i, segments=(Segment(id=f"check:{i}:0", text=t),))
        for i, t in enumerate(texts)
    )
    doc = Document(id=ARTICLE, paragraphs=paras, lang=pe.src)
    res = DocResult(doc=doc, guess=LangGuess(pe.src, 1.0))
    with TranslationSession(
        settings, engines={(pe.src, pe.tgt): pe}, factory=lambda _: translator
    ) as session:
        translate_group(session, [res], pe.tgt)
    return res.outcomes[pe.tgt]


def _settings(pe: PairEngine, threads: int, compute_type: str | None, **kw: Any) -> Any:
    kw = {k: v for k, v in kw.items() if v is not None}
    return check_settings(
        TranslateSettings(
            targets=(pe.tgt,),
            src=pe.src,
            engine=pe.engine,  # type: ignore[arg-type]
            device="cpu",
            compute_type=compute_type,  # type: ignore[arg-type]
            cache=False,
            progress=False,
            threads=threads,
            **kw,
        )
    )


def _score(hyps: Sequence[str], refs: Sequence[str], tgt: str) -> tuple[float, float]:
    from mtalign.evaluate.metrics import corpus_scores

    scores = corpus_scores(list(hyps), [list(refs)], ("chrf++", "bleu"), lang=tgt)
    return scores["chrf++"].value, scores["bleu"].value


def _terms(srcs: Sequence[str], hyps: Sequence[str], tgt: str) -> float | None:
    from mtalign.evaluate.terms import glossary_checker

    return glossary_checker(glossary_path(), "en", tgt)(list(srcs), list(hyps)).accuracy


def run_engine(
    model: Any,
    engine: str,
    srcs: Sequence[str],
    refs: Sequence[str] | None,
    compute_type: str | None = None,
    threads: int = 0,
    max_length: int | None = None,
    glossary: bool = True,
) -> EngineRun:
    """Load ``model`` into ``engine`` and translate the article: off, then enforce.

    ``max_length`` caps output tokens (tests: random models always run to the limit);
    ``glossary=False`` skips the glossary runs.
    """
    from mtalign.engines import engine_name, load_translator, set_process_threads

    pe = PairEngine(model.src, model.tgt, model, engine_name(engine))
    ct2_type = compute_type if pe.engine == "ctranslate2" else None
    settings = _settings(pe, threads, ct2_type, max_length=max_length)
    set_process_threads(pe.engine, engine_threads(settings))  # `models check` is the edge
    before = reset_peak_rss()
    t0 = time.perf_counter()
    inner = load_translator(
        pe.engine, model, device="cpu", compute_type=settings.compute_type,
        threads=engine_threads(settings),
    )  # fmt: skip
    run = EngineRun(engine=pe.engine, compute_type=inner.compute_type, rss_before_mb=before)
    run.load_seconds = time.perf_counter() - t0
    recorder = _Recorder(inner, run)
    try:
        outcomes = _translate(srcs, pe, settings, recorder)
        run.outputs = [o.text for o in outcomes]
        run.segments = len(outcomes)
        kinds = [f.kind for o in outcomes for f in o.flags]
        run.flags = {k: kinds.count(k) for k in sorted(set(kinds))}
        run.flagged = sum(1 for o in outcomes if o.flags)
        run.wrong_lang = sum(1 for o in outcomes if any("lang" in f.kind for f in o.flags))
        if refs is not None:
            run.chrf, run.bleu = _score(run.outputs, refs, pe.tgt)
        if pe.src == "en" and glossary:
            run.terms_off = _terms(srcs, run.outputs, pe.tgt)
        if run.terms_off is not None:
            recorder.recording = False  # tokens/s and tokens are the first pass's
            enforce = _settings(
                pe, threads, settings.compute_type,
                glossary=(str(glossary_path()),), glossary_mode="enforce", max_length=max_length,
            )  # fmt: skip
            enforced = [o.text for o in _translate(srcs, pe, enforce, recorder)]
            run.terms_enforce = _terms(srcs, enforced, pe.tgt)
            if refs is not None:
                run.chrf_enforce = _score(enforced, refs, pe.tgt)[0]
        run.peak_rss_mb = peak_rss_mb()
    finally:
        inner.close()
    return run


def _unk_rate(model: Any, srcs: Sequence[str]) -> float:
    from mtalign.models import MarianCodec

    codec = MarianCodec(model.path)
    pieces = [p for s in srcs for p in codec.encode_source(s)[:-1]]
    return sum(p == codec.unk for p in pieces) / max(1, len(pieces))


def check_model(
    model: Any,
    engines: Sequence[str] = ("ctranslate2", "transformers"),
    compute_type: str | None = None,
    threads: int = 0,
    max_length: int | None = None,
) -> PairCheck:
    """Translate the reference article with ``model`` (a ResolvedModel) on ``engines``."""
    pair = f"{model.src}-{model.tgt}"
    srcs, refs = reference_texts(model.src, model.tgt)
    check = PairCheck(pair, model.model_id, model.revision, model.origin, model.target_token)
    if srcs is None:
        check.verdict = "not checked"
        check.problems.append(
            f"no test text in {model.src}: the check's article is in en, tr, ru and ar"
        )
        return check
    check.has_reference = refs is not None
    check.unk_rate = _unk_rate(model, srcs)
    # Glossary enforce runs on the first engine only (CTranslate2, what users run): on
    # transformers it would triple the check's time (see docs/benchmarks: models check).
    check.runs = [
        run_engine(model, e, srcs, refs, compute_type, threads, max_length, glossary=i == 0)
        for i, e in enumerate(engines)
    ]
    if len(check.runs) > 1:
        a, b = check.runs[0], check.runs[1]
        check.same_tokens = sum(1 for s in srcs if a.tokens.get(s) == b.tokens.get(s))
        check.engine_chrf = _corpus_chrf(a.first_pass(srcs), b.first_pass(srcs))
    check.verdict, check.problems = verdict(check)
    return check


def _corpus_chrf(hyps: Sequence[str], refs: Sequence[str]) -> float:
    from mtalign.evaluate.metrics import corpus_scores

    return corpus_scores(list(hyps), [list(refs)], ("chrf++",))["chrf++"].value
