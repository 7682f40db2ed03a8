"""``mtalign models check``: prove that installed models work, on the reference article.

Each model translates the project's reference news article (the Idlib story, 28 sentences,
shipped in ``mtalign/data/check/`` with the team's Turkish, Russian and Arabic translations)
through the real pipeline on CTranslate2 and on transformers. Per engine: chrF++ and BLEU
against the reference, the quality gate's flags, output tokens per second, load time, peak
memory; on the first engine also glossary term accuracy without and with ``enforce``; per
pair: whether both engines gave the same tokens, and a verdict.

The verdict's thresholds (documented in docs/models.md, "models check"):

* chrF++ below :data:`CHRF_FLOOR` (30) means gibberish: a wrong model, a missing or wrong
  target token, or a broken tokenizer. Broken outputs measured on the references score
  at most 17.4 (a copy of the English source scored against the Turkish reference; another
  language: 1.4-3.0; sentences shifted by one line: 13.9-16.4); the weakest published chrF
  of a registry model is 43.7 (opus-mt-en-ar, Tatoeba) and the defaults publish 56-73 on
  FLORES / newstest.
* More than :data:`MAX_UNK` of the source pieces unknown: source.spm does not match
  vocab.json (a broken tokenizer).
* More than :data:`MAX_WRONG_LANG` of the judged outputs in another language: a missing or
  wrong target token.
* chrF++ between the two engines' first decodings below :data:`MIN_ENGINE_CHRF`: a
  conversion problem (int8 and float32 outputs of a good model differ in a few words, not
  wholesale).
* The quality gate flagging more than :data:`MAX_FLAGGED` of these clean news sentences.
* Glossary ``enforce`` lowering term accuracy.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mtalign.engines.base import DecodeOptions, TranslationResult, Translator
from mtalign.errors import ModelError
from mtalign.langid import LangGuess
from mtalign.pipeline.results import DocResult, SegmentOutcome
from mtalign.pipeline.session import PairEngine, TranslationSession, engine_threads
from mtalign.pipeline.settings import TranslateSettings, check_settings
from mtalign.types import Document, Paragraph, Segment

log = logging.getLogger(__name__)

#: chrF++ below this on the reference article means the model talks gibberish.
CHRF_FLOOR = 30.0
#: Share of ``<unk>`` source pieces above which the tokenizer is broken.
MAX_UNK = 0.02
#: Share of judged outputs in another language above which the target token is wrong.
MAX_WRONG_LANG = 0.2
#: chrF++ between the CTranslate2 and transformers outputs below which they disagree.
MIN_ENGINE_CHRF = 50.0
#: Share of segments the quality gate may flag on clean news.
MAX_FLAGGED = 0.2
#: The reference article (``mtalign/data/check/<STEM>.<lang>.txt``).
ARTICLE = "idlib"


def check_data_dir() -> Path:
    """The folder of the reference article, its translations and its glossary."""
    return Path(str(resources.files("mtalign") / "data" / "check"))


def reference_texts(src: str, tgt: str) -> tuple[list[str] | None, list[str] | None]:
    """(source sentences, reference sentences) of the article; None where not shipped."""
    root = check_data_dir()

    def lines(lang: str) -> list[str] | None:
        path = root / f"{ARTICLE}.{lang}.txt"
        return path.read_text(encoding="utf-8").splitlines() if path.is_file() else None

    return lines(src), lines(tgt)


def glossary_path() -> Path:
    """The article's glossary (English source; Turkish, Russian, Arabic targets)."""
    return check_data_dir() / f"{ARTICLE}.glossary.toml"


@dataclass
class EngineRun:
    """What one engine did with the article."""

    engine: str
    compute_type: str
    chrf: float | None = None
    bleu: float | None = None
    chrf_enforce: float | None = None
    terms_off: float | None = None
    terms_enforce: float | None = None
    flags: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    wrong_lang: int = 0
    segments: int = 0
    out_tokens: int = 0
    decode_seconds: float = 0.0
    load_seconds: float = 0.0
    peak_rss_mb: float | None = None
    rss_before_mb: float | None = None
    outputs: list[str] = field(default_factory=list)
    tokens: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def first_pass(self, srcs: Sequence[str]) -> list[str]:
        """The first decoding of each source (before a quality-gate retry), as text."""
        from mtalign.models import MarianCodec

        return [MarianCodec.decode(self.tokens.get(s, ())) for s in srcs]

    @property
    def tokens_per_s(self) -> float | None:
        return self.out_tokens / self.decode_seconds if self.decode_seconds > 0 else None

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None, n: int = 2) -> float | None:
            return None if x is None else round(x, n)

        return {
            "engine": self.engine,
            "compute_type": self.compute_type,
            "chrf": r(self.chrf),
            "bleu": r(self.bleu),
            "chrf_enforce": r(self.chrf_enforce),
            "term_accuracy": {"off": r(self.terms_off, 4), "enforce": r(self.terms_enforce, 4)},
            "quality_flags": dict(self.flags),
            "flagged_segments": self.flagged,
            "wrong_language": self.wrong_lang,
            "segments": self.segments,
            "output_tokens": self.out_tokens,
            "decode_seconds": r(self.decode_seconds, 3),
            "tokens_per_s": r(self.tokens_per_s, 1),
            "load_seconds": r(self.load_seconds, 3),
            "peak_rss_mb": r(self.peak_rss_mb, 1),
            "rss_before_load_mb": r(self.rss_before_mb, 1),
            "outputs": list(self.outputs),
        }


