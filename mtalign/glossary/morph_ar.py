"""Arabic target forms: normalised matching with attached proclitics.

Matching ignores diacritics and tatweel and unifies alef forms (أ إ آ ٱ -> ا), alef
maqsura/ya and ta marbuta/ha. Proclitics may precede the first word: و ف, then ب ك ل,
and ال when the term allows it (``ar_article``); a term that starts with ال takes ل as
the contraction لل (للأسد). A rendering spelled exactly like the form (diacritics aside)
is ok; one equal only after normalisation ("اردوغان" without hamza) is a variant that
the fix rewrites, keeping the proclitics as written.
"""

from __future__ import annotations

from functools import lru_cache

from mtalign.arabic import is_mark
from mtalign.glossary.model import TermOptions
from mtalign.glossary.morph_base import Found, dedupe
from mtalign.glossary.textutil import WORD_RE, ar_normalize, ar_normalize_with_map, ar_strip_marks

_CONJ = ("", "و", "ف")
_PREP = ("", "ب", "ك", "ل")


@lru_cache(maxsize=4096)
def _prefixes(has_article: bool, allow_article: bool) -> dict[str, bool]:
    """Allowed normalised proclitic strings -> whether the form's alef of ال is dropped."""
    out: dict[str, bool] = {}
    for c in _CONJ:
        for p in _PREP:
            if has_article:
                if p == "ل":
                    out[c + "ل"] = True  # ل + الأسد -> للأسد: the first letter left is ل
                else:
                    out[c + p] = False
            else:
                out[c + p] = False
                if allow_article:
                    if p == "ل":
                        out[c + "لل"] = False
                    else:
                        out[c + p + "ال"] = False
    return out


def _expand_end(text: str, end: int) -> int:
    while end < len(text) and is_mark(text[end]):
        end += 1
    return end


class ArabicMorph:
    lang = "ar"

    def scan(self, text: str, forms: tuple[str, ...], opts: TermOptions) -> list[Found]:
        norm, index = ar_normalize_with_map(text)
        words = [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(norm)]
        out: list[Found] = []
        for form in forms:
            fwords = ar_normalize(form).split()
            if not fwords:
                continue
            has_article = fwords[0].startswith("ال")
            prefixes = _prefixes(has_article, opts.ar_article)
            first = fwords[0]
            n = len(fwords)
            for i in range(len(words) - n + 1):
                w, ws, we = words[i]
                if not w.endswith(first[1:] if has_article else first):
                    continue
                drop = self._proclitic(w, first, has_article, prefixes)
                if drop is None:
                    continue
                if any(words[i + k][0] != fwords[k] for k in range(1, n)):
                    continue
                plen, dropped_alef = drop
                start = index[ws]
                core_start = index[ws + plen] if plen < len(w) else index[ws]
                end = _expand_end(text, index[words[i + n - 1][2] - 1] + 1)
                surface = text[start:end]
                core = text[core_start:end]
                expected = form[1:] if dropped_alef else form
                ok = ar_strip_marks(core) == ar_strip_marks(expected)
                repl = surface if ok else text[start:core_start] + expected
                out.append(Found(start, end, surface, "ok" if ok else "variant", form, repl))
        return dedupe(out)

    @staticmethod
    def _proclitic(
        word: str, first: str, has_article: bool, prefixes: dict[str, bool]
    ) -> tuple[int, bool] | None:
        """(length of the proclitic in ``word``, alef dropped) when ``word`` is
        proclitics + the form's first word."""
        if word == first:
            return 0, False
        if word.endswith(first):
            pre = word[: len(word) - len(first)]
            if pre in prefixes and not prefixes[pre]:
                return len(pre), False
        if has_article:
            rest = first[1:]  # "لاسد": the form without its alef
            if word.endswith(rest):
                pre = word[: len(word) - len(rest)]
                # pre ends with the ل that replaced the alef's ال: pre + "ل" in prefixes
                if pre and pre in prefixes and prefixes[pre]:
                    return len(pre), True
        return None

    def render_like(self, canonical: str, word: str, opts: TermOptions) -> str:
        """``canonical`` with the proclitics (و ف ب ك ل) that ``word`` starts with."""
        w = ar_normalize(word)
        has_article = ar_normalize(canonical).startswith("ال")
        pre = ""
        for c in _CONJ:
            if c and w.startswith(c) and len(w) > 3:
                pre, w = pre + word[0], w[1:]
                word = word[1:]
                break
        for p in ("ب", "ك", "ل"):
            if w.startswith(p) and len(w) > 3:
                if p == "ل" and has_article:
                    return pre + "ل" + canonical[1:]
                return pre + word[0] + canonical
        return pre + canonical
