"""Long-bead alignment sets: real Bible documents with runs of verses merged (seeded).

The Bible sets of ``align_bible.py`` hold the translators' own 1-2 / 2-1 beads but few
longer ones; literary translations (the hidden Chinese-English chapters: 1-3 6.5%, 1-4
1.9%, 2-2, 2-3 and a tail to 1-6 / 3-7) have many. Here each document of a Bible set is
perturbed by a seeded process: at each gold bead, with probability ``MERGE``, the next
``k`` beads (``k`` from ``SIZES``) become one bead whose sentences on one random side are
joined into one sentence (a 1-n bead, as a translator who merges a passage) or into two
(a 2-n bead, cut where the first half of the text ends). 1-0 / 0-1 beads are never merged.
``bible-long-dev`` perturbs bible-dev, ``bible-long-heldout`` bible-heldout (other seed).
"""

from __future__ import annotations

import random

from align_bible import bible_docs
from align_devsets import SEED_DEV, SEED_HELDOUT, DevDoc, Gold

MERGE = 0.18
SIZES = (2, 2, 3, 3, 4, 5)


def _halves(texts: list[str]) -> list[str]:
    """``texts`` joined into two sentences, cut between texts near half the characters."""
    total = sum(len(t) for t in texts)
    run = 0
    for k, t in enumerate(texts[:-1]):
        run += len(t)
        if run >= total / 2:
            return [" ".join(texts[: k + 1]), " ".join(texts[k + 1 :])]
    return [" ".join(texts[:-1]), texts[-1]]


def lengthen(doc: DevDoc, rng: random.Random) -> DevDoc:
    """``doc`` with runs of beads merged into 1-n / 2-n beads (module doc)."""
    src: list[str] = []
    tgt: list[str] = []
    gold: Gold = []
    beads = doc.gold
    k = 0
    while k < len(beads):
        size = rng.choice(SIZES)
        run = beads[k : k + size]
        if rng.random() < MERGE and len(run) == size and all(s and t for s, t in run):
            ss = [doc.src[i] for s, _ in run for i in s]
            ts = [doc.tgt[j] for _, t in run for j in t]
            two = rng.random() < 0.35
            if rng.random() < 0.5:
                ss = _halves(ss) if two else [" ".join(ss)]
            else:
                ts = _halves(ts) if two else [" ".join(ts)]
            k += size
        else:
            s, t = beads[k]
            ss, ts = [doc.src[i] for i in s], [doc.tgt[j] for j in t]
            k += 1
        gold.append(
            (tuple(range(len(src), len(src) + len(ss))), tuple(range(len(tgt), len(tgt) + len(ts))))
        )
        src.extend(ss)
        tgt.extend(ts)
    return DevDoc(doc.name + "-long", doc.src_lang, doc.tgt_lang, src, tgt, gold)


def long_docs(split: str, windows: int = 4) -> list[DevDoc]:
    """The ``bible-long-dev`` or ``bible-long-heldout`` documents."""
    rng = random.Random((SEED_DEV if split == "dev" else SEED_HELDOUT) + 1000)
    return [lengthen(d, rng) for d in bible_docs(split, windows)]
