"""Glossary drafts and consistency without a glossary.

Named-entity candidates in the source (capitalised words not explained by sentence
position, runs of capitalised words, acronyms) are paired with target units over aligned
beads (line pairs or ``mtalign align`` beads). Target units are lemmatised per language:
Turkish stems before the apostrophe, Russian pymorphy3 normal forms, Arabic words without
proclitics. Each pair is scored by Dice co-occurrence (most of the weight) and name
similarity; competitive linking gives each unit of a bead to one candidate; a candidate
keeps the unit linked to it in more beads than any other, or is dropped as unsure.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from mtalign.glossary.formats import slug
from mtalign.glossary.model import Glossary, TermOptions, make_glossary
from mtalign.glossary.similarity import name_similarity
from mtalign.glossary.textutil import APOSTROPHES, WORD_CHARS, ar_normalize
from mtalign.types import Term

_TOKEN = re.compile(rf"[{WORD_CHARS}]+(?:[.\-][{WORD_CHARS}]+)*|[^\s{WORD_CHARS}]")
_FUNCTION_WORDS = {"The", "A", "An", "In", "At", "On", "But", "And", "As", "For", "By", "To"}
_TITLES = {"Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Col", "Sen", "Rep", "Prof"}
_CONNECT = {"al", "el", "of", "de", "bin", "ibn", "von", "van", "der", "la", "le"}
_SENT_END = set(".!?\"“”'‘’«»:-–—(")


def source_candidates(text: str) -> list[str]:
    """Named-entity candidates of one segment (may repeat).

    A single capitalised word at the start of a sentence is left out: its capital is
    explained by its position (the document-level miner takes it back when the word is
    also seen capitalised elsewhere).
    """
    return [c for c, initial in _candidates(text) if not initial]


def _candidates(text: str) -> list[tuple[str, bool]]:
    """(candidate, single sentence-initial word) pairs of one segment."""
    toks = _TOKEN.findall(text)
    out: list[tuple[str, bool]] = []
    run: list[str] = []
    run_initial = False

    def flush() -> None:
        nonlocal run, run_initial
        while run and run[-1].lower().rstrip(".") in _CONNECT:
            run.pop()
        if run_initial and len(run) > 1 and run[0] in _FUNCTION_WORDS:
            run, run_initial = run[1:], False
        if run:
            single_initial = run_initial and len(run) == 1 and not _is_acronym(run[0])
            out.append((" ".join(run), single_initial))
        run, run_initial = [], False

    prev = None
    skip = _calendar_words()
    for k, tok in enumerate(toks):
        if tok == "." and k > 0 and toks[k - 1] in _TITLES:
            continue
        initial = prev is None or prev in _SENT_END
        word = tok[:1].isalpha()
        capital = tok[:1].isupper() or any(p[:1].isupper() for p in tok.split("-")[1:])
        if tok in _TITLES or tok in skip:
            flush()
            prev = "w"
            continue
        if word and (capital or _is_acronym(tok)):
            if not run:
                run_initial = initial
            run.append(tok)
        elif word and run and tok.lower() in _CONNECT:
            run.append(tok)
        else:
            flush()
        prev = tok if not word else "w"
    flush()
    return out


def _calendar_words() -> frozenset[str]:
    """English day and month names (from CLDR via Babel): capitalised, never entities."""
    global _CALENDAR
    if _CALENDAR is None:
        from babel import Locale

        loc = Locale("en")
        names: set[str] = set()
        for width in ("wide", "abbreviated"):
            names.update(loc.days["format"][width].values())
            names.update(loc.months["format"][width].values())
        _CALENDAR = frozenset(names)
    return _CALENDAR


_CALENDAR: frozenset[str] | None = None


def _is_acronym(tok: str) -> bool:
    letters = [c for c in tok if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def target_units(text: str, lang: str) -> set[str]:
    """Lemmatised target words (and capitalised bigrams) of one segment."""
    words = re.findall(rf"[{WORD_CHARS}]+(?:[{APOSTROPHES}][{WORD_CHARS}]+)?", text)
    units: list[str] = []
    for w in words:
        if lang == "tr":
            for a in APOSTROPHES:
                w = w.split(a)[0]
            units.append(w)
        elif lang == "ru":
            from mtalign.glossary.morph_ru import analyzer

            p = analyzer().parse(w)[0]
            nf = p.normal_form
            units.append(nf[:1].upper() + nf[1:] if w[:1].isupper() else nf)
        elif lang == "ar":
            n = ar_normalize(w)
            units.append(n[1:] if n[:1] in "وفبلك" and len(n) > 4 else n)
        else:
            units.append(w)
    out = set(units)
    if lang != "ar":
        for a, b in zip(units, units[1:], strict=False):
            if a[:1].isupper() and b[:1].isupper():
                out.add(f"{a} {b}")
    return out


def _loose(unit: str) -> str:
    """A spelling-tolerant key: case, diacritics and Turkish dotless i folded.

    "Erdoğan", "Erdogan" and "ERDOĞAN" are one unit for counting; the surface form most
    often seen (the first seen on a tie) is the one kept.
    """
    d = unicodedata.normalize("NFKD", unit.replace("ı", "i").replace("İ", "I"))
    return "".join(c for c in d if not unicodedata.combining(c)).casefold()


#: Scripts without letter case: capitalisation cannot tell names there.
_CASELESS = frozenset({"ar", "fa", "he", "ur", "zh", "ja", "ko", "th", "hi", "ka", "am"})


#: Weight of co-occurrence (Dice) in a pairing's score; the rest is name similarity.
CO_WEIGHT = 0.75
#: Lowest score (co-occurrence and similarity combined) for a pairing to be kept.
MIN_SCORE = 0.5
#: Name similarity from which a sentence-first capitalised unit may render a name.
LOOKALIKE = 0.8
#: Lowest share of a candidate's beads in which its rendering was linked to it.
MIN_SHARE = 0.5


@dataclass(frozen=True)
class Mined:
    """One source candidate, its best rendering and the evidence for it."""

    source: str
    target: str
    score: float
    links: int
    count: int
    dice: float
    similarity: float
    alternatives: tuple[str, ...]
    unsure: str = ""  # why it is dropped; empty when kept

    def comment(self) -> str:
        """The review comment written above the term in a draft."""
        alts = f"; also seen: {', '.join(self.alternatives)}" if self.alternatives else ""
        return (
            f"draft: score {self.score:.2f}, linked in {self.links} of {self.count} beads, "
            f"co-occurrence {self.dice:.2f}, similarity {self.similarity:.2f}{alts}"
        )


@dataclass
class _Counts:
    """Per-bead candidates and target units, and the beads each one is in."""

    beads: list[tuple[set[str], set[str]]] = field(default_factory=list)
    cand_segs: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    unit_segs: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    surfaces: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    first_seen: dict[str, int] = field(default_factory=dict)
    confirmed: set[str] = field(default_factory=set)
    mid_sentence: set[str] = field(default_factory=set)  # unit keys seen not sentence-first

    def surface(self, key: str) -> str:
        counts = self.surfaces[key]
        return max(counts, key=lambda u: (counts[u], -self.first_seen[u]))


#: The first word of each sentence (masked to tell units seen mid-sentence).
_SENT_FIRST = re.compile(rf"(^|[.!?…]\s+)[{WORD_CHARS}]+")


def _count(sources: list[str], targets: list[str], tgt_lang: str) -> _Counts:
    """Candidates and units of every bead, and where each was seen."""
    n = _Counts()
    for i, (s, t) in enumerate(zip(sources, targets, strict=True)):
        cands: set[str] = set()
        for c, initial in _candidates(s):
            cands.add(c)
            n.cand_segs[c].add(i)
            if not initial:
                n.confirmed.add(c)
        keys: set[str] = set()
        for u in sorted(target_units(t, tgt_lang)):
            key = _loose(u)
            keys.add(key)
            n.unit_segs[key].add(i)
            n.surfaces[key][u] += 1
            n.first_seen.setdefault(u, len(n.first_seen))
        n.mid_sentence.update(_loose(u) for u in target_units(_SENT_FIRST.sub(r"\1x", t), tgt_lang))
        n.beads.append((cands, keys))
    return n


def _pair_scores(n: _Counts, tgt_lang: str) -> dict[tuple[str, str], tuple[float, float, float]]:
    """(score, Dice, similarity) of every co-occurring (candidate, unit key) pair."""
    cased = tgt_lang not in _CASELESS
    out: dict[tuple[str, str], tuple[float, float, float]] = {}
    for c, segs in n.cand_segs.items():
        inter: Counter[str] = Counter()
        for i in segs:
            inter.update(n.beads[i][1])
        for key, k in inter.items():
            sim = name_similarity(c, n.surface(key))
            # A capitalised name is rendered by a capitalised unit where the script has
            # case, and that capital must not be explained by sentence position alone
            # (as in the source) unless the unit looks like the name.
            if cased and c[:1].isupper():
                if not n.surface(key)[:1].isupper():
                    continue
                if key not in n.mid_sentence and sim < LOOKALIKE:
                    continue
            dice = 2 * k / (len(segs) + len(n.unit_segs[key]))
            out[c, key] = (CO_WEIGHT * dice + (1 - CO_WEIGHT) * sim, dice, sim)
    return out


def _overlap(a: str, b: str) -> bool:
    return bool(set(a.split()) & set(b.split()))


def _links(n: _Counts, scores: dict[tuple[str, str], tuple[float, float, float]]) -> Counter:
    """Competitive linking: in each bead the best-scoring pair links first, and a linked
    candidate or unit (or a unit sharing a word with a linked one) takes no other link."""
    links: Counter[tuple[str, str]] = Counter()
    for cands, keys in n.beads:
        pairs = sorted(
            ((scores[c, u][0], c, u) for c in cands for u in keys if (c, u) in scores),
            key=lambda p: (-p[0], p[1], p[2]),
        )
        done_c: set[str] = set()
        done_u: list[str] = []
        for _, c, u in pairs:
            if c in done_c or any(_overlap(u, v) for v in done_u):
                continue
            done_c.add(c)
            done_u.append(u)
            links[c, u] += 1
    return links


def mine_candidates(
    sources: list[str], targets: list[str], src_lang: str, tgt_lang: str, min_count: int = 2
) -> list[Mined]:
    """Every frequent candidate with its best rendering, kept or marked unsure.

    ``sources[i]`` and ``targets[i]`` are one bead (a line pair or an aligned bead).
    """
    n = _count(sources, targets, tgt_lang)
    scores = _pair_scores(n, tgt_lang)
    links = _links(n, scores)
    by_cand: dict[str, list[tuple[int, float, str]]] = defaultdict(list)
    for (c, u), k in links.items():
        by_cand[c].append((k, scores[c, u][0], u))
    out = []
    for c, segs in n.cand_segs.items():
        if len(segs) < min_count or c not in n.confirmed:
            continue
        if not by_cand[c]:
            out.append(Mined(c, "", 0.0, 0, len(segs), 0.0, 0.0, (), "no rendering linked"))
            continue
        ranked = sorted(by_cand[c], key=lambda r: (-r[0], -r[1], r[2]))
        k, score, best = ranked[0]
        rivals = [r for r in ranked[1:] if not _overlap(r[2], best)]
        _, dice, sim = scores[c, best]
        unsure = ""
        if rivals and rivals[0][0] >= k:
            unsure = f"{n.surface(rivals[0][2])} linked as often"
        elif k / len(segs) < MIN_SHARE:
            unsure = f"linked in only {k} of {len(segs)} beads"
        elif score < MIN_SCORE:
            unsure = f"score {score:.2f} below {MIN_SCORE}"
        alts = tuple(n.surface(r[2]) for r in rivals[:3])
        out.append(Mined(c, n.surface(best), score, k, len(segs), dice, sim, alts, unsure))
    return out


def mine_glossary(
    sources: list[str], targets: list[str], src_lang: str, tgt_lang: str, min_count: int = 2
) -> tuple[Glossary, dict[str, str], list[Mined]]:
    """A draft glossary, a review comment per term, and the candidates dropped as unsure."""
    terms: list[Term] = []
    comments: dict[str, str] = {}
    ids: set[str] = set()
    mined = mine_candidates(sources, targets, src_lang, tgt_lang, min_count)
    for m in mined:
        if m.unsure:
            continue
        tid = slug(m.source)
        while tid in ids:
            tid += "-x"
        ids.add(tid)
        type_ = "ORG" if _is_acronym(m.source) else None
        terms.append(Term(id=tid, source=(m.source,), targets={tgt_lang: m.target}, type=type_))
        comments[tid] = m.comment()
    g = make_glossary(
        terms,
        {t.id: TermOptions(note="mined draft") for t in terms},
        name="mined",
        source_lang=src_lang,
    )
    return g, comments, [m for m in mined if m.unsure]


def consistency_glossary(
    sources: list[str], targets: list[str], src_lang: str, tgt_lang: str
) -> Glossary:
    """For ``--consistency`` without a glossary: each entity's dominant rendering.

    Pass the result to :func:`mtalign.glossary.enforce.enforce_batch` (check or enforce)
    over the same document/batch so every occurrence uses that rendering.
    """
    return mine_glossary(sources, targets, src_lang, tgt_lang, min_count=2)[0]
