"""Evaluate one or more systems against references: scores, tests, segments, terms."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtalign.errors import InputError
from mtalign.evaluate.alignment import (
    Aligner,
    SystemAlignment,
    align_system,
    common_units,
    default_aligner,
    hyp_lines_per_unit,
    join_lines,
    require_same_length,
)
from mtalign.evaluate.inputs import display_name, read_lines
from mtalign.evaluate.metrics import bleu_tokenizer, parse_metrics
from mtalign.evaluate.segments import Aggregates, SegmentStat, aggregate, segment_stats
from mtalign.evaluate.significance import (
    DEFAULT_AR_TRIALS,
    SignificanceInfo,
    parse_method,
    score_systems,
)
from mtalign.evaluate.terms import TermChecker, TermReport, glossary_checker
from mtalign.langid import check_language, normalize_lang
from mtalign.types import Score

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SystemResult:
    """Scores, per-segment statistics and aggregates of one system."""

    name: str
    path: str | None
    scores: dict[str, Score]
    segments: tuple[SegmentStat, ...]
    aggregates: Aggregates
    terms: TermReport | None = None
    alignment: dict[str, Any] | None = None
    #: Per-segment scores of neural metrics (``{"comet": (0.83, ...)}``), one per segment.
    segment_scores: dict[str, tuple[float, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    """All systems evaluated on one test set in one target language."""

    lang: str
    src_lang: str
    metrics: tuple[str, ...]
    bleu_tokenizer: str
    significance: SignificanceInfo
    systems: tuple[SystemResult, ...]
    refs: tuple[str, ...] = ()
    src: str | None = None
    glossary: str | None = None
    warnings: tuple[str, ...] = ()
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def baseline(self) -> SystemResult:
        return self.systems[0]


def unique_names(paths: Sequence[str], names: Sequence[str] | None = None) -> list[str]:
    """System names: the given ones, else file names (with as many of their folders as it
    takes where two would clash)."""
    if names:
        if len(names) != len(paths):
            raise InputError(
                f"--names: {len(names)} names for {len(paths)} --hyp files; give one per file"
            )
        out = [str(n) for n in names]
    else:
        out = [display_name(p) for p in paths]
        parts = [Path(str(p)).parts for p in paths]
        depth = 2
        while len(set(out)) != len(out) and depth <= max(len(x) for x in parts):
            # Clashing file names: as many trailing folders as it takes, not whole paths.
            out = [
                str(Path(*x[-depth:])) if len(x) > 1 else str(p)
                for x, p in zip(parts, paths, strict=True)
            ]
            depth += 1
    if len(set(out)) != len(out):
        raise InputError(f"system names must differ, got {', '.join(out)}; pass --names")
    return out


@dataclass(frozen=True)
class EvalOptions:
    """How systems are scored: metrics, tests, resampling, realignment, COMET scorer.

    ``confidence`` asks for bootstrap confidence intervals (``n_bootstrap`` resamples) when
    no test is run or with ``paired-ar``; it is off by default, so the scores and signatures
    are those of a bare ``sacrebleu REF -i HYP -m bleu chrf ter`` (``paired-bs`` always has
    CIs, as in sacrebleu).

    ``aligner`` realigns a system whose line count differs from the references' (True:
    :mod:`mtalign.evaluate.realign`; None/False: such a system is an :class:`InputError`
    naming both counts). ``comet`` is the :class:`~mtalign.evaluate.comet.Scorer` of the
    ``comet`` metric (default: loaded from the default checkpoint when asked for).
    """

    metrics: str | Sequence[str] | None = "bleu,chrf,ter"
    significance: str | None = None
    tokenize: str | None = None
    seed: int = 12345
    n_bootstrap: int = 1000
    n_trials: int = DEFAULT_AR_TRIALS
    confidence: bool = False
    aligner: Aligner | None | bool = True
    comet: Any = None


@dataclass(frozen=True)
class EvalNames:
    """What the report calls the inputs: reference and source files, systems' files, the
    glossary, and the title."""

    refs: Sequence[str] = ()
    src: str | None = None
    systems: Sequence[str | None] = ()
    glossary: str | None = None
    title: str = ""


def evaluate_texts(
    systems: Sequence[tuple[str, Sequence[str]]],
    refs: Sequence[Sequence[str]],
    lang: str,
    srcs: Sequence[str] | None = None,
    src_lang: str = "en",
    terms: TermChecker | None = None,
    options: EvalOptions | None = None,
    names: EvalNames | None = None,
) -> Evaluation:
    """Evaluate line lists. ``systems`` are ``(name, lines)``; the first is the baseline.

    ``refs`` holds one list of lines per reference set (all the same length, and the
    same as ``srcs``). ``terms`` checks glossary terms over ``(srcs, hyps)`` per system.
    A system with another line count is realigned (see :class:`EvalOptions`) and a
    warning is recorded.
    """
    opts, names = options or EvalOptions(), names or EvalNames()
    lang, src_lang = normalize_lang(lang), normalize_lang(src_lang)
    keys = tuple(parse_metrics(opts.metrics))
    method = parse_method(opts.significance)
    tok = bleu_tokenizer(lang, opts.tokenize)
    ref_names = list(names.refs) or [f"ref{i + 1}" for i in range(len(refs))]
    sys_paths = list(names.systems) or [None] * len(systems)
    _check_inputs(systems, refs, srcs, terms, ref_names, names.src)
    alignments, warnings = _realign(systems, refs[0], sys_paths, ref_names[0], lang, opts)
    n_ref = len(refs[0])
    units: list[tuple[int, ...]] = (
        common_units(n_ref, alignments) if any(alignments) else [(i,) for i in range(n_ref)]
    )
    ref_units = [[join_lines(r, u, lang) for u in units] for r in refs]
    src_units = [join_lines(srcs, u, src_lang) for u in units] if srcs is not None else None
    sys_units: list[tuple[str, list[str]]] = []
    sys_lines: list[list[tuple[int, ...]]] = []
    for (name, hyps), al in zip(systems, alignments, strict=True):
        groups = hyp_lines_per_unit(units, len(hyps), al)
        sys_lines.append(groups)
        sys_units.append((name, [join_lines(hyps, g, lang) for g in groups]))
    if all(not h.strip() for _, hs in sys_units for h in hs):
        raise InputError("every hypothesis is empty; check the --hyp files")
    neural = _neural_metrics(keys, opts.comet, src_units, ref_units[0])
    scores, info = score_systems(
        sys_units, ref_units, keys, lang, tok, method, opts.n_bootstrap, opts.n_trials,
        opts.seed, neural, confidence=opts.confidence,
    )  # fmt: skip
    results = [
        _system_result(
            name,
            hyps,
            sys_paths[i],
            scores[i],
            ref_units,
            src_units,
            terms,
            lang,
            sys_lines[i],
            units,
            alignments[i],
            neural,
        )  # fmt: skip
        for i, (name, hyps) in enumerate(sys_units)
    ]
    return Evaluation(
        lang=lang,
        src_lang=src_lang,
        metrics=keys,
        bleu_tokenizer=tok,
        significance=info,
        systems=tuple(results),
        refs=tuple(ref_names),
        src=names.src,
        glossary=names.glossary,
        warnings=tuple(warnings),
        title=names.title,
    )


def _check_inputs(
    systems: Sequence[tuple[str, Sequence[str]]],
    refs: Sequence[Sequence[str]],
    srcs: Sequence[str] | None,
    terms: TermChecker | None,
    ref_names: Sequence[str],
    src_name: str | None,
) -> None:
    """Something to score, references of one length, a source that matches them."""
    if not systems:
        raise InputError("no hypothesis given; pass --hyp FILE (several for a comparison)")
    if not refs:
        raise InputError("no reference given; pass --ref FILE (one line per segment)")
    n_ref = len(refs[0])
    for name, r in zip(ref_names[1:], refs[1:], strict=False):
        if len(r) != n_ref:
            raise InputError(
                f"references differ in length: {ref_names[0]} has {n_ref} lines, {name} has "
                f"{len(r)}; references must be line-aligned with each other"
            )
    if srcs is not None and len(srcs) != n_ref:
        raise InputError(
            f"source {src_name or 'src'} has {len(srcs)} lines but reference {ref_names[0]} has "
            f"{n_ref}; the source must be line-aligned with the references"
        )
    if terms is not None and srcs is None:
        raise InputError("--glossary needs --src: terms are looked up in the source text")
    if all(not line.strip() for r in refs for line in r):
        raise InputError(f"reference {ref_names[0]} has no text")


def _realign(
    systems: Sequence[tuple[str, Sequence[str]]],
    ref: Sequence[str],
    sys_paths: Sequence[str | None],
    ref_name: str,
    lang: str,
    opts: EvalOptions,
) -> tuple[list[SystemAlignment | None], list[str]]:
    """Each system's alignment to the reference (None when line counts agree), warnings."""
    align_fn = default_aligner() if opts.aligner is True else (opts.aligner or None)
    alignments: list[SystemAlignment | None] = []
    warnings: list[str] = []
    for (name, hyps), path in zip(systems, sys_paths, strict=True):
        if len(hyps) == len(ref):
            alignments.append(None)
            continue
        if align_fn is None:  # different line counts and no realigning: that is the error
            require_same_length(len(hyps), len(ref), path or name, ref_name)
            continue
        al = align_system(hyps, ref, lang, align_fn)
        alignments.append(al)
        msg = (
            f"{name}: {len(hyps)} hypothesis lines vs {len(ref)} reference lines; aligned with "
            f"{al.method} ({', '.join(f'{k}: {v}' for k, v in al.kinds.items())})"
        )
        log.warning(msg)
        warnings.append(msg)
    return alignments, warnings


