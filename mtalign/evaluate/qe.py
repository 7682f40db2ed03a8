"""Reference-free evaluation: COMET quality estimation (``wmt22-cometkiwi-da``-style) of
systems that have a source but no reference translation."""

from __future__ import annotations

from collections.abc import Sequence

from mtalign.errors import InputError
from mtalign.evaluate.comet import DEFAULT_QE_MODEL, CometMetric, Scorer
from mtalign.evaluate.runner import Evaluation, SystemResult
from mtalign.evaluate.segments import aggregate, segment_stats
from mtalign.evaluate.significance import DEFAULT_AR_TRIALS, parse_method, score_systems
from mtalign.evaluate.terms import TermChecker
from mtalign.langid import normalize_lang


def evaluate_qe(
    systems: Sequence[tuple[str, Sequence[str]]],
    srcs: Sequence[str],
    lang: str,
    scorer: Scorer,
    src_lang: str = "en",
    significance: str | None = None,
    seed: int = 12345,
    n_bootstrap: int = 1000,
    n_trials: int = DEFAULT_AR_TRIALS,
    terms: TermChecker | None = None,
    src_name: str | None = None,
    sys_paths: Sequence[str | None] = (),
    glossary_name: str | None = None,
    title: str = "",
) -> Evaluation:
    """COMET-QE scores (system, per segment, CIs and paired tests) without references.

    Each system must have one line per source line (there is no reference to align to).
    Segment chrF++ is not computed (0 in the statistics; reports show "-").
    """
    lang, src_lang = normalize_lang(lang), normalize_lang(src_lang)
    if not scorer.reference_free:
        raise InputError(
            f"no reference given, and COMET model {scorer.model_id} needs one; pass --ref, or "
            f"a reference-free model such as --comet-model {DEFAULT_QE_MODEL}"
        )
    if not systems:
        raise InputError("no hypothesis given; pass --hyp FILE (several for a comparison)")
    for (name, hyps), path in zip(systems, list(sys_paths) or [None] * len(systems), strict=True):
        if len(hyps) != len(srcs):
            raise InputError(
                f"{path or name} has {len(hyps)} lines but the source has {len(srcs)}; without "
                "a reference every hypothesis must have one line per source line"
            )
    metric = CometMetric(scorer, srcs, None)
    scores, info = score_systems(
        [(n, list(h)) for n, h in systems], [], ("comet",), lang,
        None, parse_method(significance), n_bootstrap, n_trials, seed, {"comet": metric},
    )  # fmt: skip
    blank = [[""] * len(srcs)]  # no reference: chrF++ and length ratio are not computed
    results = []
    for i, (name, hyps) in enumerate(systems):
        report = terms(srcs, hyps) if terms is not None else None
        stats = segment_stats(hyps, blank, lang, srcs, report.occurrences if report else ())
        results.append(
            SystemResult(
                name=name,
                path=(list(sys_paths) or [None] * len(systems))[i],
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
        src=src_name,
        glossary=glossary_name,
        title=title,
        meta={"reference_free": True},
    )
