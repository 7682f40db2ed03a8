"""Target-side forms: the interface every language's morphology implements.

``scan`` finds where a term is rendered in a translated segment and says whether each
occurrence is an accepted form (``ok``) or a wrong variant of it (``variant``), with the
text ``fix`` writes instead. ``render_like`` adapts the canonical form to a word it
replaces (Turkish suffix, Russian case, Arabic proclitics). Languages without rules of
their own use :class:`ExactMorph`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from mtalign.glossary.model import TermOptions
from mtalign.glossary.textutil import WORD_CHARS


@dataclass(frozen=True)
class Found:
    """One rendering of a term in a target segment.

    ``start``/``end`` cover the whole surface (proclitics and suffix included);
    ``replacement`` is what ``fix`` writes there (equal to ``surface`` when ok).
    """

    start: int
    end: int
    surface: str
    status: str
    form: str
    replacement: str


class TargetMorph(Protocol):
    lang: str

    def scan(self, text: str, forms: tuple[str, ...], opts: TermOptions) -> list[Found]: ...

    def render_like(self, canonical: str, word: str, opts: TermOptions) -> str: ...


def dedupe(found: list[Found]) -> list[Found]:
    """Drop occurrences overlapping an earlier-kept one: longer and ok ones are kept first."""
    ranked = sorted(found, key=lambda f: (f.status != "ok", -(f.end - f.start), f.start))
    kept: list[Found] = []
    for f in ranked:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


class ExactMorph:
    """Languages without special rules: canonical and extra forms, exact, whole words.

    A case-insensitive match with different letters case is a variant.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    @staticmethod
    @lru_cache(maxsize=65536)
    def _pattern(form: str) -> re.Pattern[str]:
        body = r"\s+".join(re.escape(p) for p in form.split())
        return re.compile(rf"(?<![{WORD_CHARS}]){body}(?![{WORD_CHARS}])", re.IGNORECASE)

    def scan(self, text: str, forms: tuple[str, ...], opts: TermOptions) -> list[Found]:
        out: list[Found] = []
        for form in forms:
            for m in self._pattern(form).finditer(text):
                s = m.group()
                ok = s == form or " ".join(s.split()) == form or s == form.upper()
                out.append(
                    Found(m.start(), m.end(), s, "ok" if ok else "variant", form, s if ok else form)
                )
        return dedupe(out)

    def render_like(self, canonical: str, word: str, opts: TermOptions) -> str:
        return canonical