@dataclass
class PairCheck:
    """The check of one model for one pair, over every engine, with its verdict."""

    pair: str
    model_id: str
    revision: str
    origin: str
    target_token: str | None
    runs: list[EngineRun] = field(default_factory=list)
    has_reference: bool = False
    unk_rate: float = 0.0
    same_tokens: int | None = None
    engine_chrf: float | None = None
    verdict: str = "ok"
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        n = self.runs[0].segments if self.runs else 0
        return {
            "pair": self.pair,
            "model": self.model_id,
            "revision": self.revision,
            "origin": self.origin,
            "target_token": self.target_token,
            "reference": self.has_reference,
            "chrf_floor": CHRF_FLOOR,
            "source_unk_rate": round(self.unk_rate, 4),
            "engines_same_tokens": None
            if self.same_tokens is None
            else {"segments": self.same_tokens, "of": n},
            "engines_chrf": None if self.engine_chrf is None else round(self.engine_chrf, 2),
            "runs": [run.as_dict() for run in self.runs],
            "verdict": self.verdict,
            "ok": self.ok,
            "problems": list(self.problems),
        }


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


def _reset_peak_rss() -> float | None:
    """Reset the kernel's peak-RSS mark of this process (Linux); the current RSS in MB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status_mb("VmRSS")


def _status_mb(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def _peak_rss_mb() -> float | None:
    """Peak RSS since the last reset (Linux), else the process's peak (other Unix)."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    try:
        import resource
        import sys

        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024
    except ImportError:
        return None


def _score(hyps: Sequence[str], refs: Sequence[str], tgt: str) -> tuple[float, float]:
    from mtalign.evaluate.metrics import corpus_scores

    scores = corpus_scores(list(hyps), [list(refs)], ("chrf", "bleu"), lang=tgt)
    return scores["chrf"].value, scores["bleu"].value


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
    before = _reset_peak_rss()
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
        run.peak_rss_mb = _peak_rss_mb()
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

    return corpus_scores(list(hyps), [list(refs)], ("chrf",))["chrf"].value


def verdict(check: PairCheck) -> tuple[str, list[str]]:
    """(verdict, problems) of a check, by the thresholds of the module docstring.

    Gibberish explains the gate's flags and the engines' disagreement (int8 and float32
    decodings of a model that knows nothing part ways at once), so those are not listed
    beside it; wrong-language outputs are, as they point at the target token.
    """
    found: list[tuple[str, str]] = []
    gibberish = any(run.chrf is not None and run.chrf < CHRF_FLOOR for run in check.runs)
    for run in check.runs:
        name = run.engine
        if run.chrf is not None and run.chrf < CHRF_FLOOR:
            found.append(("gibberish", f"{name}: chrF++ {run.chrf:.1f} is below the floor "
                          f"{CHRF_FLOOR:g}: a wrong model, a missing or wrong target token, "
                          "or a broken tokenizer"))  # fmt: skip
        judged = max(1, run.segments)
        if run.wrong_lang / judged > MAX_WRONG_LANG:
            found.append(("wrong language", f"{name}: {run.wrong_lang} of {run.segments} "
                          f"outputs are not in {check.pair[-2:]}: a missing or wrong target "
                          f"token (the model uses {check.target_token or 'none'})"))  # fmt: skip
        if run.flagged / judged > MAX_FLAGGED and not gibberish:
            found.append(("flagged", f"{name}: the quality gate flags {run.flagged} of "
                          f"{run.segments} clean news sentences ({_kinds(run.flags)})"))  # fmt: skip
        if run.terms_enforce is not None and run.terms_off is not None:
            if run.terms_enforce < run.terms_off:
                found.append(("glossary", f"{name}: enforce lowered term accuracy from "
                              f"{run.terms_off:.2f} to {run.terms_enforce:.2f}"))  # fmt: skip
    if check.unk_rate > MAX_UNK:
        found.insert(0, ("broken tokenizer", f"{check.unk_rate:.0%} of the source pieces are "
                         "<unk>: source.spm does not match vocab.json"))  # fmt: skip
    if check.engine_chrf is not None and check.engine_chrf < MIN_ENGINE_CHRF and not gibberish:
        found.append(("engines disagree", f"CTranslate2 and transformers outputs differ "
                      f"(chrF++ {check.engine_chrf:.1f} between them): a conversion problem"))  # fmt: skip
    if not found:
        return ("ok" if check.has_reference else "ran (no reference: not scored)"), []
    return found[0][0], [text for _, text in found]


