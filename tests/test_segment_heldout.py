"""Held-out check: the seed articles split like their line-per-sentence reference files.

The reference files in tests/data/eval were written for evaluation, not for tuning the
segmenter, so they measure it on text its rules were not written against.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mtalign.segment import split_sentences

ROOT = Path(__file__).resolve().parents[1]
STEMS = sorted(p.stem for p in (ROOT / "seeds").glob("*.txt"))


def _groups(stem: str) -> list[int]:
    """How many reference lines make up each paragraph of the English seed article."""
    paras = (ROOT / "seeds" / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    lines = (ROOT / "tests/data/eval" / f"{stem}.en.txt").read_text(encoding="utf-8").splitlines()
    counts, i = [], 0
    for p in paras:
        acc, n = "", 0
        while acc != p:
            assert i < len(lines), f"{stem}: reference lines do not rebuild paragraph {p[:40]!r}"
            acc = f"{acc} {lines[i]}".strip()
            i += 1
            n += 1
        counts.append(n)
    return counts


@pytest.mark.parametrize("lang", ["en", "tr", "ru", "ar"])
@pytest.mark.parametrize("stem", STEMS)
def test_reference_sentences_are_recovered(stem, lang):
    lines = (
        (ROOT / "tests/data/eval" / f"{stem}.{lang}.txt").read_text(encoding="utf-8").splitlines()
    )
    k, wrong = 0, []
    for n in _groups(stem):
        gold = lines[k : k + n]
        k += n
        pred = split_sentences(" ".join(gold), lang)
        if pred != gold:
            wrong.append((gold, pred))
    assert k == len(lines)
    assert not wrong, wrong