def _system_result(
    name: str,
    hyps: list[str],
    path: str | None,
    scores: dict[str, Score],
    ref_units: list[list[str]],
    src_units: list[str] | None,
    terms: TermChecker | None,
    lang: str,
    hyp_lines: list[tuple[int, ...]],
    units: list[tuple[int, ...]],
    al: SystemAlignment | None,
    neural: dict[str, Any],
) -> SystemResult:
    """One system's scores, per-segment statistics, term report and alignment."""
    report = terms(src_units, hyps) if terms is not None and src_units is not None else None
    stats = segment_stats(
        hyps,
        ref_units,
        lang,
        src_units,
        report.occurrences if report else (),
        hyp_lines=hyp_lines,
        ref_lines=units,
    )
    return SystemResult(
        name=name,
        path=path,
        scores=scores,
        segments=tuple(stats),
        aggregates=aggregate(stats),
        terms=report,
        alignment=al.as_dict(len(units)) if al else None,
        segment_scores={k: tuple(m.segment_scores(hyps)) for k, m in neural.items()},
    )


def _neural_metrics(
    keys: Sequence[str], comet: Any, srcs: Sequence[str] | None, refs: Sequence[str] | None
) -> dict[str, Any]:
    """The sacrebleu metric objects of neural metrics asked for (COMET needs the source)."""
    if "comet" not in keys:
        return {}
    from mtalign.evaluate.comet import CometMetric, load_scorer

    if srcs is None:
        raise InputError("--metrics comet needs --src: COMET scores a translation with its source")
    scorer = comet if comet is not None else load_scorer(None, has_refs=refs is not None)
    return {"comet": CometMetric(scorer, srcs, refs)}


