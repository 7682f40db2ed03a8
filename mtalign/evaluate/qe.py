"""Reference-free evaluation: COMET quality estimation (``wmt22-cometkiwi-da``-style) of
systems that have a source but no reference translation."""

from __future__ import annotations

from collections.abc import Sequence

from mtalign.errors import InputError
from mtalign.evaluate.comet import DEFAULT_QE_MODEL, CometMetric, Scorer
from mtalign.evaluate.runner import EvalNames, EvalOptions, Evaluation, SystemResult
from mtalign.evaluate.segments import aggregate, segment_stats
from mtalign.evaluate.significance import parse_method, score_systems
from mtalign.evaluate.terms import TermChecker
from mtalign.langid import normalize_lang


def evaluate_qe(
    systems: Sequence[tuple[str, Sequence[str]]],
    srcs: Sequence[str],
    lang: str,
    scorer: Scorer,
    src_lang: str = "en",
    terms: TermChecker | None = None,
    options: EvalOptions | None = None,
    names: EvalNames | None = None,
) -> Evaluation:
    """COMET-QE scores (system, per segment, CIs and paired tests) without references.

    Each system must have one line per source line (there is no reference to align to).
    Segment chrF++ is not computed (0 in the statistics; reports show "-"). Of ``options``
    the significance test, seed and resampling counts apply.
    """
    opts, names = options or EvalOptions(), names or EvalNames()
    lang, src_lang = normalize_lang(lang), normalize_lang(src_lang)
    if not scorer.reference_free:
        raise InputError(
            f"no reference given, and COMET model {scorer.model_id} needs one; pass --ref, or "
            f"a reference-free model such as --comet-model {DEFAULT_QE_MODEL}"
        )
    if not systems:
        raise InputError("no hypothesis given; pass --hyp FILE (several for a comparison)")
    paths = list(names.systems) or [None] * len(systems)
    for (name, hyps), path in zip(systems, paths, strict=True):
        if len(hyps) != len(srcs):
            raise InputError(
                f"{path or name} has {len(hyps)} lines but the source has {len(srcs)}; without "
                "a reference every hypothesis must have one line per source line"
            )
    metric = CometMetric(scorer, srcs, None)
    scores, info = score_systems(
        [(n, list(h)) for n, h in systems], [], ("comet",), lang, None,
        parse_method(opts.significance), opts.n_bootstrap, opts.n_trials, opts.seed,
        {"comet": metric}, confidence=opts.confidence,
    )  # fmt: skip
    blank = [[""] * len(srcs)]  # no reference: chrF++ and length ratio are not computed
    results = []
    for i, (name, hyps) in enumerate(systems):
        report = terms(srcs, hyps) if terms is not None else None
        stats = segment_stats(hyps, blank, lang, srcs, report.occurrences if report else ())
        results.append(
            SystemResult(
                name=name,
                path=paths[i],
                scores=scores[i],
                segments=tuple(stats),
                aggregates=aggregate(stats),
                terms=report,
                segment_scores={"comet": tuple(metric.segment_scores(hyps))},
            )
        )
    return Evaluation(
        lang=lang,
        src_lang=src_lang,
        metrics=("comet",),
        bleu_tokenizer="none",
        significance=info,
        systems=tuple(results),
        refs=(),
        src=names.src,
        glossary=names.glossary,
        title=names.title,
        meta={"reference_free": True},
    )
