"""Turkish target forms: proper names take their suffixes after an apostrophe.

``Erdoğan``, ``Erdoğan'ın``, ``İdlib’de`` are correct. ``Erdoğanın`` (suffix attached)
and ``Erdogan'ın`` / ``Idlib'de`` (Turkish letters lost) are variants; the fix keeps the
suffix and writes the canonical name with an apostrophe. Institution names whose terms
set ``tr_attached`` accept attached suffixes too ("Güvenlik Konseyine").
Comparison uses Turkish casing (I/ı, İ/i), never ``str.lower``.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from mtalign.glossary.model import TermOptions
from mtalign.glossary.morph_base import Found, dedupe
from mtalign.glossary.textutil import APOSTROPHES, tr_lower, tr_skeleton, tr_upper

# Inflectional suffix chains (plural, possessive, case, -ki) written on the ASCII skeleton
# (ı->i, ü->u, ö->o). Anything else attached (Suriyeli, Türkçe, Samsun) is another word.
_ATTACHED = re.compile(
    r"^(?:l[ae]r)?"
    r"(?:[iu]m(?:[iu]z)?|[iu]n(?:[iu]z)?|s?[iu]|l[ae]r[iu])?"
    r"(?:[yn]?[iu]n|n[iu]n|[yn]?[iu]|[yn]?[ae]|n?[dt][ae]n?|[y]?l[ae]|[dt][ae]ki|ki)?$"
)
# Two mistakes at once (letters lost and suffix attached) are believed only on long names:
# "Sam" + "sun" must not become "Şam'sun".
_MIN_DOUBLE = 5


def _is_word_char(c: str) -> bool:
    return c.isalnum()


@lru_cache(maxsize=1024)
def _skeleton(text: str) -> str:
    """``tr_skeleton`` of a segment, cached: every term of a glossary scans the same text.

    A pure function's cache, not state on the shared morphology object, so threads that
    scan different texts at once cannot see each other's skeleton.
    """
    return tr_skeleton(text)


class TurkishMorph:
    lang = "tr"

    @staticmethod
    def _apostrophe(text: str) -> str:
        """The apostrophe this text already uses for suffixes (’ or ')."""
        curly = sum(text.count(c) for c in "\u2019\u02bc")
        return "\u2019" if curly > text.count("'") else "'"

    def scan(self, text: str, forms: tuple[str, ...], opts: TermOptions) -> list[Found]:
        skel = _skeleton(text)
        n = len(text)
        out: list[Found] = []
        for form in forms:
            key = tr_skeleton(form)
            if not key:
                continue
            pos = skel.find(key)
            while pos >= 0:
                found = self._at(text, skel, pos, len(key), form, opts, n)
                if found is not None:
                    out.append(found)
                pos = skel.find(key, pos + 1)
        return dedupe(out)

    def _at(
        self, text: str, skel: str, p: int, length: int, form: str, opts: TermOptions, n: int
    ) -> Found | None:
        if p > 0 and _is_word_char(text[p - 1]):
            return None
        q = p + length
        stem = text[p:q]
        kind, suffix, end = "bare", "", q
        apostrophe = ""
        if q < n and text[q] in APOSTROPHES and q + 1 < n and text[q + 1].isalpha():
            e = q + 1
            while e < n and text[e].isalpha():
                e += 1
            kind, suffix, end, apostrophe = "apos", text[q + 1 : e], e, text[q]
        elif q < n and _is_word_char(text[q]):
            e = q
            while e < n and _is_word_char(text[e]):
                e += 1
            attached = text[q:e]
            if not _ATTACHED.match(tr_skeleton(attached)) or len(attached) > 8:
                return None
            kind, suffix, end = "attached", attached, e
        stem_exact = stem == form or stem == tr_upper(form)
        same_letters = tr_lower(stem) == tr_lower(form)
        if kind == "attached" and not same_letters and len(form) < _MIN_DOUBLE:
            return None
        surface = text[p:end]
        ok = stem_exact and (kind != "attached" or opts.tr_attached)
        if ok:
            return Found(p, end, surface, "ok", form, surface)
        canon = tr_upper(form) if stem.isupper() and len(stem) > 1 else form
        if not suffix:
            repl = canon
        elif kind == "attached" and opts.tr_attached:
            repl = canon + suffix
        else:
            repl = canon + (apostrophe or self._apostrophe(text)) + suffix
        return Found(p, end, surface, "variant", form, repl)

    def render_like(self, canonical: str, word: str, opts: TermOptions) -> str:
        """The canonical name with the Turkish suffix of the word it replaces.

        ``Erdoan'ın`` -> ``Erdoğan'ın``; a word without an apostrophe gives its
        inflectional tail only when it looks like one (otherwise the bare name).
        """
        for i, c in enumerate(word):
            if c in APOSTROPHES and i > 0 and word[i + 1 : i + 2].isalpha():
                return canonical + c + word[i + 1 :]
        # No apostrophe ("Erdoanla"): the split whose stem is most like the name and whose
        # tail is an inflectional suffix.
        key = tr_skeleton(canonical)
        best, best_ratio = "", difflib.SequenceMatcher(None, tr_skeleton(word), key).ratio()
        for k in range(max(1, len(word) - 8), len(word)):
            tail = tr_skeleton(word[k:])
            if not _ATTACHED.match(tail):
                continue
            ratio = difflib.SequenceMatcher(None, tr_skeleton(word[:k]), key).ratio()
            if ratio > best_ratio:
                best, best_ratio = word[k:], ratio
        if not best:
            return canonical
        return canonical + ("" if opts.tr_attached else "'") + best
