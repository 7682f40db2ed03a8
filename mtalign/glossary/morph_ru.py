"""Russian target forms: every case of a name, generated with pymorphy3.

Single words take all forms of their lexeme in the same number; multi-word names agree
word by word (Белый дом -> Белого дома); indeclinable words (НАТО, ООН, Сочи, Помпео)
and words after the head noun (the genitive in "Совет Безопасности ООН") stay as written.
Variants: another letter case, ё/е, э/е, й/и spellings ("Ердоган"); the fix writes the
canonical name in the grammatical case of the variant.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from mtalign.glossary.model import TermOptions
from mtalign.glossary.morph_base import Found, dedupe
from mtalign.glossary.textutil import WORD_RE

log = logging.getLogger(__name__)

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct", "gen2", "loc2")
_VARIABLE = frozenset(
    {*CASES, "sing", "plur", "masc", "femn", "neut", "Ms-f", "anim", "inan", "Sgtm", "Pltm"}
)
_NAME_TAGS = ("Surn", "Name", "Patr", "Geox", "Orgn", "Trad")
_SKEL = str.maketrans("ёэй", "еей")


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """The pymorphy3 analyser (loaded once, on first use)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def skeleton(word: str) -> str:
    return word.lower().translate(_SKEL)


def _with_case_of(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _nominative_parse(word: str, prefer_names: bool, gender: str | None = None) -> Any | None:
    """The parse of ``word`` as a nominative noun/adjective, or None (leave it as is)."""
    parses = [p for p in analyzer().parse(word) if p.tag.case == "nomn"]
    if not parses:
        return None
    declinable = [p for p in parses if "Fixd" not in p.tag]
    if not declinable or (word.isupper() and len(word) > 1):
        return None

    def rank(p: Any) -> tuple[int, int, int, float]:
        named = any(t in p.tag for t in _NAME_TAGS)
        same_gender = gender is not None and p.tag.gender == gender
        return (
            int(named and prefer_names),
            int(same_gender),
            int(p.tag.POS in ("NOUN", "ADJF", "PRTF")),
            p.score,
        )

    return max(declinable, key=rank)


@lru_cache(maxsize=65536)
def case_forms(phrase: str) -> tuple[tuple[str, str], ...]:
    """``(case, form)`` pairs of a name in every case (the written form first, as nomn).

    Only the head noun, the adjectives before it, and name parts in apposition decline.
    """
    words = phrase.split()
    parses: list[Any | None] = []
    head_seen = False
    all_capitalised = all(w[:1].isupper() for w in words)
    gender: str | None = None
    for w in words:
        if head_seen and not (all_capitalised and _looks_like_name_part(w)):
            parses.append(None)
            continue
        p = _nominative_parse(w, prefer_names=w[:1].isupper(), gender=gender)
        parses.append(p)
        if p is not None and p.tag.POS == "NOUN":
            if not head_seen:
                gender = p.tag.gender
            head_seen = True
    if all(p is None for p in parses):
        return (("nomn", phrase),)
    head = next((p for p in parses if p is not None and p.tag.POS == "NOUN"), None)
    out: list[tuple[str, str]] = [("nomn", phrase)]
    seen = {phrase}
    for case in CASES:
        variants = _inflect_all(words, parses, head, case)
        for v in variants:
            if v not in seen:
                seen.add(v)
                out.append((case, v))
    return tuple(out)


def _looks_like_name_part(word: str) -> bool:
    """A capitalised word whose likeliest reading is a nominative noun (Тайип, Эрдоган),
    not a genitive complement (Безопасности) or an indeclinable (ООН)."""
    parses = analyzer().parse(word)
    top = parses[0] if parses else None
    return (
        top is not None
        and top.tag.POS == "NOUN"
        and top.tag.case == "nomn"
        and "Fixd" not in top.tag
        and not (word.isupper() and len(word) > 1)
    )


def _inflect_all(words: list[str], parses: list[Any | None], head: Any, case: str) -> list[str]:
    number = head.tag.number if head is not None and head.tag.number else "sing"
    per_word: list[list[str]] = []
    for w, p in zip(words, parses, strict=True):
        if p is None:
            per_word.append([w])
            continue
        grams = {case}
        fixed = set(p.tag.grammemes) - _VARIABLE
        if p.tag.POS == "NOUN" and p.tag.gender:
            fixed.add(p.tag.gender)
        if p.tag.POS != "NOUN":
            grams.add(number)
            if head is not None and head.tag.gender and number == "sing":
                grams.add(head.tag.gender)
            if case == "accs" and head is not None and head.tag.animacy:
                grams.add(head.tag.animacy)
        forms = []
        for lex in p.lexeme:
            tag = lex.tag
            if tag.case != case or not fixed <= set(tag.grammemes):
                continue
            if p.tag.POS == "NOUN" and tag.number != (p.tag.number or number):
                continue
            if p.tag.POS != "NOUN" and not grams <= set(tag.grammemes):
                continue
            forms.append(_with_case_of(w, lex.word))
        if not forms:
            inf = p.inflect(grams)
            forms = [_with_case_of(w, inf.word)] if inf is not None else []
        if not forms:
            return []
        per_word.append(list(dict.fromkeys(forms)))
    # Variants multiply only for single words (Москвой/Москвою); phrases take the first.
    if len(words) == 1:
        return per_word[0]
    return [" ".join(ws[0] for ws in per_word)]


def case_of(word: str) -> str | None:
    """The grammatical case pymorphy3 is most sure ``word`` is in, or None."""
    parses = [p for p in analyzer().parse(word) if p.tag.case and p.tag.POS in ("NOUN", "ADJF")]
    if not parses:
        return None
    return parses[0].tag.case


class RussianMorph:
    lang = "ru"

    def scan(self, text: str, forms: tuple[str, ...], opts: TermOptions) -> list[Found]:
        index = _index(forms)
        if not index:
            return []
        lengths = sorted({len(k) for k in index}, reverse=True)
        words = [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text)]
        skel = [skeleton(w) for w, _, _ in words]
        out: list[Found] = []
        i = 0
        while i < len(words):
            hit = None
            for n in lengths:
                if i + n > len(words):
                    continue
                got = index.get(tuple(skel[i : i + n]))
                if got is not None:
                    hit = (n, got)
                    break
            if hit is None:
                i += 1
                continue
            n, (form, _case, base) = hit
            start, end = words[i][1], words[i + n - 1][2]
            surface = text[start:end]
            flat = " ".join(w for w, _, _ in words[i : i + n])
            ok = flat == form or (flat.isupper() and flat == form.upper())
            repl = surface if ok else (form.upper() if flat.isupper() and len(flat) > 1 else form)
            out.append(Found(start, end, surface, "ok" if ok else "variant", base, repl))
            i += n
        return dedupe(out)

    def render_like(self, canonical: str, word: str, opts: TermOptions) -> str:
        """``canonical`` in the grammatical case of ``word``.

        The case whose form of the canonical name shares the longest ending with the
        replaced word wins (Ердогану -> Эрдогану); pymorphy3's reading of the word breaks
        ties (and decides alone when no ending is shared).
        """
        words = word.split()
        last = skeleton(words[-1]) if words else ""
        forms = case_forms(canonical)
        if not last or len(forms) == 1:
            return canonical

        def shared(f: str) -> int:
            a = skeleton(f.split()[-1])
            n = 0
            while n < min(len(a), len(last)) and a[-1 - n] == last[-1 - n]:
                n += 1
            return n

        scored = [(shared(f), c, f) for c, f in forms]
        top = max(s for s, _, _ in scored)
        tied = [(c, f) for s, c, f in scored if s == top]
        guess = case_of(words[-1])
        if top == 0:
            tied = [(c, f) for c, f in forms if c == guess] or [forms[0]]
        for c, f in tied:
            if c == guess:
                return f
        return tied[0][1]


@lru_cache(maxsize=65536)
def _index(forms: tuple[str, ...]) -> dict[tuple[str, ...], tuple[str, str, str]]:
    """skeleton words -> (accepted written form, its case, the glossary form it comes from)."""
    index: dict[tuple[str, ...], tuple[str, str, str]] = {}
    for form in forms:
        for case, f in case_forms(form):
            key = tuple(skeleton(w) for w in WORD_RE.findall(f))
            index.setdefault(key, (f, case, form))
    return index