def evaluate_files(
    hyp: Sequence[str | os.PathLike[str]],
    ref: Sequence[str | os.PathLike[str]],
    lang: str,
    src: str | os.PathLike[str] | None = None,
    src_lang: str = "en",
    glossary: str | os.PathLike[str] | None = None,
    names: Sequence[str] | None = None,
    options: EvalOptions | None = None,
) -> Evaluation:
    """Read hypothesis, reference and source files and :func:`evaluate_texts` them."""
    hyp_paths = [str(p) for p in hyp]
    ref_paths = [str(p) for p in ref]
    if not hyp_paths:
        raise InputError("no hypothesis given; pass --hyp FILE (several for a comparison)")
    if not ref_paths:
        raise InputError("no reference given; pass --ref FILE (one line per segment)")
    lang = normalize_lang(lang)
    src_lang = normalize_lang(src_lang)
    opts = options or EvalOptions()
    # Validate cheap options before reading files, so a typo fails fast.
    parse_metrics(opts.metrics)
    parse_method(opts.significance)
    refs = [read_lines(p, "reference") for p in ref_paths]
    for path, lines in zip(ref_paths, refs, strict=True):
        # A reference in the wrong language makes every score meaningless: stop, as the
        # hypotheses' segments are judged against the same --lang.
        check_language("\n".join(lines), lang, f"reference {path}", flag="--lang", force_flag="")
    srcs = read_lines(src, "source") if src is not None else None
    sys_names = unique_names(hyp_paths, names)
    systems = [(n, read_lines(p, "hypothesis")) for n, p in zip(sys_names, hyp_paths, strict=True)]
    checker = None
    if glossary is not None:
        if src is None:
            raise InputError("--glossary needs --src: terms are looked up in the source text")
        checker = glossary_checker(glossary, src_lang, lang)
    return evaluate_texts(
        systems,
        refs,
        lang,
        srcs=srcs,
        src_lang=src_lang,
        terms=checker,
        options=opts,
        names=EvalNames(
            refs=ref_paths,
            src=str(src) if src is not None else None,
            systems=hyp_paths,
            glossary=str(glossary) if glossary is not None else None,
        ),
    )
