"""Checking translations against a glossary, occurrence by occurrence.

For each source occurrence of a term (found by the source matcher) the target segment is
searched for the term's accepted forms (language morphology in ``morph_*``). The i-th
occurrence of a term in a source segment is ``ok`` when the target holds at least i
accepted renderings of it (counted, as in the WMT21 terminology task), else ``variant``
when a wrong spelling or attachment of the term is there, else ``missing``. A term with
no form for the target language is ``no-target``. Longer terms claim their target span
first, so "BM" inside "BM Güvenlik Konseyi" is not counted twice.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from mtalign.glossary.match import SourceMatch
from mtalign.glossary.model import Glossary, TermOptions, expected_forms
from mtalign.glossary.target import Found, get_morph
from mtalign.glossary.textutil import APOSTROPHES, WORD_RE, ar_normalize, tr_skeleton
from mtalign.types import Term, TermHit

#: Similarity a near-miss rendering needs to be taken for the term ("Erdoan" for
#: "Erdoğan"), and the shortest form this is tried on (Iran/Irak must stay apart).
FUZZY_RATIO = 0.8
FUZZY_MIN_LEN = 5


@dataclass(frozen=True)
class Occurrence:
    """A :class:`TermHit` plus what the fix needs: the target rendering found (if any)."""

    hit: TermHit
    found: Found | None = None
    lemma: str | None = None


def forms_for(glossary: Glossary, term: Term, lang: str, source_surface: str) -> tuple[str, ...]:
    """Accepted forms of ``term`` in ``lang``; a ``keep`` term accepts its source form."""
    forms = expected_forms(glossary, term, lang)
    if term.keep:
        return tuple(dict.fromkeys((source_surface, *term.source[:1], *forms)))
    return forms


def check_segment(
    source: str,
    target: str,
    glossary: Glossary,
    src_lang: str,
    tgt_lang: str,
    segment: int = 0,
    matches: list[SourceMatch] | None = None,
    fuzzy: bool = True,
) -> list[Occurrence]:
    """Every source term occurrence in ``source`` and how ``target`` renders it."""
    if matches is None:
        matches = glossary.matcher(src_lang).find(source)
    if not matches:
        return []
    morph = get_morph(tgt_lang)
    groups: dict[tuple[str, tuple[str, ...]], list[SourceMatch]] = defaultdict(list)
    for m in matches:
        term = glossary.get(m.term_id)
        groups[(m.term_id, forms_for(glossary, term, tgt_lang, m.surface))].append(m)
    claimed: list[tuple[int, int]] = []

    def free(f: Found) -> bool:
        return all(f.end <= s or f.start >= e for s, e in claimed)

    results: dict[int, Occurrence] = {}
    order = sorted(groups, key=lambda k: -max((len(f) for f in k[1]), default=0))
    for term_id, forms in order:
        occ = groups[(term_id, forms)]
        if not forms:
            for m in occ:
                results[id(m)] = Occurrence(_hit(m, segment, (), None, "no-target"))
            continue
        opts = glossary.opts(term_id)
        found = [f for f in morph.scan(target, forms, opts) if free(f)]
        oks = [f for f in found if f.status == "ok"]
        variants = [f for f in found if f.status == "variant"]
        for m in occ:
            f: Found | None = None
            if oks:
                f = oks.pop(0)
            elif variants:
                f = variants.pop(0)
            elif fuzzy:
                f = fuzzy_find(target, forms, tgt_lang, claimed)
            if f is not None:
                claimed.append((f.start, f.end))
                results[id(m)] = Occurrence(
                    _hit(m, segment, forms, f.surface, f.status, (f.start, f.end)),
                    f,
                    lemma=f.form if f.status == "ok" else _lemma_key(f.surface, tgt_lang),
                )
            else:
                results[id(m)] = Occurrence(_hit(m, segment, forms, None, "missing"))
    return [results[id(m)] for m in matches]


def _hit(
    m: SourceMatch,
    segment: int,
    forms: tuple[str, ...],
    found: str | None,
    status: str,
    span: tuple[int, int] | None = None,
) -> TermHit:
    return TermHit(
        segment=segment,
        term_id=m.term_id,
        source_form=m.surface,
        src_span=(m.start, m.end),
        expected=forms,
        found=found,
        status=status,
        tgt_span=span,
    )


def _lemma_key(surface: str, lang: str) -> str:
    """A rough identity for a wrong rendering, for the consistency measure."""
    if lang == "tr":
        for a in APOSTROPHES:
            surface = surface.split(a)[0]
        return tr_skeleton(surface)
    if lang == "ar":
        return ar_normalize(surface)
    return surface.casefold()


def _fuzzy_key(word: str, lang: str) -> str:
    if lang == "tr":
        for a in APOSTROPHES:
            word = word.split(a)[0]
        return tr_skeleton(word)
    if lang == "ar":
        return ar_normalize(word)
    return word.casefold().replace("ё", "е")


def _fuzzy_targets(forms: tuple[str, ...], lang: str) -> list[tuple[str, str]]:
    """(key, form) pairs to compare near-misses with; Russian: every case form."""
    out: list[tuple[str, str]] = []
    for form in forms:
        variants = [form]
        if lang == "ru":
            from mtalign.glossary.morph_ru import case_forms

            variants = [f for _, f in case_forms(form)]
        for v in variants:
            out.append((_fuzzy_key(v, lang), form))
    return out


def fuzzy_find(
    target: str, forms: tuple[str, ...], lang: str, claimed: list[tuple[int, int]] | None = None
) -> Found | None:
    """The near-miss rendering of a term ("Erdoan'ın", "Ердогану"), as a variant, or None.

    Compares windows of as many words as the form has; capitalised forms only match
    capitalised words (a common noun is not a misspelt name).
    """
    claimed = claimed or []
    words = [(m.group(), m.start(), m.end()) for m in _word_iter(target)]
    best: tuple[float, int, int, str] | None = None
    for key, form in _fuzzy_targets(forms, lang):
        if len(key) < FUZZY_MIN_LEN:
            continue
        n = len(form.split())
        for i in range(len(words) - n + 1):
            s, e = words[i][1], words[i + n - 1][2]
            if any(not (e <= cs or s >= ce) for cs, ce in claimed):
                continue
            surface = target[s:e]
            if form[:1].isupper() and not surface[:1].isupper():
                continue
            cand = _fuzzy_key(surface, lang)
            if key in cand:
                continue  # the form itself inside a longer word: rejected on purpose
            if lang == "ar":
                ratio = max(
                    difflib.SequenceMatcher(None, cand[k:], key).ratio() for k in range(0, 3)
                )
            else:
                ratio = difflib.SequenceMatcher(None, cand, key).ratio()
            if ratio >= FUZZY_RATIO and (best is None or ratio > best[0]):
                best = (ratio, s, e, form)
    if best is None:
        return None
    _, s, e, form = best
    surface = target[s:e]
    repl = get_morph(lang).render_like(form, surface, TermOptions())
    return Found(s, e, surface, "variant", form, repl)


_SUFFIXED_WORD = re.compile(rf"{WORD_RE.pattern}(?:[{APOSTROPHES}]{WORD_RE.pattern})?")


def _word_iter(text: str) -> Iterator[re.Match[str]]:
    # Words with a Turkish apostrophe suffix stay one word: Erdoan'ın.
    return _SUFFIXED_WORD.finditer(text)


def check_corpus(
    sources: list[str],
    targets: list[str],
    glossary: Glossary,
    src_lang: str,
    tgt_lang: str,
) -> list[Occurrence]:
    """``check_segment`` over line-aligned segments (numbered from 1, like lines)."""
    if len(sources) != len(targets):
        from mtalign.errors import InputError

        raise InputError(
            f"source has {len(sources)} segments but the translation has {len(targets)}; "
            "give line-aligned files (one segment per line)"
        )
    out: list[Occurrence] = []
    matcher = glossary.matcher(src_lang)
    for i, (s, t) in enumerate(zip(sources, targets, strict=True), start=1):
        out.extend(check_segment(s, t, glossary, src_lang, tgt_lang, i, matcher.find(s)))
    return out