def _kinds(flags: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in flags.items()) or "none"


# ---------------------------------------------------------------------------- many models


def installed_specs(registry: Any) -> list[tuple[str, str, str]]:
    """(src, tgt, choice) of every registry model in the Hugging Face cache."""
    from mtalign.models import is_cached

    return [(e.src, e.tgt, e.choice) for e in registry.all() if is_cached(e.model, e.revision)]


def _targets(
    pairs: Sequence[str], models: Mapping[str, str], registry: Any
) -> list[tuple[str, str, str]]:
    """(src, tgt, spec) to check: ``--model`` entries, PAIRS, else every installed model."""
    from mtalign.models import parse_choice, parse_pair

    out: list[tuple[str, str, str]] = []
    for key, spec in models.items():
        src, tgt = parse_pair(key) if "-" in key else ("en", key)
        out.append((src, tgt, spec))
    for pair in pairs:
        src, tgt, choice = parse_choice(pair)
        out.append((src, tgt, f"{src}-{tgt}:{choice}"))
    if not out and not models:
        out = [(s, t, f"{s}-{t}:{c}") for s, t, c in installed_specs(registry)]
    if not out:
        raise ModelError(
            "no installed model to check: download one with `mtalign models pull en-tr`, "
            "or pass a local checkpoint with --model tr=/path/to/model"
        )
    return out


def check_models(
    pairs: Sequence[str] = (),
    models: Mapping[str, str] | None = None,
    engines: Sequence[str] = ("ctranslate2", "transformers"),
    compute_type: str | None = None,
    threads: int = 0,
    registry: Any = None,
    progress: bool = False,
    max_length: int | None = None,
) -> list[PairCheck]:
    """Check the models of PAIRS and ``models`` (``{"tr": path}``), or every installed one.

    Nothing is downloaded: a model that is not installed is a :class:`ModelError`.
    """
    from mtalign.models import load_registry, resolve_model

    reg = registry if registry is not None else load_registry()
    todo = _targets(pairs, dict(models or {}), reg)
    resolved = [
        resolve_model(spec, src=src, tgt=tgt, registry=reg, local_files_only=True)
        for src, tgt, spec in todo
    ]  # every model found before any work
    results = []
    for model in resolved:
        if progress:
            log.warning("checking %s-%s: %s", model.src, model.tgt, model.model_id)
        results.append(check_model(model, engines, compute_type, threads, max_length))
    return results


# ---------------------------------------------------------------------------- text


def _fmt(x: float | None, spec: str = ".1f") -> str:
    return "-" if x is None else format(x, spec)


def render_checks(results: Sequence[PairCheck]) -> str:
    """The plain-text report of ``mtalign models check``."""
    blocks = []
    for c in results:
        head = f"{c.pair}  {c.model_id}  ({c.origin}, {c.revision[:16]})"
        if c.target_token:
            head += f"  target token {c.target_token}"
        lines = [head]
        if c.runs:
            rows = [("engine", "chrF++", "BLEU", "terms off->enforce", "chrF++ enforce",
                     "flagged", "tok/s", "load s", "peak MB")]  # fmt: skip
            for r in c.runs:
                terms = "-" if r.terms_off is None else (
                    f"{r.terms_off:.2f}->{_fmt(r.terms_enforce, '.2f')}"
                )  # fmt: skip
                rows.append((
                    f"{r.engine} {r.compute_type}", _fmt(r.chrf), _fmt(r.bleu), terms,
                    _fmt(r.chrf_enforce), f"{r.flagged}/{r.segments}", _fmt(r.tokens_per_s, ".0f"),
                    _fmt(r.load_seconds), _fmt(r.peak_rss_mb, ".0f"),
                ))  # fmt: skip
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
            for row in rows:
                cells = [row[0].ljust(widths[0])] + [
                    cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)
                ]
                lines.append("  " + "  ".join(cells))
            for r in c.runs:
                if r.flags:
                    lines.append(f"  quality flags ({r.engine}): {_kinds(r.flags)}")
            if c.same_tokens is not None:
                lines.append(
                    f"  engines: the same tokens in {c.same_tokens}/{c.runs[0].segments} "
                    f"segments; chrF++ between their outputs {_fmt(c.engine_chrf)}"
                )
            lines.append(f"  source <unk> pieces: {c.unk_rate:.1%}")
        status = "OK" if c.ok else "FAIL"
        lines.append(f"  verdict: {status}: {c.verdict}")
        lines += [f"    - {p}" for p in c.problems]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
