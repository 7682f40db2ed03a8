"""Evaluating a hypothesis whose line count differs from the reference's.

Hypotheses are made from the reference by dropping, merging and splitting lines (with
repeated identical lines among them), so the right pairs are known. The realigned pairs
must be those, and the scores must be finite and equal to sacrebleu's on those pairs.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sacrebleu.metrics import BLEU, CHRF, TER

from mtalign.evaluate.realign import realign
from mtalign.evaluate.runner import EvalOptions, evaluate_texts

FAST = settings(max_examples=60, derandomize=True, deadline=None)
VOCAB = "the a court city minister said on Thursday that army forces would leave north".split()


@st.composite
def derived(draw, min_lines=1, max_lines=12):
    """(reference lines, hypothesis lines, the right (hyp text, ref text) pairs)."""
    n = draw(st.integers(min_lines, max_lines))
    ref: list[str] = []
    for i in range(n):
        if ref and draw(st.integers(0, 5)) == 0:
            ref.append(draw(st.sampled_from(ref)))  # an identical line again
            continue
        words = draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=8))
        # Unique words at both ends: no line (or half line) is a bag-subset of another.
        ref.append(" ".join([f"L{i}a", *words, f"L{i}z"]))
    hyp: list[str] = []
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < n:
        op = draw(st.sampled_from(["keep", "keep", "drop", "merge", "split"]))
        if op == "merge" and i + 1 < n:
            hyp.append(f"{ref[i]} {ref[i + 1]}")
            pairs.append((hyp[-1], f"{ref[i]} {ref[i + 1]}"))
            i += 2
            continue
        if op == "drop":
            pairs.append(("", ref[i]))
        elif op == "split" and ref.count(ref[i]) == 1:
            # (Splitting one of two identical lines next to a drop of the other is truly
            # ambiguous: two truncated copies read the same. Only unique lines are split.)
            words = ref[i].split()
            cut = draw(st.integers(1, len(words) - 1))
            hyp += [" ".join(words[:cut]), " ".join(words[cut:])]
            pairs.append((ref[i], ref[i]))
        else:  # keep (also a split or merge that does not apply here)
            hyp.append(ref[i])
            pairs.append((ref[i], ref[i]))
        i += 1
    return ref, hyp, pairs


def bead_pairs(hyp, ref, beads) -> Counter:
    return Counter(
        (" ".join(hyp[k] for k in b.src), " ".join(ref[k] for k in b.tgt)) for b in beads
    )


@FAST
@given(derived())
def test_realigned_pairs_are_the_right_ones(case):
    ref, hyp, pairs = case
    al = realign(hyp, ref, "en", "en")
    covered_h = [k for b in al.beads for k in b.src]
    covered_r = [k for b in al.beads for k in b.tgt]
    assert covered_h == list(range(len(hyp))) and covered_r == list(range(len(ref)))
    assert bead_pairs(hyp, ref, al.beads) == Counter(pairs)


@settings(max_examples=20, derandomize=True, deadline=None)
@given(derived(min_lines=2).filter(lambda c: len(c[1]) != len(c[0]) and c[1]))
def test_scores_on_realigned_lines_equal_sacrebleu_on_the_right_pairs(case):
    ref, hyp, pairs = case
    ev = evaluate_texts(
        [("sys", hyp), ("copy", ref)],
        [ref],
        "en",
        options=EvalOptions(metrics="bleu,chrf,chrf++,ter"),
    )
    system, copy = ev.systems
    got = Counter((s.hyp, s.refs[0]) for s in system.segments)
    assert got == Counter(pairs)  # one system: its beads are the units
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    for key, metric in (
        ("bleu", BLEU()),
        ("chrf", CHRF()),
        ("chrf++", CHRF(word_order=2)),
        ("ter", TER()),
    ):
        want = metric.corpus_score(hyps, [refs]).score
        assert math.isfinite(system.scores[key].value)
        assert system.scores[key].value == want, key  # exactly sacrebleu's
    # The reference itself is scored on the same units: the reference lines of each pair.
    assert [s.hyp for s in copy.segments] == [s.refs[0] for s in system.segments]
    assert copy.scores["ter"].value == pytest.approx(0.0)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.integers(1, 4), st.integers(5, 12), st.sampled_from([None, "paired-bs"]))
def test_short_hypotheses_against_long_references_score_finite(n_hyp, n_ref, test):
    ref = [f"L{i}a the talks went on in city {i} L{i}z" for i in range(n_ref)]
    hyp = ref[:n_hyp]
    systems = [("short", hyp)] + ([("copy", ref)] if test else [])
    ev = evaluate_texts(
        systems,
        [ref],
        "en",
        options=EvalOptions(n_bootstrap=20, significance=test, n_trials=20, seed=7),
    )
    for s in ev.systems:
        for score in s.scores.values():
            assert math.isfinite(score.value)
            assert score.ci is None or all(math.isfinite(x) for x in score.ci)


def test_band_widens_for_a_block_moved_far_from_the_diagonal():
    ref = [f"L{i}a court said {i} L{i}z" for i in range(120)]
    junk = [f"J{i}a noise {i} J{i}z" for i in range(25)]
    hyp = junk + ref[:-25]  # 25 extra lines in front, the last 25 dropped: same count
    al = realign(hyp, ref, "en", "en")
    kinds = Counter(f"{len(b.src)}-{len(b.tgt)}" for b in al.beads)
    assert kinds == {"1-0": 25, "1-1": 95, "0-1": 25}
    assert all(hyp[b.src[0]] == ref[b.tgt[0]] for b in al.beads if b.src and b.tgt)


def test_scripts_without_spaces_are_compared_by_characters():
    ref = ["法院周四表示", "军队将离开北方", "部长说会谈继续"]
    hyp = ["法院周四表示军队将离开北方", "部长说会谈继续"]
    al = realign(hyp, ref, "zh", "zh")
    assert [(b.src, b.tgt) for b in al.beads] == [((0,), (0, 1)), ((1,), (2,))]
