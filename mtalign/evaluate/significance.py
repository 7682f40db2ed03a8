"""Confidence intervals and paired significance tests, as sacrebleu computes them.

The tests are sacrebleu's (bootstrap CI, paired bootstrap, approximate randomisation,
its p-value and CI formulas, its random draws from ``numpy.random.default_rng(seed)``),
run over compact per-segment statistics resampled in chunks
(:mod:`mtalign.evaluate.resample`), so memory does not grow with the number of resamples.
Same seed, same numbers as ``SACREBLEU_SEED=SEED sacrebleu REF -i A B --paired-bs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mtalign.errors import InputError
from mtalign.evaluate.metrics import make_metric, to_score
from mtalign.evaluate.resample import (
    ar_trials,
    bootstrap_scores,
    bootstrap_sums,
    corpus_score,
    extract,
)
from mtalign.types import Score

#: ``--significance`` values and sacrebleu's test names.
METHODS = {"paired-bs": "bs", "paired-ar": "ar"}
#: Approximate randomisation trials (sacrebleu's default).
DEFAULT_AR_TRIALS = 10_000
#: Significance level used to mark a system as different from the baseline.
ALPHA = 0.05


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
    confidence: bool = True,
) -> tuple[list[dict[str, Score]], SignificanceInfo]:
    """Corpus scores for every system, with 95% CIs and p-values against the first.

    ``method`` None: the corpus scores, each with a bootstrap CI of its own when
    ``confidence`` (``n_bootstrap`` resamples; 0 or 1 for none). ``paired-bs``: paired
    bootstrap with ``n_bootstrap`` resamples (CIs always, as sacrebleu gives them).
    ``paired-ar``: approximate randomisation with ``n_trials`` trials, CIs from
    ``n_bootstrap`` resamples when ``confidence``. The first system is the baseline (its
    p-value is None). ``extra`` holds ready sacrebleu metric objects by key (COMET, which
    needs the sources). The numbers are sacrebleu's (:mod:`mtalign.evaluate.resample`);
    memory grows with segments x statistics, never with resamples.
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
    if isinstance(seed, bool) or not isinstance(seed, int) or seed <= 0:
        # sacrebleu treats seed 0 as "no seed" in paired tests: results would not repeat.
        raise InputError(f"--seed: expected a positive whole number, got {seed!r}")
    names = [name for name, _ in systems]
    objs = {key: extra.get(key) or make_metric(key, lang, tokenize) for key in metrics}
    ref_sets = [list(r) for r in refs]
    stats = [
        {k: extract(m, hyps, None if k in extra else ref_sets) for k, m in objs.items()}
        for _, hyps in systems
    ]
    n_ci = n_bootstrap if confidence and n_bootstrap > 1 else 0
    if method is None:
        results = _bootstrap(objs, stats, n_ci, seed)
        return results, SignificanceInfo(None, 0, n_ci, seed, names[0])
    test_type = METHODS[method]
    n_samples = n_bootstrap if test_type == "bs" else n_trials
    if n_samples < 2:
        raise InputError(f"--significance {method}: needs at least 2 samples, got {n_samples}")
    if test_type == "bs":
        n_ci = n_samples
    test = _Test(objs, test_type, n_samples, n_ci, seed)
    return test.run(stats), SignificanceInfo(method, n_samples, n_ci, seed, names[0])


def _flat_sums(
    stats: Sequence[Mapping[str, np.ndarray]], keys: Sequence[str], n: int, seed: int
) -> list[dict[str, np.ndarray]]:
    """Bootstrap sums of every system and metric from one index stream (sacrebleu reseeds
    the generator for each, so they all see the same resamples)."""
    flat = bootstrap_sums([st[k] for st in stats for k in keys], n, seed)
    return [{k: flat[i * len(keys) + j] for j, k in enumerate(keys)} for i in range(len(stats))]


def _bootstrap(
    objs: Mapping[str, Any], stats: list[dict[str, np.ndarray]], n_ci: int, seed: int
) -> list[dict[str, Score]]:
    """Every system's corpus scores, with a bootstrap CI of its own when ``n_ci`` > 1."""
    keys = list(objs)
    scores = [{k: corpus_score(objs[k], st[k]) for k in keys} for st in stats]
    if n_ci > 1:
        for sb, sums in zip(scores, _flat_sums(stats, keys, n_ci, seed), strict=True):
            for k in keys:
                sb[k].estimate_ci(bootstrap_scores(objs[k], sums[k]))
        for m in objs.values():  # the signature fields sacrebleu's corpus_score sets
            m.n_bootstrap, m.seed = n_ci, str(seed)
    return [{k: to_score(k, s[k], objs[k]) for k in keys} for s in scores]


