"""Confidence intervals and paired significance tests (sacrebleu's implementations).

sacrebleu takes its random seed from the ``SACREBLEU_SEED`` environment variable; the
seed given here is set there for the duration of a run (under a lock), so results are
the same as ``SACREBLEU_SEED=SEED sacrebleu REF -i A B --paired-bs`` and reproducible.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mtalign.errors import InputError
from mtalign.evaluate.metrics import make_metric, to_score
from mtalign.types import Score

#: ``--significance`` values and sacrebleu's test names.
METHODS = {"paired-bs": "bs", "paired-ar": "ar"}
#: Approximate randomisation trials (sacrebleu's default).
DEFAULT_AR_TRIALS = 10_000
#: Significance level used to mark a system as different from the baseline.
ALPHA = 0.05

_seed_lock = threading.RLock()


def parse_method(value: str | None) -> str | None:
    """``paired-bs`` / ``paired-ar`` (also ``bs``, ``ar``), or None for no test."""
    if value is None or str(value).strip().lower() in ("", "none", "off", "no"):
        return None
    key = str(value).strip().lower()
    key = {"bs": "paired-bs", "ar": "paired-ar"}.get(key, key)
    if key not in METHODS:
        raise InputError(
            f"--significance: unknown test {value!r}; use {' or '.join(METHODS)} (or leave it out)"
        )
    return key


@contextlib.contextmanager
def sacrebleu_seed(seed: int) -> Iterator[None]:
    """Set ``SACREBLEU_SEED`` while sacrebleu resamples, then restore it."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed <= 0:
        # sacrebleu treats seed 0 as "no seed" in paired tests: results would not repeat.
        raise InputError(f"--seed: expected a positive whole number, got {seed!r}")
    with _seed_lock:
        old = os.environ.get("SACREBLEU_SEED")
        os.environ["SACREBLEU_SEED"] = str(seed)
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("SACREBLEU_SEED", None)
            else:
                os.environ["SACREBLEU_SEED"] = old


@dataclass(frozen=True)
class SignificanceInfo:
    """How the per-system scores were tested: method, samples, seed, baseline."""

    method: str | None
    n_samples: int
    n_bootstrap: int
    seed: int
    baseline: str
    alpha: float = ALPHA

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "n_samples": self.n_samples,
            "n_bootstrap": self.n_bootstrap,
            "seed": self.seed,
            "baseline": self.baseline,
            "alpha": self.alpha,
        }


def score_systems(
    systems: Sequence[tuple[str, Sequence[str]]],
    refs: Sequence[Sequence[str]],
    metrics: Sequence[str],
    lang: str | None = None,
    tokenize: str | None = None,
    method: str | None = None,
    n_bootstrap: int = 1000,
    n_trials: int = DEFAULT_AR_TRIALS,
    seed: int = 12345,
    extra: Mapping[str, Any] | None = None,
) -> tuple[list[dict[str, Score]], SignificanceInfo]:
    """Corpus scores for every system, with 95% CIs and p-values against the first.

    ``method`` None: each system gets a bootstrap CI of its own (``n_bootstrap`` resamples,
    0 or 1 for none). ``paired-bs``: paired bootstrap with ``n_bootstrap`` resamples.
    ``paired-ar``: approximate randomisation with ``n_trials`` trials, CIs from
    ``n_bootstrap`` resamples. The first system is the baseline (its p-value is None).
    ``extra`` holds ready sacrebleu metric objects by key (COMET, which needs the sources).
    """
    extra = dict(extra or {})
    if not systems:
        raise InputError("no system to score; give at least one --hyp file")
    method = parse_method(method)
    if method and len(systems) < 2:
        raise InputError(
            f"--significance {method} compares systems: give two or more --hyp files "
            "(the first is the baseline)"
        )
    ref_sets = [list(r) for r in refs]
    names = [name for name, _ in systems]

    def metric(key: str) -> Any:
        return extra.get(key) or make_metric(key, lang, tokenize, references=ref_sets)

    with sacrebleu_seed(seed):
        if method is None:
            results: list[dict[str, Score]] = [{} for _ in systems]
            for key in metrics:  # metric by metric, as sacrebleu's own CLI resamples
                m = metric(key)
                for i, (_, hyps) in enumerate(systems):
                    results[i][key] = _bootstrap(m, key, hyps, n_bootstrap)
            n_ci = max(0, n_bootstrap) if n_bootstrap > 1 else 0
            return results, SignificanceInfo(None, 0, n_ci, seed, names[0])
        test_type = METHODS[method]
        n_samples = n_bootstrap if test_type == "bs" else n_trials
        if n_samples < 2:
            raise InputError(f"--significance {method}: needs at least 2 samples, got {n_samples}")
        objs = {key: metric(key) for key in metrics}
        paired = _paired(systems, objs, test_type, n_samples, n_bootstrap)
    n_ci = n_bootstrap if (test_type == "bs" or n_bootstrap > 1) else 0
    return paired, SignificanceInfo(method, n_samples, n_ci, seed, names[0])


def _bootstrap(metric: Any, key: str, hyps: Sequence[str], n_bootstrap: int) -> Score:
    """One system's corpus score with a bootstrap CI of its own."""
    sb = metric.corpus_score(list(hyps), None, n_bootstrap=max(1, n_bootstrap))
    return to_score(key, sb, metric)


def _paired(
    systems: Sequence[tuple[str, Sequence[str]]],
    objs: Mapping[str, Any],
    test_type: str,
    n_samples: int,
    n_bootstrap: int,
) -> list[dict[str, Score]]:
    """Scores with p-values against the first system, from sacrebleu's PairedTest."""
    from sacrebleu.significance import PairedTest

    test = PairedTest(
        [(name, list(hyps)) for name, hyps in systems],
        dict(objs),
        references=None,
        test_type=test_type,
        n_samples=n_samples,
        n_ar_confidence=n_bootstrap if (test_type == "ar" and n_bootstrap > 1) else -1,
        n_jobs=1,
    )
    sigs, table = test()
    results: list[dict[str, Score]] = [{} for _ in systems]
    # PairedTest keys its table by the scores' display names, in metric order.
    for key, sb_name in zip(objs, list(table)[1:], strict=True):
        sig = sigs[sb_name].format()
        for i, res in enumerate(table[sb_name]):
            assert not isinstance(res, str)  # metric rows hold results; only names are str
            info_: dict[str, Any] = {"key": key, "lower_is_better": key == "ter"}
            ci = None
            if res.mean is not None and res.ci is not None:
                mean, half = float(res.mean), float(res.ci)
                ci = (mean - half, mean + half)
                info_.update(mean=mean, ci_halfwidth=half)
            if i > 0 and res.p_value is not None:
                info_["p_value"] = float(res.p_value)
                info_["significant"] = bool(res.p_value < ALPHA)
            results[i][key] = Score(sb_name, float(res.score), sig, ci, info_)
    return results
