"""Glossary drafts and consistency without a glossary.

Named-entity candidates in the source (capitalised words not explained by sentence
position, runs of capitalised words, acronyms) are paired with the target unit that
co-occurs with them most consistently across line-aligned segments (Dice coefficient
over segment sets). Target units are lemmatised per language: Turkish stems before the
apostrophe, Russian pymorphy3 normal forms, Arabic words without proclitics.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict

from mtalign.glossary.formats import slug
from mtalign.glossary.model import Glossary, TermOptions, make_glossary
from mtalign.glossary.textutil import APOSTROPHES, WORD_CHARS, ar_normalize
from mtalign.types import Term

_TOKEN = re.compile(rf"[{WORD_CHARS}]+(?:[.\-][{WORD_CHARS}]+)*|[^\s{WORD_CHARS}]")
_FUNCTION_WORDS = {"The", "A", "An", "In", "At", "On", "But", "And", "As", "For", "By", "To"}
_TITLES = {"Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Col", "Sen", "Rep", "Prof"}
_CONNECT = {"al", "el", "of", "de", "bin", "ibn", "von", "van", "der", "la", "le"}
_SENT_END = set(".!?\"“”'‘’«»:-–—(")
#: Lowest Dice score for a pairing to be written into a draft.
MIN_DICE = 0.5


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


def mine_pairs(
    sources: list[str], targets: list[str], src_lang: str, tgt_lang: str, min_count: int = 2
) -> list[tuple[str, str, float, int, list[str]]]:
    """(candidate, best target unit, Dice, count, runner-ups) for frequent candidates."""
    cand_segs: dict[str, set[int]] = defaultdict(set)
    unit_segs: dict[str, set[int]] = defaultdict(set)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[str, int] = {}
    confirmed: set[str] = set()
    order = 0
    for i, (s, t) in enumerate(zip(sources, targets, strict=True)):
        for c, initial in _candidates(s):
            cand_segs[c].add(i)
            if not initial:
                confirmed.add(c)
        for u in sorted(target_units(t, tgt_lang)):
            key = _loose(u)
            unit_segs[key].add(i)
            surfaces[key][u] += 1
            if u not in first_seen:
                first_seen[u] = order
                order += 1

    def surface(key: str) -> str:
        counts = surfaces[key]
        return max(counts, key=lambda u: (counts[u], -first_seen[u]))

    cased = tgt_lang not in _CASELESS
    out = []
    for c, segs in cand_segs.items():
        if len(segs) < min_count or c not in confirmed:
            continue
        scores: dict[str, float] = {}
        for key, useg in unit_segs.items():
            inter = len(segs & useg)
            if not inter:
                continue
            # A capitalised name is rendered by a capitalised unit where the script has case.
            if cased and c[:1].isupper() and not surface(key)[:1].isupper():
                continue
            scores[key] = 2 * inter / (len(segs) + len(useg))
        if not scores:
            continue
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -len(kv[0])))
        best, dice = ranked[0]
        if dice >= MIN_DICE:
            out.append((c, surface(best), dice, len(segs), [surface(u) for u, _ in ranked[1:4]]))
    return out


def mine_glossary(
    sources: list[str], targets: list[str], src_lang: str, tgt_lang: str, min_count: int = 2
) -> tuple[Glossary, dict[str, str]]:
    """A draft glossary (and a review comment per term) from a translated document."""
    terms: list[Term] = []
    comments: dict[str, str] = {}
    ids: set[str] = set()
    for c, best, dice, n, alts in mine_pairs(sources, targets, src_lang, tgt_lang, min_count):
        tid = slug(c)
        while tid in ids:
            tid += "-x"
        ids.add(tid)
        terms.append(
            Term(
                id=tid,
                source=(c,),
                targets={tgt_lang: best},
                type="ORG" if _is_acronym(c) else None,
            )
        )
        comments[tid] = f"draft: {n} segments, co-occurrence {dice:.2f}" + (
            f"; also seen: {', '.join(alts)}" if alts else ""
        )
    g = make_glossary(
        terms,
        {t.id: TermOptions(note="mined draft") for t in terms},
        name="mined",
        source_lang=src_lang,
    )
    return g, comments


def consistency_glossary(
    sources: list[str], targets: list[str], src_lang: str, tgt_lang: str
) -> Glossary:
    """For ``--consistency`` without a glossary: each entity's dominant rendering.

    Pass the result to :func:`mtalign.glossary.enforce.enforce_batch` (check or enforce)
    over the same document/batch so every occurrence uses that rendering.
    """
    return mine_glossary(sources, targets, src_lang, tgt_lang, min_count=2)[0]
