"""Scores, CIs and p-values from compact statistics resampled in chunks equal sacrebleu's
own (issue 18): small chunks force every boundary; memory does not grow with resamples;
realigning very different line counts stays in a bounded band or is refused."""

from __future__ import annotations

import random
import tracemalloc
from collections import Counter

import numpy as np
import pytest
from sacrebleu.significance import PairedTest

from mtalign.errors import InputError
from mtalign.evaluate import realign as realign_mod
from mtalign.evaluate import resample
from mtalign.evaluate.metrics import make_metric
from mtalign.evaluate.realign import realign
from mtalign.evaluate.significance import score_systems

WORDS = "the a court said on Thursday army forces would leave north . , ! İstanbul şehir".split()
KEYS = ["bleu", "chrf", "chrf++", "ter"]


def corpus(n: int, seed: int, refs: int = 1) -> tuple[list[list[str]], list[str], list[str]]:
    """``refs`` reference sets and two systems of ``n`` lines (some empty)."""
    rng = random.Random(seed)

    def line() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 14)))

    ref_sets = [[line() for _ in range(n)] for _ in range(refs)]

    def noisy(r: str) -> str:
        return " ".join(w if rng.random() < 0.7 else rng.choice(WORDS) for w in r.split())

    return ref_sets, [noisy(r) for r in ref_sets[0]], [noisy(r) for r in ref_sets[0]]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 lines and a few resamples at a time: every code path crosses a boundary."""
    monkeypatch.setattr(resample, "CHUNK_LINES", 7)
    monkeypatch.setattr(resample, "CHUNK_CELLS", 150)


@pytest.mark.parametrize(("n", "seed"), [(1, 1), (2, 2), (45, 3), (120, 4)])
def test_bootstrap_ci_equals_sacrebleu(small_chunks, monkeypatch, n, seed):
    refs, a, _ = corpus(n, seed)
    ours, info = score_systems([("a", a)], refs, KEYS, n_bootstrap=50, seed=99, confidence=True)
    monkeypatch.setenv("SACREBLEU_SEED", "99")
    for key in KEYS:
        metric = make_metric(key)
        sb = metric.corpus_score(a, refs, n_bootstrap=50)
        got = ours[0][key]
        assert got.value == float(sb.score), key
        assert got.extra["mean"] == float(sb._mean) and got.extra["ci_halfwidth"] == float(sb._ci)
        assert got.signature == metric.get_signature().format()
    assert info.n_bootstrap == 50


@pytest.mark.parametrize(("test", "n", "refs"), [("bs", 60, 1), ("ar", 60, 1), ("bs", 33, 2)])
def test_paired_tests_equal_sacrebleu(small_chunks, monkeypatch, test, n, refs):
    ref_sets, a, b = corpus(n, 7, refs)
    method = f"paired-{test}"
    ours, _ = score_systems(
        [("a", a), ("b", b)], ref_sets, KEYS, method=method, n_bootstrap=40, n_trials=70,
        seed=5, confidence=True,
    )  # fmt: skip
    monkeypatch.setenv("SACREBLEU_SEED", "5")
    metrics = {k: make_metric(k, references=ref_sets) for k in KEYS}
    samples = 40 if test == "bs" else 70
    sigs, table = PairedTest(
        [("a", a), ("b", b)], metrics, None, test_type=test, n_samples=samples, n_ar_confidence=40
    )()
    for key, name in zip(KEYS, list(table)[1:], strict=True):
        for i in range(2):
            want, got = table[name][i], ours[i][key]
            assert not isinstance(want, str)
            # Two references make TER's lengths fractional: float sums may differ in the last bit.
            exact = refs == 1 or key != "ter"
            check = (lambda x, y: x == y) if exact else (lambda x, y: x == pytest.approx(y))
            assert got.name == name and got.signature == sigs[name].format()
            assert check(got.value, float(want.score))
            assert check(got.extra["mean"], float(want.mean))
            assert check(got.extra["ci_halfwidth"], float(want.ci))
            if i:
                assert check(got.extra["p_value"], float(want.p_value))


def test_statistics_are_compact_and_extracted_in_chunks(small_chunks):
    refs, a, _ = corpus(30, 11)
    for key, dtype, width in (
        ("bleu", np.int32, 10),
        ("chrf++", np.int32, 24),
        ("ter", np.float64, 2),
    ):
        metric = make_metric(key)
        stats = resample.extract(metric, a, refs)
        assert stats.shape == (30, width) and stats.dtype == dtype
        assert metric.num_refs == 1
        assert (
            resample.corpus_score(metric, stats).score
            == make_metric(key).corpus_score(a, refs).score
        )


def test_resampling_memory_does_not_grow_with_resamples():
    """1,000 resamples of 20,000 segments: sacrebleu's array alone would be 800 MB."""
    n, k = 20_000, 10
    stats = np.random.default_rng(0).integers(0, 30, size=(n, k), dtype=np.int32)
    tracemalloc.start()
    try:
        sums = resample.bootstrap_sums([stats], 1000, seed=1)[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sums.shape == (1000, k)
    assert peak < 120 * 2**20, peak  # about: indices and counts of one chunk, stats as float64
    # The first resample is sacrebleu's first row of indices.
    first = np.random.default_rng(1).choice(n, size=(1, n), replace=True)[0]
    assert np.array_equal(sums[0], stats[first].sum(axis=0))


def test_realign_very_unequal_counts_uses_a_band_along_the_slope(monkeypatch):
    ref = [f"L{i}a court said {i} L{i}z" for i in range(60)]
    extra = [f"J{i}a noise {i} J{i}z" for i in range(540)]
    hyp = ref + extra  # ten times the reference's lines: a whole-width band would be 36,000 cells
    monkeypatch.setattr(realign_mod, "MAX_CELLS", 20_000)
    al = realign(hyp, ref, "en", "en")
    kinds = Counter(f"{len(b.src)}-{len(b.tgt)}" for b in al.beads)
    assert kinds == {"1-1": 60, "1-0": 540}
    assert all(hyp[b.src[0]] == ref[b.tgt[0]] for b in al.beads if b.src and b.tgt)
    assert al.meta["cells"] <= 20_000


def test_realign_refuses_what_no_band_can_hold(monkeypatch):
    monkeypatch.setattr(realign_mod, "MAX_FIRST_CELLS", 1_000)
    with pytest.raises(InputError, match=r"realigning 100 hypothesis lines with 10 .*split both"):
        realign([f"h {i}" for i in range(100)], [f"r {i}" for i in range(10)], "en", "en")