class _Test:
    """sacrebleu's ``PairedTest`` over compact statistics: the baseline first, then every
    system against it with the same draws."""

    def __init__(
        self, objs: Mapping[str, Any], test_type: str, n_samples: int, n_ci: int, seed: int
    ) -> None:
        self.objs, self.keys = objs, list(objs)
        self.test_type, self.n_samples, self.n_ci, self.seed = test_type, n_samples, n_ci, seed
        self.sigs = {k: self._signature(m) for k, m in objs.items()}

    def _signature(self, metric: Any) -> str:
        sig = metric.get_signature()
        sig.update("seed", str(self.seed))
        sig.update(self.test_type, self.n_samples)
        if self.n_ci > 0:
            sig.update("bs", self.n_ci)
        return str(sig.format())

    def _scores(self, key: str, sums: np.ndarray) -> np.ndarray:
        return np.array([s.score for s in bootstrap_scores(self.objs[key], sums)])

    def run(self, stats: list[dict[str, np.ndarray]]) -> list[dict[str, Score]]:
        keys = self.keys
        real = [{k: corpus_score(self.objs[k], st[k]) for k in keys} for st in stats]
        boot: list[dict[str, np.ndarray]] = [{} for _ in stats]
        if self.test_type == "bs":
            sums = _flat_sums(stats, keys, self.n_samples, self.seed)
            boot = [{k: self._scores(k, s[k]) for k in keys} for s in sums]
        elif self.n_ci > 0:
            base = _flat_sums(stats[:1], keys, self.n_ci, self.seed)[0]
            boot[0] = {k: self._scores(k, base[k]) for k in keys}
        out = [{k: self._score(k, real[0][k], boot[0].get(k), None) for k in keys}]
        for i in range(1, len(stats)):
            if self.test_type == "bs":
                p = {k: _p_bs(real[0][k].score, real[i][k].score, boot[0][k], boot[i][k])
                     for k in keys}  # fmt: skip
            else:
                p, boot[i] = self._ar(stats[0], stats[i], real[0], real[i])
            out.append({k: self._score(k, real[i][k], boot[i].get(k), p[k]) for k in keys})
        return out

    def _ar(
        self,
        base: Mapping[str, np.ndarray],
        system: Mapping[str, np.ndarray],
        base_real: Mapping[str, Any],
        sys_real: Mapping[str, Any],
    ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        """Approximate randomisation p-values, then the system's CI from the same generator."""
        from sacrebleu.significance import _compute_p_value

        keys = self.keys
        rng = np.random.default_rng(self.seed)
        shuffled = ar_trials([base[k] for k in keys], [system[k] for k in keys],
                             self.n_samples, rng)  # fmt: skip
        p: dict[str, float] = {}
        for k, (a, b) in zip(keys, shuffled, strict=True):
            m = self.objs[k]
            sa = np.array([m._aggregate_and_compute(row[None]).score for row in a])
            sb = np.array([m._aggregate_and_compute(row[None]).score for row in b])
            diff = abs(base_real[k].score - sys_real[k].score)
            p[k] = float(_compute_p_value(np.abs(sa - sb), diff))
        boot: dict[str, np.ndarray] = {}
        if self.n_ci > 0:
            sums = bootstrap_sums([system[k] for k in keys], self.n_ci, None, rng=rng)
            boot = {k: self._scores(k, s) for k, s in zip(keys, sums, strict=True)}
        return p, boot

    def _score(self, key: str, sb: Any, boot: np.ndarray | None, p: float | None) -> Score:
        """One system's result as a :class:`Score` (``sb``: its sacrebleu corpus score)."""
        from sacrebleu.significance import estimate_ci

        info: dict[str, Any] = {"key": key, "lower_is_better": key == "ter"}
        ci = None
        if boot is not None:
            mean, half = (float(x) for x in estimate_ci(boot))
            ci = (mean - half, mean + half)
            info.update(mean=mean, ci_halfwidth=half)
        if p is not None:
            info["p_value"] = p
            info["significant"] = bool(p < ALPHA)
        return Score(sb.name, float(sb.score), self.sigs[key], ci, info)


def _p_bs(base_real: float, sys_real: float, base: np.ndarray, system: np.ndarray) -> float:
    """sacrebleu's paired bootstrap p-value from the two systems' resampled scores."""
    from sacrebleu.significance import _compute_p_value

    diff = abs(base_real - sys_real)
    sample_diffs = np.abs(system - base)
    return float(_compute_p_value(sample_diffs - sample_diffs.mean(), diff))
